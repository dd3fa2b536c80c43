// The hand-over protocol of a disclosure (DISC-3) as an office document (office_documents.h),
// HTML and PDF: who hands over what to whom on which written request, each recording's
// date, phone number and length, the receiver's declaration, the package's checksums and
// signing key fingerprint in words, the named signature fields, and an annex with the
// commands that check the package. The wording follows Bolesławiec's model protocol (annex 4,
// "Protokół przekazania"). Private to srs/access (DisclosureBook prints it).
// Threads: pure functions (RenderPdf starts the helper).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/access/access_records.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/access/office_documents.h"
#include "kronika/srs/core/recording_record.h"

namespace kronika::srs {

struct HandOver {
  Disclosure disclosure;
  std::vector<RecordingRecord> records;             // a deleted one: only its id, marked deleted
  std::map<std::string, std::string> audio_sha256;  // recording id -> hex, when known
  std::string signature_kind;                       // "ed25519" | "hmac" | "none"
  std::string signer_fingerprint;                   // hex
  std::optional<User> handed_over_by;               // the records keeper who made the package
  std::optional<User> approver;                     // who granted the disclosure
  unsigned hand_over = 1;                           // which package of this disclosure (1, 2, ...)
  DocumentSettings settings;

  std::string Number() const;
  std::string Html() const;
  Result<std::string> Pdf() const;
};

}  // namespace kronika::srs
