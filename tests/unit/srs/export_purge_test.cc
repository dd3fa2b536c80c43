// Erasure reaches every copy (RIGHTS-2, issue 15 item 8): PurgeExportsContaining removes
// exactly the packages that hold an erased recording, wherever they lie, and marks them.
#include "kronika/srs/access/export_purge.h"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "kronika/srs/access/access_disclosure.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/store/store.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

constexpr int64_t kNow = kT0Ms + 86'400'000;

void WriteFile(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

// Two people's recordings, disclosed in two packages: one holding both, one only REC2.
struct World {
  TempDir dir;
  TempDir outside;  // packages may be written outside the data directory
  std::unique_ptr<Store> store;
  std::unique_ptr<AccessDb> db;
  std::unique_ptr<DisclosureBook> book;
  Identity keeper;
  Identity director;

  World() {
    store = Store::Open(StoreDir(dir.path()), StoreOptions{}).value();
    store->Enqueue(MakeRecording("REC1", kT0Ms, "+48601234567", "Anna"));
    store->Enqueue(MakeRecording("REC2", kT0Ms + 1000, "+48607654321", "Piotr"));
    REQUIRE(store->Flush().ok());
    for (const char* id : {"REC1", "REC2"}) {
      WriteFile(dir.path() / "recordings/2026/11/25" / (std::string(id) + ".opus"), "OggS-" + std::string(200, 'a'));
    }
    db = AccessDb::Open(dir.path()).value();
    book = std::make_unique<DisclosureBook>(*db, *store);
    keeper = Add("jan", Role::kRecordsKeeper);
    director = Add("ewa", Role::kApprover);
  }
  Identity Add(const std::string& name, Role role) {
    UserDirectory users(*db);
    REQUIRE(users.Add(User{name, "Jan", "Kowalski", "Kierownik", {role}, false, kNow, "order 1/2026"}).ok());
    return users.Authenticate(users.IssueToken(name, "test", kNow).value()).value();
  }
  // Files, grants and exports a disclosure of `ids` to `institution`; the package path.
  std::filesystem::path Disclose(const std::string& institution, const std::vector<std::string>& ids,
                                 const std::filesystem::path& out) {
    auto d = book->File(keeper,
                        {{"requester_institution", institution},
                         {"request_date", "2026-11-26"},
                         {"request_number", "RSD-" + institution},
                         {"justification", "investigation"},
                         {"recording_ids", ids}},
                        kNow);
    REQUIRE(d.ok());
    REQUIRE(book->Decide(director, (*d)["id"].get<std::string>(), {{"granted", true}}, kNow).ok());
    auto e = book->Export(keeper, (*d)["id"].get<std::string>(), nullptr, dir.path(), out, std::nullopt, kNow);
    REQUIRE(e.ok());
    return (*e)["package"].get<std::string>();
  }
};

TEST_CASE("RIGHTS-2 erasing REC1 purges the package holding it and leaves the other alone", "[access][RIGHTS-2]") {
  World w;
  const auto both = w.Disclose("Policja KMP", {"REC1", "REC2"}, w.outside.path() / "pkg-both");
  const auto only2 = w.Disclose("Sąd Rejonowy", {"REC2"}, w.dir.path() / "exports" / "pkg-only2");
  REQUIRE(std::filesystem::is_directory(both));

  Result<ExportPurgeOutcome> out = PurgeExportsContaining(*w.db, {{"REC1"}, "dpo", "art. 17 request", kNow + 9});
  REQUIRE(out.ok());
  CHECK(out->failures.empty());
  REQUIRE(out->purged.size() == 1);
  CHECK(out->purged[0].requester_institution == "Policja KMP");
  CHECK(out->purged[0].request_number == "RSD-Policja KMP");
  CHECK(out->purged[0].recording_ids == std::vector<std::string>{"REC1"});
  CHECK_FALSE(out->purged[0].package_was_gone);
  CHECK_FALSE(std::filesystem::exists(both));
  CHECK(VerifyExportPackage(only2, PackageTrust{}).ok);

  // The entry is marked; a second erasure of the same recording finds nothing more.
  auto list = w.book->List().value();
  REQUIRE(list.size() == 2);
  const nlohmann::json purged = list[0]["exports"][0]["purged"];
  REQUIRE(purged.is_object());
  CHECK(purged["by"] == "dpo");
  CHECK(purged["at_ms_utc"] == kNow + 9);
  CHECK(list[1]["exports"][0]["purged"].is_null());
  Result<ExportPurgeOutcome> again = PurgeExportsContaining(*w.db, {{"REC1"}, "dpo", "again", kNow + 10});
  REQUIRE(again.ok());
  CHECK(again->purged.empty());
}

TEST_CASE("RIGHTS-2 a package already gone is marked purged and says so, a foreign directory is kept",
          "[access][RIGHTS-2]") {
  World w;
  const auto gone = w.Disclose("Policja KMP", {"REC1"}, w.outside.path() / "pkg-gone");
  const auto replaced = w.Disclose("Prokuratura", {"REC1"}, w.outside.path() / "pkg-replaced");
  std::filesystem::remove_all(gone);
  std::filesystem::remove_all(replaced);
  WriteFile(replaced / "notes.txt", "someone else's files now");

  Result<ExportPurgeOutcome> out = PurgeExportsContaining(*w.db, {{"REC1"}, "dpo", "request", kNow + 9});
  REQUIRE(out.ok());
  REQUIRE(out->purged.size() == 1);
  CHECK(out->purged[0].package == gone.string());
  CHECK(out->purged[0].package_was_gone);
  REQUIRE(out->failures.size() == 1);
  CHECK(out->failures[0].find(replaced.string()) != std::string::npos);
  CHECK(out->failures[0].find("not removed") != std::string::npos);
  CHECK(std::filesystem::exists(replaced / "notes.txt"));
}

TEST_CASE("DISC-3 the records keeper purges a disclosure's packages after the hand-over, only that disclosure's",
          "[access][disclosure]") {
  World w;
  const auto first = w.Disclose("Policja KMP", {"REC1"}, w.outside.path() / "pkg-1");
  const auto other = w.Disclose("Prokuratura", {"REC2"}, w.outside.path() / "pkg-2");
  const std::string id = w.book->List().value()[0]["id"];
  auto second = w.book->Export(w.keeper, id, nullptr, w.dir.path(), w.outside.path() / "pkg-1b", std::nullopt, kNow);
  REQUIRE(second.ok());

  CHECK(PurgeDisclosurePackages(*w.db, id, "jan", "", kNow).error().code == ErrorCode::kInvalidInput);
  CHECK(PurgeDisclosurePackages(*w.db, "DR-999999", "jan", "handed over", kNow).error().code == ErrorCode::kNotFound);
  Result<ExportPurgeOutcome> out = PurgeDisclosurePackages(*w.db, id, "jan", "handed over on a carrier", kNow + 5);
  REQUIRE(out.ok());
  CHECK(out->failures.empty());
  REQUIRE(out->purged.size() == 2);
  CHECK(out->purged[0].recording_ids.empty());  // nothing was erased
  CHECK_FALSE(std::filesystem::exists(first));
  CHECK_FALSE(std::filesystem::exists(w.outside.path() / "pkg-1b"));
  CHECK(VerifyExportPackage(other, PackageTrust{}).ok);

  auto list = w.book->List().value();
  for (const nlohmann::json& e : list[0]["exports"]) {
    CHECK(e["purged"]["by"] == "jan");
    CHECK(e["purged"]["reason"] == "handed over on a carrier");
  }
  CHECK(list[1]["exports"][0]["purged"].is_null());
  // Nothing left: a second purge is a conflict, not a silent success.
  CHECK(PurgeDisclosurePackages(*w.db, id, "jan", "again", kNow + 6).error().code == ErrorCode::kConflict);
}

TEST_CASE("issue 15 item 8: package directories are 0700 and files 0600 under a permissive umask",
          "[access][RIGHTS-2]") {
  World w;
  const mode_t old = ::umask(0002);
  const auto package = w.Disclose("Policja KMP", {"REC1"}, w.outside.path() / "new" / "parent" / "pkg");
  ::umask(old);
  size_t files = 0, dirs = 0;
  auto mode_of = [](const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
  };
  CHECK(mode_of(package) == 0700);
  CHECK(mode_of(package.parent_path()) == 0700);  // both made for the package
  CHECK(mode_of(package.parent_path().parent_path()) == 0700);
  for (const auto& e : std::filesystem::recursive_directory_iterator(package)) {
    if (e.is_directory()) {
      ++dirs;
      CHECK(mode_of(e.path()) == 0700);
    } else {
      ++files;
      CHECK(mode_of(e.path()) == 0600);
    }
  }
  CHECK(dirs == 2);  // audio/, metadata/
  CHECK(files >= 5);
}

}  // namespace
}  // namespace kronika::srs
