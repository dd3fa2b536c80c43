// ListeningRegister (see access_register.h).
#include "kronika/srs/access/access_register.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>

#include "access_codecs.h"
#include "entry_fields.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/core/json_fields.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/csv_writer.h"
#include "kronika/srs/store/record_codec.h"

namespace kronika::srs {
namespace {

const std::string kGenesisHash(64, '0');
constexpr char kMetaCheckpoint[] = "register_checkpoint";
// Before the one Database: the count (decimal text) and the head (hex) in two rows.
constexpr char kLegacyMetaCount[] = "register_count";
constexpr char kLegacyMetaHead[] = "register_head";

std::string ParticipantsText(const nlohmann::json& entry) {
  std::string out;
  nlohmann::json participants = nlohmann::json::array();
  if (!ReadArray(entry, "participants", participants)) return out;
  for (const auto& p : participants) {
    if (!out.empty()) out += "; ";
    out += Text(p, "name") + " <" + Text(p, "number") + ">";
  }
  return out;
}

}  // namespace

std::string RegisterEntryHash(const nlohmann::json& entry) {
  nlohmann::json body = entry;
  if (body.is_object()) body.erase("entry_hash");
  return Sha256Hex(Text(body, "prev_hash") + "\n" + DumpJson(body));
}

std::string RegisterCheckpointCodec::Encode(const RegisterCheckpoint& c) {
  RecordWriter w;
  w.U(kAccessRowVersion);
  w.U(c.entries);
  w.Str(c.head_hash);
  return w.Take();
}

Result<RegisterCheckpoint> RegisterCheckpointCodec::Decode(std::string_view, std::string_view bytes) {
  RecordReader r(bytes);
  uint64_t version = 0;
  if (!r.U(version)) return MalformedRow("access.meta", "register_checkpoint version");
  if (version == 0 || version > kAccessRowVersion) {
    return UnknownRowVersion("access.meta", version, kAccessRowVersion);
  }
  RegisterCheckpoint c;
  if (!r.U(c.entries) || !r.Str(c.head_hash)) return MalformedRow("access.meta", "register_checkpoint");
  return c;
}

Result<RegisterCheckpoint> ReadRegisterCheckpoint(const ReadTxn& txn, const AccessDb& db) {
  ASSIGN_OR_RETURN(std::optional<RegisterCheckpoint> current,
                   txn.GetRecord<RegisterCheckpointCodec>(db.meta(), kMetaCheckpoint));
  if (current) return *current;
  RegisterCheckpoint legacy;  // the two rows of before, or none: an empty register
  ASSIGN_OR_RETURN(std::optional<uint64_t> count, txn.GetRecord<CounterCodec>(db.meta(), kLegacyMetaCount));
  ASSIGN_OR_RETURN(std::optional<std::string> head, txn.Get(db.meta(), kLegacyMetaHead));
  legacy.entries = count.value_or(0);
  legacy.head_hash = head.value_or(legacy.entries == 0 ? kGenesisHash : "");
  return legacy;
}

Result<RegisterCheckpoint> ListeningRegister::Checkpoint() const {
  RegisterCheckpoint out;
  RETURN_IF_ERROR(db_.Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(out, ReadRegisterCheckpoint(txn, db_));
    return OkStatus();
  }));
  return out;
}

Result<std::vector<nlohmann::json>> ListeningRegister::Entries() const {
  std::vector<nlohmann::json> out;
  std::ifstream in(file_);
  if (!in) return out;  // no playback yet
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    nlohmann::json j = ParseJsonObject(line);
    if (j.is_discarded())
      return MakeError(ErrorCode::kCorrupt, "register: unreadable line " + std::to_string(out.size() + 1));
    out.push_back(std::move(j));
  }
  return out;
}

Result<RegisterVerification> ListeningRegister::Verify() const {
  ASSIGN_OR_RETURN(const RegisterCheckpoint checkpoint, Checkpoint());
  return VerifyAgainst(checkpoint);
}

