// ReadMetadataDocument / ApplyMetadataDocument (issue 14): whatever metadata an SRC sends, it
// is read as far as it can be, every string is valid UTF-8, and the recording's metadata
// status says complete / partial / unparsed with the reasons.
#include "kronika/sdp/metadata_document.h"

#include <catch2/catch.hpp>
#include <string>

#include "kronika/sdp/metadata_parser.h"

namespace kronika::sdp {
namespace {

constexpr char kNs[] = "urn:ietf:params:xml:ns:recording:1";

// A complete RFC 7865 document around `body`, with `declaration` in front.
std::string Doc(const std::string& body, const std::string& declaration = "") {
  return declaration + "<recording xmlns='" + kNs + "'><datamode>complete</datamode>" + body +
         "</recording>";
}

std::string Participant(const std::string& id, const std::string& aor, const std::string& name = "",
                        const std::string& send = "") {
  std::string xml = "<participant participant_id='" + id + "'><nameID aor='" + aor + "'>";
  if (!name.empty()) xml += "<name>" + name + "</name>";
  xml += "</nameID>";
  if (!send.empty()) xml += "<send>" + send + "</send>";
  return xml + "</participant>";
}

std::string Stream(const std::string& id, const std::string& label) {
  return "<stream stream_id='" + id + "' session_id='s1'><label>" + label + "</label></stream>";
}

// True when `text` is well-formed UTF-8 (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
// Written out here as the test's own reference, independent of iconv.
bool IsUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      n = 1, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= text.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += n + 1;
  }
  return true;
}

std::vector<MetadataDefect> Defects(const std::vector<MetadataIssue>& issues) {
  std::vector<MetadataDefect> out;
  for (const MetadataIssue& i : issues) out.push_back(i.defect);
  return out;
}

const sdp::Participant* ByAor(const RecordingMetadata& md, std::string_view aor) {
  for (const sdp::Participant& p : md.participants) {
    for (const NameId& n : p.names) {
      if (n.aor == aor) return &p;
    }
  }
  return nullptr;
}

// ------------------------------------------------------------------ encodings

TEST_CASE("ISO-8859-1 metadata is stored and read as UTF-8", "[metadata_document][encoding]") {
  // "Müller" and "José" in Latin-1: ü = 0xFC, é = 0xE9.
  const std::string raw = Doc(Participant("p1", "sip:+48221234567@sbc", "M\xFCller") +
                                  Participant("p2", "sip:+48227654321@sbc", "Jos\xE9"),
                              "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n");
  const MetadataDocument doc = ReadMetadataDocument(raw);
  REQUIRE(doc.metadata.has_value());
  CHECK(doc.issues.empty());
  CHECK(doc.encoding == "ISO-8859-1");
  CHECK(ByAor(*doc.metadata, "sip:+48221234567@sbc")->names.front().name == "M\xC3\xBCller");
  CHECK(ByAor(*doc.metadata, "sip:+48227654321@sbc")->names.front().name == "Jos\xC3\xA9");
  CHECK(IsUtf8(doc.utf8_xml));
  CHECK_FALSE(IsUtf8(raw));
  // The rendering says what it is now, so it can be parsed again as it stands.
  CHECK(doc.utf8_xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0) == 0);
  CHECK(doc.utf8_xml.find("M\xC3\xBCller") != std::string::npos);
  const MetadataDocument again = ReadMetadataDocument(doc.utf8_xml);
  REQUIRE(again.metadata.has_value());
  CHECK(again.issues.empty());
  CHECK(ByAor(*again.metadata, "sip:+48221234567@sbc")->names.front().name == "M\xC3\xBCller");
}

