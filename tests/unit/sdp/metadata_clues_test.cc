// CONSENT-1 (issue 7): named values in RFC 7865 extension data, any namespace.
#include "kronika/sdp/metadata_clues.h"

#include <catch2/catch.hpp>

namespace kronika::sdp {

TEST_CASE("consent clues (CONSENT-1) are found as elements, basis attributes and attributes in any namespace") {
  const char* xml = R"(<?xml version="1.0"?>
<recording xmlns="urn:ietf:params:xml:ns:recording:1">
  <datamode>complete</datamode>
  <session session_id="c2Vzc2lvbjE="><sipSessionID>x</sipSessionID></session>
  <participant participant_id="cGFydDE=">
    <nameID aor="sip:+48221234567@example.pl"/>
    <extensiondata><k:consent xmlns:k="urn:example:kronika">announcement</k:consent></extensiondata>
  </participant>
  <extensiondata parent="c2Vzc2lvbjE=">
    <v:callInfo xmlns:v="http://vendor.example/rec" v:consent="employee-statement"/>
    <consent xmlns="urn:other" basis=" none "/>
    <v:AnnouncementPlayed xmlns:v="http://vendor.example/rec"> true </v:AnnouncementPlayed>
  </extensiondata>
</recording>)";
  Result<std::vector<MetadataClue>> clues = FindMetadataClues(xml, {"consent", "announcementPlayed"}, "consent", "basis");
  REQUIRE(clues.ok());
  REQUIRE(clues->size() == 4);
  CHECK((*clues)[0].name == "consent");
  CHECK((*clues)[0].value == "announcement");
  CHECK((*clues)[1].name == "consent");  // the attribute
  CHECK((*clues)[1].value == "employee-statement");
  CHECK((*clues)[2].value == "none");
  CHECK((*clues)[3].name == "announcementPlayed");  // the configured spelling, case ignored
  CHECK((*clues)[3].value == "true");
}

TEST_CASE("no consent clue in ordinary vendor metadata, damaged XML is an error") {
  const char* broadworks = R"(<recording xmlns="urn:ietf:params:xml:ns:recording:1"><datamode>complete</datamode>
    <extensiondata><broadWorksRecordingMetadata xmlns="http://schema.broadsoft.com/broadworksCallRecording">
    <callType>originating</callType></broadWorksRecordingMetadata></extensiondata></recording>)";
  Result<std::vector<MetadataClue>> clues = FindMetadataClues(broadworks, {"consent"}, "consent", "basis");
  REQUIRE(clues.ok());
  CHECK(clues->empty());
  clues = FindMetadataClues(broadworks, {"callType"}, "", "basis");
  REQUIRE(clues.ok());
  REQUIRE(clues->size() == 1);
  CHECK((*clues)[0].value == "originating");
  Result<std::vector<MetadataClue>> bad = FindMetadataClues("<recording><consent>", {"consent"}, "consent", "basis");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().message.rfind("metadata: XML parse error at offset", 0) == 0);
}

}  // namespace kronika::sdp
