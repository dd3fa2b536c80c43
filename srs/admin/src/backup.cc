// Backup and restore of a data directory (see backup.h).
#include "kronika/srs/admin/backup.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <system_error>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/srs/core/data_layout.h"
#include "kronika/srs/core/json_fields.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/core/utc_time.h"
#include "kronika/srs/core/version.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/data_dir_lock.h"
#include "kronika/srs/store/database.h"
#include "kronika/srs/store/event_outbox.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {
namespace {

namespace fs = std::filesystem;

constexpr char kManifest[] = "MANIFEST.sha256";
constexpr char kInfo[] = "BACKUP.json";
constexpr char kFormat[] = "kronika-backup-1";

Error IoError(const std::string& what, const std::error_code& ec) {
  return MakeError(ErrorCode::kIo, "backup: " + what + ": " + ec.message());
}

// True when `dir` is absent, or holds nothing (a lock file nobody holds aside).
bool EmptyDir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename() != "kronika.lock") return false;
  }
  return !ec;
}

std::string Relative(const fs::path& path, const fs::path& base) { return path.lexically_relative(base).string(); }

// Copies `from` to `to` (parents created, mode kept). A source that vanished meanwhile (a
// recording deleted by the sweeper during the backup) is not an error: false.
Result<bool> CopyFile(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_directories(to.parent_path(), ec);
  if (ec) return IoError("create " + to.parent_path().string(), ec);
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec == std::errc::no_such_file_or_directory && !fs::exists(from)) return false;
  if (ec) return IoError("copy " + from.string(), ec);
  return true;
}

// Every regular file under `root`, relative, sorted; `skip` decides what is left out.
std::vector<std::string> FilesUnder(const fs::path& root, const std::function<bool(const fs::path&)>& skip) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(root, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec) || skip(it->path())) continue;
    out.push_back(Relative(it->path(), root));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The register checkpoint of a database directory opened as a snapshot (a backup's copy).
Result<RegisterCheckpoint> CheckpointOf(const fs::path& db_dir) {
  DatabaseOptions options;
  options.read_only = true;
  options.snapshot = true;
  ASSIGN_OR_RETURN(std::shared_ptr<Database> db, Database::Open(db_dir, options));
  ASSIGN_OR_RETURN(std::unique_ptr<AccessDb> access, AccessDb::Open(db, fs::path()));
  RegisterCheckpoint checkpoint;
  RETURN_IF_ERROR(access->Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(checkpoint, ReadRegisterCheckpoint(txn, *access));
    return OkStatus();
  }));
  return checkpoint;
}

Status SyncDir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return MakeError(ErrorCode::kIo, "backup: open " + dir.string() + ": " + std::strerror(errno));
  const int rc = ::syncfs(fd);
  ::close(fd);
  if (rc != 0) return MakeError(ErrorCode::kIo, "backup: sync " + dir.string() + ": " + std::strerror(errno));
  return OkStatus();
}

nlohmann::json InfoJson(const BackupSummary& s) {
  return {{"format", kFormat},
          {"created_ms_utc", s.created_ms_utc},
          {"created_utc", FormatUtcTime(s.created_ms_utc)},
          {"kronika_version", kKronikaVersion},
          {"source", s.source},
          {"files", s.files},
          {"bytes", s.bytes},
          {"recordings", s.recordings},
          {"keys", s.keys},
          {"register", {{"entries", s.checkpoint.entries}, {"head_hash", s.checkpoint.head_hash}}}};
}

