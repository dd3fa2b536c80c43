// Signed disclosure packages (DISC-3: Ed25519 over the manifest, checkable by the receiver
// with the public key alone) and printable protocols as PDF (REG-2, DISC-3), checked by
// extracting the PDF's text with pdftotext (poppler-utils).
#include "kronika/srs/access/access_disclosure.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <regex>
#include <sstream>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/access/office_documents.h"
#include "kronika/srs/atrest/export_signing.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/store/store.h"
#include "pdf_protocol.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

constexpr int64_t kNow = kT0Ms + 86'400'000;

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void Write(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

void FlipByte(const std::filesystem::path& p, size_t at) {
  std::string bytes = ReadAll(p);
  REQUIRE(at < bytes.size());
  bytes[at] = static_cast<char>(bytes[at] ^ 0x01);
  Write(p, bytes);
}

// Text of a PDF as pdftotext extracts it; "" when pdftotext is not installed.
std::string PdfText(const TempDir& dir, const std::string& pdf) {
  const auto in = dir.path() / "doc.pdf", out = dir.path() / "doc.txt";
  Write(in, pdf);
  const std::string cmd = "pdftotext -enc UTF-8 " + in.string() + " " + out.string() + " 2>&1";
  if (std::system(cmd.c_str()) != 0) return "";
  return ReadAll(out);
}

bool HavePdfToText() { return std::system("command -v pdftotext >/dev/null 2>&1") == 0; }

struct World {
  TempDir dir;
  TempDir keys;  // outside the data directory, like the master key
  std::unique_ptr<Store> store;
  std::unique_ptr<AccessDb> db;
  std::unique_ptr<UserDirectory> users;
  std::unique_ptr<DisclosureBook> book;
  Identity keeper;
  std::string id;

  World() {
    store = Store::Open(StoreDir(dir.path()), StoreOptions{}).value();
    store->Enqueue(MakeRecording("REC1", kT0Ms, "+48601234567", "Zażółć Gęślą-Jaźń"));
    REQUIRE(store->Flush().ok());
    const auto audio = dir.path() / "recordings/2026/11/25/REC1.opus";
    std::filesystem::create_directories(audio.parent_path());
    Write(audio, "OggS-fake-audio-bytes-" + std::string(300, 'a'));
    db = AccessDb::Open(dir.path()).value();
    users = std::make_unique<UserDirectory>(*db);
    book = std::make_unique<DisclosureBook>(*db, *store);
    keeper = Add("jan", {Role::kRecordsKeeper});
    Identity director = Add("ewa", {Role::kApprover});
    auto d = book->File(keeper,
                        {{"requester_institution", "Prokuratura Rejonowa w Łodzi"},
                         {"request_date", "2026-11-26"},
                         {"request_number", "PR 1 Ds 123/26"},
                         {"phone_number", "+48601234567"},
                         {"call_date", "2026-11-25"},
                         {"justification", "postępowanie karne"},
                         {"purpose", "śledztwo"},
                         {"recording_ids", {"REC1"}}},
                        kNow);
    REQUIRE(d.ok());
    id = (*d)["id"];
    REQUIRE(book->Decide(director, id, {{"granted", true}}, kNow).ok());
  }
  Identity Add(const std::string& name, std::set<Role> roles) {
    User u{name,  "Łukasz", "Żółkiewski-" + name, "Kierownik", std::move(roles),
           false, kNow,     "order 1/2026"};
    REQUIRE(users->Add(u).ok());
    auto token = users->IssueToken(name, "test", kNow);
    REQUIRE(token.ok());
    return users->Authenticate(*token).value();
  }
  std::unique_ptr<ExportSigner> Signer(const std::string& name) {
    auto s = ExportSigner::Generate(keys.path() / name, dir.path());
    REQUIRE(s.ok());
    return std::move(*s);
  }
  std::filesystem::path Export(const ExportSigner* signer, const std::string& name) {
    const auto out = dir.path() / "exports" / name;
    auto r = book->Export(keeper, id, nullptr, dir.path(), out, PackageSigning{signer, {}}, kNow);
    REQUIRE(r.ok());
    return out;
  }
};

// A copy of `package` with `edit` applied, verified with `trust`.
PackageVerification VerifyEdited(const std::filesystem::path& package, const PackageTrust& trust,
                                 const std::function<void(const std::filesystem::path&)>& edit) {
  const auto copy = package.parent_path() / (package.filename().string() + "-edited");
  std::filesystem::remove_all(copy);
  std::filesystem::copy(package, copy, std::filesystem::copy_options::recursive);
  edit(copy);
  return VerifyExportPackage(copy, trust);
}

bool AnyProblemContains(const PackageVerification& v, const std::string& text) {
  for (const auto& p : v.problems)
    if (p.find(text) != std::string::npos) return true;
  return false;
}

TEST_CASE("DISC-3 an Ed25519-signed package verifies with the package key and with the given key",
          "[access][DISC-3]") {
  World w;
  auto signer = w.Signer("export.pem");
  CHECK(signer->fingerprint().size() == 64);
  CHECK(std::filesystem::status(w.keys.path() / "export.pem").permissions() ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  const std::string public_pem = ReadAll(w.keys.path() / "export.pem.pub");
  CHECK(Ed25519PublicKeyFingerprint(public_pem).value() == signer->fingerprint());
  // Loading the written private key gives the same key.
  CHECK(ExportSigner::Load(w.keys.path() / "export.pem", w.dir.path()).value()->fingerprint() ==
        signer->fingerprint());

  const auto pkg = w.Export(signer.get(), "p1");
  for (const char* f :
       {"audio/REC1.opus", "metadata/REC1.json", "protocol.html", "protocol.pdf", "disclosure.json",
        "SIGNING-KEY.pem", "MANIFEST.sha256", "MANIFEST.sha256.ed25519.sig"}) {
    CHECK(std::filesystem::exists(pkg / f));
  }
  CHECK_FALSE(std::filesystem::exists(pkg / "MANIFEST.sha256.sig"));
  CHECK(ReadAll(pkg / "MANIFEST.sha256.ed25519.sig").size() == kEd25519SignatureBytes);
  CHECK(ReadAll(pkg / "SIGNING-KEY.pem") == public_pem);
  // The fingerprint is printed on the hand-over protocol for out-of-band comparison, in
  // groups of four hex digits to read out.
  std::string grouped;
  for (size_t i = 0; i < signer->fingerprint().size(); i += 4)
    grouped += (grouped.empty() ? "" : " ") + signer->fingerprint().substr(i, 4);
  CHECK_THAT(ReadAll(pkg / "protocol.html"), Catch::Contains(grouped));

  auto self = VerifyExportPackage(pkg, PackageTrust{});
  CHECK(self.ok);
  CHECK(self.files == 6);  // audio, metadata, disclosure.json, protocol.html/.pdf, key
  CHECK(self.signer_fingerprint == signer->fingerprint());
  CHECK_THAT(self.signature, Catch::Contains("Ed25519 signature valid") &&
                                 Catch::Contains("not compared with a known key"));
  auto given = VerifyExportPackage(pkg, PackageTrust{std::nullopt, public_pem});
  CHECK(given.ok);
  CHECK_THAT(given.signature, Catch::Contains("the given public key"));
  // The raw signature is what OpenSSL checks too (receivers without Kronika).
  CHECK(VerifyEd25519(public_pem, ReadAll(pkg / "MANIFEST.sha256"),
                      ReadAll(pkg / "MANIFEST.sha256.ed25519.sig"))
            .ok());
}

// What someone altering a package would do: recompute every hash in the manifest.
void RewriteManifest(const std::filesystem::path& p) {
  std::istringstream lines(ReadAll(p / "MANIFEST.sha256"));
  std::string manifest;
  for (std::string line; std::getline(lines, line);) {
    const std::string path = line.substr(66);
    manifest += Sha256Hex(ReadAll(p / path)) + "  " + path + "\n";
  }
  Write(p / "MANIFEST.sha256", manifest);
}

TEST_CASE("DISC-3 a flipped byte in audio, manifest or signature fails verification",
          "[access][DISC-3]") {
  World w;
  auto signer = w.Signer("export.pem");
  const auto pkg = w.Export(signer.get(), "p1");
  const PackageTrust trust{std::nullopt, signer->public_key_pem()};

  auto audio = VerifyEdited(pkg, trust, [](const auto& p) { FlipByte(p / "audio/REC1.opus", 30); });
  CHECK_FALSE(audio.ok);
  REQUIRE(audio.problems.size() == 1);
  CHECK_THAT(audio.problems[0], Catch::Contains("audio/REC1.opus") && Catch::Contains("altered"));

  auto manifest =
      VerifyEdited(pkg, trust, [](const auto& p) { FlipByte(p / "MANIFEST.sha256", 3); });
  CHECK_FALSE(manifest.ok);
  CHECK(AnyProblemContains(manifest, "Ed25519 signature does not match MANIFEST.sha256"));

  // Audio edited and the manifest recomputed to match: only the signature catches it,
  // with or without the receiver's copy of the public key.
  auto edit_and_rehash = [](const auto& p) {
    FlipByte(p / "audio/REC1.opus", 30);
    RewriteManifest(p);
  };
  for (const PackageTrust& t : {trust, PackageTrust{}}) {
    auto rehashed = VerifyEdited(pkg, t, edit_and_rehash);
    CHECK_FALSE(rehashed.ok);
    REQUIRE(rehashed.problems.size() == 1);
    CHECK_THAT(rehashed.problems[0], Catch::Contains("Ed25519 signature does not match") &&
                                         Catch::Contains("manifest or signature altered"));
  }

  auto sig = VerifyEdited(pkg, trust,
                          [](const auto& p) { FlipByte(p / "MANIFEST.sha256.ed25519.sig", 10); });
  CHECK_FALSE(sig.ok);
  REQUIRE(sig.problems.size() == 1);
  CHECK_THAT(sig.problems[0], Catch::Contains("Ed25519 signature does not match"));

  auto stripped = VerifyEdited(pkg, trust, [](const auto& p) {
    std::filesystem::remove(p / "MANIFEST.sha256.ed25519.sig");
  });
  CHECK_FALSE(stripped.ok);
  CHECK(AnyProblemContains(stripped, "no Ed25519 signature"));
}

TEST_CASE("DISC-3 a package re-signed with another key fails against the given public key",
          "[access][DISC-3]") {
  World w;
  auto signer = w.Signer("export.pem");
  auto forger = w.Signer("forger.pem");
  REQUIRE(forger->fingerprint() != signer->fingerprint());
  const auto pkg = w.Export(signer.get(), "p1");
  // Audio replaced, SIGNING-KEY.pem replaced, manifest recomputed and signed by the forger.
  auto resign = [&](const std::filesystem::path& p) {
    FlipByte(p / "audio/REC1.opus", 30);
    Write(p / "SIGNING-KEY.pem", forger->public_key_pem());
    RewriteManifest(p);
    Write(p / "MANIFEST.sha256.ed25519.sig", forger->Sign(ReadAll(p / "MANIFEST.sha256")).value());
  };
  // Self-consistent: only the fingerprint, compared out of band, tells it apart...
  auto alone = VerifyEdited(pkg, PackageTrust{}, resign);
  CHECK(alone.ok);
  CHECK(alone.signer_fingerprint == forger->fingerprint());
  // ...and the given public key of the disclosing unit rejects it.
  auto given = VerifyEdited(pkg, PackageTrust{std::nullopt, signer->public_key_pem()}, resign);
  CHECK_FALSE(given.ok);
  REQUIRE(given.problems.size() == 1);
  CHECK_THAT(given.problems[0],
             Catch::Contains("package signed by key " + forger->fingerprint()) &&
                 Catch::Contains("not by the given key " + signer->fingerprint()));
}

TEST_CASE("DISC-3 legacy HMAC packages still verify, and say which check was done",
          "[access][DISC-3]") {
  World w;
  const std::string secret = RandomBytes(32);
  const auto out = w.dir.path() / "exports" / "hmac";
  REQUIRE(w.book->Export(w.keeper, w.id, nullptr, w.dir.path(), out, secret, kNow).ok());
  CHECK(std::filesystem::exists(out / "MANIFEST.sha256.sig"));
  CHECK_FALSE(std::filesystem::exists(out / "MANIFEST.sha256.ed25519.sig"));
  auto with_secret = VerifyExportPackage(out, secret);
  CHECK(with_secret.ok);
  CHECK_THAT(with_secret.signature, Catch::Contains("HMAC-SHA-256 valid"));
  auto without = VerifyExportPackage(out, std::nullopt);
  CHECK(without.ok);
  CHECK_THAT(without.signature, Catch::Contains("HMAC present, not checked"));
  CHECK_FALSE(VerifyExportPackage(out, RandomBytes(32)).ok);
  // A receiver expecting an Ed25519 signature gets a failure, not a silent pass.
  auto signer = w.Signer("export.pem");
  auto expected = VerifyExportPackage(out, PackageTrust{std::nullopt, signer->public_key_pem()});
  CHECK_FALSE(expected.ok);
  CHECK(AnyProblemContains(expected, "no Ed25519 signature"));

  const auto unsigned_pkg = w.dir.path() / "exports" / "plain";
  REQUIRE(
      w.book->Export(w.keeper, w.id, nullptr, w.dir.path(), unsigned_pkg, PackageSigning{}, kNow)
          .ok());
  auto plain = VerifyExportPackage(unsigned_pkg, PackageTrust{});
  CHECK(plain.ok);
  CHECK_THAT(plain.signature, Catch::Contains("not signed"));
}

TEST_CASE("DISC-3 signing keys are Ed25519 PEM files kept outside the data directory",
          "[access][DISC-3]") {
  World w;
  CHECK(ExportSigner::Generate(w.dir.path() / "inside.pem", w.dir.path()).error().code ==
        ErrorCode::kInvalidInput);
  auto signer = w.Signer("export.pem");
  CHECK(ExportSigner::Generate(w.keys.path() / "export.pem", "").error().code == ErrorCode::kConflict);
  Write(w.keys.path() / "hmac.key", std::string(64, 'a'));
  auto not_pem = ExportSigner::Load(w.keys.path() / "hmac.key", "");
  CHECK(not_pem.error().code == ErrorCode::kInvalidInput);
  CHECK_THAT(not_pem.error().message, Catch::Contains("not a PEM Ed25519 private key"));
  CHECK(VerifyEd25519("junk", "m", std::string(64, 'x')).error().code == ErrorCode::kInvalidInput);
  CHECK(VerifyEd25519(signer->public_key_pem(), "m", std::string(64, 'x')).error().code ==
        ErrorCode::kCorrupt);
}

// The office's settings the documents are printed with (issue 16 item 2): a fixed issue date
// (kNow: 26 November 2026) so the tests can read it back.
DocumentSettings Office(const std::string& language = "pl") {
  DocumentSettings s;
  s.language = language;
  s.time_zone = "Europe/Warsaw";
  s.office_name = "Urząd Miasta Przykładowo";
  s.office_address = "ul. Rynek 1\n00-950 Przykładowo";
  s.place = "Przykładowo";
  s.issued_ms_utc = kNow;
  return s;
}

std::string Compact(const std::string& text) {
  std::string out;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) out += c;
  return out;
}

// No requirement ID (ACCESS-3, DISC-3, REG-2...) in what people read.
bool HasRequirementId(const std::string& text) {
  static const std::regex kId(R"((SCOPE|CONSENT|RET|ACCESS|REG|DISC|RIGHTS|SEC)-\d)");
  return std::regex_search(text, kId);
}

TEST_CASE("DISC-3 the hand-over protocol is an office document in Polish: header, number, local times, "
          "named signatures, checksums in words, commands only in the annex",
          "[access][DISC-3][needs-pdftotext][needs-tzdata]") {
  REQUIRE(HavePdfToText());
  World w;
  auto signer = w.Signer("export.pem");
  const auto out = w.dir.path() / "exports" / "p1";
  REQUIRE(w.book->Export(w.keeper, w.id, nullptr, w.dir.path(), out, PackageSigning{signer.get(), {}}, kNow,
                         Office())
              .ok());
  const std::string pdf = ReadAll(out / "protocol.pdf");
  CHECK(pdf.rfind("%PDF-", 0) == 0);
  const std::string text = PdfText(w.dir, pdf);
  const std::string compact = Compact(text);
  INFO(text);
  // Letterhead: office, address, place and date, number PP/<n>/<year filed>.
  CHECK_THAT(text, Catch::Contains("Urząd Miasta Przykładowo"));
  CHECK_THAT(text, Catch::Contains("ul. Rynek 1"));
  CHECK_THAT(text, Catch::Contains("Przykładowo, dnia 26 listopada 2026 r."));
  CHECK_THAT(text, Catch::Contains("Nr PP/1/2026"));
  CHECK_THAT(text, Catch::Contains("Protokół przekazania nagrań rozmów telefonicznych"));
  CHECK_THAT(text, Catch::Contains("Prokuratura Rejonowa w Łodzi"));
  CHECK_THAT(text, Catch::Contains("PR 1 Ds 123/26"));
  // Each recording: local date and time with the zone, phone number, length (DISC-3).
  CHECK_THAT(text, Catch::Contains("25.11.2026, 11:00:00 CET"));
  CHECK_THAT(compact, Catch::Contains("+48601234567"));
  CHECK_THAT(text, Catch::Contains("1 min 35 s"));
  CHECK_THAT(compact, Catch::Contains(Compact("wyłącznie do celów określonych w pisemnym wniosku (śledztwo)")));
  // Checksums and the key's fingerprint in words; the commands are in the annex only.
  CHECK_THAT(compact, Catch::Contains(Compact("Sumy kontrolne nagrań")));
  CHECK_THAT(compact, Catch::Contains(Sha256Hex(ReadAll(out / "audio/REC1.opus"))));
  CHECK_THAT(compact, Catch::Contains(Compact("Odcisk klucza podpisującego (SHA-256)")));
  CHECK_THAT(compact, Catch::Contains(signer->fingerprint()));
  const size_t annex = text.find("Załącznik nr 1 do protokołu nr PP/1/2026");
  REQUIRE(annex != std::string::npos);
  const size_t command = text.find("sha256sum -c MANIFEST.sha256");
  CHECK(command != std::string::npos);
  CHECK(command > annex);
  CHECK(text.find("openssl") > annex);
  // Named signature fields: who handed over, who received, who approved.
  for (const char* label : {"Przekazujący", "Przyjmujący", "Zatwierdzający", "(imię, nazwisko, stanowisko, data i podpis)"})
    CHECK_THAT(compact, Catch::Contains(Compact(label)));
  CHECK_THAT(text, Catch::Contains("Łukasz Żółkiewski-jan"));  // the records keeper who exported
  CHECK_THAT(text, Catch::Contains("Łukasz Żółkiewski-ewa"));  // the approver
  CHECK_THAT(text, Catch::Contains("strona 1 z 2"));
  CHECK_THAT(text, Catch::Contains("strona 2 z 2"));
  CHECK_FALSE(HasRequirementId(text));
  CHECK_THAT(text, !Catch::Contains("T10:00:00Z"));  // no machine UTC for people

  // HTML: the same texts, the letterhead, the annex; no requirement ID.
  const std::string html = ReadAll(out / "protocol.html");
  CHECK_THAT(html, Catch::Contains("<html lang=\"pl\">"));
  CHECK_THAT(html, Catch::Contains("Urząd Miasta Przykładowo") && Catch::Contains("Nr PP/1/2026"));
  CHECK_THAT(html, Catch::Contains("Przekazujący") && Catch::Contains("Łukasz Żółkiewski-jan"));
  CHECK_THAT(html, Catch::Contains("Załącznik nr 1") && Catch::Contains("sha256sum -c MANIFEST.sha256"));
  CHECK_THAT(html, Catch::Contains("\"strona \" counter(page) \" z \" counter(pages)"));
  CHECK_FALSE(HasRequirementId(html));

  // The same protocol on demand (GET .../protocol): hashes, key and transferor from the export.
  auto again = w.book->Protocol(w.id, ProtocolFormat::kPdf, PackageSigning{}, Office());
  REQUIRE(again.ok());
  const std::string again_text = PdfText(w.dir, *again);
  CHECK_THAT(Compact(again_text), Catch::Contains(signer->fingerprint()));
  CHECK_THAT(again_text, Catch::Contains("Łukasz Żółkiewski-jan"));

  // A second package of the same disclosure is its second hand-over: PP/1/2026-2.
  const auto out2 = w.dir.path() / "exports" / "p2";
  REQUIRE(w.book->Export(w.keeper, w.id, nullptr, w.dir.path(), out2, PackageSigning{signer.get(), {}}, kNow,
                         Office())
              .ok());
  CHECK_THAT(PdfText(w.dir, ReadAll(out2 / "protocol.pdf")), Catch::Contains("Nr PP/1/2026-2"));

  // English once: the same document, its words in English.
  auto english = w.book->Protocol(w.id, ProtocolFormat::kPdf, PackageSigning{}, Office("en"));
  REQUIRE(english.ok());
  const std::string en = PdfText(w.dir, *english);
  CHECK_THAT(en, Catch::Contains("Record of handing over telephone call recordings"));
  CHECK_THAT(en, Catch::Contains("Przykładowo, 26 November 2026"));
  CHECK_THAT(en, Catch::Contains("2026-11-25 11:00:00 CET"));
  CHECK_THAT(en, Catch::Contains("Transferor") && Catch::Contains("Recipient") && Catch::Contains("page 1 of 2"));
  CHECK_FALSE(HasRequirementId(en));

  if (const char* samples = std::getenv("KRONIKA_DOC_SAMPLES")) {  // for docs/ (see below)
    Write(std::filesystem::path(samples) / "protokol-przekazania.pdf", pdf);
  }
}

TEST_CASE("DISC-3 a protocol with an unreadable logo is an error naming the file", "[access][DISC-3]") {
  World w;
  DocumentSettings office = Office();
  office.logo_png = (w.dir.path() / "no-logo.png").string();
  auto pdf = w.book->Protocol(w.id, ProtocolFormat::kPdf, PackageSigning{}, office);
  REQUIRE_FALSE(pdf.ok());
  CHECK_THAT(pdf.error().message, Catch::Contains("no-logo.png"));
}

TEST_CASE("DISC-3 no hand-over protocol before the disclosure is granted", "[access][DISC-3]") {
  World w;
  auto d = w.book->File(w.keeper,
                        {{"requester_institution", "Policja"},
                         {"request_date", "2026-11-26"},
                         {"request_number", "1/26"},
                         {"justification", "j"},
                         {"recording_ids", {"REC1"}}},
                        kNow);
  REQUIRE(d.ok());
  CHECK(w.book->Protocol((*d)["id"].get<std::string>(), ProtocolFormat::kPdf, PackageSigning{})
            .error()
            .code == ErrorCode::kConflict);
  CHECK(w.book->Protocol("DR-999999", ProtocolFormat::kHtml, PackageSigning{}).error().code ==
        ErrorCode::kNotFound);
}

TEST_CASE("REG-2 playback protocols are office documents in Polish, one numbered document per entry",
          "[access][REG-2][needs-pdftotext][needs-tzdata]") {
  REQUIRE(HavePdfToText());
  TempDir dir;
  auto db = AccessDb::Open(dir.path()).value();
  ListeningRegister reg(*db, ListeningRegister::DefaultPath(dir.path()));
  for (int i = 1; i <= 2; ++i) {
    nlohmann::json e = {
        {"recording_id", "REC" + std::to_string(i)},
        {"calling_number", "+48601234567"},
        {"called_number", "+48221234567"},
        {"call_start_utc", "2026-11-25T10:00:00Z"},
        {"participants", {{{"name", "Grzegorz Brzęczyszczykiewicz"}, {"number", "+48601234567"}}}},
        {"listened_from_s", 0.0},
        {"listened_to_s", 95.5},
        {"listener",
         {{"username", "anna"},
          {"name", "Małgorzata"},
          {"surname", "Wąsik"},
          {"position", "inspektor"}}},
        {"listened_at_utc", "2026-11-26T09:00:00Z"},
        {"listened_at_ms_utc", kT0Ms + 23 * 3'600'000},
        {"identity", {{"username", "anna"}, {"token_id", "0011223344556677"}}},
        {"reason", "a"},
        {"reason_text", "caller's verbal aggression (ACCESS-3 a)"},
        {"justification", "skarga nr 12/2026"},
        {"protocol",
         {{"causes", "ton rozmowy"},
          {"actions", "rozmowa z pracownikiem"},
          {"follow_up", "szkolenie"}}},
        {"employee_informed", {{"by", "ewa"}, {"at_ms_utc", kT0Ms + 22 * 3'600'000}, {"how", "osobiście"}}},
        {"approved_by", "Ewa Dyrektor, dyrektor"},
        {"approver_note", "zgoda"}};
    if (i == 2) {
      e.erase("protocol");  // not given: dotted lines to fill in by hand
      // A session whose player reported what it played (listening_sessions.h, folded in).
      e["parts_played"] = {{{"from_s", 0.0}, {"to_s", 12.4}}, {{"from_s", 30.0}, {"to_s", 65.0}}};
    }
    REQUIRE(reg.Append(e).ok());
  }
  auto pdf = RegisterProtocolPdf(*reg.Entries(), Office());
  REQUIRE(pdf.ok());
  const std::string text = PdfText(dir, *pdf);
  INFO(text);
  CHECK_THAT(text, Catch::Contains("Urząd Miasta Przykładowo"));
  CHECK_THAT(text, Catch::Contains("Przykładowo, dnia 26 listopada 2026 r."));
  CHECK_THAT(text, Catch::Contains("Nr PO/1/2026") && Catch::Contains("Nr PO/2/2026"));
  CHECK_THAT(text, Catch::Contains("Protokół z odsłuchania rozmowy telefonicznej"));
  for (const char* field :
       {"Data i godzina odsłuchania", "Osoby dokonujące odsłuchania", "Data i godzina rozmowy",
        "Osoby prowadzące rozmowę", "Numer telefonu, z którego wykonano połączenie",
        "Numer telefonu, na który wykonano połączenie", "Rodzaj zdarzenia", "Okoliczności towarzyszące",
        "Przyczyny wystąpienia zdarzenia", "Podjęte działania", "Postępowanie wyjaśniające",
        "Stanowisko zatwierdzającego"}) {
    CHECK_THAT(Compact(text), Catch::Contains(Compact(field)));  // a label may wrap in its cell
  }
  CHECK_THAT(text, Catch::Contains("26.11.2026, 10:00:00 CET"));  // listened, office time
  CHECK_THAT(text, Catch::Contains("25.11.2026, 11:00:00 CET"));  // the call
  CHECK_THAT(text, Catch::Contains("od 0:00 do 1:35 (minuty:sekundy nagrania)"));
  CHECK_THAT(Compact(text), Catch::Contains(Compact("od 0:00 do 0:12, od 0:30 do 1:05")));  // parts played
  CHECK_THAT(text, Catch::Contains("słowna agresja ze strony rozmówcy"));  // the reason in words
  CHECK_THAT(text, Catch::Contains("Małgorzata Wąsik, inspektor"));
  CHECK_THAT(text, Catch::Contains("Grzegorz Brzęczyszczykiewicz (+48601234567)"));
  CHECK_THAT(text, Catch::Contains("rozmowa z pracownikiem"));
  CHECK_THAT(text, Catch::Contains("26.11.2026, 09:00:00 CET, osobiście"));  // employee informed
  CHECK_THAT(text, Catch::Contains("......"));  // entry 2's empty fields, to fill in
  // Signature fields with the listener's and the approver's names and positions.
  CHECK_THAT(text, Catch::Contains("Osoba dokonująca odsłuchania") && Catch::Contains("Zatwierdzający"));
  CHECK_THAT(text, Catch::Contains("Ewa Dyrektor"));
  CHECK_THAT(text, Catch::Contains("(data i podpis)"));
  // One document per entry, each counting its own pages.
  CHECK_THAT(text, Catch::Contains("\f"));
  CHECK_THAT(text, Catch::Contains("strona 1 z 1"));
  CHECK_FALSE(HasRequirementId(text));
  CHECK_THAT(text, !Catch::Contains("T09:00:00Z"));

  const std::string html = RegisterProtocolHtml(*reg.Entries(), Office());
  CHECK_THAT(html, Catch::Contains("Protokół z odsłuchania rozmowy telefonicznej"));
  CHECK_THAT(html, Catch::Contains("Nr PO/2/2026") && Catch::Contains("słowna agresja ze strony rozmówcy"));
  CHECK_THAT(html, Catch::Contains("Osoba dokonująca odsłuchania") && Catch::Contains("Małgorzata Wąsik"));
  CHECK_FALSE(HasRequirementId(html));

  auto english = RegisterProtocolPdf(*reg.Entries(), Office("en"));
  REQUIRE(english.ok());
  const std::string en = PdfText(dir, *english);
  CHECK_THAT(en, Catch::Contains("Record of listening to a recorded telephone call"));
  CHECK_THAT(en, Catch::Contains("verbal aggression of the caller") && Catch::Contains("page 1 of 1"));
  CHECK_FALSE(HasRequirementId(en));

  // Pictures of the first pages for docs/ (docs/compliance.md "Documents"): written when
  // KRONIKA_DOC_SAMPLES names a directory.
  if (const char* samples = std::getenv("KRONIKA_DOC_SAMPLES")) {
    Write(std::filesystem::path(samples) / "protokol-odsluchania.pdf", *pdf);
  }
}

TEST_CASE("REG-2 document numbers and reasons in words", "[access][REG-2][DISC-3][needs-tzdata]") {
  // The year is the office's: 31 Dec 2026 23:30 UTC is already 2027 in Warsaw.
  const int64_t new_year_eve = 1798759800000;  // 2026-12-31T23:30:00Z
  CHECK(PlaybackProtocolNumber(17, new_year_eve, "Europe/Warsaw") == "PO/17/2027");
  CHECK(PlaybackProtocolNumber(17, new_year_eve, "UTC") == "PO/17/2026");
  CHECK(PlaybackProtocolNumber(3, 0, "Europe/Warsaw") == "PO/3");
  CHECK(HandOverProtocolNumber("DR-000012", kT0Ms, 1, "Europe/Warsaw") == "PP/12/2026");
  CHECK(HandOverProtocolNumber("DR-000012", kT0Ms, 3, "Europe/Warsaw") == "PP/12/2026-3");
  CHECK(HandOverProtocolNumber("X1", kT0Ms, 1, "Europe/Warsaw") == "PP/X1/2026");
  CHECK(PlaybackReasonInWords("e", "pl") == "skarga rozmówcy na sposób potraktowania go przez pracownika");
  CHECK(PlaybackReasonInWords("g", "en") == "breach of the caller's personal rights by the employee");
  CHECK(PlaybackReasonInWords("z", "pl", "caller's verbal aggression (ACCESS-3 a)") == "caller's verbal aggression");
  CHECK(DocumentLanguage("en", "pl") == "en");
  CHECK(DocumentLanguage("de", "en") == "en");
  CHECK(DocumentLanguage("", "") == "pl");
}

TEST_CASE("REG-2 a long protocol flows over several A4 pages", "[access][REG-2][needs-pdftotext]") {
  REQUIRE(HavePdfToText());
  TempDir dir;
  PrintDocument doc;
  doc.title = "long";
  PrintTable t;
  t.column_weights = {1, 3};
  t.header_row = true;
  t.rows.push_back({"No.", "Text"});
  for (int i = 1; i <= 120; ++i)
    t.rows.push_back({std::to_string(i), "wiersz " + std::to_string(i)});
  doc.Table(t);
  auto pdf = RenderPdf(doc);
  REQUIRE(pdf.ok());
  const std::string text = PdfText(dir, *pdf);
  CHECK_THAT(text, Catch::Contains("wiersz 1\n") && Catch::Contains("wiersz 120"));
  size_t pages = 1, headers = 0;
  for (char c : text) pages += c == '\f';
  for (size_t at = text.find("Text"); at != std::string::npos; at = text.find("Text", at + 1))
    ++headers;
  CHECK(pages >= 3);
  CHECK(headers >= pages - 1);  // the header row is repeated on every page
}

}  // namespace
}  // namespace kronika::srs
