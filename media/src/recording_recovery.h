// Crash recovery of recordings: repairs <id>.opus.part files a killed process left behind.
//
// A .part file is a valid Ogg Opus stream cut anywhere: it ends with zero or more complete
// pages and maybe a torn one. Repair keeps every complete packet of the complete pages,
// rewrites them into <id>.opus with granule positions recomputed from the packet durations
// and the last packet marked end-of-stream, fsyncs it and removes the .part.
//
// Sealed .part files (SEC-1, KENC0002, written when encryption at rest is on) have no final
// record. Repair decrypts in memory every record that authenticates under the recording's
// data key (a torn last record is dropped), repairs the Ogg stream as above and writes it
// sealed again, with a new file nonce and a final record, into <id>.opus.kenc. No
// plaintext is written. Without the key the .part is left in place (error).
//
// Blocking disk I/O; any thread. Used by MediaEngine::RecoverInterrupted at start.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "kronika/media/sealed_file.h"
#include "kronika/result.h"

namespace kronika::media {

inline constexpr char kPartSuffix[] = ".opus.part";

struct RecoveredFile {
  std::string recording_id;
  std::filesystem::path file;  // the repaired .opus (.opus.kenc when sealed)
  bool sealed = false;
  double duration_s = 0;       // audio kept
  uint64_t file_bytes = 0;     // size of `file` on disk
};

// Repairs one .part file. Errors: "media: recover <path>: <why>" with kIo (unreadable,
// unwritable), kCorrupt (not Ogg Opus, no audio packet), kUnavailable (a sealed file and no
// key lookup) or the code of the key lookup or of the sealed reader; an unrepairable file is
// left in place under its .part name.
Result<RecoveredFile> RecoverPartFile(const std::filesystem::path& part_path, const AtRestKeyLookup& keys = {});

// Closes the .part of a recording that failed while being written (a write error such as
// ENOSPC, issue 12 item 5) as a playable file at once, while the process runs on.
// Plain Ogg is repaired in place, so it needs no free disk space: the file is truncated
// after its last complete page that ends a packet, that page is marked end-of-stream (its
// CRC recomputed), fsynced and renamed to <id>.opus; the granule positions the writer
// wrote stay. A sealed .part (SEC-1) is repaired as RecoverPartFile does (into a new
// <id>.opus.kenc; that needs room for a copy). The caller must have closed the writer's fd.
// Errors as RecoverPartFile; "no complete audio page" (kCorrupt) leaves the .part for the
// caller to delete. Blocking disk I/O (the engine's finisher thread).
Result<RecoveredFile> SalvagePartFile(const std::filesystem::path& part_path, const AtRestKeyLookup& keys = {});

struct RecoveryReport {
  std::vector<RecoveredFile> repaired;
  std::vector<std::string> discarded_ids;  // .part deleted: not a single complete audio page
};

// Repairs every *.opus.part under `recordings_dir` (recursively). Files without a single
// complete audio page are deleted and reported, so the caller can drop what else belonged
// to them (SEC-1: the recording's data key); other unrepairable files stay in place.
RecoveryReport RecoverAll(const std::filesystem::path& recordings_dir, const AtRestKeyLookup& keys = {});

}  // namespace kronika::media
