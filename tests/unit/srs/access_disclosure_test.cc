// Signed disclosure packages (DISC-3: Ed25519 over the manifest, checkable by the receiver
// with the public key alone) and printable protocols as PDF (REG-2, DISC-3), checked by
// extracting the PDF's text with pdftotext (poppler-utils).
#include "kronika/srs/access/access_disclosure.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/access/access_users.h"
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
  // The fingerprint is printed on the hand-over protocol for out-of-band comparison.
  CHECK_THAT(ReadAll(pkg / "protocol.html"), Catch::Contains(signer->fingerprint()));

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

TEST_CASE("DISC-3 the hand-over protocol PDF carries the DISC-3 fields and Polish names",
          "[access][DISC-3][needs-pdftotext]") {
  REQUIRE(HavePdfToText());
  World w;
  auto signer = w.Signer("export.pem");
  const auto pkg = w.Export(signer.get(), "p1");
  const std::string pdf = ReadAll(pkg / "protocol.pdf");
  CHECK(pdf.rfind("%PDF-", 0) == 0);
  std::string text = PdfText(w.dir, pdf);
  // pdftotext may break long cells over lines; compare without whitespace for the hashes.
  std::string compact;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c))) compact += c;
  CHECK_THAT(text, Catch::Contains("Protocol of handing over call recordings"));
  CHECK_THAT(text, Catch::Contains("Prokuratura Rejonowa w Łodzi"));
  CHECK_THAT(text, Catch::Contains("PR 1 Ds 123/26"));
  CHECK_THAT(text, Catch::Contains("Łukasz Żółkiewski-ewa"));  // who granted (DISC-2)
  CHECK_THAT(text, Catch::Contains("REC1"));
  CHECK_THAT(compact, Catch::Contains("2026-11-25T10:00:00Z"));  // date
  CHECK_THAT(compact, Catch::Contains("+48601234567"));          // phone number
  CHECK_THAT(compact, Catch::Contains("1min35s"));               // duration
  CHECK_THAT(text, Catch::Contains("only for the purpose"));     // receiver's declaration
  CHECK_THAT(text, Catch::Contains("śledztwo"));
  CHECK_THAT(text, Catch::Contains("Received by"));
  CHECK_THAT(compact, Catch::Contains(signer->fingerprint()));
  CHECK_THAT(compact, Catch::Contains(Sha256Hex(ReadAll(pkg / "audio/REC1.opus"))));

  // The same protocol on demand (GET .../protocol): audio hash and key from the export.
  auto again = w.book->Protocol(w.id, ProtocolFormat::kPdf, PackageSigning{});
  REQUIRE(again.ok());
  std::string again_compact;
  for (char c : PdfText(w.dir, *again))
    if (!std::isspace(static_cast<unsigned char>(c))) again_compact += c;
  CHECK_THAT(again_compact, Catch::Contains(signer->fingerprint()));
  auto html = w.book->Protocol(w.id, ProtocolFormat::kHtml, PackageSigning{});
  REQUIRE(html.ok());
  CHECK_THAT(*html, Catch::Contains("Prokuratura Rejonowa w Łodzi"));
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

TEST_CASE("REG-2 the register's playback protocols as PDF carry the REG-2 fields",
          "[access][REG-2][needs-pdftotext]") {
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
          {"position", "Inspektor"}}},
        {"listened_at_utc", "2026-11-26T09:00:00Z"},
        {"identity", {{"username", "anna"}, {"token_id", "0011223344556677"}}},
        {"reason_text", "caller's verbal aggression (ACCESS-3 a)"},
        {"justification", "skarga nr 12/2026"},
        {"protocol",
         {{"causes", "ton rozmowy"},
          {"actions", "rozmowa z pracownikiem"},
          {"follow_up", "szkolenie"}}},
        {"approved_by", "Ewa Dyrektor, dyrektor"},
        {"approver_note", "zgoda"}};
    REQUIRE(reg.Append(e).ok());
  }
  auto pdf = RegisterProtocolPdf(*reg.Entries(), "Rejestr odsłuchań");
  REQUIRE(pdf.ok());
  const std::string text = PdfText(dir, *pdf);
  CHECK_THAT(text, Catch::Contains("Rejestr odsłuchań"));
  CHECK_THAT(text, Catch::Contains("Playback protocol, register entry 1"));
  CHECK_THAT(text, Catch::Contains("Playback protocol, register entry 2"));
  for (const char* field :
       {"Date of listening", "Listeners", "Date and time of the call", "Participants",
        "Phone numbers", "Kind of incident", "Circumstances", "Causes", "Actions taken",
        "Follow-up", "Approver's position", "Signatures"}) {
    CHECK_THAT(text, Catch::Contains(field));
  }
  CHECK_THAT(text, Catch::Contains("Małgorzata Wąsik, Inspektor"));
  CHECK_THAT(text, Catch::Contains("Grzegorz Brzęczyszczykiewicz"));
  CHECK_THAT(text, Catch::Contains("rozmowa z pracownikiem"));
  CHECK_THAT(text, Catch::Contains("Ewa Dyrektor, dyrektor: zgoda"));
  CHECK_THAT(text, Catch::Contains("calling +48601234567, called +48221234567"));
  CHECK_THAT(text, Catch::Contains("\f"));  // one protocol per page
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
