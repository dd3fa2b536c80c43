// DisclosureBook and export packages (see access_disclosure.h).
#include "kronika/srs/access/access_disclosure.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "access_codecs.h"
#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/core/json_fields.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/utc_time.h"
#include "handover_protocol.h"

namespace kronika::srs {
namespace {

constexpr char kManifest[] = "MANIFEST.sha256";
constexpr char kSignature[] = "MANIFEST.sha256.sig";                 // legacy HMAC, hex
constexpr char kEd25519Signature[] = "MANIFEST.sha256.ed25519.sig";  // raw 64 bytes
constexpr char kSigningKey[] = "SIGNING-KEY.pem";

std::string DisclosureKey(uint64_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "DR-%06llu", static_cast<unsigned long long>(n));
  return buf;
}

// Package files hold decrypted audio and personal data: directories 0700 and files 0600
// whatever the umask (issue 15 item 8). `package` is the package's root, made by
// MakePackageDir; the subdirectories below it are made here.
Status WriteText(const std::filesystem::path& package, const std::string& relative, std::string_view text) {
  const std::filesystem::path path = package / relative;
  std::filesystem::path dir = package;
  for (const auto& part : std::filesystem::path(relative).parent_path()) {
    dir /= part;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return MakeError(ErrorCode::kIo, "export: cannot create " + dir.string() + ": " + std::strerror(errno));
    if (::chmod(dir.c_str(), 0700) != 0)
      return MakeError(ErrorCode::kIo, "export: cannot set the mode of " + dir.string() + ": " + std::strerror(errno));
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return MakeError(ErrorCode::kIo, "export: cannot create " + path.string() + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;
  size_t done = 0;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) ok = false;
  if (!ok) return MakeError(ErrorCode::kIo, "export: cannot write " + path.string());
  return OkStatus();
}

// The package's root directory, 0700. Parents that do not exist yet are made 0700 too
// (they hold only packages); existing ones are left as they are. kConflict when the
// package directory exists already.
Status MakePackageDir(const std::filesystem::path& out_dir) {
  std::error_code ec;
  std::vector<std::filesystem::path> missing;  // nearest first
  for (std::filesystem::path p = out_dir.parent_path(); !p.empty() && p != p.root_path() &&
                                                        !std::filesystem::exists(p, ec);
       p = p.parent_path()) {
    missing.push_back(p);
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) != 0 && errno != EEXIST)
      return MakeError(ErrorCode::kIo, "export: cannot create " + it->string() + ": " + std::strerror(errno));
    ::chmod(it->c_str(), 0700);
  }
  if (::mkdir(out_dir.c_str(), 0700) != 0) {
    return MakeError(errno == EEXIST ? ErrorCode::kConflict : ErrorCode::kIo,
                     "export: cannot create " + out_dir.string() + ": " + std::strerror(errno));
  }
  if (::chmod(out_dir.c_str(), 0700) != 0)
    return MakeError(ErrorCode::kIo, "export: cannot set the mode of " + out_dir.string() + ": " + std::strerror(errno));
  return OkStatus();
}

Result<std::string> ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError(ErrorCode::kNotFound, "cannot read " + path.string());
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// A user's record for a signature field; none when unknown or unreadable (the field is
// then filled in by hand).
std::optional<User> FindUser(AccessDb& db, const std::string& username) {
  if (username.empty()) return std::nullopt;
  Result<std::optional<User>> u = UserDirectory(db).Find(username);
  return u.ok() ? *u : std::nullopt;
}

}  // namespace