TEST_CASE("Polish names in windows-1250 and ISO-8859-2 read as the same UTF-8", "[metadata_document][encoding]") {
  // "Łódź": cp1250 A3 F3 64 9F, ISO-8859-2 A3 F3 64 BC; UTF-8 C5 81, C3 B3, 64, C5 BA.
  const std::string utf8 = "\xC5\x81\xC3\xB3" "d\xC5\xBA";
  for (const auto& [declared, bytes] : {std::pair<std::string, std::string>{"windows-1250", "\xA3\xF3\x64\x9F"},
                                        {"ISO-8859-2", "\xA3\xF3\x64\xBC"},
                                        {"iso-8859-2", "\xA3\xF3\x64\xBC"}}) {
    INFO(declared);
    const MetadataDocument doc = ReadMetadataDocument(
        Doc(Participant("p1", "sip:1@x", bytes), "<?xml version='1.0' encoding='" + declared + "'?>"));
    REQUIRE(doc.metadata.has_value());
    CHECK(doc.issues.empty());
    CHECK(doc.metadata->participants.at(0).names.at(0).name == utf8);
    CHECK(doc.utf8_xml.find("encoding='UTF-8'") != std::string::npos);
  }
}

TEST_CASE("UTF-16 with a byte order mark is decoded; the mark is dropped", "[metadata_document][encoding]") {
  const std::string ascii = Doc(Participant("p1", "sip:+48221234567@sbc", "Anna"),
                                "<?xml version=\"1.0\" encoding=\"UTF-16\"?>");
  for (const bool little_endian : {true, false}) {
    std::string raw = little_endian ? std::string("\xFF\xFE") : std::string("\xFE\xFF");
    for (char c : ascii) {
      raw += little_endian ? std::string{c, '\0'} : std::string{'\0', c};
    }
    const MetadataDocument doc = ReadMetadataDocument(raw);
    INFO((little_endian ? "LE" : "BE"));
    REQUIRE(doc.metadata.has_value());
    CHECK(doc.issues.empty());
    CHECK(doc.encoding == (little_endian ? "UTF-16LE" : "UTF-16BE"));
    CHECK(doc.metadata->participants.at(0).names.at(0).aor == "sip:+48221234567@sbc");
    CHECK(doc.utf8_xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?><recording", 0) == 0);
  }
}

TEST_CASE("a UTF-8 byte order mark is dropped, the document reads as UTF-8", "[metadata_document][encoding]") {
  const MetadataDocument doc =
      ReadMetadataDocument("\xEF\xBB\xBF" + Doc(Participant("p1", "sip:1@x", "\xC5\x81ukasz")));
  REQUIRE(doc.metadata.has_value());
  CHECK(doc.issues.empty());
  CHECK(doc.utf8_xml.rfind("<recording", 0) == 0);
  CHECK(doc.metadata->participants.at(0).names.at(0).name == "\xC5\x81ukasz");
}

TEST_CASE("bytes that are not valid UTF-8 are replaced and the metadata is partial", "[metadata_document][encoding]") {
  // Latin-1 "é" in a document that declares nothing (so UTF-8), and a lone continuation byte.
  const MetadataDocument doc = ReadMetadataDocument(
      Doc(Participant("p1", "sip:+48221234567@sbc", "Jos\xE9") + Participant("p2", "sip:2@x", "a\x80z")));
  REQUIRE(doc.metadata.has_value());
  CHECK(Defects(doc.issues) == std::vector<MetadataDefect>{MetadataDefect::kInvalidBytes});
  CHECK(doc.issues.at(0).detail == "2 byte sequence(s) not valid UTF-8 replaced by U+FFFD");
  CHECK(doc.metadata->participants.at(0).names.at(0).name == "Jos\xEF\xBF\xBD");
  CHECK(doc.metadata->participants.at(1).names.at(0).name == "a\xEF\xBF\xBDz");
  CHECK(IsUtf8(doc.utf8_xml));
  // The number is still there to be found.
  CHECK(doc.metadata->participants.at(0).names.at(0).aor == "sip:+48221234567@sbc");
}

TEST_CASE("an encoding iconv does not know is read as UTF-8 and named", "[metadata_document][encoding]") {
  for (const std::string declared : {"x-vendor-charset", "UTF-8//TRANSLIT", "../../etc"}) {
    INFO(declared);
    const MetadataDocument doc = ReadMetadataDocument(
        Doc(Participant("p1", "sip:1@x", "\xC3\xA9"), "<?xml version='1.0' encoding='" + declared + "'?>"));
    REQUIRE(doc.metadata.has_value());
    CHECK(Defects(doc.issues) == std::vector<MetadataDefect>{MetadataDefect::kUnknownEncoding});
    CHECK(doc.metadata->participants.at(0).names.at(0).name == "\xC3\xA9");
    CHECK(doc.utf8_xml.find("encoding='UTF-8'") != std::string::npos);
  }
}

TEST_CASE("a declaration claiming UTF-16 over ASCII bytes is not believed", "[metadata_document][encoding]") {
  const MetadataDocument doc =
      ReadMetadataDocument(Doc(Participant("p1", "sip:1@x"), "<?xml version='1.0' encoding='UTF-16'?>"));
  REQUIRE(doc.metadata.has_value());
  CHECK(doc.issues.empty());
  CHECK(doc.encoding == "UTF-8");
}

// ------------------------------------------------------------------ ids

TEST_CASE("placeholders with empty ids are kept and flagged, not refused", "[metadata_document][ids]") {
  // An SBC that does not know the parties yet: empty ids, real ones follow in an UPDATE.
  const MetadataDocument doc = ReadMetadataDocument(Doc(
      "<session session_id=''/>" + Stream("", "1") + Stream("", "2") +
      Participant("", "sip:+48221234567@sbc", "", "") + Participant("", "sip:+48601000000@sbc") +
      "<participant participant_id=''/>"
      "<participantstreamassoc participant_id=''><send>x</send></participantstreamassoc>"));
  REQUIRE(doc.metadata.has_value());
  const RecordingMetadata& md = *doc.metadata;
  // Both parties' numbers survive; the empty placeholder naming nobody is not kept.
  REQUIRE(md.participants.size() == 2);
  CHECK(md.participants[0].names.at(0).aor == "sip:+48221234567@sbc");
  CHECK(md.participants[1].names.at(0).aor == "sip:+48601000000@sbc");
  REQUIRE(md.streams.size() == 2);
  CHECK(md.streams[0].label == "1");
  CHECK(md.streams[1].label == "2");
  for (const MetadataIssue& i : doc.issues) CHECK(i.defect == MetadataDefect::kEmptyId);
  CHECK(doc.issues.size() == 7);
  CHECK(doc.issues.at(1).detail == "the 1st <stream> has no stream_id (label 1)");
  CHECK(doc.issues.at(3).detail == "the 1st <participant> has no participant_id (sip:+48221234567@sbc)");
  CHECK(doc.issues.at(5).detail == "the 3rd <participant> has no participant_id (nobody named, not kept)");
  CHECK(doc.issues.at(6).detail == "the 1st <participantstreamassoc> has no participant_id (not applied)");
}

TEST_CASE("two participants with one participant_id are both kept", "[metadata_document][ids]") {
  const MetadataDocument doc = ReadMetadataDocument(
      Doc(Stream("st1", "1") + Stream("st1", "2") + Participant("dup", "sip:+48221234567@sbc", "A", "st1") +
          Participant("dup", "sip:+48601000000@sbc", "B", "st1") +
          Participant("dup", "tel:+48601999999", "C")));
  REQUIRE(doc.metadata.has_value());
  const RecordingMetadata& md = *doc.metadata;
  REQUIRE(md.participants.size() == 3);
  CHECK(md.participants[0].id == "dup");
  CHECK(md.participants[1].id == "dup#2");
  CHECK(md.participants[2].id == "dup#3");
  CHECK(md.participants[1].names.at(0).aor == "sip:+48601000000@sbc");
  CHECK(md.participants[1].names.size() == 1);  // not merged into the first
  CHECK(md.participants[0].names.size() == 1);
  REQUIRE(md.streams.size() == 2);
  CHECK(md.streams[1].id == "st1#2");
  CHECK(md.streams[1].label == "2");
  CHECK(md.streams[0].label == "1");  // the second did not overwrite the first's label
  CHECK(Defects(doc.issues) == std::vector<MetadataDefect>(3, MetadataDefect::kDuplicateId));
  CHECK(doc.issues.at(1).detail == "a second <participant> with id dup, kept as dup#2");
}

TEST_CASE("an association naming a participant before its element is not a duplicate", "[metadata_document][ids]") {
  const MetadataDocument doc = ReadMetadataDocument(
      Doc("<participantstreamassoc participant_id='p1'><send>st1</send></participantstreamassoc>" +
          Stream("st1", "1") + Participant("p1", "sip:1@x")));
  REQUIRE(doc.metadata.has_value());
  CHECK(doc.issues.empty());
  REQUIRE(doc.metadata->participants.size() == 1);
  CHECK(doc.metadata->participants[0].send_stream_ids == std::vector<std::string>{"st1"});
  CHECK(doc.metadata->participants[0].names.at(0).aor == "sip:1@x");
}

// ------------------------------------------------------------------ unparsed

TEST_CASE("metadata that cannot be read is unparsed with its reason, text kept", "[metadata_document]") {
  struct Case {
    std::string raw;
    MetadataDefect defect;
    std::string detail;
  };
  std::string big = Doc("<x>" + std::string(70000, 'a') + "</x>");
  std::string deep = "<recording>";
  for (int i = 0; i < 100; ++i) deep += "<a>";
  for (int i = 0; i < 100; ++i) deep += "</a>";
  deep += "</recording>";
  const Case cases[] = {
      {big, MetadataDefect::kTooLarge, std::to_string(big.size()) + " bytes, over the 65536-byte limit"},
      {deep, MetadataDefect::kTooDeep, "elements nested deeper than 64 levels"},
      {"<recording><participant></recording>", MetadataDefect::kXmlError,
       "XML parse error at offset 26: Start-end tags mismatch"},
      {"", MetadataDefect::kXmlError, "XML parse error at offset 0: No document element found"},
      {"<html><body/></html>", MetadataDefect::kNotRecording, "root element <html> is not <recording>"},
  };
  for (const Case& c : cases) {
    INFO(c.raw.substr(0, 80));
    const MetadataDocument doc = ReadMetadataDocument(c.raw);
    CHECK_FALSE(doc.metadata.has_value());
    REQUIRE(doc.issues.size() == 1);
    CHECK(doc.issues[0].defect == c.defect);
    CHECK(doc.issues[0].detail == c.detail);
    CHECK(doc.utf8_xml == c.raw);  // ASCII: the rendering is the text as received
    // The strict entry point reports the same as an error.
    const auto strict = ParseRecordingMetadata(c.raw);
    REQUIRE_FALSE(strict.ok());
    CHECK(strict.error().message == "metadata: " + c.detail);
    CHECK(strict.error().code ==
          (c.defect == MetadataDefect::kTooLarge ? ErrorCode::kTooLarge : ErrorCode::kInvalidInput));
  }
}

TEST_CASE("an oversized Latin-1 document is still rendered as UTF-8", "[metadata_document][encoding]") {
  const std::string raw = Doc("<x>" + std::string(70000, '\xE9') + "</x>",
                              "<?xml version='1.0' encoding='latin1'?>");
  const MetadataDocument doc = ReadMetadataDocument(raw);
  CHECK_FALSE(doc.metadata.has_value());
  CHECK(Defects(doc.issues) == std::vector<MetadataDefect>{MetadataDefect::kTooLarge});
  CHECK(IsUtf8(doc.utf8_xml));
  // Each é is two bytes in UTF-8; "latin1" became "UTF-8" in the declaration.
  CHECK(doc.utf8_xml.size() == raw.size() + 70000 - 1);
}

// ------------------------------------------------------------------ the view

TEST_CASE("placeholders in the INVITE, real participants in a complete UPDATE: complete", "[metadata_document][view]") {
  MetadataView view;
  ApplyMetadataDocument(view, ReadMetadataDocument(Doc(Stream("", "1") + Participant("", "sip:a@x"))));
  CHECK(view.status() == MetadataStatus::kPartial);
  CHECK(Defects(view.issues) == std::vector<MetadataDefect>(2, MetadataDefect::kEmptyId));

  const auto changes = ApplyMetadataDocument(
      view, ReadMetadataDocument(Doc(Stream("st1", "1") + Stream("st2", "2") +
                                     Participant("p1", "sip:+48221234567@sbc", "", "st1") +
                                     Participant("p2", "sip:+48601000000@sbc", "", "st2"))));
  CHECK(view.status() == MetadataStatus::kComplete);
  CHECK(view.issues.empty());
  REQUIRE(view.metadata->participants.size() == 2);
  CHECK(view.metadata->participants[1].names.at(0).aor == "sip:+48601000000@sbc");
  CHECK_FALSE(changes.empty());
}

TEST_CASE("unparsed INVITE metadata, a later complete UPDATE completes it", "[metadata_document][view]") {
  MetadataView view;
  const auto first = ApplyMetadataDocument(view, ReadMetadataDocument("<recording><oops></recording>"));
  CHECK(view.status() == MetadataStatus::kUnparsed);
  CHECK_FALSE(view.metadata.has_value());
  REQUIRE(first.size() == 1);
  CHECK(first[0].what ==
        "metadata not parsed (xml_error: XML parse error at offset 19: Start-end tags mismatch), kept verbatim");

  // A partial update alone does not make it complete: the base snapshot was never read.
  ApplyMetadataDocument(view, ReadMetadataDocument(
                                  "<recording xmlns='urn:ietf:params:xml:ns:recording:1'><datamode>partial</datamode>" +
                                  Participant("p3", "sip:3@x") + "</recording>"));
  CHECK(view.status() == MetadataStatus::kPartial);
  CHECK(view.metadata->participants.size() == 1);

  ApplyMetadataDocument(view, ReadMetadataDocument(Doc(Participant("p1", "sip:1@x"))));
  CHECK(view.status() == MetadataStatus::kComplete);
}

TEST_CASE("a broken UPDATE keeps what the INVITE said and marks it partial", "[metadata_document][view]") {
  MetadataView view;
  ApplyMetadataDocument(view, ReadMetadataDocument(Doc(Participant("p1", "sip:+48221234567@sbc"))));
  CHECK(view.status() == MetadataStatus::kComplete);
  ApplyMetadataDocument(view, ReadMetadataDocument(std::string(70000, ' ')));
  CHECK(view.status() == MetadataStatus::kPartial);
  CHECK(Defects(view.issues) == std::vector<MetadataDefect>{MetadataDefect::kTooLarge});
  REQUIRE(view.metadata.has_value());
  CHECK(view.metadata->participants.at(0).names.at(0).aor == "sip:+48221234567@sbc");
}

TEST_CASE("one broken UPDATE repeated is one issue; the list is bounded", "[metadata_document][view]") {
  MetadataView view;
  for (int i = 0; i < 100; ++i) ApplyMetadataDocument(view, ReadMetadataDocument("<recording>"));
  CHECK(view.issues.size() == 1);
  for (int i = 0; i < 100; ++i) {
    ApplyMetadataDocument(view, ReadMetadataDocument(std::string(static_cast<size_t>(i), ' ') + "<x>"));
  }
  CHECK(view.issues.size() == kMaxMetadataIssues);
}

TEST_CASE("status and defect names are stable", "[metadata_document]") {
  CHECK(MetadataStatusName(MetadataStatus::kPartial) == "partial");
  for (MetadataStatus s : {MetadataStatus::kComplete, MetadataStatus::kPartial, MetadataStatus::kUnparsed}) {
    CHECK(ParseMetadataStatus(MetadataStatusName(s)) == s);
  }
  CHECK_FALSE(ParseMetadataStatus("done").has_value());
  CHECK(MetadataDefectName(MetadataDefect::kEmptyId) == "empty_id");
  CHECK(DescribeIssue({MetadataDefect::kDuplicateId, "x"}) == "duplicate_id: x");
}

}  // namespace
}  // namespace kronika::sdp
