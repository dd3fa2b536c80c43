// The DISC-3 hand-over protocol (see handover_protocol.h).
#include "handover_protocol.h"

#include <cstdio>
#include <sstream>

#include "document_layout.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/core/i18n.h"
#include "kronika/srs/core/json_record.h"
#include "pdf_protocol.h"

namespace kronika::srs {
namespace {

std::string MainNumber(const RecordingRecord& r) {
  for (const auto& p : r.participants) {
    const std::string& n = DisplayNumber(p);
    if (!n.empty()) return n;
  }
  return "";
}

// "3f2a 9c01 ..." : a fingerprint read out over the telephone in groups of four.
std::string Grouped(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 4) {
    if (!out.empty()) out += ' ';
    out += hex.substr(i, 4);
  }
  return out;
}

std::string FullName(const User& u) { return u.name + (u.surname.empty() ? "" : " " + u.surname); }

struct Texts {  // every sentence of the protocol, translated once
  std::string title, drawn_up, intro, justification, decision, items, declaration, integrity_heading,
      integrity, signature, copies, annex_title;
  std::vector<std::vector<std::string>> recordings, checksums;
  std::vector<PrintSignature> signatures;
  std::vector<std::pair<std::string, std::string>> annex;  // text, command ("" = none)
};

Texts Compose(const HandOver& h) {
  const DocumentSettings& s = h.settings;
  const Disclosure& d = h.disclosure;
  Texts t;
  t.title = DocTr(s, N_("Record of handing over telephone call recordings"));
  t.drawn_up = Fill(DocTr(s, N_("drawn up on {date}")),
                    {{"date", FormatLocalDate(IssuedMs(s), s.time_zone, s.language)}});
  const std::string office = s.office_name.empty() ? DocTr(s, N_("The office")) : s.office_name;
  t.intro = Fill(DocTr(s, N_("{office}, hereinafter the Transferor, hands over to {institution}, hereinafter the "
                             "Recipient, on the basis of the written request no. {number} of {date}, data from "
                             "the telephone call recording system.")),
                 {{"office", office},
                  {"institution", d.requester_institution},
                  {"number", d.request_number},
                  {"date", d.request_date}});
  t.justification = Fill(DocTr(s, N_("Justification of the request: {text}")), {{"text", d.justification}});
  const ApproverDecision decision = d.decision.value_or(ApproverDecision{});
  t.decision = Fill(DocTr(s, N_("The disclosure was approved by {name} on {time}.")),
                    {{"name", decision.by_name}, {"time", DocTime(s, decision.at_ms_utc)}});
  t.items = DocTr(s, N_("1. The Transferor hands over and the Recipient receives the following data "
                        "(recordings of calls):"));
  t.recordings = {{DocTr(s, N_("No.")), DocTr(s, N_("Date and time of the call")), DocTr(s, N_("Phone number")),
                   DocTr(s, N_("Length of the recording")), DocTr(s, N_("Recording"))}};
  t.checksums = {{DocTr(s, N_("No.")), DocTr(s, N_("Recording")), DocTr(s, N_("SHA-256 checksum of the audio file"))}};
  for (const RecordingRecord& r : h.records) {
    const std::string no = std::to_string(t.recordings.size());
    const bool deleted = r.start_ms_utc == 0 && r.participants.empty();
    char duration[32];
    std::snprintf(duration, sizeof duration, "%d min %02d s", static_cast<int>(r.duration_s) / 60,
                  static_cast<int>(r.duration_s) % 60);
    t.recordings.push_back({no, deleted ? DocTr(s, N_("(recording deleted)")) : DocTime(s, r.start_ms_utc),
                            MainNumber(r), deleted ? "" : duration, r.recording_id});
    auto hash = h.audio_sha256.find(r.recording_id);
    t.checksums.push_back({no, r.recording_id,
                           hash == h.audio_sha256.end()
                               ? DocTr(s, N_("given in the file MANIFEST.sha256 once the package is made"))
                               : hash->second});
  }
  std::string purpose = d.purpose.empty() ? d.justification : d.purpose;
  t.declaration = Fill(DocTr(s, N_("2. The Recipient declares that the data will be used solely for the purposes "
                                   "stated in the written request ({purpose}) and will not be disclosed further.")),
                       {{"purpose", purpose}});
  t.integrity_heading = DocTr(s, N_("3. Integrity of the data handed over"));
  t.integrity = DocTr(s, N_("Every file of the package is listed with its SHA-256 checksum in the file "
                            "MANIFEST.sha256. The checksums of the recordings are:"));
  if (h.signature_kind == "ed25519") {
    t.signature = Fill(DocTr(s, N_("The list of checksums is signed electronically (Ed25519). Fingerprint of the "
                                   "signing key (SHA-256): {fingerprint}. The Recipient compares this fingerprint "
                                   "with the one the Transferor gives by another channel (for example by telephone "
                                   "or in a letter). Annex 1 describes how to check the package.")),
                       {{"fingerprint", Grouped(h.signer_fingerprint)}});
  } else if (h.signature_kind == "hmac") {
    t.signature = DocTr(s, N_("The list of checksums is sealed with a key only the Transferor holds; on request "
                              "the Transferor confirms that the package is unaltered. Annex 1 describes how to "
                              "check the checksums."));
  } else {
    t.signature = DocTr(s, N_("The list of checksums is not signed electronically. Annex 1 describes how to check "
                              "the checksums."));
  }
  t.copies = DocTr(s, N_("The protocol was drawn up in two identical copies, one for each party."));
  const std::string note = DocTr(s, N_("(date and signature)"));
  PrintSignature transferor{DocTr(s, N_("Transferor")), "", "", note};
  if (h.handed_over_by) {
    transferor.name = FullName(*h.handed_over_by);
    transferor.position = h.handed_over_by->position;
  }
  PrintSignature recipient{DocTr(s, N_("Recipient")), "", d.requester_institution,
                           DocTr(s, N_("(name, surname, position, date and signature)"))};
  PrintSignature approved{DocTr(s, N_("Approved by")), decision.by_name, "", note};
  if (h.approver) {
    approved.name = FullName(*h.approver);
    approved.position = h.approver->position;
  }
  t.signatures = {transferor, recipient, approved};

  t.annex_title = Fill(DocTr(s, N_("Annex 1 to protocol no. {number}: how to check the package")),
                       {{"number", h.Number()}});
  t.annex.push_back({DocTr(s, N_("1. The checksums of every file, in the package's directory:")),
                     "sha256sum -c MANIFEST.sha256"});
  if (h.signature_kind == "ed25519") {
    t.annex.push_back({DocTr(s, N_("2. The signature, with the Transferor's public key (the file KEY.pub received by "
                                   "another channel), with Kronika:")),
                       "kronika export verify PACKAGE --public-key KEY.pub"});
    t.annex.push_back({DocTr(s, N_("or with OpenSSL alone:")),
                       "openssl pkeyutl -verify -pubin -inkey SIGNING-KEY.pem -rawin \\\n"
                       "  -in MANIFEST.sha256 -sigfile MANIFEST.sha256.ed25519.sig"});
    t.annex.push_back({DocTr(s, N_("3. The fingerprint of the key in the package, to compare with the one in the "
                                   "protocol:")),
                       "openssl pkey -pubin -in SIGNING-KEY.pem -outform DER | sha256sum"});
  }
  return t;
}

}  // namespace

