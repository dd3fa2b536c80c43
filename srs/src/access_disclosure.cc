// DisclosureBook and export packages (see access_disclosure.h).
#include "access_disclosure.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "access_playback.h"
#include "access_register.h"
#include "json_record.h"
#include "kronika/srs/access_crypto.h"

namespace kronika::srs {
namespace {

constexpr char kManifest[] = "MANIFEST.sha256";
constexpr char kSignature[] = "MANIFEST.sha256.sig";

std::string DisclosureKey(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "DR-%06llu", static_cast<unsigned long long>(n));
  return buf;
}

Status WriteText(const std::filesystem::path& path, std::string_view text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) return MakeError(500, "export: cannot write " + path.string());
  return OkStatus();
}

Result<std::string> ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(404, "cannot read " + path.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string MainNumber(const RecordingRecord& r) {
  for (const auto& p : r.participants) {
    const std::string& n = DisplayNumber(p);
    if (!n.empty()) return n;
  }
  return "";
}

std::string HandOverProtocol(const nlohmann::json& d, const std::vector<RecordingRecord>& records) {
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Hand-over "
          "protocol "
       << HtmlEscape(d.value("id", ""))
       << "</title><style>body{font-family:serif;max-width:48em;margin:2em auto}"
       << "table{border-collapse:collapse;width:100%}th,td{border:1px solid "
          "#000;padding:4px;text-align:left}"
       << ".sig{height:4em}</style></head><body>\n<h1>Protocol of handing over call "
          "recordings</h1>\n"
       << "<p>Disclosure " << HtmlEscape(d.value("id", "")) << " to <b>"
       << HtmlEscape(d.value("requester_institution", "")) << "</b>, written request no. "
       << HtmlEscape(d.value("request_number", "")) << " of "
       << HtmlEscape(d.value("request_date", ""))
       << ".</p>\n<p>Justification: " << HtmlEscape(d.value("justification", ""))
       << "</p>\n<p>Decision: granted by " << HtmlEscape(d["decision"].value("by_name", ""))
       << " on " << HtmlEscape(IsoUtc(d["decision"].value("at_ms_utc", int64_t{0}))) << ".</p>\n"
       << "<table><tr><th>No.</th><th>Recording</th><th>Date</th><th>Phone "
          "number</th><th>Duration</th><th>SHA-256 of audio</th></tr>\n";
  int n = 0;
  for (const auto& r : records) {
    char duration[32];
    std::snprintf(duration, sizeof duration, "%d min %02d s", static_cast<int>(r.duration_s) / 60,
                  static_cast<int>(r.duration_s) % 60);
    html << "<tr><td>" << ++n << "</td><td>" << HtmlEscape(r.recording_id) << "</td><td>"
         << HtmlEscape(IsoUtc(r.start_ms_utc)) << "</td><td>" << HtmlEscape(MainNumber(r))
         << "</td><td>" << duration << "</td><td>see MANIFEST.sha256</td></tr>\n";
  }
  html << "</table>\n<p>The receiver declares that the recordings will be used only for the "
          "purpose stated "
          "in the request ("
       << HtmlEscape(d.value("purpose", d.value("justification", "")))
       << ") and not "
          "disclosed further (DISC-3).</p>\n<table><tr><th>Handed over by</th><th>Received "
          "by</th></tr>"
          "<tr><td class=\"sig\"></td><td class=\"sig\"></td></tr></table>\n</body></html>\n";
  return html.str();
}

}  // namespace

