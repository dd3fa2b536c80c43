// The listening register (REG-1..3): one JSON object per line in
// `<data_dir>/access/register.jsonl`, append-only and hash-chained.
//
// Each entry carries the REG-1 fields (called_number, calling_number, call_start_utc,
// listened_from_s/listened_to_s, participants, listener {username, name, surname,
// position}, listened_at_utc, identity {username, token_id}) plus seq (1, 2, ...),
// prev_hash (entry_hash of the previous entry, 64 zeros for the first) and
// entry_hash = SHA-256(prev_hash + "\n" + the entry's canonical JSON without entry_hash).
// The register proves its own completeness (REG-3): a checkpoint of its length and head
// hash is kept outside the file - in the data directory's Database (access.meta
// "register_checkpoint", updated in the transaction after each line is fsynced) and in
// every backup's manifest (backup.h) - so a register file that is missing, emptied or cut
// at its end fails Verify(), not only one edited in place. Lines are read without
// throwing: a line that is not a JSON object, or a field of the wrong type, is a problem
// Verify() names, never a crash.
//
// Threads: Append() serialises itself (mutex + exclusive flock, so a CLI and the daemon
// cannot interleave); Verify()/Entries() may run at any time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/result.h"
#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/office_documents.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

// The register's length and head hash as recorded outside the register file.
struct RegisterCheckpoint {
  uint64_t entries = 0;
  std::string head_hash = std::string(64, '0');  // entry_hash of the last entry (64 zeros: none)
};

struct RegisterCheckpointCodec {  // access.meta "register_checkpoint" (v1: entries, head_hash)
  using Record = RegisterCheckpoint;
  static std::string Encode(const RegisterCheckpoint& checkpoint);
  static Result<RegisterCheckpoint> Decode(std::string_view key, std::string_view bytes);
};

// The checkpoint in `txn` (the legacy two-row form is read too).
Result<RegisterCheckpoint> ReadRegisterCheckpoint(const ReadTxn& txn, const AccessDb& db);

struct RegisterVerification {
  bool ok = false;
  uint64_t entries = 0;         // entries read from the file
  std::string head_hash;        // entry_hash of the last valid entry
  uint64_t first_bad_line = 0;  // 1-based line of the first problem (0 when ok / count only)
  std::string problem;          // "" when ok
};

class ListeningRegister {
 public:
  ListeningRegister(AccessDb& db, std::filesystem::path file) : db_(db), file_(std::move(file)) {}

  static std::filesystem::path DefaultPath(const std::filesystem::path& data_dir) {
    return AccessDir(data_dir) / "register.jsonl";
  }

  // Appends `entry` (an object with the REG-1 fields); returns it completed with seq,
  // prev_hash and entry_hash. The line is fsynced before the head is updated. Error when
  // the register on disk is already broken at its end (the chain cannot be extended).
  Result<nlohmann::json> Append(nlohmann::json entry);

  // Walks the whole file: JSON per line, seq 1..n, prev_hash links, entry_hash values,
  // then count and head against the checkpoint in the database (VerifyAgainst with it).
  Result<RegisterVerification> Verify() const;
  // The same against a given checkpoint (a backup manifest's).
  Result<RegisterVerification> VerifyAgainst(const RegisterCheckpoint& checkpoint) const;
  // The checkpoint the database holds.
  Result<RegisterCheckpoint> Checkpoint() const;

  // All entries (not verified), oldest first. Error kCorrupt naming the first line that
  // is not a JSON object.
  Result<std::vector<nlohmann::json>> Entries() const;

  const std::filesystem::path& file() const { return file_; }

 private:
  AccessDb& db_;
  std::filesystem::path file_;
  Mutex mu_;  // one Append() at a time (the file and the checkpoint, not members)
};

// Hash of an entry as defined above (exposed for tests).
std::string RegisterEntryHash(const nlohmann::json& entry);

// REG-1 columns, one row per entry (RFC 4180 quoting).
std::string RegisterCsv(const std::vector<nlohmann::json>& entries);

// Printable playback protocols (REG-2), one document per entry (office_documents.h: the
// office's letterhead, number PO/<seq>/<year>, place and date, page X of Y): date and time
// of listening, the listeners, call date and time, participants, both phone numbers, the
// kind of incident in words, circumstances/causes/actions/follow-up (from the request; a
// dotted line to fill in when absent), the employee informed, the approver's position, and
// signature fields for the listener and the approver, named. HTML-escaped.
std::string RegisterProtocolHtml(const std::vector<nlohmann::json>& entries, const DocumentSettings& settings);

// The same protocols as PDF (REG-2), each starting on a new page with its own page count
// (see pdf_protocol.h). Errors as RenderPdf's.
Result<std::string> RegisterProtocolPdf(const std::vector<nlohmann::json>& entries,
                                        const DocumentSettings& settings);

// The labelled rows of one entry's protocol, shared by the HTML and PDF forms (REG-2).
std::vector<std::pair<std::string, std::string>> RegisterProtocolRows(const nlohmann::json& entry,
                                                                      const DocumentSettings& settings);

std::string HtmlEscape(std::string_view text);

}  // namespace kronika::srs