Result<nlohmann::json> DisclosureBook::File(const Identity& who, const nlohmann::json& body,
                                            int64_t now_ms_utc) {
  if (!who.user.Has(Role::kRecordsKeeper))
    return MakeError(ErrorCode::kPermissionDenied, "only a records keeper files disclosure requests");
  if (!body.is_object()) return MakeError(ErrorCode::kInvalidInput, "a JSON object is required");
  Disclosure d;
  const std::pair<const char*, std::string*> fields[] = {
      {"requester_institution", &d.requester_institution},
      {"request_date", &d.request_date},
      {"request_number", &d.request_number},
      {"justification", &d.justification},
      {"phone_number", &d.phone_number},
      {"call_date", &d.call_date},
      {"purpose", &d.purpose}};
  for (const auto& [field, out] : fields) {
    if (!ReadString(body, field, *out)) {
      return MakeError(ErrorCode::kInvalidInput, std::string(field) + ": a string is required");
    }
  }
  for (const char* field : {"requester_institution", "request_date", "request_number", "justification"}) {
    std::string value;
    (void)ReadString(body, field, value);
    if (value.empty()) return MakeError(ErrorCode::kInvalidInput, std::string(field) + ": required (DISC-2)");
  }
  if (!body.contains("recording_ids") || !body["recording_ids"].is_array() || body["recording_ids"].empty()) {
    return MakeError(ErrorCode::kInvalidInput, "recording_ids: a non-empty array is required");
  }
  for (const auto& id : body["recording_ids"]) {
    ASSIGN_OR_RETURN(RecordingRecord record, RequestableRecording(id, store_, db_, "exported"));
    d.recording_ids.push_back(record.recording_id);
  }
  d.filed_by = who.user.username;
  d.created_ms_utc = now_ms_utc;
  d.status = "pending";
  RETURN_IF_ERROR(db_.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(uint64_t n, db_.NextSequenceIn(txn, "disclosure"));
    d.id = DisclosureKey(n);
    return txn.PutRecord<DisclosureCodec>(db_.disclosures(), d.id, d);
  }));
  return ToJson(d);
}

Result<nlohmann::json> DisclosureBook::Decide(const Identity& who, std::string_view id,
                                              const nlohmann::json& body, int64_t now_ms_utc) {
  if (!who.user.Has(Role::kApprover))
    return MakeError(ErrorCode::kPermissionDenied, "only an approver decides disclosures (DISC-1)");
  if (!body.contains("granted") || !body["granted"].is_boolean())
    return MakeError(ErrorCode::kInvalidInput, "granted: true or false required");
  std::string note;
  if (!ReadString(body, "note", note)) return MakeError(ErrorCode::kInvalidInput, "note: a string is required");
  const bool granted = body["granted"].get<bool>();
  Disclosure d;
  RETURN_IF_ERROR(db_.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<Disclosure> row, txn.GetRecord<DisclosureCodec>(db_.disclosures(), id));
    if (!row) return MakeError(ErrorCode::kNotFound, "no disclosure " + std::string(id));
    d = std::move(*row);
    if (d.status != "pending")
      return MakeError(ErrorCode::kConflict, "disclosure " + std::string(id) + " is already decided");
    d.status = granted ? "granted" : "refused";
    d.decision = ApproverDecision{who.user.username,
                                  who.user.name + " " + who.user.surname + ", " + who.user.position,
                                  now_ms_utc,
                                  granted,
                                  note,
                                  0};
    return txn.PutRecord<DisclosureCodec>(db_.disclosures(), id, d);
  }));
  return ToJson(d);
}

Result<Disclosure> DisclosureBook::Find(std::string_view id) const {
  std::optional<Disclosure> row;
  RETURN_IF_ERROR(db_.Read([&](const ReadTxn& txn) -> Status {
    ASSIGN_OR_RETURN(row, txn.GetRecord<DisclosureCodec>(db_.disclosures(), id));
    return OkStatus();
  }));
  if (!row) return MakeError(ErrorCode::kNotFound, "no disclosure " + std::string(id));
  return std::move(*row);
}

Result<nlohmann::json> DisclosureBook::Get(std::string_view id) const {
  ASSIGN_OR_RETURN(Disclosure d, Find(id));
  return ToJson(d);
}

Result<std::vector<nlohmann::json>> DisclosureBook::List() const {
  std::vector<nlohmann::json> out;
  RETURN_IF_ERROR(db_.Read([&](const ReadTxn& txn) {
    return txn.ScanRecords<DisclosureCodec>(db_.disclosures(), [&](std::string_view, Disclosure&& d) {
      out.push_back(ToJson(d));
      return true;
    });
  }));
  return out;
}