Result<nlohmann::json> DisclosureBook::File(const Identity& who, const nlohmann::json& body,
                                            int64_t now_ms_utc) {
  if (!who.user.Has(Role::kRecordsKeeper))
    return MakeError(403, "only a records keeper files disclosure requests");
  for (const char* field :
       {"requester_institution", "request_date", "request_number", "justification"}) {
    if (!body.is_object() || body.value(field, "").empty()) {
      return MakeError(400, std::string(field) + ": required (DISC-2)");
    }
  }
  if (!body.contains("recording_ids") || !body["recording_ids"].is_array() ||
      body["recording_ids"].empty()) {
    return MakeError(400, "recording_ids: a non-empty array is required");
  }
  std::vector<std::string> ids;
  for (const auto& id : body["recording_ids"]) {
    Result<RecordingRecord> record = RequestableRecording(id, store_, db_, "exported");
    if (!record.ok()) return record.error();
    ids.push_back(record->recording_id);
  }
  nlohmann::json d = {{"filed_by", who.user.username},
                      {"requester_institution", body.value("requester_institution", "")},
                      {"request_date", body.value("request_date", "")},
                      {"request_number", body.value("request_number", "")},
                      {"phone_number", body.value("phone_number", "")},
                      {"call_date", body.value("call_date", "")},
                      {"justification", body.value("justification", "")},
                      {"purpose", body.value("purpose", "")},
                      {"recording_ids", ids},
                      {"created_ms_utc", now_ms_utc},
                      {"status", "pending"},
                      {"decision", nullptr},
                      {"exports", nlohmann::json::array()}};
  Status s = db_.Write([&](AccessWriteTxn& txn) -> Status {
    auto n = txn.NextSequence("disclosure");
    if (!n.ok()) return n.error();
    d["id"] = DisclosureKey(*n);
    return txn.Put(AccessTable::kDisclosures, d["id"].get<std::string>(), d.dump());
  });
  if (!s.ok()) return s.error();
  return d;
}

Result<nlohmann::json> DisclosureBook::Decide(const Identity& who, std::string_view id,
                                              const nlohmann::json& body, int64_t now_ms_utc) {
  if (!who.user.Has(Role::kApprover))
    return MakeError(403, "only an approver decides disclosures (DISC-1)");
  if (!body.contains("granted") || !body["granted"].is_boolean())
    return MakeError(400, "granted: true or false required");
  nlohmann::json d;
  Status s = db_.Write([&](AccessWriteTxn& txn) -> Status {
    auto row = txn.Get(AccessTable::kDisclosures, id);
    if (!row.ok()) return row.error();
    if (!row->has_value()) return MakeError(404, "no disclosure " + std::string(id));
    d = nlohmann::json::parse(**row);
    if (d.value("status", "") != "pending")
      return MakeError(409, "disclosure " + std::string(id) + " is already decided");
    const bool granted = body["granted"].get<bool>();
    d["status"] = granted ? "granted" : "refused";
    d["decision"] = {{"by", who.user.username},
                     {"by_name", who.user.name + " " + who.user.surname + ", " + who.user.position},
                     {"at_ms_utc", now_ms_utc},
                     {"granted", granted},
                     {"note", body.value("note", "")}};
    return txn.Put(AccessTable::kDisclosures, id, d.dump());
  });
  if (!s.ok()) return s.error();
  return d;
}

Result<nlohmann::json> DisclosureBook::Get(std::string_view id) const {
  auto row = db_.Get(AccessTable::kDisclosures, id);
  if (!row.ok()) return row.error();
  if (!row->has_value()) return MakeError(404, "no disclosure " + std::string(id));
  return nlohmann::json::parse(**row);
}

Result<std::vector<nlohmann::json>> DisclosureBook::List() const {
  auto rows = db_.List(AccessTable::kDisclosures);
  if (!rows.ok()) return rows.error();
  std::vector<nlohmann::json> out;
  for (const auto& [key, value] : *rows) out.push_back(nlohmann::json::parse(value));
  return out;
}