Result<BackupSummary> InfoFrom(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  const nlohmann::json j = ParseJsonObject(text.str());
  std::string format;
  nlohmann::json reg = nlohmann::json::object();
  BackupSummary s;
  if (j.is_discarded() || !ReadString(j, "format", format) || format != kFormat || !ReadInt(j, "created_ms_utc", s.created_ms_utc) ||
      !ReadString(j, "source", s.source) || !ReadUint(j, "files", s.files) || !ReadUint(j, "bytes", s.bytes) ||
      !ReadUint(j, "recordings", s.recordings) || !ReadUint(j, "keys", s.keys) || !ReadObject(j, "register", reg) ||
      !ReadUint(reg, "entries", s.checkpoint.entries) || !ReadString(reg, "head_hash", s.checkpoint.head_hash)) {
    return MakeError(ErrorCode::kCorrupt, "backup: " + file.string() + " is not a Kronika backup description");
  }
  return s;
}

}  // namespace

Result<BackupSummary> MakeBackup(const fs::path& data_dir, const fs::path& dest, int64_t now_ms_utc) {
  if (!EmptyDir(dest)) return MakeError(ErrorCode::kConflict, "backup: " + dest.string() + " is not empty");
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) return IoError("create " + dest.string(), ec);
  fs::permissions(dest, fs::perms::owner_all, fs::perm_options::replace, ec);
  DatabaseOptions read_only;
  read_only.read_only = true;
  ASSIGN_OR_RETURN(std::shared_ptr<Database> db, Database::Open(StoreDir(data_dir), read_only));

  BackupSummary summary;
  summary.created_ms_utc = now_ms_utc;
  summary.source = fs::absolute(data_dir, ec).string();
  // The database and the register are copied under the register's lock (the one appends
  // take, access_register.h): the register file and its checkpoint in the copy agree.
  const fs::path register_file = AccessDir(data_dir) / "register.jsonl";
  const int register_fd = ::open(register_file.c_str(), O_RDONLY | O_CLOEXEC);
  if (register_fd >= 0) ::flock(register_fd, LOCK_SH);
  Status copied = db->CopyTo(dest / "db");
  Result<bool> register_copied = Result<bool>(false);
  if (copied.ok() && register_fd >= 0) register_copied = CopyFile(register_file, dest / "access" / "register.jsonl");
  if (register_fd >= 0) ::close(register_fd);  // releases the lock
  RETURN_IF_ERROR(copied);
  if (!register_copied.ok()) return register_copied.error();
  ASSIGN_OR_RETURN(summary.checkpoint, CheckpointOf(dest / "db"));

  // Finished recordings (a .part belongs to a call still in progress), then the keys: a
  // recording's key is made before its audio, so every copied recording has its key.
  const fs::path recordings = data_dir / "recordings";
  for (const std::string& rel : FilesUnder(recordings, [](const fs::path& p) { return p.extension() == ".part"; })) {
    ASSIGN_OR_RETURN(const bool done, CopyFile(recordings / rel, dest / "recordings" / rel));
    summary.recordings += done ? 1 : 0;
  }
  const fs::path keys = RecordingKeys::DefaultDir(data_dir);
  for (const std::string& rel : FilesUnder(keys, [](const fs::path& p) { return p.extension() != ".dek"; })) {
    ASSIGN_OR_RETURN(const bool done, CopyFile(keys / rel, dest / "access" / "keys" / rel));
    summary.keys += done ? 1 : 0;
  }
  const fs::path exports = data_dir / "exports";
  for (const std::string& rel : FilesUnder(exports, [](const fs::path&) { return false; })) {
    ASSIGN_OR_RETURN(const bool done, CopyFile(exports / rel, dest / "exports" / rel));
    (void)done;
  }

  // The description, then the manifest of everything.
  std::vector<std::string> files = FilesUnder(dest, [](const fs::path&) { return false; });
  for (const std::string& rel : files) {
    uint64_t bytes = 0;
    ASSIGN_OR_RETURN(const std::string hash, Sha256FileHex(dest / rel, &bytes));
    (void)hash;
    summary.bytes += bytes;
  }
  summary.files = files.size() + 1;  // with BACKUP.json
  {
    std::ofstream info(dest / kInfo, std::ios::trunc);
    info << InfoJson(summary).dump(2) << "\n";
    if (!info) return MakeError(ErrorCode::kIo, "backup: cannot write " + (dest / kInfo).string());
  }
  files.push_back(kInfo);
  std::sort(files.begin(), files.end());
  std::string manifest;
  for (const std::string& rel : files) {
    ASSIGN_OR_RETURN(const std::string hash, Sha256FileHex(dest / rel));
    manifest += hash + "  " + rel + "\n";
  }
  {
    std::ofstream out(dest / kManifest, std::ios::trunc);
    out << manifest;
    if (!out) return MakeError(ErrorCode::kIo, "backup: cannot write " + (dest / kManifest).string());
  }
  RETURN_IF_ERROR(SyncDir(dest));
  Logf(LogLevel::kInfo, "", "backup: %s -> %s: %llu files, %llu recordings, register %llu entries",
       data_dir.c_str(), dest.c_str(), static_cast<unsigned long long>(summary.files),
       static_cast<unsigned long long>(summary.recordings), static_cast<unsigned long long>(summary.checkpoint.entries));
  return summary;
}

