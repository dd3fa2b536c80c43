// The access.disclosures codec carries each export's purge (version 2, RIGHTS-2, issue 15
// item 8) and still reads the rows written before it: version 1 binary, version 0 JSON.
#include "access_codecs.h"

#include <catch2/catch.hpp>

#include "kronika/srs/store/record_codec.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;

constexpr int64_t kNow = kT0Ms + 86'400'000;

// A disclosure row exactly as the build before the purge wrote it (version 1).
std::string VersionOneRow() {
  RecordWriter w;
  w.U(1);
  for (const char* s : {"DR-000001", "jan", "Policja KMP", "2026-11-26", "RSD-1/26", "+48601234567", "2026-11-25"}) {
    w.Str(s);
  }
  w.U(1);
  w.Str("REC1");
  w.Str("investigation");
  w.Str("evidence");
  w.S(kNow);
  w.Str("granted");
  w.Bool(false);  // no decision
  w.U(1);         // one export
  w.S(kNow + 1);
  w.Str("jan");
  w.Str("/srv/exports/DR-000001-1");
  w.Str("abcd");
  w.Bool(true);
  w.Str("ed25519");
  w.Str("fp");
  w.U(1);
  w.Str("REC1");
  w.Str("hash1");
  return w.Take();
}

TEST_CASE("RIGHTS-2 a version-1 disclosure row still decodes, as an export never purged", "[access][RIGHTS-2]") {
  Result<Disclosure> d = DisclosureCodec::Decode("DR-000001", VersionOneRow());
  REQUIRE(d.ok());
  REQUIRE(d->exports.size() == 1);
  CHECK(d->exports[0].package == "/srv/exports/DR-000001-1");
  CHECK(d->exports[0].audio_sha256.at("REC1") == "hash1");
  CHECK_FALSE(d->exports[0].purged.has_value());
  CHECK(ToJson(*d)["exports"][0]["purged"].is_null());
}

TEST_CASE("RIGHTS-2 a version-0 JSON disclosure row decodes without a purge", "[access][RIGHTS-2]") {
  const std::string json =
      R"({"id":"DR-000002","filed_by":"jan","requester_institution":"Sąd","request_date":"d","request_number":"n",)"
      R"("phone_number":"","call_date":"","justification":"j","purpose":"","status":"granted","created_ms_utc":1,)"
      R"("recording_ids":["REC1"],"decision":null,"exports":[{"at_ms_utc":2,"by":"jan","package":"/p",)"
      R"("manifest_sha256":"m","signed":false,"signer_fingerprint":"","audio_sha256":{"REC1":"h"}}]})";
  Result<Disclosure> d = DisclosureCodec::Decode("DR-000002", json);
  REQUIRE(d.ok());
  REQUIRE(d->exports.size() == 1);
  CHECK_FALSE(d->exports[0].purged.has_value());
}

TEST_CASE("RIGHTS-2 an export's purge survives encode and decode, newer versions are refused", "[access][RIGHTS-2]") {
  Disclosure d = DisclosureCodec::Decode("DR-000001", VersionOneRow()).value();
  DisclosureExport second = d.exports[0];
  second.package = "/srv/exports/DR-000001-2";
  d.exports[0].purged = ExportPurge{kNow + 5, "dpo", "request of 2026-12-01", {"REC1"}, true};
  d.exports.push_back(second);
  const std::string bytes = DisclosureCodec::Encode(d);
  RecordReader r(bytes);
  uint64_t version = 0;
  REQUIRE(r.U(version));
  CHECK(version == kDisclosureRowVersion);
  CHECK(version == 2);

  Result<Disclosure> back = DisclosureCodec::Decode("DR-000001", bytes);
  REQUIRE(back.ok());
  REQUIRE(back->exports.size() == 2);
  REQUIRE(back->exports[0].purged.has_value());
  const ExportPurge& p = *back->exports[0].purged;
  CHECK(p.at_ms_utc == kNow + 5);
  CHECK(p.by == "dpo");
  CHECK(p.reason == "request of 2026-12-01");
  CHECK(p.recording_ids == std::vector<std::string>{"REC1"});
  CHECK(p.package_was_gone);
  CHECK_FALSE(back->exports[1].purged.has_value());
  CHECK(ToJson(*back)["exports"][0]["purged"]["by"] == "dpo");

  // Truncated inside the purge: an error naming the field, never a throw.
  Result<Disclosure> cut = DisclosureCodec::Decode("DR-000001", bytes.substr(0, bytes.size() - 30));
  REQUIRE_FALSE(cut.ok());
  CHECK(cut.error().code == ErrorCode::kCorrupt);

  // A row from a newer build is refused, not misread.
  std::string newer = bytes;
  newer[0] = 3;
  Result<Disclosure> future = DisclosureCodec::Decode("DR-000001", newer);
  REQUIRE_FALSE(future.ok());
  CHECK(future.error().code == ErrorCode::kCorrupt);
}

}  // namespace
}  // namespace kronika::srs
