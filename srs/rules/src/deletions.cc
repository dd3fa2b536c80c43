#include "kronika/srs/rules/deletions.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "kronika/policy/number_plan.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/srs/core/log.h"

namespace kronika::srs {

Status ShredFile(const std::filesystem::path& path, bool overwrite) {
  if (overwrite) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) return OkStatus();
      return MakeError(ErrorCode::kIo, "cannot open " + path.string() + ": " + std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      static const std::vector<char> kZeros(1 << 16, 0);
      off_t left = st.st_size;
      while (left > 0) {
        const size_t n = static_cast<size_t>(std::min<off_t>(left, static_cast<off_t>(kZeros.size())));
        const ssize_t w = ::write(fd, kZeros.data(), n);
        if (w <= 0) break;
        left -= w;
      }
      ::fdatasync(fd);
    }
    ::close(fd);
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (ec) return MakeError(ErrorCode::kIo, "cannot remove " + path.string() + ": " + ec.message());
  return OkStatus();
}

policy::RecordingInfo InfoOf(const RecordingRecord& record, const policy::NumberPlan* plan) {
  policy::RecordingInfo info;
  info.id = record.recording_id;
  info.start_ms_utc = record.start_ms_utc;
  info.expires_at_ms_utc = record.retention_expiry_ms_utc;
  info.size_bytes = record.file_bytes;
  info.in_progress = record.state == RecordingState::kActive;
  for (const ParticipantRecord& p : record.participants) {
    const std::string& raw = !p.number_e164.empty() ? p.number_e164 : p.number_original;
    std::optional<std::string> canonical;
    if (plan != nullptr && !raw.empty()) canonical = policy::CanonicalNumber(*plan, raw);
    info.participants.push_back(canonical.value_or(raw));
  }
  return info;
}

Result<DeleteOutcome> ExecuteDeletions(Store& store, RulesDb& db, const std::vector<policy::DeletionOrder>& orders,
                                       const std::unordered_map<std::string, RecordingRecord>& records,
                                       const DeleteOptions& options, int64_t now_ms_utc) {
  DeleteOutcome out;
  if (orders.empty()) return out;
  Result<std::vector<DeletionLogEntry>> logged = db.LogDeletions([&](const policy::HoldSet& holds) {
    std::vector<DeletionLogEntry> entries;
    out.kept.clear();  // the check may run again (rules_db.h)
    for (const policy::DeletionOrder& order : orders) {
      auto it = records.find(order.recording_id);
      if (it == records.end()) continue;
      if (holds.IsHeld(order.recording_id)) {
        out.kept.push_back(policy::KeptRecording{order.recording_id, holds.ActiveCases(order.recording_id),
                                                 "kept: legal hold placed before deletion (RET-2)"});
        continue;
      }
      const RecordingRecord& r = it->second;
      entries.push_back(DeletionLogEntry{0, order.recording_id, std::string(policy::DeletionCauseName(order.cause)),
                                         order.requested_by, order.reason, order.decided_at_ms_utc, now_ms_utc,
                                         r.site, r.start_ms_utc, r.file_bytes});
    }
    return entries;
  });
  if (!logged.ok()) return logged.error();
  for (const DeletionLogEntry& e : *logged) {
    const RecordingRecord& r = records.at(e.recording_id);
    if (!r.file_path.empty()) {
      std::filesystem::path file(r.file_path);
      if (file.is_relative()) file = options.data_dir / file;
      if (Status s = ShredFile(file, options.overwrite); !s.ok()) out.file_errors.push_back(e.recording_id + ": " + s.error().message);
      // Encryption at rest (issue 8): shred the recording's key and its .kenc too.
      if (Status s = ShredRecordingAtRest(options.data_dir, e.recording_id, file); !s.ok()) {
        out.file_errors.push_back(e.recording_id + ": " + s.error().message);
      }
    }
    if (!store.EnqueueDelete(e.recording_id)) {
      return MakeError(ErrorCode::kUnavailable, "store: delete of " + e.recording_id + " not queued (read-only or queue full)");
    }
    out.deleted.push_back(e.recording_id);
    Logf(LogLevel::kDebug, e.recording_id, "deleted: %s by %s (%s)", e.cause.c_str(), e.by.c_str(),
         e.reason.c_str());
  }
  if (options.flush && !out.deleted.empty()) {
    if (Status s = store.Flush(std::chrono::seconds(60)); !s.ok()) return s.error();
  }
  return out;
}

Status AuthorizeEarlyDeletion(RulesDb& db, const RecordingRecord& record, std::string_view by,
                              std::string_view reason, int64_t now_ms_utc) {
  std::vector<std::string> cases;
  Result<std::vector<DeletionLogEntry>> logged = db.LogDeletions([&](const policy::HoldSet& holds) {
    std::vector<DeletionLogEntry> entries;
    if (holds.IsHeld(record.recording_id)) {
      cases = holds.ActiveCases(record.recording_id);
      return entries;
    }
    entries.push_back(DeletionLogEntry{0, record.recording_id,
                                       std::string(policy::DeletionCauseName(policy::DeletionCause::kEarlyDeletion)),
                                       std::string(by), std::string(reason), now_ms_utc, now_ms_utc, record.site,
                                       record.start_ms_utc, record.file_bytes});
    return entries;
  });
  if (!logged.ok()) return logged.error();
  if (logged->empty()) {
    std::string list;
    for (const std::string& c : cases) list += (list.empty() ? "" : ", ") + c;
    return MakeError(ErrorCode::kConflict, "recording " + record.recording_id + " is under legal hold (RET-2, case " + list +
                              "); lift it first");
  }
  return OkStatus();
}

}  // namespace kronika::srs
