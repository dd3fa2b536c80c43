// The admin socket: server, dispatch and client (see admin_socket.h).
#include "kronika/srs/admin/admin_socket.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <exception>
#include <string>
#include <system_error>

#include "admin_protocol.h"
#include "kronika/srs/core/json_fields.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/store/data_dir_lock.h"
#include "kronika/thread_boundary.h"

namespace kronika::srs {
namespace {

namespace proto = admin_protocol;

constexpr size_t kMaxRequestBytes = 1 << 20;
constexpr int kRequestTimeoutMs = 10'000;
// Long operations (an erasure of thousands of recordings, a sweep) answer after they are
// done: the client waits this long.
constexpr int kAnswerTimeoutMs = 30 * 60'000;
// A refused peer's request is read (and dropped) for at most this long before the answer.
constexpr int kRefusedPeerReadTimeoutMs = 1'000;

// The address to bind or connect to. A socket path has at most 107 bytes (sun_path); a
// longer data dir (deep test dirs, long mount points) is reached through its directory's
// descriptor, /proc/self/fd/<fd>/admin.sock, which Linux resolves like the full path. The
// descriptor stays open as long as the address is used.
struct SocketAddress {
  sockaddr_un addr{};
  int dir_fd = -1;
  SocketAddress() = default;
  SocketAddress(const SocketAddress&) = delete;
  SocketAddress& operator=(const SocketAddress&) = delete;
  ~SocketAddress() {
    if (dir_fd >= 0) ::close(dir_fd);
  }
};

Status FillSocketAddress(const std::filesystem::path& path, SocketAddress& out) {
  out.addr.sun_family = AF_UNIX;
  std::string usable = path.native();
  if (usable.size() >= sizeof(out.addr.sun_path)) {
    out.dir_fd = ::open(path.parent_path().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (out.dir_fd < 0) {
      return MakeError(ErrorCode::kIo, "admin socket: " + path.parent_path().string() + ": " + std::strerror(errno));
    }
    usable = "/proc/self/fd/" + std::to_string(out.dir_fd) + "/" + path.filename().string();
    if (usable.size() >= sizeof(out.addr.sun_path)) {
      return MakeError(ErrorCode::kIo, "admin socket: file name " + path.filename().string() + " is too long");
    }
  }
  std::memcpy(out.addr.sun_path, usable.c_str(), usable.size() + 1);
  return OkStatus();
}

// Reads until '\n' (not included) or EOF, at most kMaxRequestBytes, each wait at most
// `timeout_ms`. Error when the peer is too slow, too long or gone.
Result<std::string> ReadLine(int fd, int timeout_ms) {
  std::string line;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, timeout_ms);
    if (ready == 0) return MakeError(ErrorCode::kUnavailable, "admin socket: timed out");
    if (ready < 0) {
      if (errno == EINTR) continue;
      return MakeError(ErrorCode::kIo, std::string("admin socket: poll: ") + std::strerror(errno));
    }
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return MakeError(ErrorCode::kIo, std::string("admin socket: read: ") + std::strerror(errno));
    if (n == 0) return line;
    const std::string_view chunk(buf, static_cast<size_t>(n));
    const size_t nl = chunk.find('\n');
    line.append(chunk.substr(0, nl));
    if (nl != std::string_view::npos) return line;
    if (line.size() > kMaxRequestBytes) return MakeError(ErrorCode::kTooLarge, "admin socket: request too long");
  }
}

Status WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return MakeError(ErrorCode::kIo, std::string("admin socket: write: ") + std::strerror(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

std::string Answer(const Status& s, nlohmann::json result = nlohmann::json::object()) {
  if (!s.ok()) return DumpJson(nlohmann::json{{"ok", false}, {"error", proto::ErrorJson(s.error())}}) + "\n";
  return DumpJson(nlohmann::json{{"ok", true}, {"result", std::move(result)}}) + "\n";
}

template <typename T>
std::string AnswerWith(const Result<T>& r, nlohmann::json (*to_json)(const T&)) {
  if (!r.ok()) return Answer(r.error());
  return Answer(OkStatus(), to_json(*r));
}

std::string Dispatch(AdminOps& ops, const std::string& op, const nlohmann::json& args) {
  if (op == proto::kPlaceHolds || op == proto::kLiftHolds) {
    Result<HoldChange> c = proto::HoldChangeFrom(args);
    if (!c.ok()) return Answer(c.error());
    return Answer(op == proto::kPlaceHolds ? ops.PlaceHolds(*c) : ops.LiftHolds(*c));
  }
  if (op == proto::kAddDnr) {
    Result<DoNotRecordEntry> e = proto::DoNotRecordFrom(args);
    if (!e.ok()) return Answer(e.error());
    return Answer(ops.AddDoNotRecord(*e));
  }
  if (op == proto::kRemoveDnr) {
    Result<std::string> number = proto::StringField(args, "number");
    if (!number.ok()) return Answer(number.error());
    return Answer(ops.RemoveDoNotRecord(*number));
  }
  if (op == proto::kErase || op == proto::kDeleteEarly || op == proto::kRestrict) {
    Result<policy::DeletionRequest> request = proto::DeletionRequestFrom(args);
    if (!request.ok()) return Answer(request.error());
    if (op == proto::kErase) {
      Result<std::string> number = proto::StringField(args, "number");
      if (!number.ok()) return Answer(number.error());
      return AnswerWith<ErasureReport>(ops.EraseSubject(*number, *request), &proto::ToJson);
    }
    if (op == proto::kDeleteEarly) {
      Result<std::string> id = proto::StringField(args, "recording_id");
      if (!id.ok()) return Answer(id.error());
      return Answer(ops.DeleteEarly(*id, *request));
    }
    Result<std::vector<std::string>> ids = proto::StringsField(args, "recording_ids");
    Result<bool> restricted = proto::BoolField(args, "restricted");
    if (!ids.ok()) return Answer(ids.error());
    if (!restricted.ok()) return Answer(restricted.error());
    return AnswerWith<std::vector<RestrictionOutcome>>(ops.SetRestrictions(*ids, *restricted, *request),
                                                       &proto::ToJson);
  }
  if (op == proto::kSweep) {
    Result<int64_t> now = proto::IntField(args, "now_ms_utc");
    Result<bool> confirm = proto::BoolField(args, "confirm_clock");
    if (!now.ok()) return Answer(now.error());
    if (!confirm.ok()) return Answer(confirm.error());
    return AnswerWith<SweepReport>(ops.Sweep(*now, *confirm), &proto::ToJson);
  }
  if (op == proto::kAddUser) {
    Result<User> user = proto::UserFrom(args);
    if (!user.ok()) return Answer(user.error());
    return Answer(ops.AddUser(*user));
  }
  if (op == proto::kSetDisabled) {
    Result<std::string> username = proto::StringField(args, "username");
    Result<bool> disabled = proto::BoolField(args, "disabled");
    if (!username.ok()) return Answer(username.error());
    if (!disabled.ok()) return Answer(disabled.error());
    return Answer(ops.SetUserDisabled(*username, *disabled));
  }
  if (op == proto::kSetPassword) {
    Result<std::string> username = proto::StringField(args, "username");
    Result<std::string> hash = proto::StringField(args, "password_hash");
    if (!username.ok()) return Answer(username.error());
    if (!hash.ok()) return Answer(hash.error());
    return Answer(ops.SetPasswordHash(*username, *hash));
  }
  if (op == proto::kModifyUser) {
    Result<std::string> username = proto::StringField(args, "username");
    if (!username.ok()) return Answer(username.error());
    Result<UserChanges> changes = proto::UserChangesFrom(args.value("changes", nlohmann::json::object()));
    if (!changes.ok()) return Answer(changes.error());
    return Answer(ops.ModifyUser(*username, *changes));
  }
  if (op == proto::kIssueToken) {
    Result<std::string> username = proto::StringField(args, "username");
    Result<std::string> label = proto::StringField(args, "label");
    Result<int64_t> now = proto::IntField(args, "now_ms_utc");
    Result<int64_t> expires = proto::IntField(args, "expires_ms_utc");
    if (!username.ok()) return Answer(username.error());
    if (!label.ok()) return Answer(label.error());
    if (!now.ok()) return Answer(now.error());
    if (!expires.ok()) return Answer(expires.error());
    Result<std::string> token = ops.IssueToken(*username, *label, *now, *expires);
    if (!token.ok()) return Answer(token.error());
    return Answer(OkStatus(), {{"token", *token}});
  }
  if (op == proto::kRevokeToken) {
    Result<std::string> id = proto::StringField(args, "token_id");
    if (!id.ok()) return Answer(id.error());
    return Answer(ops.RevokeToken(*id));
  }
  if (op == proto::kRotateKey) {
    Result<std::string> file = proto::StringField(args, "new_key_file");
    if (!file.ok()) return Answer(file.error());
    return AnswerWith<KeyRotationReport>(ops.RotateMasterKey(*file), &proto::ToJson);
  }
  return Answer(MakeError(ErrorCode::kInvalidInput, "admin request: unknown op '" + op + "'"));
}

}  // namespace

std::filesystem::path AdminSocketPath(const std::filesystem::path& data_dir) { return data_dir / "admin.sock"; }

std::string HandleAdminRequest(AdminOps& ops, std::string_view request_line, std::string* op_out,
                               std::string* outcome) {
  std::string op;
  const std::string answer = [&] {
    const nlohmann::json request = ParseJsonObject(request_line);
    if (request.is_discarded()) return Answer(MakeError(ErrorCode::kInvalidInput, "admin request: not a JSON object"));
    nlohmann::json args = nlohmann::json::object();
    if (!ReadString(request, "op", op) || op.empty()) {
      return Answer(MakeError(ErrorCode::kInvalidInput, "admin request: op is required"));
    }
    if (!ReadObject(request, "args", args)) {
      return Answer(MakeError(ErrorCode::kInvalidInput, "admin request: args must be an object"));
    }
    return Dispatch(ops, op, args);
  }();
  if (op_out != nullptr) *op_out = op.empty() ? "(none)" : op;
  if (outcome != nullptr) {
    const nlohmann::json parsed = ParseJsonObject(answer);
    bool ok = false;
    nlohmann::json error = nlohmann::json::object();
    std::string code = "internal";
    if (ReadBool(parsed, "ok", ok) && !ok && ReadObject(parsed, "error", error)) (void)ReadString(error, "code", code);
    *outcome = ok ? "ok" : code;
  }
  return answer;
}

// ---- server ----

AdminServer::AdminServer(std::filesystem::path path, int listen_fd, int stop_fd, AdminOps& ops)
    : path_(std::move(path)), listen_fd_(listen_fd), stop_fd_(stop_fd), ops_(ops) {}

Result<std::unique_ptr<AdminServer>> AdminServer::Start(const std::filesystem::path& data_dir, AdminOps& ops) {
  const std::filesystem::path path = AdminSocketPath(data_dir);
  SocketAddress address;
  RETURN_IF_ERROR(FillSocketAddress(path, address));
  const sockaddr_un& addr = address.addr;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return MakeError(ErrorCode::kIo, std::string("admin socket: socket: ") + std::strerror(errno));
  ::unlink(path.c_str());  // a socket left by an owner that crashed (we hold the lock now)
  const mode_t old_mask = ::umask(0177);  // created 0600: no window with wider access
  const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
  ::umask(old_mask);
  if (bound != 0 || ::chmod(path.c_str(), 0600) != 0 || ::listen(fd, 16) != 0) {
    const int err = errno;
    ::close(fd);
    return MakeError(ErrorCode::kIo, "admin socket: cannot listen on " + path.string() + ": " + std::strerror(err));
  }
  const int stop_fd = ::eventfd(0, EFD_CLOEXEC);
  if (stop_fd < 0) {
    ::close(fd);
    return MakeError(ErrorCode::kIo, std::string("admin socket: eventfd: ") + std::strerror(errno));
  }
  std::unique_ptr<AdminServer> server(new AdminServer(path, fd, stop_fd, ops));
  AdminServer* raw = server.get();
  server->thread_ = std::thread([raw] {
    NameCurrentThread(kAdminThreadName);
    raw->Serve();
  });
  Logf(LogLevel::kInfo, "", "admin socket: %s (CLI commands that change state are carried out here)", path.c_str());
  return server;
}

AdminServer::~AdminServer() {
  const uint64_t one = 1;
  ssize_t ignored = ::write(stop_fd_, &one, sizeof one);
  (void)ignored;
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(stop_fd_);
  ::unlink(path_.c_str());
}

void AdminServer::Serve() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      Logf(LogLevel::kError, "", "admin socket: poll: %s; no longer serving", std::strerror(errno));
      return;
    }
    if (fds[1].revents != 0) return;
    const int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    // The boundary (issue 13 item 4): whatever a request does, the daemon goes on; the
    // CLI sees the connection close without an answer and says the daemon failed it.
    RunGuarded(kAdminThreadName, FaultEffect::kRecovered, [&] { HandleConnection(conn); });
    ::close(conn);
  }
}