Result<nlohmann::json> DisclosureBook::Export(const Identity& who, std::string_view id,
                                              const RecordingKeys* keys,
                                              const std::filesystem::path& data_dir,
                                              const std::filesystem::path& out_dir,
                                              const std::optional<std::string>& signing_key,
                                              int64_t now_ms_utc, const DocumentSettings& documents) {
  return Export(who, id, keys, data_dir, out_dir, PackageSigning{nullptr, signing_key}, now_ms_utc, documents);
}

Result<nlohmann::json> DisclosureBook::Export(const Identity& who, std::string_view id,
                                              const RecordingKeys* keys,
                                              const std::filesystem::path& data_dir,
                                              const std::filesystem::path& out_dir,
                                              const PackageSigning& signing, int64_t now_ms_utc,
                                              const DocumentSettings& documents) {
  if (!who.user.Has(Role::kRecordsKeeper))
    return MakeError(ErrorCode::kPermissionDenied, "only a records keeper prepares export packages");
  auto d = Find(id);
  if (!d.ok()) return d.error();
  if (d->status != "granted") {
    return MakeError(ErrorCode::kConflict, "disclosure " + std::string(id) + " is " + d->status + ", not granted (DISC-1)");
  }
  std::error_code ec;
  if (std::filesystem::exists(out_dir, ec))
    return MakeError(ErrorCode::kConflict, "export: " + out_dir.string() + " already exists");
  HandOver hand_over;
  hand_over.disclosure = *d;
  hand_over.settings = documents;
  hand_over.settings.issued_ms_utc = now_ms_utc;
  hand_over.handed_over_by = who.user;
  hand_over.approver = FindUser(db_, d->decision ? d->decision->by : "");
  hand_over.hand_over = static_cast<unsigned>(d->exports.size() + 1);
  for (const std::string& recording_id : d->recording_ids) {
    auto restricted = IsRestricted(db_, recording_id);
    if (!restricted.ok()) return restricted.error();
    if (*restricted)
      return MakeError(ErrorCode::kPermissionDenied, "recording " + recording_id + " is restricted (RIGHTS-3)");
    auto record = store_.Get(recording_id);
    if (!record.ok()) return record.error();
    if (!record->has_value()) return MakeError(ErrorCode::kNotFound, "no recording " + recording_id + " (deleted?)");
    hand_over.records.push_back(**record);
  }
  std::map<std::string, std::string> files;  // relative path -> content
  for (const auto& r : hand_over.records) {
    std::filesystem::path plain = r.file_path;
    if (plain.is_relative()) plain = data_dir / plain;
    uint64_t total = 0;
    auto audio = ReadRecordingAudio(keys, r.recording_id, plain, 0, UINT64_MAX, total);
    if (!audio.ok()) return audio.error();
    hand_over.audio_sha256[r.recording_id] = Sha256Hex(*audio);
    files["audio/" + r.recording_id + ".opus"] = std::move(*audio);
    files["metadata/" + r.recording_id + ".json"] = DumpJson(RecordingDetailJson(r), 2) + "\n";
  }
  hand_over.signature_kind = signing.signer ? "ed25519" : signing.hmac_key ? "hmac" : "none";
  if (signing.signer) {
    hand_over.signer_fingerprint = signing.signer->fingerprint();
    files[kSigningKey] = signing.signer->public_key_pem();
  }
  nlohmann::json disclosure = ToJson(*d);
  disclosure.erase("exports");
  files["disclosure.json"] = DumpJson(disclosure, 2) + "\n";
  files["protocol.html"] = hand_over.Html();
  auto pdf = hand_over.Pdf();
  if (!pdf.ok()) return pdf.error();
  files["protocol.pdf"] = std::move(*pdf);
  std::string manifest;
  for (const auto& [path, content] : files) manifest += Sha256Hex(content) + "  " + path + "\n";
  files[kManifest] = manifest;
  if (signing.signer) {
    auto sig = signing.signer->Sign(manifest);
    if (!sig.ok()) return sig.error();
    files[kEd25519Signature] = *sig;
  }
  if (signing.hmac_key)
    files[kSignature] = HexEncode(HmacSha256(*signing.hmac_key, manifest)) + "\n";
  // Recorded absolute: an erasure run by another process, from another directory, must
  // find the package to purge it (RIGHTS-2).
  const std::filesystem::path package = std::filesystem::absolute(out_dir, ec);
  if (ec) return MakeError(ErrorCode::kIo, "export: " + out_dir.string() + ": " + ec.message());
  RETURN_IF_ERROR(MakePackageDir(package));
  for (const auto& [path, content] : files) {
    if (Status s = WriteText(package, path, content); !s.ok()) return s.error();
  }
  const DisclosureExport record{now_ms_utc,
                                who.user.username,
                                package.string(),
                                Sha256Hex(manifest),
                                hand_over.signature_kind != "none",
                                hand_over.signature_kind,
                                hand_over.signer_fingerprint,
                                hand_over.audio_sha256,
                                std::nullopt};
  RETURN_IF_ERROR(db_.Write([&](WriteTxn& txn) -> Status {
    ASSIGN_OR_RETURN(std::optional<Disclosure> current, txn.GetRecord<DisclosureCodec>(db_.disclosures(), id));
    if (!current) return MakeError(ErrorCode::kNotFound, "no disclosure " + std::string(id));
    current->exports.push_back(record);
    RETURN_IF_ERROR(txn.PutRecord<DisclosureCodec>(db_.disclosures(), id, *current));
    // The hand-over (issue 17): the package exists and is recorded; one event for the
    // disclosure, its recordings listed. The number it was asked for is personal.
    EventDraft released{"disclosure.released",
                        "",
                        {{"disclosure_id", current->id},
                         {"institution", current->requester_institution},
                         {"request_number", current->request_number},
                         {"recordings", current->recording_ids.size()},
                         {"recording_ids", current->recording_ids},
                         {"by", who.user.username},
                         {"manifest_sha256", record.manifest_sha256}},
                        nlohmann::json::object()};
    if (!current->phone_number.empty()) released.personal["number"] = current->phone_number;
    return db_.EmitIn(txn, released, now_ms_utc);
  }));
  return ToJson(record);
}

