// PurgeExportsContaining (see export_purge.h).
#include "kronika/srs/access/export_purge.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <system_error>

#include "access_codecs.h"
#include "kronika/srs/access/access_records.h"
#include "kronika/srs/core/log.h"

namespace kronika::srs {
namespace {

// Written first into every package (access_disclosure.cc): without it a directory at the
// recorded path is not (any more) a package of ours, and is not removed.
constexpr char kManifest[] = "MANIFEST.sha256";

struct Candidate {
  std::string disclosure_id;
  size_t export_index = 0;
  PurgedExport purged;
};

// The erased recordings `e` holds, in the package's order.
std::vector<std::string> ErasedIn(const Disclosure& d, const DisclosureExport& e,
                                  const std::set<std::string>& erased) {
  std::vector<std::string> held;
  if (!e.audio_sha256.empty()) {
    for (const auto& [recording_id, hash] : e.audio_sha256) held.push_back(recording_id);
  } else {
    held = d.recording_ids;
  }
  std::vector<std::string> out;
  for (const std::string& id : held) {
    if (erased.count(id) != 0) out.push_back(id);
  }
  return out;
}

// Removes the package directory. Ok with `was_gone` when nothing is there any more.
Status RemovePackage(const std::filesystem::path& package, bool& was_gone) {
  std::error_code ec;
  was_gone = false;
  if (package.empty()) return MakeError(ErrorCode::kInvalidInput, "no package path recorded");
  const std::filesystem::file_status status = std::filesystem::symlink_status(package, ec);
  if (status.type() == std::filesystem::file_type::not_found) {
    was_gone = true;
    return OkStatus();
  }
  if (ec) return MakeError(ErrorCode::kIo, ec.message());
  if (status.type() != std::filesystem::file_type::directory) {
    return MakeError(ErrorCode::kConflict, "not a directory; not removed");
  }
  if (!std::filesystem::exists(package / kManifest, ec)) {
    return MakeError(ErrorCode::kConflict, std::string("no ") + kManifest + " in it (not an export package); not removed");
  }
  std::filesystem::remove_all(package, ec);
  if (ec) return MakeError(ErrorCode::kIo, ec.message());
  return OkStatus();
}

// The log line's topic: an erasure's purge (RIGHTS-2) or a hand-over purge (DISC-3).
const char* LogTopic(const ExportPurgeRequest& request) {
  return request.erased_recording_ids.empty() ? "disclosure: purge" : "rights: erasure";
}

// Removes each candidate's package and marks the removed ones purged (one transaction).
Status RemoveAndMark(AccessDb& db, std::vector<Candidate> candidates, const ExportPurgeRequest& request,
                     ExportPurgeOutcome& outcome) {
  std::vector<Candidate> removed;
  for (Candidate& c : candidates) {
    bool was_gone = false;
    Status s = RemovePackage(c.purged.package, was_gone);
    if (!s.ok()) {
      outcome.failures.push_back("export package " + c.purged.package + " of disclosure " + c.disclosure_id + " (" +
                                 c.purged.requester_institution + "): " + s.error().message);
      Logf(LogLevel::kError, "", "%s: cannot purge export package %s of %s: %s", LogTopic(request),
           c.purged.package.c_str(), c.disclosure_id.c_str(), s.error().message.c_str());
      continue;
    }
    c.purged.package_was_gone = was_gone;
    removed.push_back(std::move(c));
  }
  if (removed.empty()) return OkStatus();
  RETURN_IF_ERROR(db.Write([&](WriteTxn& txn) -> Status {
    for (const Candidate& c : removed) {
      ASSIGN_OR_RETURN(std::optional<Disclosure> d, txn.GetRecord<DisclosureCodec>(db.disclosures(), c.disclosure_id));
      if (!d || c.export_index >= d->exports.size()) continue;  // cannot happen: one writer
      DisclosureExport& e = d->exports[c.export_index];
      if (e.package != c.purged.package || e.purged) continue;
      e.purged = ExportPurge{request.at_ms_utc, request.by, request.reason, c.purged.recording_ids,
                             c.purged.package_was_gone};
      RETURN_IF_ERROR(txn.PutRecord<DisclosureCodec>(db.disclosures(), c.disclosure_id, *d));
    }
    return OkStatus();
  }));
  for (Candidate& c : removed) {
    Logf(LogLevel::kInfo, "", "%s: export package %s of %s (%s) %s", LogTopic(request), c.purged.package.c_str(),
         c.disclosure_id.c_str(), c.purged.requester_institution.c_str(),
         c.purged.package_was_gone ? "was already gone; marked purged" : "removed");
    outcome.purged.push_back(std::move(c.purged));
  }
  return OkStatus();
}

}  // namespace

Result<ExportPurgeOutcome> PurgeExportsContaining(AccessDb& db, const ExportPurgeRequest& request) {
  ExportPurgeOutcome outcome;
  const std::set<std::string> erased(request.erased_recording_ids.begin(), request.erased_recording_ids.end());
  if (erased.empty()) return outcome;
  std::vector<Candidate> candidates;
  RETURN_IF_ERROR(db.Read([&](const ReadTxn& txn) {
    return txn.ScanRecords<DisclosureCodec>(db.disclosures(), [&](std::string_view, Disclosure&& d) {
      for (size_t i = 0; i < d.exports.size(); ++i) {
        const DisclosureExport& e = d.exports[i];
        if (e.purged) continue;
        std::vector<std::string> held = ErasedIn(d, e, erased);
        if (held.empty()) continue;
        candidates.push_back(Candidate{
            d.id, i,
            PurgedExport{d.id, d.requester_institution, d.request_number, e.package, e.at_ms_utc, std::move(held),
                         false}});
      }
      return true;
    });
  }));
  RETURN_IF_ERROR(RemoveAndMark(db, std::move(candidates), request, outcome));
  return outcome;
}

Result<ExportPurgeOutcome> PurgeDisclosurePackages(AccessDb& db, std::string_view disclosure_id, std::string_view by,
                                                   std::string_view reason, int64_t at_ms_utc) {
  if (by.empty()) return MakeError(ErrorCode::kInvalidInput, "by: who purges is required");
  if (reason.empty()) return MakeError(ErrorCode::kInvalidInput, "reason: required");
  std::vector<Candidate> candidates;
  bool found = false;
  RETURN_IF_ERROR(db.Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<Disclosure> d, txn.GetRecord<DisclosureCodec>(db.disclosures(), disclosure_id));
    if (!d) return OkStatus();
    found = true;
    for (size_t i = 0; i < d->exports.size(); ++i) {
      const DisclosureExport& e = d->exports[i];
      if (e.purged) continue;
      candidates.push_back(Candidate{
          d->id, i, PurgedExport{d->id, d->requester_institution, d->request_number, e.package, e.at_ms_utc, {}, false}});
    }
    return OkStatus();
  }));
  if (!found) return MakeError(ErrorCode::kNotFound, "no disclosure " + std::string(disclosure_id));
  if (candidates.empty()) {
    return MakeError(ErrorCode::kConflict, "disclosure " + std::string(disclosure_id) + " has no package to purge");
  }
  ExportPurgeOutcome outcome;
  const ExportPurgeRequest request{{}, std::string(by), std::string(reason), at_ms_utc};
  RETURN_IF_ERROR(RemoveAndMark(db, std::move(candidates), request, outcome));
  return outcome;
}

}  // namespace kronika::srs