Result<BackupVerification> VerifyBackup(const fs::path& dest) {
  std::ifstream manifest(dest / kManifest);
  if (!manifest) return MakeError(ErrorCode::kNotFound, "backup: " + dest.string() + " has no " + kManifest);
  BackupVerification v;
  std::set<std::string> listed;
  std::string line;
  while (std::getline(manifest, line)) {
    if (line.size() < 67 || line.compare(64, 2, "  ") != 0) {
      v.problems.push_back("manifest: malformed line '" + line + "'");
      continue;
    }
    const std::string hash = line.substr(0, 64), rel = line.substr(66);
    if (rel.find("..") != std::string::npos || rel.front() == '/') {
      v.problems.push_back("manifest: path outside the backup: " + rel);
      continue;
    }
    listed.insert(rel);
    Result<std::string> actual = Sha256FileHex(dest / rel);
    if (!actual.ok()) {
      v.problems.push_back(rel + ": missing");
    } else if (*actual != hash) {
      v.problems.push_back(rel + ": SHA-256 differs from the manifest (altered)");
    }
  }
  for (const std::string& rel : FilesUnder(dest, [](const fs::path&) { return false; })) {
    if (rel != kManifest && listed.count(rel) == 0) v.problems.push_back(rel + ": not in the manifest (added)");
  }
  Result<BackupSummary> info = InfoFrom(dest / kInfo);
  if (!info.ok()) {
    v.problems.push_back(info.error().message);
    return v;
  }
  v.summary = *info;
  Result<RegisterCheckpoint> in_db = CheckpointOf(dest / "db");
  if (!in_db.ok()) {
    v.problems.push_back("db: " + in_db.error().message);
  } else if (in_db->entries != info->checkpoint.entries || in_db->head_hash != info->checkpoint.head_hash) {
    v.problems.push_back("register checkpoint of the database (" + std::to_string(in_db->entries) +
                         " entries) differs from BACKUP.json's (" + std::to_string(info->checkpoint.entries) + ")");
  }
  // REG-3: the backed-up register is complete against the checkpoint recorded with it.
  DatabaseOptions options;
  options.read_only = true;
  options.snapshot = true;
  Result<std::shared_ptr<Database>> db = Database::Open(dest / "db", options);
  if (db.ok()) {
    Result<std::unique_ptr<AccessDb>> access = AccessDb::Open(*db, fs::path());
    if (access.ok()) {
      ListeningRegister reg(**access, dest / "access" / "register.jsonl");
      Result<RegisterVerification> r = reg.VerifyAgainst(info->checkpoint);
      if (!r.ok()) {
        v.problems.push_back("register: " + r.error().message);
      } else {
        v.register_entries = r->entries;
        if (!r->ok) v.problems.push_back("register: " + r->problem);
      }
    }
  }
  v.ok = v.problems.empty();
  return v;
}

