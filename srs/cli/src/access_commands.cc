// `kronika user|register|export|key` (see kronika/srs/access_commands.h).
#include "kronika/srs/cli/access_commands.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_disclosure.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/atrest/export_signing.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/srs/config/config.h"

namespace kronika::srs {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

// Positional arguments and --name value / --name=value options; flags listed in `flags`
// take no value.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;
  std::string error;
};

Args ParseArgs(int argc, char** argv, const std::vector<std::string>& flags) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0) {
      a.positional.push_back(arg);
      continue;
    }
    const size_t eq = arg.find('=');
    std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    if (eq != std::string::npos) {
      a.options[name] = arg.substr(eq + 1);
    } else if (std::find(flags.begin(), flags.end(), name) != flags.end()) {
      a.options[name] = "1";
    } else if (i + 1 < argc) {
      a.options[name] = argv[++i];
    } else {
      a.error = arg + ": missing value";
    }
  }
  return a;
}

std::optional<std::filesystem::path> DataDir(const Args& a) {
  if (auto it = a.options.find("data-dir"); it != a.options.end())
    return std::filesystem::path(it->second);
  if (auto it = a.options.find("config"); it != a.options.end()) {
    Result<Config> config = LoadConfigFile(it->second);
    if (!config.ok()) {
      std::fprintf(stderr, "kronika: %s\n", config.error().message.c_str());
      return std::nullopt;
    }
    return std::filesystem::path(config->storage.data_dir);
  }
  return std::filesystem::path(Config{}.storage.data_dir);
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int Fail(const Error& e) {
  std::fprintf(stderr, "kronika: %s\n", e.message.c_str());
  return kExitFailed;
}

std::unique_ptr<AccessDb> OpenDb(const std::filesystem::path& data_dir) {
  auto db = AccessDb::Open(data_dir);
  if (!db.ok()) {
    Fail(db.error());
    return nullptr;
  }
  return std::move(*db);
}

std::string Opt(const Args& a, const std::string& name) {
  auto it = a.options.find(name);
  return it == a.options.end() ? "" : it->second;
}

constexpr char kUserUsage[] =
    "usage: kronika user add USERNAME --role ROLE[,ROLE] --name NAME --surname SURNAME --position "
    "POSITION\n"
    "                        [--authorised-by REFERENCE]\n"
    "       kronika user list\n"
    "       kronika user disable|enable USERNAME\n"
    "       kronika user token USERNAME [--label LABEL]   (prints the token once)\n"
    "       kronika user revoke TOKEN_ID\n"
    "roles: administrator, records_keeper, approver, listener, dpo, auditor (ACCESS-1)\n"
    "common options: --data-dir DIR | --config FILE\n";

constexpr char kRegisterUsage[] =
    "usage: kronika register verify          check the hash chain (exit 0 intact, 1 altered)\n"
    "       kronika register head            print the entry count and head hash\n"
    "       kronika register export --format csv|html|pdf [--out FILE]\n"
    "                                        REG-1 columns (csv) or printable REG-2 playback\n"
    "                                        protocols (html, pdf); --csv / --html also work\n"
    "common options: --data-dir DIR | --config FILE\n";

constexpr char kExportUsage[] =
    "usage: kronika export keygen FILE     new Ed25519 signing key pair: FILE (private, PEM,\n"
    "                                      mode 0600) and FILE.pub (for the receivers); prints\n"
    "                                      the fingerprint. Keep FILE outside the data directory\n"
    "                                      and point KRONIKA_EXPORT_SIGNING_KEY_FILE at it\n"
    "       kronika export fingerprint KEY.pem   SHA-256 fingerprint of a public/private key\n"
    "       kronika export verify PACKAGE_DIR [--public-key KEY.pub] [--signing-key-file F]\n"
    "                                      checks every file against MANIFEST.sha256 and the\n"
    "                                      Ed25519 signature (with --public-key: made by that\n"
    "                                      key); --signing-key-file checks a legacy HMAC.\n"
    "                                      Exit 0 intact, 1 altered, missing or added files,\n"
    "                                      bad or foreign signature\n"
    "common options (keygen): --data-dir DIR | --config FILE (the key must lie outside it)\n";

constexpr char kKeyUsage[] =
    "usage: kronika key status                     master key id and number of recording keys\n"
    "       kronika key rotate --new-key-file FILE  rewrap every recording key with a new master "
    "key\n"
    "       kronika key probe FILE.kenc             which recording key on disk decrypts FILE "
    "(e.g. a\n"
    "                                               backup copy); exit 0 one does, 1 none does\n"
    "The current master key is read from $KRONIKA_MASTER_KEY_FILE (or --key-file FILE).\n"
    "common options: --data-dir DIR | --config FILE\n";

}  // namespace

