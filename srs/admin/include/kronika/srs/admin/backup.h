// Backup and restore of a data directory (issue 15 items 3 and 4; docs/operations.md
// "Backup and restore", the state inventory in docs/architecture.md).
//
// A backup is a directory:
//   db/data.mdb                  the one LMDB environment (recordings, rules and access
//                                tables), copied online with mdb_env_copy2 + compaction
//                                from one read transaction: a consistent snapshot of all
//                                of them, while the daemon goes on writing
//   access/register.jsonl        the listening register, copied while its lock is held
//                                together with the database copy, so the two agree
//   access/keys/<id>.dek         the recordings' data keys, wrapped by the master key
//                                (the master key itself is never in a backup: it lives
//                                outside the data directory)
//   recordings/YYYY/MM/DD/...    every finished recording (.opus, .opus.kenc); .part files
//                                of calls in progress are not (their records say active
//                                and become interrupted when restored)
//   exports/...                  disclosure export packages
//   BACKUP.json                  when, from where, by which version, counts, and the
//                                register checkpoint {entries, head_hash} (REG-3)
//   MANIFEST.sha256              "<sha256>  <path>" for every file above
//                                (`sha256sum -c MANIFEST.sha256` checks it too)
// Nothing is written into the data directory by a backup; it takes no lock (it reads).
//
// Threads: one caller per backup directory.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/access/access_register.h"

namespace kronika::srs {

struct BackupSummary {
  uint64_t files = 0;
  uint64_t bytes = 0;
  uint64_t recordings = 0;  // audio files
  uint64_t keys = 0;        // wrapped data keys
  RegisterCheckpoint checkpoint;
  int64_t created_ms_utc = 0;
  std::string source;       // the data directory backed up
};

// Writes a backup of `data_dir` into `dest` (created; must not exist or be empty).
// Errors: kConflict `dest` not empty, kNotFound no database in `data_dir`, kIo naming the
// file that could not be read or written (the partial backup is left for inspection and
// fails `VerifyBackup`: it has no manifest).
Result<BackupSummary> MakeBackup(const std::filesystem::path& data_dir, const std::filesystem::path& dest,
                                 int64_t now_ms_utc);

struct BackupVerification {
  bool ok = false;
  std::vector<std::string> problems;  // one line each: altered, missing, added files; the register
  BackupSummary summary;              // from BACKUP.json (checkpoint included)
  uint64_t register_entries = 0;      // entries the backed-up register holds
};

// Checks every file against MANIFEST.sha256, that no file is added, and the backed-up
// register against the checkpoint in BACKUP.json and the one in the backed-up database.
// Error only when `dest` is not a backup (no manifest).
Result<BackupVerification> VerifyBackup(const std::filesystem::path& dest);

struct RestoreSummary {
  BackupSummary backup;
  uint64_t files = 0;
  uint64_t interrupted = 0;  // recordings in progress at backup time, now marked interrupted
};

// Restores the backup `dest` into `data_dir`, which must not be in use (its lock free) and
// must be empty or absent. Verifies the backup first (refuses a damaged one), copies every
// file with its mode (access/ and the keys 0700/0600), marks the recordings that were in
// progress at backup time interrupted, and checks the restored register against the
// backup's checkpoint. Errors: kUnavailable in use (naming the PID), kConflict not empty,
// kCorrupt the backup does not verify (the first problem named), kIo. `event_node`: the
// configuration's [events] node for the recording.interrupted events it writes ("" = host name).
Result<RestoreSummary> RestoreBackup(const std::filesystem::path& dest, const std::filesystem::path& data_dir,
                                     int64_t now_ms_utc,
                                     const std::string& event_node = "");

}  // namespace kronika::srs
