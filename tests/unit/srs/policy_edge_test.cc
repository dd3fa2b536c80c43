// Issue 7 at the daemon's edges: deletions by other modules ask the policy db (RET-2,
// RET-4), and the discard socket of answer-and-drop (SCOPE-1/2/5, CONSENT-3).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>

#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/rules/deletions.h"
#include "kronika/srs/rules/discard_socket.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

RecordingRecord Finished(const std::string& id) {
  RecordingRecord r;
  r.recording_id = id;
  r.site = "bydgoszcz";
  r.start_ms_utc = 1764000000000;
  r.state = RecordingState::kCompleted;
  r.file_bytes = 4096;
  return r;
}

TEST_CASE("RET-2 a deletion by another module is refused while the policy db holds the recording, logged once allowed") {
  TempDir dir;
  auto db = std::move(RulesDb::Open(dir.path())).value();
  REQUIRE(db->PlaceHolds({"01HELD"}, "II K 7/26", "prokurator", 1000).ok());
  Status held = AuthorizeEarlyDeletion(*db, Finished("01HELD"), "keeper", "relevance questioned", 2000);
  REQUIRE_FALSE(held.ok());
  CHECK(held.error().code == ErrorCode::kConflict);
  CHECK(held.error().message == "recording 01HELD is under legal hold (RET-2, case II K 7/26); lift it first");
  CHECK(db->DeletionLog(10).empty());  // a refusal is not a deletion

  REQUIRE(db->LiftHolds({"01HELD"}, "II K 7/26", "sad", "umorzenie", 3000).ok());
  REQUIRE(AuthorizeEarlyDeletion(*db, Finished("01HELD"), "keeper", "relevance questioned", 4000).ok());
  const std::vector<DeletionLogEntry> log = db->DeletionLog(10);
  REQUIRE(log.size() == 1);
  CHECK(log[0].recording_id == "01HELD");
  CHECK(log[0].cause == "early-deletion");  // RET-4: who and why
  CHECK(log[0].by == "keeper");
  CHECK(log[0].reason == "relevance questioned");
  CHECK(log[0].site == "bydgoszcz");
  CHECK(log[0].file_bytes == 4096);
}

TEST_CASE("answer-and-drop discard socket: a real port that accepts RTP and never hands it to anyone") {
  Result<std::unique_ptr<DiscardSocket>> discard = DiscardSocket::Open("127.0.0.1");
  REQUIRE(discard.ok());
  const uint16_t port = (*discard)->port();
  CHECK(port != 0);
  // Sending to it works (no ICMP port-unreachable turns into ECONNREFUSED on a connected socket).
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  const char packet[172] = {char(0x80)};
  int refused = 0;
  for (int i = 0; i < 200; ++i) {
    if (send(fd, packet, sizeof packet, 0) < 0 && errno == ECONNREFUSED) ++refused;
  }
  close(fd);
  CHECK(refused == 0);
  CHECK_FALSE(DiscardSocket::Open("not-an-ip").ok());
}

}  // namespace
}  // namespace kronika::srs
