// DataDirLock (see data_dir_lock.h).
#include "kronika/srs/store/data_dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <map>
#include <system_error>
#include <thread>

#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {
namespace {

constexpr auto kRetryEvery = std::chrono::milliseconds(50);

// The locks this process holds, by directory: flock is per open file, so a second
// descriptor of the same process would be refused; the process-wide table hands out the
// lock it already has.
// With the PID that took it: a child made by fork() shares its parent's flock but is not
// the owner; it must take the lock (and fail) on its own.
struct HeldEntry {
  pid_t pid = 0;
  std::weak_ptr<DataDirLock> lock;
};
Mutex g_locks_mu;
std::map<std::string, HeldEntry>& HeldLocks() REQUIRES(g_locks_mu) {
  static auto* held = new std::map<std::string, HeldEntry>();
  return *held;
}

std::string Key(const std::filesystem::path& data_dir) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(data_dir, ec), ec);
  return (ec ? data_dir : p).lexically_normal().string();
}

std::optional<LockHolder> ReadHolder(int fd) {
  char buf[256];
  const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
  LockHolder holder;
  if (n <= 0) return holder;
  std::string_view text(buf, static_cast<size_t>(n));
  const size_t nl = text.find('\n');
  const std::string_view pid = text.substr(0, nl);
  std::from_chars(pid.data(), pid.data() + pid.size(), holder.pid);
  if (nl != std::string_view::npos) {
    std::string_view what = text.substr(nl + 1);
    if (!what.empty() && what.back() == '\n') what.remove_suffix(1);
    holder.what = std::string(what);
  }
  return holder;
}

std::string Describe(const std::filesystem::path& data_dir, const std::optional<LockHolder>& holder) {
  std::string who = "another process";
  if (holder && holder->pid > 0) {
    who = "process " + std::to_string(holder->pid) + (holder->what.empty() ? "" : " (" + holder->what + ")");
  }
  return "data directory " + data_dir.string() + " is in use by " + who;
}

}  // namespace

std::filesystem::path DataDirLock::PathOf(const std::filesystem::path& data_dir) {
  return data_dir / "kronika.lock";
}

DataDirLock::DataDirLock(std::filesystem::path data_dir, std::string what, int fd)
    : data_dir_(std::move(data_dir)), what_(std::move(what)), fd_(fd) {}

DataDirLock::~DataDirLock() {
  MutexLock lock(g_locks_mu);
  auto& held = HeldLocks();
  auto it = held.find(Key(data_dir_));
  if (it != held.end() && it->second.pid == ::getpid() && it->second.lock.expired()) held.erase(it);
  ::close(fd_);  // releases the flock
}

Result<std::shared_ptr<DataDirLock>> DataDirLock::Acquire(const std::filesystem::path& data_dir,
                                                          std::string_view what,
                                                          std::chrono::milliseconds wait) {
  MutexLock lock(g_locks_mu);
  const std::string key = Key(data_dir);
  if (auto it = HeldLocks().find(key); it != HeldLocks().end() && it->second.pid == ::getpid()) {
    if (std::shared_ptr<DataDirLock> held = it->second.lock.lock()) return held;
  }
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot create " + data_dir.string() + ": " + ec.message());
  const std::filesystem::path path = PathOf(data_dir);
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return MakeError(ErrorCode::kIo, "cannot open " + path.string() + ": " + std::strerror(errno));
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const int err = errno;
      ::close(fd);
      return MakeError(ErrorCode::kIo, "cannot lock " + path.string() + ": " + std::strerror(err));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      std::optional<LockHolder> holder = ReadHolder(fd);
      ::close(fd);
      return MakeError(ErrorCode::kUnavailable, Describe(data_dir, holder));
    }
    std::this_thread::sleep_for(kRetryEvery);
  }
  const std::string text = std::to_string(::getpid()) + "\n" + std::string(what) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
    const int err = errno;
    ::close(fd);
    return MakeError(ErrorCode::kIo, "cannot write " + path.string() + ": " + std::strerror(err));
  }
  std::shared_ptr<DataDirLock> held(new DataDirLock(data_dir, std::string(what), fd));
  HeldLocks()[key] = HeldEntry{::getpid(), held};
  return held;
}

std::optional<LockHolder> DataDirLock::Holder(const std::filesystem::path& data_dir) {
  const int fd = ::open(PathOf(data_dir).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::optional<LockHolder> holder;
  if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
    holder = ReadHolder(fd);  // held exclusively by someone
  } else {
    ::flock(fd, LOCK_UN);
  }
  ::close(fd);
  return holder;
}

}  // namespace kronika::srs