void AdminServer::HandleConnection(int fd) {
  ucred peer{};
  socklen_t len = sizeof peer;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0) return;
  if (peer.uid != ::geteuid() && peer.uid != 0) {
    Logf(LogLevel::kWarn, "", "admin socket: refused a request from uid %u (pid %d): only uid %u or root",
         static_cast<unsigned>(peer.uid), static_cast<int>(peer.pid), static_cast<unsigned>(::geteuid()));
    // Read (and drop) the request first: a peer still sending when the refusal closes the
    // socket would see EPIPE instead of the reason.
    (void)ReadLine(fd, kRefusedPeerReadTimeoutMs);
    (void)WriteAll(fd, Answer(MakeError(ErrorCode::kPermissionDenied, "admin socket: not allowed for this user")));
    return;
  }
  Result<std::string> line = ReadLine(fd, kRequestTimeoutMs);
  if (!line.ok()) {
    (void)WriteAll(fd, Answer(line.error()));
    return;
  }
  if (line->empty()) return;  // a client checking that the daemon answers (Connect)
  std::string op, outcome;
  const std::string answer = HandleAdminRequest(ops_, *line, &op, &outcome);
  Logf(LogLevel::kInfo, "", "admin: %s from pid %d uid %u: %s", op.c_str(), static_cast<int>(peer.pid),
       static_cast<unsigned>(peer.uid), outcome.c_str());
  (void)WriteAll(fd, answer);
}

