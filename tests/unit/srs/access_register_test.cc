// The listening register: REG-1 fields, append-only hash chain, tamper detection (REG-3),
// CSV and printable protocol exports (REG-2).
#include "kronika/srs/access/access_register.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "kronika/srs/access/access_db.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

std::vector<std::string> Lines(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

void WriteLines(const std::filesystem::path& p, const std::vector<std::string>& lines) {
  std::ofstream out(p, std::ios::trunc);
  for (const auto& l : lines) out << l << "\n";
}

nlohmann::json Entry(int n) {
  return {
      {"recording_id", "REC" + std::to_string(n)},
      {"calling_number", "+48601234567"},
      {"called_number", "+48221234567"},
      {"call_start_utc", "2026-11-25T10:00:00Z"},
      {"participants", {{{"name", "Jan Kowalski"}, {"number", "+48601234567"}}}},
      {"listened_from_s", 0.0},
      {"listened_to_s", 95.5},
      {"listener",
       {{"username", "anna"}, {"name", "Anna"}, {"surname", "Nowak"}, {"position", "Inspector"}}},
      {"listened_at_utc", "2026-11-26T09:00:00Z"},
      {"identity", {{"username", "anna"}, {"token_id", "0011223344556677"}}},
      {"reason_text", "caller's verbal aggression (ACCESS-3 a)"},
      {"approved_by", "Ewa Director, director"}};
}

struct Fixture {
  TempDir dir;
  std::unique_ptr<AccessDb> db = AccessDb::Open(dir.path()).value();
  ListeningRegister reg{*db, ListeningRegister::DefaultPath(dir.path())};
  Fixture() {
    for (int i = 1; i <= 3; ++i) REQUIRE(reg.Append(Entry(i)).ok());
  }
};

TEST_CASE("REG-3 appended entries chain and verify", "[access][REG-3]") {
  Fixture f;
  auto v = f.reg.Verify();
  REQUIRE(v.ok());
  CHECK(v->ok);
  CHECK(v->entries == 3);
  auto entries = *f.reg.Entries();
  CHECK(entries[0]["prev_hash"] == std::string(64, '0'));
  CHECK(entries[1]["prev_hash"] == entries[0]["entry_hash"]);
  CHECK(entries[2]["seq"] == 3);
  CHECK(v->head_hash == entries[2]["entry_hash"]);
}

TEST_CASE("REG-3 editing one byte of an entry is detected and named", "[access][REG-3]") {
  Fixture f;
  auto lines = Lines(f.reg.file());
  const size_t at = lines[1].find("Nowak");
  REQUIRE(at != std::string::npos);
  lines[1][at] = 'M';  // "Mowak"
  WriteLines(f.reg.file(), lines);
  auto v = f.reg.Verify();
  REQUIRE(v.ok());
  CHECK_FALSE(v->ok);
  CHECK(v->first_bad_line == 2);
  CHECK_THAT(v->problem, Catch::Contains("entry 2") && Catch::Contains("altered"));
  // Appending onto a damaged register is refused rather than hiding the damage.
  CHECK_FALSE(f.reg.Append(Entry(4)).ok());
}

TEST_CASE("REG-3 deleting, reordering or truncating entries is detected", "[access][REG-3]") {
  Fixture f;
  const auto original = Lines(f.reg.file());
  SECTION("deleted middle entry") {
    WriteLines(f.reg.file(), {original[0], original[2]});
    CHECK_FALSE(f.reg.Verify()->ok);
    CHECK(f.reg.Verify()->first_bad_line == 2);
  }
  SECTION("reordered") {
    WriteLines(f.reg.file(), {original[0], original[2], original[1]});
    CHECK_FALSE(f.reg.Verify()->ok);
  }
  SECTION("last entry removed (count kept in the database)") {
    WriteLines(f.reg.file(), {original[0], original[1]});
    auto v = f.reg.Verify();
    CHECK_FALSE(v->ok);
    CHECK_THAT(v->problem, Catch::Contains("2 entries") && Catch::Contains("records 3"));
  }
  SECTION("whole chain recomputed after an edit still differs from the recorded head") {
    auto lines = original;
    std::vector<nlohmann::json> entries;
    std::string prev(64, '0');
    for (auto& l : lines) {
      nlohmann::json j = nlohmann::json::parse(l);
      j["listener"]["surname"] = "Forged";
      j["prev_hash"] = prev;
      j["entry_hash"] = RegisterEntryHash(j);
      prev = j["entry_hash"];
      l = j.dump();
    }
    WriteLines(f.reg.file(), lines);
    auto v = f.reg.Verify();
    CHECK_FALSE(v->ok);
    CHECK_THAT(v->problem, Catch::Contains("head hash"));
  }
}

TEST_CASE("REG-1 CSV export carries every register field and the REG-2 protocol is printable HTML",
          "[access][REG-1][REG-2]") {
  Fixture f;
  auto entries = *f.reg.Entries();
  const std::string csv = RegisterCsv(entries);
  CHECK_THAT(csv,
             Catch::StartsWith(
                 "seq,listened_at_utc,recording_id,called_number,calling_number,call_start_utc,"
                 "listened_from_s,listened_to_s,participants,listener_name,listener_surname,"
                 "listener_position,username,token_id"));
  CHECK_THAT(
      csv,
      Catch::Contains(
          "1,2026-11-26T09:00:00Z,REC1,+48221234567,+48601234567,2026-11-25T10:00:00Z,0.0,95.5,"
          "Jan Kowalski <+48601234567>,Anna,Nowak,Inspector,anna,0011223344556677"));
  DocumentSettings office;
  office.language = "en";
  office.office_name = "Office <test>";
  const std::string html = RegisterProtocolHtml(entries, office);
  CHECK_THAT(html, Catch::Contains("Office &lt;test&gt;"));
  CHECK_THAT(html, Catch::Contains("Approver&#39;s position on further action"));
  CHECK_THAT(html, Catch::Contains("Ewa Director, director"));
  CHECK_THAT(html, Catch::Contains("Kind of incident"));
}

}  // namespace
}  // namespace kronika::srs
