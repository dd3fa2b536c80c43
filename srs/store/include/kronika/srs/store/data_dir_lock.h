// DataDirLock: one owner per data directory (issue 15 item 1). The owner holds an
// exclusive flock(2) on `<data_dir>/kronika.lock` for as long as it lives, with its PID
// and what it is ("kronika serve", "kronika hold") written in the file for whoever finds
// the directory taken. Only the owner opens the directory's Database read-write
// (Database::Open takes the lock itself when the process does not hold it yet); every
// other process reads, and asks the owner to write (the admin socket, srs/admin).
//
// The kernel drops the lock when the owner exits, however it exits (kill -9 included):
// there is never a stale lock to clean up. The file itself stays.
//
// One lock per directory per process: Acquire() in a process that already holds it hands
// out the same lock (flock would otherwise refuse the second descriptor).
//
// Threads: any.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "kronika/result.h"

namespace kronika::srs {

struct LockHolder {
  int64_t pid = 0;   // 0 when the holder has not written it yet
  std::string what;  // "kronika serve", ...
};

class DataDirLock {
 public:
  // Takes the lock of `data_dir` (created when missing), waiting up to `wait` for another
  // owner to release it. Error kUnavailable naming the holder: "data directory D is in use
  // by process P (kronika serve)"; kIo when the directory or file cannot be made.
  static Result<std::shared_ptr<DataDirLock>> Acquire(const std::filesystem::path& data_dir, std::string_view what,
                                                      std::chrono::milliseconds wait = std::chrono::milliseconds(0));
  // Who holds the lock now; nullopt when nobody does (or the directory has no lock file).
  static std::optional<LockHolder> Holder(const std::filesystem::path& data_dir);
  static std::filesystem::path PathOf(const std::filesystem::path& data_dir);

  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

  const std::filesystem::path& data_dir() const { return data_dir_; }
  const std::string& what() const { return what_; }

 private:
  DataDirLock(std::filesystem::path data_dir, std::string what, int fd);
  std::filesystem::path data_dir_;
  std::string what_;
  int fd_;
};

}  // namespace kronika::srs