// ---- client ----

namespace {

Result<int> ConnectTo(const std::filesystem::path& path) {
  SocketAddress address;
  RETURN_IF_ERROR(FillSocketAddress(path, address));
  const sockaddr_un& addr = address.addr;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return MakeError(ErrorCode::kIo, std::string("admin socket: socket: ") + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    return MakeError(ErrorCode::kUnavailable, "no daemon answers on " + path.string() + ": " + std::strerror(err));
  }
  return fd;
}

// One request, one answer: the answer's result, or its error.
Result<nlohmann::json> Call(const std::filesystem::path& path, const char* op, nlohmann::json args) {
  ASSIGN_OR_RETURN(const int fd, ConnectTo(path));
  Status sent = WriteAll(fd, DumpJson(nlohmann::json{{"op", op}, {"args", std::move(args)}}) + "\n");
  Result<std::string> line = sent.ok() ? ReadLine(fd, kAnswerTimeoutMs) : Result<std::string>(sent.error());
  ::close(fd);
  if (!line.ok()) return line.error();
  const nlohmann::json answer = ParseJsonObject(*line);
  bool ok = false;
  if (answer.is_discarded() || !ReadBool(answer, "ok", ok)) {
    return MakeError(ErrorCode::kIo, "admin socket: the daemon's answer is not understood");
  }
  if (!ok) {
    nlohmann::json error = nlohmann::json::object();
    (void)ReadObject(answer, "error", error);
    return proto::ErrorFrom(error);
  }
  nlohmann::json result = nlohmann::json::object();
  (void)ReadObject(answer, "result", result);
  return result;
}

Status CallStatus(const std::filesystem::path& path, const char* op, nlohmann::json args) {
  Result<nlohmann::json> r = Call(path, op, std::move(args));
  if (!r.ok()) return r.error();
  return OkStatus();
}

}  // namespace

