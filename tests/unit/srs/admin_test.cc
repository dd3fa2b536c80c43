// One owner per database (issue 15 item 1): the data directory's lock, the admin socket
// (requests carried out by the owner, errors transported with their codes, peer checks)
// and how a command reaches a data directory with and without a daemon.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/admin/admin_socket.h"
#include "kronika/srs/admin/data_dir_access.h"
#include "kronika/srs/admin/local_admin_ops.h"
#include "kronika/srs/store/data_dir_lock.h"
#include "kronika/thread_boundary.h"
#include "admin_protocol.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Whether another process (util-linux flock) finds the lock taken.
bool LockedForOthers(const std::filesystem::path& data_dir) {
  const std::string cmd = "flock -n " + DataDirLock::PathOf(data_dir).string() + " true";
  return std::system(cmd.c_str()) != 0;
}

// A daemon's side: databases opened read-write (so the lock is held) and the socket.
struct Owner {
  std::shared_ptr<Database> db;
  std::unique_ptr<Store> store;
  std::unique_ptr<RulesDb> rules;
  std::unique_ptr<AccessDb> access;
  SitePolicies sites;
  std::unique_ptr<LocalAdminOps> ops;
  std::unique_ptr<AdminServer> server;

  explicit Owner(const std::filesystem::path& data_dir) {
    db = Database::Open(StoreDir(data_dir), DatabaseOptions{}).value();
    store = Store::Open(db, StoreOptions{}).value();
    rules = RulesDb::Open(db, data_dir).value();
    access = AccessDb::Open(db, data_dir).value();
    LocalAdminDeps deps;
    deps.store = store.get();
    deps.rules = rules.get();
    deps.access = access.get();
    deps.sites = &sites;
    deps.deletions = DeleteOptions{data_dir, true, true};
    deps.performer = "the test daemon";
    ops = std::make_unique<LocalAdminOps>(std::move(deps));
    server = AdminServer::Start(data_dir, *ops).value();
  }
};

TEST_CASE("admin: the read-write Database holds the data directory's lock, naming this process") {
  TempDir tmp;
  {
    auto db = Database::Open(StoreDir(tmp.path()), DatabaseOptions{}).value();
    CHECK(LockedForOthers(tmp.path()));
    const std::string text = ReadFile(DataDirLock::PathOf(tmp.path()));
    CHECK(text == std::to_string(::getpid()) + "\nkronika\n");
    // The same process asking again gets the lock it holds.
    auto again = DataDirLock::Acquire(tmp.path(), "kronika serve");
    REQUIRE(again.ok());
    CHECK(DataDirLock::Holder(tmp.path())->pid == ::getpid());
  }
  CHECK_FALSE(LockedForOthers(tmp.path()));  // released with the last owner
  CHECK_FALSE(DataDirLock::Holder(tmp.path()).has_value());
  // A read-only open takes no lock.
  {
    auto db = Database::Open(StoreDir(tmp.path()), DatabaseOptions{true}).value();
    CHECK_FALSE(LockedForOthers(tmp.path()));
  }
}

