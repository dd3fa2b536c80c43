// Disclosure of recordings to entitled institutions (DISC-1..3).
//
// A disclosure is a Disclosure (access_records.h) in AccessDb `access.disclosures`; the
// API sees its JSON form (ToJson):
//   {id "DR-000001", filed_by, requester_institution, request_date, request_number,
//    phone_number, call_date, recording_ids[], justification, purpose, created_ms_utc,
//    status "pending" | "granted" | "refused", decision {by, by_name, at_ms_utc, granted, note},
//    exports [{at_ms_utc, by, package, manifest_sha256, signed, signature
//              "ed25519" | "hmac" | "none", signer_fingerprint, audio_sha256 {id: hex}}]}
// Export package (a directory): audio/<id>.opus (decrypted), metadata/<id>.json,
// disclosure.json, protocol.html and protocol.pdf (DISC-3 hand-over protocol),
// MANIFEST.sha256 ("<sha256>  <relative path>" lines, `sha256sum -c` compatible), and
// - with an Ed25519 signer (export_signing.h): SIGNING-KEY.pem (the public key, listed in
//   the manifest) and MANIFEST.sha256.ed25519.sig (the raw 64-byte signature of the
//   manifest; `openssl pkeyutl -verify -pubin -inkey SIGNING-KEY.pem -rawin
//   -in MANIFEST.sha256 -sigfile MANIFEST.sha256.ed25519.sig`); the key's fingerprint is
//   printed on the protocol so the receiver can compare it out of band;
// - with a legacy HMAC key: MANIFEST.sha256.sig (HMAC-SHA-256 of the manifest, hex), which
//   only the holder of the secret can check.
// Threads: any.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_records.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/access/office_documents.h"
#include "kronika/srs/atrest/export_signing.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

// How an export package is signed (DISC-3); both may be set, neither = unsigned.
struct PackageSigning {
  const ExportSigner* signer = nullptr;  // borrowed; Ed25519 signature + public key
  std::optional<std::string> hmac_key;   // legacy HMAC-SHA-256 of the manifest
};

enum class ProtocolFormat { kHtml, kPdf };

class DisclosureBook {
 public:
  DisclosureBook(AccessDb& db, const Store& store) : db_(db), store_(store) {}
  // Records keeper files the written request (DISC-1/2). 400 missing fields, 403 role,
  // 404 unknown recording, 403 restricted recording (RIGHTS-3).
  Result<nlohmann::json> File(const Identity& who, const nlohmann::json& body, int64_t now_ms_utc);
  // Approver grants or refuses ({granted, note}). 409 decided already.
  Result<nlohmann::json> Decide(const Identity& who, std::string_view id,
                                const nlohmann::json& body, int64_t now_ms_utc);
  Result<nlohmann::json> Get(std::string_view id) const;
  Result<std::vector<nlohmann::json>> List() const;
  // Writes the package of a granted disclosure into `out_dir` (must not exist yet) and
  // records the export. 409 not granted, 403 a recording became restricted, 500 the
  // protocol PDF or a signature could not be made.
  Result<nlohmann::json> Export(const Identity& who, std::string_view id, const RecordingKeys* keys,
                                const std::filesystem::path& data_dir,
                                const std::filesystem::path& out_dir, const PackageSigning& signing,
                                int64_t now_ms_utc, const DocumentSettings& documents = {});
  // Same, signed with a legacy HMAC key only (or unsigned).
  Result<nlohmann::json> Export(const Identity& who, std::string_view id, const RecordingKeys* keys,
                                const std::filesystem::path& data_dir,
                                const std::filesystem::path& out_dir,
                                const std::optional<std::string>& signing_key, int64_t now_ms_utc,
                                const DocumentSettings& documents = {});
  // The DISC-3 hand-over protocol of a granted disclosure, printable (HTML or PDF), as an
  // office document (office_documents.h; the package holds the same protocol, printed in
  // `documents` at the export's time). Audio hashes, the signing key fingerprint and who
  // handed over come from the latest export; before any export, `signing` says how the
  // package will be signed and the transferor is left to fill in. 409 not granted, 404 unknown.
  Result<std::string> Protocol(std::string_view id, ProtocolFormat format, const PackageSigning& signing,
                               const DocumentSettings& documents = {}) const;

 private:
  Result<Disclosure> Find(std::string_view id) const;
  AccessDb& db_;
  const Store& store_;
};

// What the receiver trusts when checking a package.
struct PackageTrust {
  std::optional<std::string> hmac_key;        // the secret of a legacy HMAC signature
  std::optional<std::string> public_key_pem;  // the package must be signed by this key
};

struct PackageVerification {
  bool ok = false;
  bool signed_manifest = false;       // a signature file (Ed25519 or HMAC) is present
  std::string signature;              // which signature check was done, and its result
  std::string signer_fingerprint;     // SHA-256 of SIGNING-KEY.pem (Ed25519 packages)
  std::vector<std::string> problems;  // one line each; empty when ok
  size_t files = 0;
};

// Checks every file listed in MANIFEST.sha256 exists with that hash, that no unlisted file
// exists (besides the manifest and its signatures), the Ed25519 signature against the
// package's SIGNING-KEY.pem (and, with `trust.public_key_pem`, that this is the given key;
// a package without an Ed25519 signature then fails), and the HMAC when `trust.hmac_key`
// is given. An HMAC present without the key is reported as not checked, not as a failure.
PackageVerification VerifyExportPackage(const std::filesystem::path& package,
                                        const PackageTrust& trust);
// Legacy form: `signing_key` = the HMAC secret.
PackageVerification VerifyExportPackage(const std::filesystem::path& package,
                                        const std::optional<std::string>& signing_key);

}  // namespace kronika::srs
