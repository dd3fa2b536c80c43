// Disclosure of recordings to entitled institutions (DISC-1..3).
//
// A disclosure (JSON in AccessDb `disclosures`):
//   {id "DR-000001", filed_by, requester_institution, request_date, request_number,
//    phone_number, call_date, recording_ids[], justification, purpose, created_ms_utc,
//    status "pending" | "granted" | "refused", decision {by, by_name, at_ms_utc, granted, note},
//    exports [{at_ms_utc, by, package, manifest_sha256}]}
// Export package (a directory): audio/<id>.opus (decrypted), metadata/<id>.json,
// disclosure.json, protocol.html (DISC-3 hand-over protocol), MANIFEST.sha256
// ("<sha256>  <relative path>" lines, `sha256sum -c` compatible) and, when a signing key
// is given, MANIFEST.sha256.sig (HMAC-SHA-256 of the manifest, hex).
// Threads: any.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "access_db.h"
#include "access_keys.h"
#include "access_users.h"
#include "kronika/result.h"
#include "kronika/srs/store.h"

namespace kronika::srs {

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
  // records the export. 409 not granted, 403 a recording became restricted.
  Result<nlohmann::json> Export(const Identity& who, std::string_view id, const RecordingKeys* keys,
                                const std::filesystem::path& data_dir,
                                const std::filesystem::path& out_dir,
                                const std::optional<std::string>& signing_key, int64_t now_ms_utc);

 private:
  AccessDb& db_;
  const Store& store_;
};

struct PackageVerification {
  bool ok = false;
  bool signed_manifest = false;
  std::vector<std::string> problems;  // one line each; empty when ok
  size_t files = 0;
};

// Checks every file listed in MANIFEST.sha256 exists with that hash, that no unlisted file
// exists (besides the manifest and its signature), and the signature when `signing_key`
// is given (a package with a .sig but no key given is reported as unverified signature).
PackageVerification VerifyExportPackage(const std::filesystem::path& package,
                                        const std::optional<std::string>& signing_key);

}  // namespace kronika::srs