TEST_CASE("admin: requests over the socket are carried out by the owner; errors keep their codes") {
  TempDir tmp;
  Owner owner(tmp.path());
  struct stat st {};
  REQUIRE(::stat(AdminSocketPath(tmp.path()).c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  REQUIRE(owner.store->Enqueue(MakeRecording("R1", kT0Ms, "+48601234567")));
  REQUIRE(owner.store->Flush().ok());

  auto remote = RemoteAdminOps::Connect(tmp.path());
  REQUIRE(remote.ok());
  AdminOps& ops = **remote;
  REQUIRE(ops.PlaceHolds(HoldChange{{"R1"}, "II K 1/26", "jan", "", kT0Ms}).ok());
  CHECK(owner.rules->LoadHolds()->IsHeld("R1"));
  CHECK((*owner.store->Get("R1"))->legal_hold);  // the owner's store flag follows
  Status again = ops.PlaceHolds(HoldChange{{"R1"}, "II K 1/26", "jan", "", kT0Ms});
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == ErrorCode::kConflict);

  REQUIRE(ops.AddDoNotRecord(DoNotRecordEntry{"+48601000111", "jan", kT0Ms, "objection"}).ok());
  CHECK(*owner.rules->IsDoNotRecord("+48601000111"));
  CHECK(ops.RemoveDoNotRecord("+48609999999").error().code == ErrorCode::kNotFound);

  REQUIRE(ops.AddUser(User{"anna", "Anna", "Nowak", "Inspector", {Role::kListener}, false, kT0Ms, "order 1"}).ok());
  auto token = ops.IssueToken("anna", "laptop", kT0Ms);
  REQUIRE(token.ok());
  CHECK(UserDirectory(*owner.access).Authenticate(*token).ok());
  REQUIRE(ops.SetUserDisabled("anna", true).ok());
  CHECK(UserDirectory(*owner.access).Authenticate(*token).error().code == ErrorCode::kUnauthenticated);

  auto outcomes = ops.SetRestrictions({"R1"}, true, policy::DeletionRequest{"iod", "objection", kT0Ms});
  REQUIRE(outcomes.ok());
  REQUIRE(outcomes->size() == 1);
  CHECK(outcomes->front().changed);
  CHECK(*IsRestricted(*owner.access, "R1"));

  auto sweep = ops.Sweep(kT0Ms, false);
  REQUIRE(sweep.ok());
  CHECK_THAT(sweep->text, Catch::Contains("no site policy"));
  Status held = ops.DeleteEarly("R1", policy::DeletionRequest{"jan", "asked", kT0Ms});
  REQUIRE_FALSE(held.ok());
  CHECK(held.error().code == ErrorCode::kConflict);  // RET-2: held
}

TEST_CASE("admin: the erasure report carries the purged export packages over the socket (RIGHTS-2)") {
  ErasureReport report;
  report.erased = {"R1"};
  report.copies.push_back(ErasedCopy{"DR-000001", "Policja KMP", "RSD-1/26", "/srv/exports/DR-000001-1", {"R1"}, true});
  report.copy_failures = {"export package /x of disclosure DR-000002 (Sąd): not removed"};
  Result<ErasureReport> back = admin_protocol::ErasureReportFrom(admin_protocol::ToJson(report));
  REQUIRE(back.ok());
  REQUIRE(back->copies.size() == 1);
  const ErasedCopy& c = back->copies[0];
  CHECK(c.disclosure_id == "DR-000001");
  CHECK(c.institution == "Policja KMP");
  CHECK(c.request_number == "RSD-1/26");
  CHECK(c.package == "/srv/exports/DR-000001-1");
  CHECK(c.recording_ids == std::vector<std::string>{"R1"});
  CHECK(c.package_was_gone);
  CHECK(back->copy_failures == report.copy_failures);
  // A daemon from before the purge answers without "copies": read as none.
  nlohmann::json old = admin_protocol::ToJson(report);
  old.erase("copies");
  old.erase("copy_failures");
  Result<ErasureReport> from_old = admin_protocol::ErasureReportFrom(old);
  REQUIRE(from_old.ok());
  CHECK(from_old->copies.empty());
}

TEST_CASE("admin: a data dir deeper than a socket path allows (107 bytes) still gets its socket") {
  TempDir tmp;
  // The corpus runner's data dirs are named after the scenario file: 150+ bytes.
  const std::filesystem::path deep =
      tmp.path() / std::string(60, 'a') / std::string(60, 'b') / "server" / "data";
  std::filesystem::create_directories(deep);
  REQUIRE(AdminSocketPath(deep).native().size() > 107);
  Owner owner(deep);
  struct stat st {};
  REQUIRE(::stat(AdminSocketPath(deep).c_str(), &st) == 0);  // in the data dir, where the CLI looks
  CHECK(S_ISSOCK(st.st_mode));
  auto remote = RemoteAdminOps::Connect(deep);
  REQUIRE(remote.ok());
  REQUIRE((*remote)->AddDoNotRecord(DoNotRecordEntry{"+48601000222", "jan", kT0Ms, "objection"}).ok());
  CHECK(*owner.rules->IsDoNotRecord("+48601000222"));
}

TEST_CASE("admin: malformed requests are answered with an error, never a crash") {
  TempDir tmp;
  Owner owner(tmp.path());
  for (const char* line : {"", "not json", "[1,2]", R"({"op": 5})", R"({"op": "hold.place", "args": []})",
                           R"({"op": "hold.place", "args": {"recording_ids": "R1"}})", R"({"op": "no.such"})",
                           R"({"op": "user.add", "args": {"username": "x", "roles": ["emperor"]}})"}) {
    INFO(line);
    const std::string answer = HandleAdminRequest(*owner.ops, line);
    CHECK_THAT(answer, Catch::StartsWith(R"({"error":{"code":"invalid_input")"));
  }
}

TEST_CASE("admin socket kr-admin: a request that throws is logged and counted, the next one is served") {
  TempDir tmp;
  Owner owner(tmp.path());
  std::vector<std::string> lines;
  std::mutex mu;
  ThreadFaults::Process().SetLogSink([&](std::string_view line) {
    std::lock_guard lock(mu);
    lines.emplace_back(line);
  });
  const uint64_t before = ThreadFaults::Process().FaultsOf(kAdminThreadName);
  auto remote = RemoteAdminOps::Connect(tmp.path());
  REQUIRE(remote.ok());
  // Served one at a time: once this is answered, Connect()'s probe connection is done with.
  REQUIRE((*remote)->AddDoNotRecord(DoNotRecordEntry{"+48601000222", "jan", kT0Ms, ""}).ok());
  kronika::testing::ArmFault(kAdminThreadName, 1);
  Status failed = (*remote)->AddDoNotRecord(DoNotRecordEntry{"+48601000111", "jan", kT0Ms, ""});
  CHECK_FALSE(failed.ok());  // the CLI is told, not left waiting
  CHECK_FALSE(*owner.rules->IsDoNotRecord("+48601000111"));
  REQUIRE((*remote)->AddDoNotRecord(DoNotRecordEntry{"+48601000111", "jan", kT0Ms, ""}).ok());
  CHECK(*owner.rules->IsDoNotRecord("+48601000111"));
  CHECK(ThreadFaults::Process().FaultsOf(kAdminThreadName) == before + 1);
  ThreadFaults::Process().SetLogSink(nullptr);
  REQUIRE(lines.size() == 1);
  CHECK_THAT(lines[0], Catch::Contains("kr-admin") && Catch::Contains("injected fault"));
}

TEST_CASE("admin: a command writes through the daemon when one runs, and owns the directory when none does") {
  TempDir tmp;
  DataDirAccessOptions options;
  options.data_dir = tmp.path();
  options.what = "kronika test";
  options.writes = true;
  {
    Owner owner(tmp.path());
    auto access = DataDirAccess::Open(options);
    REQUIRE(access.ok());
    CHECK_FALSE((*access)->owner());
    CHECK_THAT((*access)->ops().performer(), Catch::Contains("the daemon (PID " + std::to_string(::getpid())));
    REQUIRE((*access)->ops().AddDoNotRecord(DoNotRecordEntry{"+48601000111", "jan", 1, ""}).ok());
    CHECK(*owner.rules->IsDoNotRecord("+48601000111"));
  }
  {
    auto access = DataDirAccess::Open(options);
    REQUIRE(access.ok());
    CHECK((*access)->owner());
    CHECK(ReadFile(DataDirLock::PathOf(tmp.path())) == std::to_string(::getpid()) + "\nkronika test\n");
    REQUIRE((*access)->ops().RemoveDoNotRecord("+48601000111").ok());
    CHECK_FALSE(*(*access)->rules().IsDoNotRecord("+48601000111"));
  }
  // Reading needs no lock and no daemon.
  options.writes = false;
  auto reader = DataDirAccess::Open(options);
  REQUIRE(reader.ok());
  CHECK(reader->get()->rules().DoNotRecordList()->empty());
}

}  // namespace
}  // namespace kronika::srs