Result<RestoreSummary> RestoreBackup(const fs::path& dest, const fs::path& data_dir, int64_t now_ms_utc,
                                     const std::string& event_node) {
  if (std::optional<LockHolder> holder = DataDirLock::Holder(data_dir)) {
    return MakeError(ErrorCode::kUnavailable, "restore: data directory " + data_dir.string() + " is in use by " +
                                                  (holder->pid > 0 ? "process " + std::to_string(holder->pid) +
                                                                         " (" + holder->what + ")"
                                                                   : std::string("another process")) +
                                                  "; stop it first");
  }
  if (!EmptyDir(data_dir)) {
    return MakeError(ErrorCode::kConflict, "restore: " + data_dir.string() +
                                               " is not empty; restore into an empty or new directory");
  }
  ASSIGN_OR_RETURN(const BackupVerification verified, VerifyBackup(dest));
  if (!verified.ok) {
    return MakeError(ErrorCode::kCorrupt, "restore: the backup does not verify: " + verified.problems.front());
  }
  ASSIGN_OR_RETURN(std::shared_ptr<DataDirLock> lock, DataDirLock::Acquire(data_dir, "kronika restore"));
  RestoreSummary summary;
  summary.backup = verified.summary;
  std::error_code ec;
  for (const std::string& rel : FilesUnder(dest, [](const fs::path&) { return false; })) {
    if (rel == kManifest || rel == kInfo) continue;
    ASSIGN_OR_RETURN(const bool done, CopyFile(dest / rel, data_dir / rel));
    summary.files += done ? 1 : 0;
  }
  fs::create_directories(AccessDir(data_dir), ec);
  fs::permissions(AccessDir(data_dir), fs::perms::owner_all, fs::perm_options::replace, ec);
  fs::create_directories(data_dir / "recordings", ec);
  {
    // Recordings in progress when the backup was taken have no audio in it.
    ASSIGN_OR_RETURN(std::shared_ptr<Database> db, Database::Open(StoreDir(data_dir), DatabaseOptions{}));
    if (!event_node.empty()) RETURN_IF_ERROR(EventOutbox::SetNode(*db, event_node));
    ASSIGN_OR_RETURN(std::unique_ptr<Store> store, Store::Open(db, StoreOptions{}));
    ASSIGN_OR_RETURN(std::unique_ptr<RulesDb> rules, RulesDb::Open(db, data_dir));
    ASSIGN_OR_RETURN(std::unique_ptr<AccessDb> access, AccessDb::Open(db, data_dir));
    RecordingQuery active;
    active.state = RecordingState::kActive;
    active.limit = 0;
    ASSIGN_OR_RETURN(std::vector<RecordingRecord> rows, store->Query(active));
    for (RecordingRecord& r : rows) {
      r.state = RecordingState::kInterrupted;
      r.timeline.push_back(TimelineEvent{now_ms_utc, "interrupted",
                                         "in progress when the backup was taken; restored without its audio"});
      if (!store->Enqueue(std::move(r))) return MakeError(ErrorCode::kUnavailable, "restore: store queue full");
      ++summary.interrupted;
    }
    RETURN_IF_ERROR(store->Flush(std::chrono::seconds(60)));
    ListeningRegister reg(*access, ListeningRegister::DefaultPath(data_dir));
    ASSIGN_OR_RETURN(const RegisterVerification v, reg.VerifyAgainst(summary.backup.checkpoint));
    if (!v.ok) return MakeError(ErrorCode::kCorrupt, "restore: the restored register does not verify: " + v.problem);
  }
  RETURN_IF_ERROR(SyncDir(data_dir));
  Logf(LogLevel::kInfo, "", "restore: %s -> %s: %llu files, %llu recordings marked interrupted", dest.c_str(),
       data_dir.c_str(), static_cast<unsigned long long>(summary.files),
       static_cast<unsigned long long>(summary.interrupted));
  return summary;
}

}  // namespace kronika::srs