Result<nlohmann::json> DisclosureBook::Export(const Identity& who, std::string_view id,
                                              const RecordingKeys* keys,
                                              const std::filesystem::path& data_dir,
                                              const std::filesystem::path& out_dir,
                                              const std::optional<std::string>& signing_key,
                                              int64_t now_ms_utc) {
  if (!who.user.Has(Role::kRecordsKeeper))
    return MakeError(403, "only a records keeper prepares export packages");
  auto d = Get(id);
  if (!d.ok()) return d.error();
  if (d->value("status", "") != "granted") {
    return MakeError(409, "disclosure " + std::string(id) + " is " + d->value("status", "") +
                              ", not granted (DISC-1)");
  }
  std::error_code ec;
  if (std::filesystem::exists(out_dir, ec))
    return MakeError(409, "export: " + out_dir.string() + " already exists");
  std::vector<RecordingRecord> records;
  for (const auto& rid : (*d)["recording_ids"]) {
    const std::string recording_id = rid.get<std::string>();
    auto restricted = IsRestricted(db_, recording_id);
    if (!restricted.ok()) return restricted.error();
    if (*restricted)
      return MakeError(403, "recording " + recording_id + " is restricted (RIGHTS-3)");
    auto record = store_.Get(recording_id);
    if (!record.ok()) return record.error();
    if (!record->has_value()) return MakeError(404, "no recording " + recording_id + " (deleted?)");
    records.push_back(**record);
  }
  std::map<std::string, std::string> files;  // relative path -> content
  for (const auto& r : records) {
    std::filesystem::path plain = r.file_path;
    if (plain.is_relative()) plain = data_dir / plain;
    uint64_t total = 0;
    auto audio = ReadRecordingAudio(keys, r.recording_id, plain, 0, UINT64_MAX, total);
    if (!audio.ok()) return audio.error();
    files["audio/" + r.recording_id + ".opus"] = std::move(*audio);
    files["metadata/" + r.recording_id + ".json"] = RecordingDetailJson(r).dump(2) + "\n";
  }
  nlohmann::json disclosure = *d;
  disclosure.erase("exports");
  files["disclosure.json"] = disclosure.dump(2) + "\n";
  files["protocol.html"] = HandOverProtocol(*d, records);
  std::string manifest;
  for (const auto& [path, content] : files) manifest += Sha256Hex(content) + "  " + path + "\n";
  files[kManifest] = manifest;
  if (signing_key) files[kSignature] = HexEncode(HmacSha256(*signing_key, manifest)) + "\n";
  for (const auto& [path, content] : files) {
    if (Status s = WriteText(out_dir / path, content); !s.ok()) return s.error();
  }
  nlohmann::json record = {{"at_ms_utc", now_ms_utc},
                           {"by", who.user.username},
                           {"package", out_dir.string()},
                           {"manifest_sha256", Sha256Hex(manifest)},
                           {"signed", signing_key.has_value()}};
  Status s = db_.Write([&](AccessWriteTxn& txn) -> Status {
    auto row = txn.Get(AccessTable::kDisclosures, id);
    if (!row.ok()) return row.error();
    if (!row->has_value()) return MakeError(404, "no disclosure " + std::string(id));
    nlohmann::json current = nlohmann::json::parse(**row);
    current["exports"].push_back(record);
    return txn.Put(AccessTable::kDisclosures, id, current.dump());
  });
  if (!s.ok()) return s.error();
  return record;
}

PackageVerification VerifyExportPackage(const std::filesystem::path& package,
                                        const std::optional<std::string>& signing_key) {
  PackageVerification v;
  auto manifest = ReadText(package / kManifest);
  if (!manifest.ok()) {
    v.problems.push_back("no " + std::string(kManifest) + " in " + package.string());
    return v;
  }
  std::set<std::string> listed;
  std::istringstream lines(*manifest);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.size() < 67 || line.substr(64, 2) != "  ") {
      v.problems.push_back("manifest: malformed line '" + line + "'");
      continue;
    }
    const std::string hash = line.substr(0, 64), path = line.substr(66);
    if (path.find("..") != std::string::npos || (!path.empty() && path[0] == '/')) {
      v.problems.push_back("manifest: path escapes the package: " + path);
      continue;
    }
    listed.insert(path);
    ++v.files;
    auto content = ReadText(package / path);
    if (!content.ok()) {
      v.problems.push_back(path + ": missing");
    } else if (Sha256Hex(*content) != hash) {
      v.problems.push_back(path + ": SHA-256 differs from the manifest (altered)");
    }
  }
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(package, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file()) continue;
    const std::string rel = std::filesystem::relative(it->path(), package).string();
    if (rel == kManifest || rel == kSignature) continue;
    if (!listed.count(rel)) v.problems.push_back(rel + ": not listed in the manifest (added)");
  }
  auto sig = ReadText(package / kSignature);
  v.signed_manifest = sig.ok();
  if (signing_key) {
    if (!sig.ok()) {
      v.problems.push_back("signature: " + std::string(kSignature) + " missing");
    } else {
      std::string got = *sig;
      while (!got.empty() && (got.back() == '\n' || got.back() == '\r')) got.pop_back();
      if (!ConstantTimeEqual(got, HexEncode(HmacSha256(*signing_key, *manifest)))) {
        v.problems.push_back("signature: does not match the manifest under the given key");
      }
    }
  }
  v.ok = v.problems.empty();
  return v;
}

}  // namespace kronika::srs