std::string HandOver::Number() const {
  return HandOverProtocolNumber(disclosure.id, disclosure.created_ms_utc, hand_over, settings.time_zone);
}

std::string HandOver::Html() const {
  const Texts t = Compose(*this);
  std::ostringstream html;
  html << HtmlStart(settings, t.title + " " + Number()) << "<section class=\"doc\">\n"
       << HtmlLetterhead(settings, Number()) << "<h1>" << HtmlEscape(t.title) << "</h1>\n<p>"
       << HtmlEscape(t.drawn_up) << "</p>\n";
  for (const std::string* p : {&t.intro, &t.justification, &t.decision, &t.items})
    html << "<p>" << HtmlEscape(*p) << "</p>\n";
  html << HtmlTable(t.recordings) << "<p>" << HtmlEscape(t.declaration) << "</p>\n<p><b>"
       << HtmlEscape(t.integrity_heading) << "</b></p>\n<p>" << HtmlEscape(t.integrity) << "</p>\n"
       << HtmlTable(t.checksums) << "<p>" << HtmlEscape(t.signature) << "</p>\n<p>" << HtmlEscape(t.copies)
       << "</p>\n"
       << HtmlSignatures(t.signatures) << "</section>\n<section class=\"doc annex\"><h2>"
       << HtmlEscape(t.annex_title) << "</h2>\n";
  for (const auto& [text, command] : t.annex) {
    html << "<p>" << HtmlEscape(text) << "</p>\n";
    if (!command.empty()) html << "<pre>" << HtmlEscape(command) << "</pre>\n";
  }
  html << "</section>\n" << HtmlEnd();
  return html.str();
}

Result<std::string> HandOver::Pdf() const {
  const Texts t = Compose(*this);
  PrintDocument doc = NewPrintDocument(settings, t.title + " " + Number(), t.title);
  doc.Document(Letterhead(settings, Number()));
  doc.Heading(t.title);
  doc.Paragraph(t.drawn_up);
  for (const std::string* p : {&t.intro, &t.justification, &t.decision, &t.items}) doc.Paragraph(*p);
  PrintTable recordings;
  recordings.column_weights = {6, 24, 20, 16, 34};
  recordings.font_size_pt = 8;
  recordings.header_row = true;
  recordings.rows = t.recordings;
  doc.Table(std::move(recordings));
  doc.Paragraph(t.declaration);
  doc.Subheading(t.integrity_heading);
  doc.Paragraph(t.integrity);
  PrintTable checksums;
  checksums.column_weights = {6, 34, 60};
  checksums.font_size_pt = 8;
  checksums.header_row = true;
  checksums.rows = t.checksums;
  doc.Table(std::move(checksums));
  doc.Paragraph(t.signature);
  doc.Paragraph(t.copies);
  doc.Signatures(t.signatures);
  doc.PageBreak();  // the annex: same document, same page count
  doc.Subheading(t.annex_title);
  for (const auto& [text, command] : t.annex) {
    doc.Paragraph(text);
    if (!command.empty()) doc.Code(command);
  }
  return RenderPdf(doc);
}

}  // namespace kronika::srs
