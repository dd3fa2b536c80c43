// RenderPdf through the kronika-pdf helper process (see pdf_protocol.h).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <tuple>
#include <vector>

#include "pdf_protocol.h"
#include "print_document_json.h"

extern char** environ;

namespace kronika::srs {
namespace {

constexpr char kHelperName[] = "kronika-pdf";
constexpr size_t kMaxPdfBytes = size_t{512} << 20;  // far above any register export
constexpr size_t kMaxErrorBytes = 4096;

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

Error Unavailable(const std::string& why) {
  return Error{ErrorCode::kUnavailable, "pdf: cannot print: " + why};
}

// A stream socket pair, both ends close-on-exec: [0] ours, [1] the child's.
bool SocketPair(Fd& ours, Fd& theirs) {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) return false;
  ours.Reset(fds[0]);
  theirs.Reset(fds[1]);
  return true;
}

}  // namespace

Result<std::filesystem::path> PdfRendererPath() {
  std::vector<std::filesystem::path> tried;
  if (const char* env = std::getenv("KRONIKA_PDF_RENDERER"); env != nullptr && *env != '\0') {
    if (::access(env, X_OK) == 0) return std::filesystem::path(env);
    return Unavailable(std::string("KRONIKA_PDF_RENDERER names ") + env + ", which is not an executable file");
  }
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    tried.push_back(self.parent_path() / kHelperName);
    tried.push_back(self.parent_path().parent_path() / "libexec" / "kronika" / kHelperName);
  }
  std::string where;
  for (const auto& path : tried) {
    if (::access(path.c_str(), X_OK) == 0) return path;
    where += (where.empty() ? "" : ", ") + path.string();
  }
  return Unavailable("the kronika-pdf helper is not installed (looked for " + where + ")");
}

Result<std::string> RenderPdf(const PrintDocument& doc) {
  ASSIGN_OR_RETURN(std::filesystem::path helper, PdfRendererPath());
  const std::string input = PrintDocumentToJson(doc).dump();
  Fd in, child_in, out, child_out, err, child_err;
  if (!SocketPair(in, child_in) || !SocketPair(out, child_out) || !SocketPair(err, child_err)) {
    return Unavailable(std::string("socketpair: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, child_in.get(), STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, child_out.get(), STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, child_err.get(), STDERR_FILENO);
  // Nothing else of the daemon's (sockets, LMDB, key files) reaches the helper.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);
  const std::string path = helper.string();
  char* const argv[] = {const_cast<char*>(path.c_str()), nullptr};
  pid_t pid = -1;
  const int spawned = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return Unavailable("cannot start " + path + ": " + std::strerror(spawned));
  child_in.Reset();
  child_out.Reset();
  child_err.Reset();

  std::string pdf, errors;
  size_t written = 0;
  bool too_large = false, timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + kPdfRenderTimeout;
  if (input.empty()) in.Reset();
  while (out.get() >= 0 || err.get() >= 0) {
    pollfd fds[3] = {{in.get(), POLLOUT, 0}, {out.get(), POLLIN, 0}, {err.get(), POLLIN, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    if (::poll(fds, 3, static_cast<int>(left.count())) < 0 && errno != EINTR) break;
    if (fds[0].revents != 0) {
      const ssize_t n = ::send(in.get(), input.data() + written, input.size() - written, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) written += static_cast<size_t>(n);
      if (n < 0 && errno != EAGAIN && errno != EINTR) in.Reset();  // the helper stopped reading
      if (written == input.size()) in.Reset();                      // end of the document
    }
    char buffer[65536];
    for (auto [fd, sink, limit] : {std::tuple{&out, &pdf, kMaxPdfBytes}, std::tuple{&err, &errors, kMaxErrorBytes}}) {
      const short revents = fd == &out ? fds[1].revents : fds[2].revents;
      if (revents == 0) continue;
      const ssize_t n = ::read(fd->get(), buffer, sizeof buffer);
      if (n > 0) {
        if (sink->size() + static_cast<size_t>(n) > limit) {
          if (fd == &out) too_large = true;
          fd->Reset();
        } else {
          sink->append(buffer, static_cast<size_t>(n));
        }
      } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        fd->Reset();
      }
    }
    if (too_large) break;
  }
  if (timed_out || too_large) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  while (!errors.empty() && (errors.back() == '\n' || errors.back() == '\r')) errors.pop_back();
  if (timed_out) {
    return Error{ErrorCode::kInternal, "pdf: " + path + " took longer than " +
                                           std::to_string(kPdfRenderTimeout.count()) + " s and was stopped"};
  }
  if (too_large) return Error{ErrorCode::kInternal, "pdf: " + path + " produced more than 512 MiB"};
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    const std::string how = WIFEXITED(status) ? "exit " + std::to_string(WEXITSTATUS(status))
                                              : "signal " + std::to_string(WTERMSIG(status));
    return Error{ErrorCode::kInternal, "pdf: " + path + " failed (" + how + ")" + (errors.empty() ? "" : ": " + errors)};
  }
  if (pdf.rfind("%PDF", 0) != 0) return Error{ErrorCode::kInternal, "pdf: " + path + " did not write a PDF"};
  return pdf;
}

}  // namespace kronika::srs