Result<RegisterVerification> ListeningRegister::VerifyAgainst(const RegisterCheckpoint& checkpoint) const {
  RegisterVerification v;
  v.head_hash = kGenesisHash;
  std::error_code ec;
  const bool exists = std::filesystem::exists(file_, ec);
  std::ifstream in(file_, std::ios::binary);
  std::string line;
  uint64_t line_no = 0;
  auto fail = [&](std::string problem) {
    v.ok = false;
    v.first_bad_line = line_no;
    v.problem = std::move(problem);
    return v;
  };
  if (!exists && checkpoint.entries > 0) {
    return fail("register file " + file_.string() + " is missing; the database records " +
                std::to_string(checkpoint.entries) + " entries");
  }
  while (in && std::getline(in, line)) {
    ++line_no;
    const nlohmann::json j = ParseJsonObject(line);
    if (j.is_discarded()) return fail("line " + std::to_string(line_no) + ": not a JSON object");
    uint64_t seq = 0;
    std::string prev_hash, entry_hash;
    if (!ReadUint(j, "seq", seq) || seq != line_no) {
      return fail("line " + std::to_string(line_no) + ": seq " + Text(j, "seq") + ", expected " +
                  std::to_string(line_no) + " (entry removed or reordered)");
    }
    if (!ReadString(j, "prev_hash", prev_hash) || prev_hash != v.head_hash) {
      return fail("entry " + std::to_string(line_no) + ": prev_hash does not match the previous entry");
    }
    if (!ReadString(j, "entry_hash", entry_hash) || RegisterEntryHash(j) != entry_hash) {
      return fail("entry " + std::to_string(line_no) + ": content altered (entry_hash mismatch)");
    }
    v.head_hash = entry_hash;
    v.entries = line_no;
  }
  line_no = 0;
  if (checkpoint.entries != v.entries) {
    return fail("register holds " + std::to_string(v.entries) + " entries, the checkpoint records " +
                std::to_string(checkpoint.entries) +
                (v.entries < checkpoint.entries ? " (entries removed: the register was emptied or cut at its end)"
                                                : " (entries added outside Kronika)"));
  }
  if (checkpoint.entries > 0 && checkpoint.head_hash != v.head_hash) {
    return fail("head hash differs from the one the checkpoint records");
  }
  v.ok = true;
  return v;
}