Result<std::string> DisclosureBook::Protocol(std::string_view id, ProtocolFormat format,
                                             const PackageSigning& signing,
                                             const DocumentSettings& documents) const {
  auto d = Find(id);
  if (!d.ok()) return d.error();
  if (d->status != "granted") {
    return MakeError(ErrorCode::kConflict, "disclosure " + std::string(id) + " is " + d->status +
                                               ", not granted: no hand-over protocol (DISC-1)");
  }
  HandOver hand_over;
  hand_over.disclosure = *d;
  hand_over.settings = documents;
  hand_over.approver = FindUser(db_, d->decision ? d->decision->by : "");
  for (const std::string& recording_id : d->recording_ids) {
    auto record = store_.Get(recording_id);
    if (!record.ok()) return record.error();
    if (record->has_value()) {
      hand_over.records.push_back(**record);
    } else {  // deleted since (RET-3): still listed, without call data
      RecordingRecord gone;
      gone.recording_id = recording_id;
      hand_over.records.push_back(gone);
    }
  }
  if (!d->exports.empty()) {
    const DisclosureExport& last = d->exports.back();
    hand_over.hand_over = static_cast<unsigned>(d->exports.size());
    hand_over.handed_over_by = FindUser(db_, last.by);
    hand_over.signature_kind = last.signature;
    hand_over.signer_fingerprint = last.signer_fingerprint;
    hand_over.audio_sha256 = last.audio_sha256;
  } else {
    hand_over.signature_kind = signing.signer ? "ed25519" : signing.hmac_key ? "hmac" : "none";
    if (signing.signer) hand_over.signer_fingerprint = signing.signer->fingerprint();
  }
  if (format == ProtocolFormat::kHtml) return hand_over.Html();
  return hand_over.Pdf();
}