int RunUserCommand(int argc, char** argv) {
  Args a = ParseArgs(argc, argv, {"help"});
  if (!a.error.empty() || a.positional.empty() || a.options.count("help")) {
    std::fputs(kUserUsage, a.options.count("help") ? stdout : stderr);
    return a.options.count("help") ? kExitOk : kExitUsage;
  }
  auto data_dir = DataDir(a);
  if (!data_dir) return kExitUsage;
  auto db = OpenDb(*data_dir);
  if (!db) return kExitFailed;
  UserDirectory users(*db);
  const std::string& verb = a.positional[0];
  if (verb == "add" && a.positional.size() == 2) {
    User u;
    u.username = a.positional[1];
    u.name = Opt(a, "name");
    u.surname = Opt(a, "surname");
    u.position = Opt(a, "position");
    u.authorised_by = Opt(a, "authorised-by");
    u.created_ms_utc = NowMs();
    std::string roles = Opt(a, "role");
    for (size_t start = 0; !roles.empty() && start <= roles.size();) {
      size_t comma = roles.find(',', start);
      const std::string name =
          roles.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      std::optional<Role> role = ParseRole(name);
      if (!role) {
        std::fprintf(stderr, "kronika user: unknown role '%s'\n%s", name.c_str(), kUserUsage);
        return kExitUsage;
      }
      u.roles.insert(*role);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (u.name.empty() || u.surname.empty() || u.position.empty()) {
      std::fprintf(stderr,
                   "kronika user add: --name, --surname and --position are required (REG-1)\n");
      return kExitUsage;
    }
    if (Status s = users.Add(u); !s.ok())
      return s.error().code == ErrorCode::kInvalidInput ? (Fail(s.error()), kExitUsage) : Fail(s.error());
    std::printf("user %s added\n", u.username.c_str());
    return kExitOk;
  }
  if (verb == "list") {
    auto list = users.List();
    if (!list.ok()) return Fail(list.error());
    std::printf("%-20s %-30s %-30s %-40s %s\n", "USERNAME", "NAME", "POSITION", "ROLES", "STATE");
    for (const auto& u : *list) {
      std::string roles;
      for (Role r : u.roles) roles += (roles.empty() ? "" : ",") + std::string(RoleName(r));
      std::printf("%-20s %-30s %-30s %-40s %s\n", u.username.c_str(),
                  (u.name + " " + u.surname).c_str(), u.position.c_str(), roles.c_str(),
                  u.disabled ? "disabled" : "enabled");
    }
    return kExitOk;
  }
  if ((verb == "disable" || verb == "enable") && a.positional.size() == 2) {
    if (Status s = users.SetDisabled(a.positional[1], verb == "disable"); !s.ok())
      return Fail(s.error());
    std::printf("user %s %sd\n", a.positional[1].c_str(), verb.c_str());
    return kExitOk;
  }
  if (verb == "token" && a.positional.size() == 2) {
    auto token = users.IssueToken(a.positional[1], Opt(a, "label"), NowMs());
    if (!token.ok()) return Fail(token.error());
    std::printf("%s\n", token->c_str());
    std::fprintf(stderr,
                 "kronika: store this token now; it is not kept and cannot be shown again\n");
    return kExitOk;
  }
  if (verb == "revoke" && a.positional.size() == 2) {
    if (Status s = users.RevokeToken(a.positional[1]); !s.ok()) return Fail(s.error());
    std::printf("token %s revoked\n", a.positional[1].c_str());
    return kExitOk;
  }
  std::fputs(kUserUsage, stderr);
  return kExitUsage;
}

int RunRegisterCommand(int argc, char** argv) {
  Args a = ParseArgs(argc, argv, {"help", "csv", "html"});
  if (!a.error.empty() || a.positional.size() != 1 || a.options.count("help")) {
    std::fputs(kRegisterUsage, a.options.count("help") ? stdout : stderr);
    return a.options.count("help") ? kExitOk : kExitUsage;
  }
  auto data_dir = DataDir(a);
  if (!data_dir) return kExitUsage;
  auto db = OpenDb(*data_dir);
  if (!db) return kExitFailed;
  ListeningRegister reg(*db, ListeningRegister::DefaultPath(*data_dir));
  const std::string& verb = a.positional[0];
  if (verb == "verify" || verb == "head") {
    auto v = reg.Verify();
    if (!v.ok()) return Fail(v.error());
    if (!v->ok) {
      std::printf("register ALTERED: %s\n", v->problem.c_str());
      return kExitFailed;
    }
    if (verb == "head") {
      std::printf("%llu %s\n", static_cast<unsigned long long>(v->entries), v->head_hash.c_str());
    } else {
      std::printf("register intact: %llu entries, head %s\n",
                  static_cast<unsigned long long>(v->entries), v->head_hash.c_str());
    }
    return kExitOk;
  }
  std::string format = Opt(a, "format");
  if (a.options.count("csv")) format = format.empty() ? "csv" : "conflict";
  if (a.options.count("html")) format = format.empty() ? "html" : "conflict";
  if (verb == "export" && (format == "csv" || format == "html" || format == "pdf")) {
    auto entries = reg.Entries();
    if (!entries.ok()) return Fail(entries.error());
    const std::string title = "Listening register - playback protocols";
    std::string text;
    if (format == "csv") {
      text = RegisterCsv(*entries);
    } else if (format == "html") {
      text = RegisterProtocolHtml(*entries, title);
    } else {
      auto pdf = RegisterProtocolPdf(*entries, title);
      if (!pdf.ok()) return Fail(pdf.error());
      text = std::move(*pdf);
    }
    const std::string out = Opt(a, "out");
    if (out.empty()) {
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else {
      std::ofstream f(out, std::ios::binary | std::ios::trunc);
      f << text;
      if (!f) return Fail(MakeError(500, "cannot write " + out));
    }
    return kExitOk;
  }
  std::fputs(kRegisterUsage, stderr);
  return kExitUsage;
}

int RunExportCommand(int argc, char** argv) {
  Args a = ParseArgs(argc, argv, {"help"});
  if (!a.error.empty() || a.positional.size() != 2 || a.options.count("help")) {
    std::fputs(kExportUsage, a.options.count("help") ? stdout : stderr);
    return a.options.count("help") ? kExitOk : kExitUsage;
  }
  const std::string& verb = a.positional[0];
  if (verb == "keygen") {
    std::filesystem::path data_dir;
    if (a.options.count("data-dir") || a.options.count("config")) {
      auto dir = DataDir(a);
      if (!dir) return kExitUsage;
      data_dir = *dir;
    }
    auto signer = ExportSigner::Generate(a.positional[1], data_dir);
    if (!signer.ok()) return Fail(signer.error());
    std::printf(
        "Ed25519 signing key written to %s (private, keep it secret) and %s.pub (public)\n"
        "fingerprint %s\n"
        "set %s=%s for the daemon; give %s.pub or the fingerprint to receiving institutions\n",
        a.positional[1].c_str(), a.positional[1].c_str(), (*signer)->fingerprint().c_str(),
        kExportSigningKeyEnv, a.positional[1].c_str(), a.positional[1].c_str());
    return kExitOk;
  }
  if (verb == "fingerprint") {
    std::ifstream in(a.positional[1], std::ios::binary);
    std::ostringstream pem;
    pem << in.rdbuf();
    auto fp = Ed25519PublicKeyFingerprint(pem.str());
    if (!fp.ok()) {
      auto signer = ExportSigner::Load(a.positional[1], "");
      if (!signer.ok()) return Fail(MakeError(400, a.positional[1] + ": not an Ed25519 key"));
      fp = (*signer)->fingerprint();
    }
    std::printf("%s\n", fp->c_str());
    return kExitOk;
  }
  if (verb != "verify") {
    std::fputs(kExportUsage, stderr);
    return kExitUsage;
  }
  PackageTrust trust;
  if (std::string file = Opt(a, "signing-key-file"); !file.empty()) {
    auto k = LoadMasterKey(file, "");
    if (!k.ok()) return Fail(k.error());
    trust.hmac_key = *k;
  }
  if (std::string file = Opt(a, "public-key"); !file.empty()) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Fail(MakeError(400, "cannot read " + file));
    std::ostringstream pem;
    pem << in.rdbuf();
    if (!Ed25519PublicKeyFingerprint(pem.str()).ok())
      return Fail(MakeError(400, file + ": not a PEM Ed25519 public key"));
    trust.public_key_pem = pem.str();
  }
  PackageVerification v = VerifyExportPackage(a.positional[1], trust);
  for (const auto& p : v.problems) std::printf("FAILED %s\n", p.c_str());
  if (!v.ok) {
    std::printf("package ALTERED, incomplete or not signed by the expected key: %zu problem(s)\n",
                v.problems.size());
    return kExitFailed;
  }
  std::printf("package intact: %zu files match MANIFEST.sha256\nsignature: %s\n", v.files,
              v.signature.c_str());
  return kExitOk;
}

int RunKeyCommand(int argc, char** argv) {
  Args a = ParseArgs(argc, argv, {"help"});
  if (!a.error.empty() || a.positional.empty() || a.positional.size() > 2 ||
      a.options.count("help")) {
    std::fputs(kKeyUsage, a.options.count("help") ? stdout : stderr);
    return a.options.count("help") ? kExitOk : kExitUsage;
  }
  auto data_dir = DataDir(a);
  if (!data_dir) return kExitUsage;
  std::string key_file = Opt(a, "key-file");
  if (key_file.empty()) {
    if (const char* env = std::getenv(kMasterKeyEnv)) key_file = env;
  }
  if (key_file.empty()) {
    std::fprintf(stderr, "kronika key: no master key (set %s or give --key-file)\n", kMasterKeyEnv);
    return kExitUsage;
  }
  auto kek = LoadMasterKey(key_file, *data_dir);
  if (!kek.ok()) return Fail(kek.error());
  RecordingKeys keys(RecordingKeys::DefaultDir(*data_dir), *kek);
  if (a.positional[0] == "status") {
    auto ids = keys.RecordingIds();
    if (!ids.ok()) return Fail(ids.error());
    size_t usable = 0;
    for (const auto& id : *ids) usable += keys.Get(id).ok() ? 1 : 0;
    std::printf("master key %s: %zu recording keys, %zu unwrap with it\n", keys.kek_id().c_str(),
                ids->size(), usable);
    return usable == ids->size() ? kExitOk : kExitFailed;
  }
  if (a.positional[0] == "probe" && a.positional.size() == 2) {
    auto ids = keys.RecordingIds();
    if (!ids.ok()) return Fail(ids.error());
    for (const auto& id : *ids) {
      auto dek = keys.Get(id);
      if (!dek.ok()) continue;
      auto reader = DecryptingReader::Open(a.positional[1], *dek);
      if (reader.ok() && (*reader)->Read(0, (*reader)->size()).ok()) {
        std::printf("%s decrypts with the key of recording %s\n", a.positional[1].c_str(),
                    id.c_str());
        return kExitOk;
      }
    }
    std::printf("no key on disk decrypts %s (tried %zu recording keys)\n", a.positional[1].c_str(),
                ids->size());
    return kExitFailed;
  }
  if (a.positional[0] == "rotate") {
    const std::string new_file = Opt(a, "new-key-file");
    if (new_file.empty()) {
      std::fputs(kKeyUsage, stderr);
      return kExitUsage;
    }
    auto new_kek = LoadMasterKey(new_file, *data_dir);
    if (!new_kek.ok()) return Fail(new_kek.error());
    auto n = keys.Rotate(*new_kek);
    if (!n.ok()) return Fail(n.error());
    std::printf(
        "rewrapped %zu recording keys: master key %s -> %s; point %s at the new file, then destroy "
        "the old one\n",
        *n, RecordingKeys::KekId(*kek).c_str(), keys.kek_id().c_str(), kMasterKeyEnv);
    return kExitOk;
  }
  std::fputs(kKeyUsage, stderr);
  return kExitUsage;
}

}  // namespace kronika::srs