Result<nlohmann::json> ListeningRegister::Append(nlohmann::json entry) {
  MutexLock lock(mu_);
  int fd = ::open(file_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return MakeError(ErrorCode::kIo, "register: open " + file_.string() + ": " + std::strerror(errno));
  ::flock(fd, LOCK_EX);
  Result<nlohmann::json> result = [&]() -> Result<nlohmann::json> {
    // The chain is extended from the head recorded in the database (not from the file), so
    // an altered file stays detectable; refuse to append onto a broken register.
    Result<RegisterVerification> v = Verify();
    if (!v.ok()) return v.error();
    if (!v->ok)
      return MakeError(ErrorCode::kCorrupt, "register: refusing to append, register is damaged: " + v->problem);
    if (!entry.is_object()) return MakeError(ErrorCode::kInvalidInput, "register: an entry is a JSON object");
    entry["seq"] = v->entries + 1;
    entry["prev_hash"] = v->head_hash;
    entry["entry_hash"] = RegisterEntryHash(entry);
    const std::string line = DumpJson(entry) + "\n";
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
        ::fsync(fd) != 0) {
      return MakeError(ErrorCode::kIo, "register: write " + file_.string() + ": " + std::strerror(errno));
    }
    const RegisterCheckpoint next{v->entries + 1, entry["entry_hash"].get<std::string>()};
    RETURN_IF_ERROR(db_.Write([&](WriteTxn& txn) -> Status {
      RETURN_IF_ERROR(txn.PutRecord<RegisterCheckpointCodec>(db_.meta(), kMetaCheckpoint, next));
      RETURN_IF_ERROR(txn.Erase(db_.meta(), kLegacyMetaCount));
      RETURN_IF_ERROR(txn.Erase(db_.meta(), kLegacyMetaHead));
      // The playback (issue 17), with the checkpoint that commits the register entry: the
      // listener's login and the request, never the numbers the entry holds.
      const nlohmann::json identity = entry.value("identity", nlohmann::json::object());
      const int64_t at_ms = entry.value("listened_at_ms_utc", int64_t{0}) > 0
                                ? entry.value("listened_at_ms_utc", int64_t{0})
                            : entry.value("closed_at_ms_utc", int64_t{0}) > 0
                                ? entry.value("closed_at_ms_utc", int64_t{0})
                                : std::chrono::duration_cast<std::chrono::milliseconds>(
                                      std::chrono::system_clock::now().time_since_epoch())
                                      .count();
      // A listening session's closing line (listening_sessions.h): the parts it served and
      // the player reported, linked to the entry that opened it.
      if (entry.value("kind", "") == "playback_parts") {
        const nlohmann::json listener = entry.value("listener", nlohmann::json::object());
        nlohmann::json data = {{"request_id", entry.value("request_id", "")},
                               {"user", listener.is_object() ? listener.value("username", "") : ""},
                               {"register_seq", next.entries},
                               {"opening_seq", entry.value("opening_seq", uint64_t{0})},
                               {"parts_served", entry.value("parts_served", nlohmann::json::array())}};
        if (entry.contains("parts_played")) data["parts_played"] = entry["parts_played"];
        return db_.EmitIn(txn, EventDraft{"playback.ended", entry.value("recording_id", ""), std::move(data),
                                          nlohmann::json::object()},
                          at_ms);
      }
      return db_.EmitIn(txn,
                        EventDraft{"playback.performed",
                                   entry.value("recording_id", ""),
                                   {{"request_id", entry.value("request_id", "")},
                                    {"user", identity.is_object() ? identity.value("username", "") : ""},
                                    {"register_seq", next.entries},
                                    {"listened_from_s", entry.value("listened_from_s", nlohmann::json())},
                                    {"listened_to_s", entry.value("listened_to_s", nlohmann::json())}},
                                   nlohmann::json::object()},
                        at_ms);
    }));
    return entry;
  }();
  ::flock(fd, LOCK_UN);
  ::close(fd);
  return result;
}

std::string RegisterCsv(const std::vector<nlohmann::json>& entries) {
  CsvWriter csv;
  csv.Row({"seq", "listened_at_utc", "recording_id", "called_number", "calling_number", "call_start_utc",
           "listened_from_s", "listened_to_s", "participants", "listener_name", "listener_surname",
           "listener_position", "username", "token_id", "request_id", "reason", "approved_by", "entry_hash"});
  for (const auto& e : entries) {
    const nlohmann::json listener = Sub(e, "listener");
    const nlohmann::json identity = Sub(e, "identity");
    std::vector<std::string> f = {Text(e, "seq"),
                                  Text(e, "listened_at_utc"),
                                  Text(e, "recording_id"),
                                  Text(e, "called_number"),
                                  Text(e, "calling_number"),
                                  Text(e, "call_start_utc"),
                                  Text(e, "listened_from_s"),
                                  Text(e, "listened_to_s"),
                                  ParticipantsText(e),
                                  Text(listener, "name"),
                                  Text(listener, "surname"),
                                  Text(listener, "position"),
                                  Text(identity, "username"),
                                  Text(identity, "token_id"),
                                  Text(e, "request_id"),
                                  Text(e, "reason"),
                                  Text(e, "approved_by"),
                                  Text(e, "entry_hash")};
    csv.Row(f);
  }
  return csv.Take();
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace kronika::srs