PackageVerification VerifyExportPackage(const std::filesystem::path& package,
                                        const std::optional<std::string>& signing_key) {
  return VerifyExportPackage(package, PackageTrust{signing_key, std::nullopt});
}

PackageVerification VerifyExportPackage(const std::filesystem::path& package,
                                        const PackageTrust& trust) {
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
    if (rel == kManifest || rel == kSignature || rel == kEd25519Signature) continue;
    if (!listed.count(rel)) v.problems.push_back(rel + ": not listed in the manifest (added)");
  }

  std::vector<std::string> checks;  // what was checked, for the summary line
  auto ed_sig = ReadText(package / kEd25519Signature);
  if (ed_sig.ok()) {
    v.signed_manifest = true;
    auto package_key = ReadText(package / kSigningKey);
    auto package_fp = package_key.ok() ? Ed25519PublicKeyFingerprint(*package_key)
                                       : Result<std::string>(MakeError(ErrorCode::kNotFound, "missing"));
    std::optional<std::string> given_fp;
    if (trust.public_key_pem) {
      auto fp = Ed25519PublicKeyFingerprint(*trust.public_key_pem);
      if (fp.ok()) given_fp = *fp;
    }
    if (!package_fp.ok()) {
      v.problems.push_back("signature: " + std::string(kSigningKey) +
                           (package_key.ok()
                                ? " is not an Ed25519 public key"
                                : " missing; the Ed25519 signature cannot be checked"));
    } else {
      v.signer_fingerprint = *package_fp;
    }
    if (trust.public_key_pem && !given_fp) {
      v.problems.push_back("signature: the given public key is not a PEM Ed25519 public key");
    } else if (given_fp && package_fp.ok() && *given_fp != *package_fp) {
      v.problems.push_back("signature: package signed by key " + *package_fp +
                           ", not by the given key " + *given_fp +
                           " (re-signed by someone else, or the wrong key was given)");
    } else if (package_fp.ok()) {
      Status s = VerifyEd25519(*package_key, *manifest, *ed_sig);
      if (!s.ok()) {
        v.problems.push_back("signature: Ed25519 signature does not match " +
                             std::string(kManifest) + " (manifest or signature altered)");
      } else {
        checks.push_back(
            "Ed25519 signature valid, key " + *package_fp +
            (given_fp ? " (the given public key)"
                      : " (not compared with a known key: pass --public-key, or compare the "
                        "fingerprint with the one received out of band)"));
      }
    }
  } else if (trust.public_key_pem) {
    v.problems.push_back("signature: no Ed25519 signature (" + std::string(kEd25519Signature) +
                         " missing); the package cannot be shown to come from the given key");
  }

  auto sig = ReadText(package / kSignature);
  if (sig.ok()) v.signed_manifest = true;
  if (trust.hmac_key) {
    if (!sig.ok()) {
      v.problems.push_back("signature: " + std::string(kSignature) + " missing");
    } else {
      std::string got = *sig;
      while (!got.empty() && (got.back() == '\n' || got.back() == '\r')) got.pop_back();
      if (!ConstantTimeEqual(got, HexEncode(HmacSha256(*trust.hmac_key, *manifest)))) {
        v.problems.push_back("signature: HMAC does not match the manifest under the given key");
      } else {
        checks.push_back("HMAC-SHA-256 valid under the given secret key");
      }
    }
  } else if (sig.ok()) {
    checks.push_back("HMAC present, not checked (needs the secret: --signing-key-file)");
  }
  if (!v.signed_manifest) checks.push_back("not signed: only the SHA-256 manifest was checked");
  for (const auto& c : checks) v.signature += (v.signature.empty() ? "" : "; ") + c;
  v.ok = v.problems.empty();
  return v;
}

}  // namespace kronika::srs