Result<std::unique_ptr<RemoteAdminOps>> RemoteAdminOps::Connect(const std::filesystem::path& data_dir) {
  const std::filesystem::path path = AdminSocketPath(data_dir);
  ASSIGN_OR_RETURN(const int fd, ConnectTo(path));
  ::close(fd);
  std::string performer = "the daemon";
  if (std::optional<LockHolder> holder = DataDirLock::Holder(data_dir); holder && holder->pid > 0) {
    performer += " (PID " + std::to_string(holder->pid) + ")";
  }
  return std::unique_ptr<RemoteAdminOps>(new RemoteAdminOps(path, performer));
}

Status RemoteAdminOps::PlaceHolds(const HoldChange& change) {
  return CallStatus(path_, proto::kPlaceHolds, proto::ToJson(change));
}

Status RemoteAdminOps::LiftHolds(const HoldChange& change) {
  return CallStatus(path_, proto::kLiftHolds, proto::ToJson(change));
}

Status RemoteAdminOps::AddDoNotRecord(const DoNotRecordEntry& entry) {
  return CallStatus(path_, proto::kAddDnr, proto::ToJson(entry));
}

Status RemoteAdminOps::RemoveDoNotRecord(const std::string& number) {
  return CallStatus(path_, proto::kRemoveDnr, {{"number", number}});
}

Result<ErasureReport> RemoteAdminOps::EraseSubject(const std::string& number, const policy::DeletionRequest& request) {
  nlohmann::json args = proto::ToJson(request);
  args["number"] = number;
  ASSIGN_OR_RETURN(const nlohmann::json result, Call(path_, proto::kErase, std::move(args)));
  return proto::ErasureReportFrom(result);
}

Result<std::vector<RestrictionOutcome>> RemoteAdminOps::SetRestrictions(const std::vector<std::string>& recording_ids,
                                                                        bool restricted,
                                                                        const policy::DeletionRequest& request) {
  nlohmann::json args = proto::ToJson(request);
  args["recording_ids"] = recording_ids;
  args["restricted"] = restricted;
  ASSIGN_OR_RETURN(const nlohmann::json result, Call(path_, proto::kRestrict, std::move(args)));
  return proto::RestrictionOutcomesFrom(result);
}

Result<SweepReport> RemoteAdminOps::Sweep(int64_t now_ms_utc, bool confirm_clock) {
  ASSIGN_OR_RETURN(const nlohmann::json result,
                   Call(path_, proto::kSweep, {{"now_ms_utc", now_ms_utc}, {"confirm_clock", confirm_clock}}));
  return proto::SweepReportFrom(result);
}

Status RemoteAdminOps::DeleteEarly(const std::string& recording_id, const policy::DeletionRequest& request) {
  nlohmann::json args = proto::ToJson(request);
  args["recording_id"] = recording_id;
  return CallStatus(path_, proto::kDeleteEarly, std::move(args));
}

Status RemoteAdminOps::AddUser(const User& user) { return CallStatus(path_, proto::kAddUser, proto::ToJson(user)); }

Status RemoteAdminOps::SetUserDisabled(const std::string& username, bool disabled) {
  return CallStatus(path_, proto::kSetDisabled, {{"username", username}, {"disabled", disabled}});
}

Result<std::string> RemoteAdminOps::IssueToken(const std::string& username, const std::string& label,
                                               int64_t now_ms_utc, int64_t expires_ms_utc) {
  ASSIGN_OR_RETURN(const nlohmann::json result,
                   Call(path_, proto::kIssueToken, {{"username", username}, {"label", label}, {"now_ms_utc", now_ms_utc},
                         {"expires_ms_utc", expires_ms_utc}}));
  return proto::StringField(result, "token");
}

Status RemoteAdminOps::SetPasswordHash(const std::string& username, const std::string& password_hash) {
  return CallStatus(path_, proto::kSetPassword, {{"username", username}, {"password_hash", password_hash}});
}

Status RemoteAdminOps::ModifyUser(const std::string& username, const UserChanges& changes) {
  return CallStatus(path_, proto::kModifyUser, {{"username", username}, {"changes", proto::ToJson(changes)}});
}

Status RemoteAdminOps::RevokeToken(const std::string& token_id) {
  return CallStatus(path_, proto::kRevokeToken, {{"token_id", token_id}});
}

Result<KeyRotationReport> RemoteAdminOps::RotateMasterKey(const std::string& new_key_file) {
  ASSIGN_OR_RETURN(const nlohmann::json result, Call(path_, proto::kRotateKey, {{"new_key_file", new_key_file}}));
  return proto::KeyRotationReportFrom(result);
}

}  // namespace kronika::srs
