// `kronika user|register|export|key` (see kronika/srs/access_commands.h).
#include "kronika/srs/cli/access_commands.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <termios.h>
#include <unistd.h>
#include <iostream>
#include <set>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_disclosure.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/access/listening_sessions.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/access/password_hash.h"
#include "kronika/srs/admin/admin_socket.h"
#include "kronika/srs/admin/data_dir_access.h"
#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/atrest/export_signing.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "cli_common.h"
#include "cli_text.h"
#include "kronika/srs/core/i18n.h"
#include "kronika/srs/cli/document_settings.h"
#include "kronika/srs/config/config.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/utc_time.h"
#include "kronika/srs/store/data_dir_lock.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {
namespace {

int Fail(const Error& e) {
  std::fprintf(stderr, "kronika: %s\n", e.message.c_str());
  return kExitFailed;
}

// The configured data directory, which must hold a database; prints why not.
std::optional<std::filesystem::path> ExistingDataDir(const DataOptions& data) {
  Result<FoundConfig> found = LoadExistingData(data);
  if (!found.ok()) {
    std::fprintf(stderr, "kronika: %s\n", found.error().message.c_str());
    return std::nullopt;
  }
  return std::filesystem::path(found->config.storage.data_dir);
}

// The configuration's `[events] node` ("" = the host name): a command that writes without a
// daemon appends to the outbox under the daemon's node name (event_outbox.h).
std::string EventNodeOf(const DataOptions& data) {
  Result<FoundConfig> found = LoadExistingData(data);
  return found.ok() ? found->config.events.node : std::string();
}

// The data directory for a command (data_dir_access.h): read-only, or - when `writes` -
// through the daemon that owns it, else owned by this command. Null (reported) on failure.
std::unique_ptr<DataDirAccess> OpenData(const std::filesystem::path& data_dir, const char* command, bool writes,
                                        const std::string& event_node = "") {
  DataDirAccessOptions options;
  options.data_dir = data_dir;
  options.event_node = event_node;
  options.what = std::string("kronika ") + command;
  options.writes = writes;
  auto data = DataDirAccess::Open(options);
  if (!data.ok()) {
    Fail(data.error());
    return nullptr;
  }
  return std::move(*data);
}

std::string RoleList(const std::set<Role>& roles) {
  std::string out;
  for (Role r : roles) out += (out.empty() ? "" : ",") + std::string(RoleName(r));
  return out;
}

// --role administrator,listener: every name must be a role.
CLI::Validator RoleValidator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        for (size_t start = 0; start <= text.size();) {
          const size_t comma = text.find(',', start);
          const std::string name = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          if (!ParseRole(name)) {
            return "unknown role '" + name +
                   "' (administrator, records_keeper, approver, listener, dpo, auditor, unit_head)";
          }
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        return {};
      },
      "ROLE[,ROLE]");
}

std::set<Role> ParseRoles(const std::string& text) {
  std::set<Role> roles;
  for (size_t start = 0; start <= text.size();) {
    const size_t comma = text.find(',', start);
    if (auto role = ParseRole(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start))) {
      roles.insert(*role);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return roles;
}

// A token's lifetime when `kronika user token` is given no --expires (issue 16 item 4): a
// script's token is renewed at least quarterly; "--expires never" is an explicit choice.
constexpr char kDefaultTokenLifetime[] = "90d";

// --expires: an ISO-8601 time, a lifetime in days ("90d"), or "never" (0).
Result<int64_t> ParseExpiry(const std::string& text, int64_t now_ms_utc) {
  if (text == "never") return int64_t{0};
  if (text.size() >= 2 && text.back() == 'd' && text.find_first_not_of("0123456789") == text.size() - 1) {
    const long days = std::strtol(text.c_str(), nullptr, 10);
    if (days < 1 || days > 3660) return MakeError(ErrorCode::kUsage, "'" + text + "': a lifetime of 1d to 3660d");
    return now_ms_utc + days * 24LL * 3600 * 1000;
  }
  Result<int64_t> t = ParseUtcTime(text);
  if (!t.ok()) return MakeError(ErrorCode::kUsage, "'" + text + "' is neither a lifetime (90d) nor an ISO-8601 time");
  return *t;
}

nlohmann::json TimeOrNull(int64_t ms_utc) {
  return ms_utc == 0 ? nlohmann::json(nullptr) : nlohmann::json(FormatUtcTime(ms_utc, true));
}

int PrintUsers(const CliText& t, const std::vector<User>& users, bool json) {
  if (json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const User& u : users) {
      nlohmann::json roles = nlohmann::json::array();
      for (Role r : u.roles) roles.push_back(RoleName(r));
      rows.push_back({{"username", u.username},
                      {"name", u.name},
                      {"surname", u.surname},
                      {"position", u.position},
                      {"roles", roles},
                      {"disabled", u.disabled},
                      {"created_utc", TimeOrNull(u.created_ms_utc)},
                      {"authorised_by", u.authorised_by}});
    }
    std::cout << DumpJson(nlohmann::json{{"count", users.size()}, {"users", std::move(rows)}}, 2) << "\n";
    return kExitOk;
  }
  // TRANSLATORS: column headings of `kronika user list`.
  std::cout << Pad(t(N_("USER")), 20) << " " << Pad(t(N_("NAME")), 30) << " " << Pad(t(N_("POSITION")), 30) << " "
            << Pad(t(N_("ROLES")), 40) << " " << t(N_("ACCOUNT")) << "\n";
  for (const User& u : users) {
    std::cout << Pad(u.username, 20) << " " << Pad(u.name + " " + u.surname, 30) << " " << Pad(u.position, 30) << " "
              << Pad(RoleList(u.roles), 40) << " " << (u.disabled ? t(N_("disabled")) : t(N_("enabled"))) << "\n";
  }
  return kExitOk;
}

int PrintTokens(const CliText& t, const std::vector<TokenInfo>& tokens, int64_t now_ms_utc, bool json) {
  if (json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const TokenInfo& t : tokens) {
      rows.push_back({{"token_id", t.token_id},
                      {"username", t.username},
                      {"label", t.label},
                      {"created_utc", TimeOrNull(t.created_ms_utc)},
                      {"expires_utc", TimeOrNull(t.expires_ms_utc)},
                      {"last_used_utc", TimeOrNull(t.last_used_ms_utc)},
                      {"expired", t.Expired(now_ms_utc)}});
    }
    std::cout << DumpJson(nlohmann::json{{"count", tokens.size()}, {"tokens", std::move(rows)}}, 2) << "\n";
    return kExitOk;
  }
  // TRANSLATORS: column headings of `kronika user tokens`.
  std::cout << Pad(t(N_("TOKEN")), 16) << "  " << Pad(t(N_("USER")), 20) << "  " << Pad(t(N_("ISSUED")), 25) << "  "
            << Pad(t(N_("EXPIRES")), 25) << "  " << Pad(t(N_("LAST USED")), 25) << "  " << t(N_("LABEL")) << "\n";
  for (const TokenInfo& k : tokens) {
    std::cout << Pad(k.token_id, 16) << "  " << Pad(k.username, 20) << "  " << Pad(t.Time(k.created_ms_utc), 25)
              << "  " << Pad(k.Expired(now_ms_utc) ? t(N_("expired")) : t.Time(k.expires_ms_utc), 25) << "  "
              << Pad(t.Time(k.last_used_ms_utc), 25) << "  " << k.label << "\n";
  }
  return kExitOk;
}

// One line of stdin without its newline; false at EOF before any character.
bool ReadLine(std::string& line) {
  line.clear();
  if (!std::getline(std::cin, line) && line.empty()) return false;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

// Asks for a password on the terminal with echo off (restored on every path).
Result<std::string> PromptPassword(const char* prompt) {
  if (!isatty(STDIN_FILENO)) {
    return MakeError(ErrorCode::kUsage, "stdin is not a terminal: give the password with --password-stdin");
  }
  termios saved{};
  if (tcgetattr(STDIN_FILENO, &saved) != 0) return MakeError(ErrorCode::kIo, "cannot read the terminal's settings");
  termios quiet = saved;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  std::fputs(prompt, stderr);
  std::fflush(stderr);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  std::string line;
  const bool read = ReadLine(line);
  tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  std::fputs("\n", stderr);
  if (!read) return MakeError(ErrorCode::kUsage, "no password given");
  return line;
}

std::string ReadFile(const std::string& path, bool& ok) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  ok = static_cast<bool>(in) || in.eof();
  return text.str();
}

}  // namespace

int RunUserCommand(int argc, char** argv) {
  CLI::App app{
      "Users, roles and API tokens. Roles: administrator (runs the system, does not by that\n"
      "alone listen), records_keeper, approver, listener, dpo, auditor, unit_head.",
      "kronika user"};
  DataOptions data;
  app.require_subcommand(1);

  User u;
  std::string roles;
  std::string username;
  CLI::App* add = app.add_subcommand("add", "add a user");
  add->add_option("USERNAME", u.username, "1-64 of a-z 0-9 . _ -")->required();
  add->add_option("--role", roles, "one or more roles, comma-separated")->required()->check(RoleValidator());
  add->add_option("--name", u.name, "first name (goes into the listening register)")->required();
  add->add_option("--surname", u.surname, "surname")->required();
  add->add_option("--position", u.position, "job title")->required();
  add->add_option("--authorised-by", u.authorised_by, "reference of the written authorisation");
  add->add_option("--language", u.language, "pl or en: the language of what the user reads (default: the office's)")
      ->check(CLI::IsMember({"pl", "en"}));

  UserChanges changes;
  std::string modify_roles;
  CLI::App* modify = app.add_subcommand("modify", "change a user's name, position, roles or language");
  std::string modify_username;
  modify->add_option("USERNAME", modify_username, "user")->required();
  modify->add_option("--role", modify_roles, "the user's roles from now on, comma-separated")->check(RoleValidator());
  modify->add_option("--name", changes.name, "first name");
  modify->add_option("--surname", changes.surname, "surname");
  modify->add_option("--position", changes.position, "job title");
  modify->add_option("--authorised-by", changes.authorised_by, "reference of the written authorisation");
  modify->add_option("--language", changes.language, "pl or en")->check(CLI::IsMember({"pl", "en"}));

  bool password_stdin = false, no_password = false;
  CLI::App* passwd = app.add_subcommand(
      "passwd",
      "set a user's password for signing in to the web UI (asked on the terminal twice,\n"
      "or read from the first line of stdin with --password-stdin; never on the command line)");
  passwd->add_option("USERNAME", username, "user")->required();
  CLI::Option* stdin_opt = passwd->add_flag("--password-stdin", password_stdin, "read the password from stdin");
  passwd->add_flag("--remove", no_password, "remove the local password (the user signs in by LDAP only)")
      ->excludes(stdin_opt);

  bool json = false;
  CLI::App* list = app.add_subcommand("list", "every user");
  list->add_flag("--json", json, "JSON: {count, users: [...]}");
  CLI::App* disable = app.add_subcommand("disable", "disable a user (their tokens stop working)");
  disable->add_option("USERNAME", username, "user")->required();
  CLI::App* enable = app.add_subcommand("enable", "enable a user again");
  enable->add_option("USERNAME", username, "user")->required();

  std::string label, expires;
  CLI::App* token = app.add_subcommand("token", "issue an API token (printed once, never stored)");
  token->add_option("USERNAME", username, "user")->required();
  token->add_option("--label", label, "what the token is for, e.g. 'web console'");
  token->add_option("--expires", expires,
                    std::string("expiry: a lifetime (30d), an ISO-8601 time or never (default: ") +
                        kDefaultTokenLifetime + ")")
      ->type_name("90d|TIME|never");

  CLI::App* tokens = app.add_subcommand("tokens", "list tokens: id, user, label, created, expiry, last use");
  tokens->add_option("USERNAME", username, "only this user's tokens");
  tokens->add_flag("--json", json, "JSON: {count, tokens: [...]}");

  std::string token_id;
  CLI::App* revoke = app.add_subcommand("revoke", "revoke a token");
  revoke->add_option("TOKEN_ID", token_id, "the 16 hex digits after krk_ (kronika user tokens)")->required();

  AddDataOptions(app, data);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *exit;
  int64_t expires_ms = 0;
  const int64_t now = NowMsUtc();
  if (*token) {
    Result<int64_t> t = ParseExpiry(expires.empty() ? kDefaultTokenLifetime : expires, now);
    if (!t.ok()) {
      std::fprintf(stderr, "kronika user: --expires: %s\n", t.error().message.c_str());
      return kExitUsage;
    }
    expires_ms = *t;
  }
  auto data_dir = ExistingDataDir(data);
  if (!data_dir) return kExitUsage;
  auto dir = OpenData(*data_dir, "user", !(*list || *tokens), EventNodeOf(data));
  if (!dir) return kExitFailed;
  UserDirectory users(dir->access());
  if (*passwd) {
    std::string hash;
    if (!no_password) {
      std::string password;
      if (password_stdin) {
        if (!ReadLine(password)) {
          std::fputs("kronika user passwd: --password-stdin: nothing on stdin\n", stderr);
          return kExitUsage;
        }
      } else {
        const CliText t = CliText::For(data);
        Result<std::string> first = PromptPassword(FillIn(t(N_("New password for {user}: ")), "user", username).c_str());
        if (!first.ok()) return (Fail(first.error()), kExitUsage);
        Result<std::string> again = PromptPassword(t(N_("The same password again: ")).c_str());
        if (!again.ok()) return (Fail(again.error()), kExitUsage);
        if (*first != *again) {
          std::fputs("kronika user passwd: the two passwords differ; nothing was changed\n", stderr);
          return kExitUsage;
        }
        password = std::move(*first);
      }
      Result<std::string> hashed = HashPassword(password);
      std::fill(password.begin(), password.end(), '\0');
      if (!hashed.ok()) return (Fail(hashed.error()), kExitUsage);
      hash = std::move(*hashed);
    }
    if (Status s = dir->ops().SetPasswordHash(username, hash); !s.ok()) return Fail(s.error());
    const CliText t = CliText::For(data);
    std::cout << FillIn(no_password ? t(N_("password of user {user} removed")) : t(N_("password of user {user} set")),
                        "user", username)
              << "\n";
    return kExitOk;
  }
  if (*modify) {
    if (!modify_roles.empty()) changes.roles = ParseRoles(modify_roles);
    if (Status s = dir->ops().ModifyUser(modify_username, changes); !s.ok())
      return s.error().code == ErrorCode::kInvalidInput ? (Fail(s.error()), kExitUsage) : Fail(s.error());
    std::cout << FillIn(CliText::For(data)(N_("user {user} modified")), "user", modify_username) << "\n";
    return kExitOk;
  }
  if (*add) {
    u.roles = ParseRoles(roles);
    u.created_ms_utc = now;
    if (Status s = dir->ops().AddUser(u); !s.ok())
      return s.error().code == ErrorCode::kInvalidInput ? (Fail(s.error()), kExitUsage) : Fail(s.error());
    std::cout << FillIn(CliText::For(data)(N_("user {user} added")), "user", u.username) << "\n";
    return kExitOk;
  }
  if (*list) {
    auto all = users.List();
    if (!all.ok()) return Fail(all.error());
    return PrintUsers(CliText::For(data), *all, json);
  }
  if (*disable || *enable) {
    const bool off = disable->parsed();
    if (Status s = dir->ops().SetUserDisabled(username, off); !s.ok()) return Fail(s.error());
    const CliText t = CliText::For(data);
    std::cout << FillIn(off ? t(N_("user {user} disabled")) : t(N_("user {user} enabled")), "user", username) << "\n";
    return kExitOk;
  }
  if (*token) {
    auto issued = dir->ops().IssueToken(username, label, now, expires_ms);
    if (!issued.ok()) return Fail(issued.error());
    std::printf("%s\n", issued->c_str());
    const CliText t = CliText::For(data);
    std::cerr << "kronika: " << t(N_("store this token now; it is not kept and cannot be shown again"))
              << (expires_ms == 0 ? "" : " (" + FillIn(t(N_("valid until {time}")), "time", t.Time(expires_ms)) + ")")
              << "\n";
    return kExitOk;
  }
  if (*tokens) {
    auto all = users.ListTokens(username);
    if (!all.ok()) return Fail(all.error());
    return PrintTokens(CliText::For(data), *all, now, json);
  }
  if (Status s = dir->ops().RevokeToken(token_id); !s.ok()) return Fail(s.error());
  std::cout << FillIn(CliText::For(data)(N_("token {token} revoked")), "token", token_id) << "\n";
  return kExitOk;
}

int RunRegisterCommand(int argc, char** argv) {
  CLI::App app{"The listening register: verify its hash chain, print its head, export it.", "kronika register"};
  DataOptions data;
  app.require_subcommand(1);
  CLI::App* verify = app.add_subcommand("verify", "check the hash chain (exit 0 intact, 1 altered)");
  CLI::App* head = app.add_subcommand("head", "print the entry count and the head hash");
  std::string format, out, from, to, lang;
  bool csv = false, html = false;
  CLI::App* exp = app.add_subcommand("export", "the register's columns (csv) or printable playback protocols (html, pdf)");
  CLI::Option* format_opt =
      exp->add_option("--format", format, "csv, html or pdf")->check(CLI::IsMember({"csv", "html", "pdf"}));
  exp->add_flag("--csv", csv, "same as --format csv")->excludes(format_opt);
  exp->add_flag("--html", html, "same as --format html")->excludes(format_opt)->excludes("--csv");
  exp->add_option("--out", out, "write to FILE instead of stdout")->type_name("FILE");
  exp->add_option("--lang", lang, "language of the protocols (default: [office] language)")
      ->check(CLI::IsMember({"pl", "en"}));
  exp->add_option("--from", from, "entries listened to at or after TIME")->check(UtcTimeValidator());
  exp->add_option("--to", to, "entries listened to before TIME (a date: that whole day included)")
      ->check(UtcTimeValidator());
  AddDataOptions(app, data);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *exit;
  if (csv) format = "csv";
  if (html) format = "html";
  if (*exp && format.empty()) {
    std::fputs("kronika register export: --format (or --csv / --html) is required\n", stderr);
    return kExitUsage;
  }

  auto data_dir = ExistingDataDir(data);
  if (!data_dir) return kExitUsage;
  auto dir = OpenData(*data_dir, "register", false);
  if (!dir) return kExitFailed;
  ListeningRegister reg(dir->access(), ListeningRegister::DefaultPath(*data_dir));
  if (*verify || *head) {
    auto v = reg.Verify();
    if (!v.ok()) return Fail(v.error());
    const CliText t = CliText::For(data);
    if (!v->ok) {
      // The problem names the line and what differs: a diagnosis for whoever repairs it.
      std::cout << t(N_("The listening register has been ALTERED:")) << " " << v->problem << "\n";
      return kExitFailed;
    }
    if (*head) {
      std::printf("%llu %s\n", static_cast<unsigned long long>(v->entries), v->head_hash.c_str());
    } else {
      std::cout << FillIn(FillIn(t(N_("The listening register is intact: entries: {n}, last entry's checksum {hash}")),
                                 "n", std::to_string(v->entries)),
                          "hash", v->head_hash)
                << "\n";
    }
    return kExitOk;
  }
  auto entries = reg.Entries();
  if (!entries.ok()) return Fail(entries.error());
  // One row per listening session: closing lines fold into the entry they close.
  *entries = MergeListeningParts(*entries);
  if (!from.empty() || !to.empty()) {
    const int64_t from_ms = from.empty() ? INT64_MIN : *ParseUtcTime(from);  // checked by the validator
    const int64_t to_ms = to.empty() ? INT64_MAX : *ParseUtcTime(to, /*date_is_end_of_day=*/true);
    std::vector<nlohmann::json> kept;
    for (nlohmann::json& e : *entries) {
      Result<int64_t> at = ParseUtcTime(e.value("listened_at_utc", ""));
      if (at.ok() && *at >= from_ms && *at < to_ms) kept.push_back(std::move(e));
    }
    *entries = std::move(kept);
  }
  Result<FoundConfig> found = LoadExistingData(data);
  const DocumentSettings documents =
      OfficeDocumentSettings(found.ok() ? found->config.office : OfficeConfig{}, lang);
  std::string text;
  if (format == "csv") {
    text = RegisterCsv(*entries);
  } else if (format == "html") {
    text = RegisterProtocolHtml(*entries, documents);
  } else {
    auto pdf = RegisterProtocolPdf(*entries, documents);
    if (!pdf.ok()) return Fail(pdf.error());
    text = std::move(*pdf);
  }
  if (out.empty()) {
    std::fwrite(text.data(), 1, text.size(), stdout);
  } else {
    std::ofstream f(out, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f) return Fail(MakeError(ErrorCode::kIo, "cannot write " + out));
  }
  return kExitOk;
}

int RunExportCommand(int argc, char** argv) {
  CLI::App app{"Disclosure export packages and their Ed25519 signing keys.", "kronika export"};
  DataOptions data;
  app.require_subcommand(1);
  std::string file;
  CLI::App* keygen = app.add_subcommand(
      "keygen",
      "new Ed25519 signing key pair: FILE (private, PEM, mode 0600) and FILE.pub (for the\n"
      "receivers); prints the fingerprint. FILE must lie outside the data directory; point\n"
      "KRONIKA_EXPORT_SIGNING_KEY_FILE at it");
  keygen->add_option("FILE", file, "private key file to create")->required();
  CLI::App* fingerprint = app.add_subcommand("fingerprint", "SHA-256 fingerprint of a public or private key");
  fingerprint->add_option("KEY", file, "PEM key file")->required()->check(CLI::ExistingFile);
  std::string public_key, signing_key_file;
  CLI::App* verify = app.add_subcommand(
      "verify",
      "check every file of a package against MANIFEST.sha256 and its signature\n"
      "(exit 0 intact; 1 altered, missing or added files, bad or foreign signature)");
  verify->add_option("PACKAGE_DIR", file, "the package directory")->required()->check(CLI::ExistingDirectory);
  verify->add_option("--public-key", public_key, "the package must be signed by this Ed25519 key")
      ->type_name("KEY.pub")
      ->check(CLI::ExistingFile);
  verify->add_option("--signing-key-file", signing_key_file, "secret of a legacy HMAC-signed package")
      ->type_name("FILE")
      ->check(CLI::ExistingFile);
  bool json = false;
  CLI::App* list = app.add_subcommand(
      "list",
      "every package exported from this data directory; PRESENT is yes, gone (removed by\n"
      "hand) or purged (removed when a person it held was erased, with the time)");
  list->add_flag("--json", json, "JSON: {count, exports: [{..., present, purged: null | {at_utc, by, reason, ...}}]}");
  AddDataOptions(app, data);
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *exit;

  if (*keygen) {
    // The key must lie outside the data directory the configuration names (which need
    // not hold a database yet: keys are made before the first start).
    Result<FoundConfig> found = LoadToolConfig(data);
    if (!found.ok()) {
      std::fprintf(stderr, "kronika export: %s\n", found.error().message.c_str());
      return kExitUsage;
    }
    auto signer = ExportSigner::Generate(file, found->config.storage.data_dir);
    if (!signer.ok()) return Fail(signer.error());
    std::printf(
        "Ed25519 signing key written to %s (private, keep it secret) and %s.pub (public)\n"
        "fingerprint %s\n"
        "set %s=%s for the daemon; give %s.pub or the fingerprint to receiving institutions\n",
        file.c_str(), file.c_str(), (*signer)->fingerprint().c_str(), kExportSigningKeyEnv, file.c_str(),
        file.c_str());
    return kExitOk;
  }
  if (*fingerprint) {
    bool read = false;
    const std::string pem = ReadFile(file, read);
    auto fp = Ed25519PublicKeyFingerprint(pem);
    if (!fp.ok()) {
      auto signer = ExportSigner::Load(file, "");
      if (!signer.ok()) return Fail(MakeError(ErrorCode::kInvalidInput, file + ": not an Ed25519 key"));
      fp = (*signer)->fingerprint();
    }
    std::printf("%s\n", fp->c_str());
    return kExitOk;
  }
  if (*list) {
    auto data_dir = ExistingDataDir(data);
    if (!data_dir) return kExitUsage;
    auto dir = OpenData(*data_dir, "export", false);
    if (!dir) return kExitFailed;
    Result<Store*> store = dir->store();
    if (!store.ok()) return Fail(store.error());
    auto disclosures = DisclosureBook(dir->access(), **store).List();
    if (!disclosures.ok()) return Fail(disclosures.error());
    nlohmann::json rows = nlohmann::json::array();
    for (const nlohmann::json& d : *disclosures) {
      for (const nlohmann::json& e : d.value("exports", nlohmann::json::array())) {
        const std::string package = e.value("package", "");
        std::error_code ec;
        // RIGHTS-2: an export purged with an erasure says so (and when), instead of "gone".
        const nlohmann::json purged = e.value("purged", nlohmann::json(nullptr));
        nlohmann::json purge = nullptr;
        if (purged.is_object()) {
          purge = {{"at_utc", TimeOrNull(purged.value("at_ms_utc", int64_t{0}))},
                   {"by", purged.value("by", "")},
                   {"reason", purged.value("reason", "")},
                   {"erased_recording_ids", purged.value("recording_ids", nlohmann::json::array())},
                   {"package_was_gone", purged.value("package_was_gone", false)}};
        }
        rows.push_back({{"disclosure_id", d.value("id", "")},
                        {"requester_institution", d.value("requester_institution", "")},
                        {"recording_ids", d.value("recording_ids", nlohmann::json::array())},
                        {"package", package},
                        {"present", !package.empty() && std::filesystem::is_directory(package, ec)},
                        {"purged", purge},
                        {"exported_at_utc", TimeOrNull(e.value("at_ms_utc", int64_t{0}))},
                        {"by", e.value("by", "")},
                        {"signature", e.value("signature", "none")},
                        {"manifest_sha256", e.value("manifest_sha256", "")}});
      }
    }
    if (json) {
      std::cout << DumpJson(nlohmann::json{{"count", rows.size()}, {"exports", rows}}, 2) << "\n";
      return kExitOk;
    }
    const CliText t = CliText::For(data);
    auto local = [&t](const nlohmann::json& iso) {
      if (!iso.is_string()) return std::string("-");
      Result<int64_t> ms = ParseUtcTime(iso.get<std::string>());
      return ms.ok() ? t.Time(*ms) : iso.get<std::string>();
    };
    // TRANSLATORS: column headings of `kronika export list`.
    std::cout << Pad(t(N_("DISCLOSURE")), 10) << "  " << Pad(t(N_("EXPORTED")), 25) << "  " << Pad(t(N_("SIGNATURE")), 11)
              << "  " << Pad(t(N_("PACKAGE PRESENT")), 38) << "  " << t(N_("PACKAGE")) << "\n";
    for (const nlohmann::json& r : rows) {
      std::string present = r["present"].get<bool>() ? t(N_("yes")) : t(N_("gone"));
      if (r["purged"].is_object()) {
        present = FillIn(t(N_("purged {time}")), "time", local(r["purged"]["at_utc"]));
        if (r["present"].get<bool>()) present += " " + t(N_("(the directory exists again)"));
      }
      const std::string signature = r["signature"].get<std::string>();
      std::cout << Pad(r["disclosure_id"].get<std::string>(), 10) << "  " << Pad(local(r["exported_at_utc"]), 25)
                << "  " << Pad(signature == "none" ? t(N_("unsigned")) : signature, 11) << "  " << Pad(present, 38) << "  "
                << r["package"].get<std::string>() << "\n";
    }
    return kExitOk;
  }
  // verify
  PackageTrust trust;
  if (!signing_key_file.empty()) {
    auto k = LoadMasterKey(signing_key_file, "");
    if (!k.ok()) return Fail(k.error());
    trust.hmac_key = *k;
  }
  if (!public_key.empty()) {
    bool read = false;
    const std::string pem = ReadFile(public_key, read);
    if (!read) return Fail(MakeError(ErrorCode::kIo, "cannot read " + public_key));
    if (!Ed25519PublicKeyFingerprint(pem).ok())
      return Fail(MakeError(ErrorCode::kInvalidInput, public_key + ": not a PEM Ed25519 public key"));
    trust.public_key_pem = pem;
  }
  PackageVerification v = VerifyExportPackage(file, trust);
  for (const auto& p : v.problems) std::printf("FAILED %s\n", p.c_str());
  if (!v.ok) {
    std::printf("package ALTERED, incomplete or not signed by the expected key: %zu problem(s)\n",
                v.problems.size());
    return kExitFailed;
  }
  std::printf("package intact: %zu files match MANIFEST.sha256\nsignature: %s\n", v.files, v.signature.c_str());
  return kExitOk;
}

namespace {

// `kronika key rotate` with the daemon of `data_dir` running: the daemon reads the new key
// file itself and rotates the keys it holds.
int RotateThroughDaemon(const std::filesystem::path& data_dir, const std::string& new_key_file, int64_t pid) {
  Result<std::unique_ptr<RemoteAdminOps>> daemon = RemoteAdminOps::Connect(data_dir);
  if (!daemon.ok()) {
    std::fprintf(stderr,
                 "kronika key: the daemon using data directory %s (PID %lld) does not answer on its admin "
                 "socket (%s); nothing was changed. Try again once it has started.\n",
                 data_dir.c_str(), static_cast<long long>(pid), daemon.error().message.c_str());
    return kExitFailed;
  }
  std::error_code ec;
  const std::filesystem::path absolute = std::filesystem::absolute(new_key_file, ec);
  Result<KeyRotationReport> report = (*daemon)->RotateMasterKey(ec ? new_key_file : absolute.string());
  if (!report.ok()) return Fail(report.error());
  std::printf(
      "%s rewrapped %lld recording keys: master key %s -> %s. The daemon now uses the new key for every "
      "recording. Point %s (or the systemd unit's environment) at %s before its next restart: it refuses to "
      "start with the old one. The old file still opens backups made before now: destroy it once no such "
      "backup is kept\n",
      (*daemon)->performer().c_str(), static_cast<long long>(report->rewrapped), report->old_key_id.c_str(),
      report->new_key_id.c_str(), kMasterKeyEnv, (ec ? new_key_file : absolute.string()).c_str());
  return kExitOk;
}

}  // namespace

int RunKeyCommand(int argc, char** argv) {
  CLI::App app{
      "The master key of encryption at rest. The current key is read from\n"
      "$KRONIKA_MASTER_KEY_FILE (or --key-file FILE).",
      "kronika key"};
  DataOptions data;
  std::string key_file;
  app.require_subcommand(1);
  bool json = false;
  CLI::App* status = app.add_subcommand("status", "master key id and how many recording keys it unwraps");
  status->add_flag("--json", json, "JSON: {master_key_id, recording_keys, unwrap}");
  std::string new_key_file;
  CLI::App* rotate = app.add_subcommand(
      "rotate", "rewrap every recording key with a new master key (done by the daemon when it runs)");
  rotate->add_option("--new-key-file", new_key_file, "the new master key")->required()->type_name("FILE");
  std::string file;
  CLI::App* probe = app.add_subcommand(
      "probe", "which recording key on disk decrypts FILE.kenc (e.g. a backup copy); exit 0 one does, 1 none");
  probe->add_option("FILE", file, "an encrypted recording")->required()->check(CLI::ExistingFile);
  AddDataOptions(app, data);
  ForAppAndSubcommands(app, [&key_file](CLI::App& a) {
    a.add_option("--key-file", key_file, "the current master key (default: $KRONIKA_MASTER_KEY_FILE)")
        ->type_name("FILE");
  });
  if (std::optional<int> exit = ParseCommandLine(app, argc, argv, std::cout, std::cerr)) return *exit;

  if (key_file.empty()) {
    if (const char* env = std::getenv(kMasterKeyEnv)) key_file = env;
  }
  if (key_file.empty()) {
    std::fprintf(stderr, "kronika key: no master key (set %s or give --key-file)\n", kMasterKeyEnv);
    return kExitUsage;
  }
  auto data_dir = ExistingDataDir(data);
  if (!data_dir) return kExitUsage;
  auto kek = LoadMasterKey(key_file, *data_dir);
  if (!kek.ok()) return Fail(kek.error());
  RecordingKeys keys(RecordingKeys::DefaultDir(*data_dir), *kek);
  if (*status) {
    auto ids = keys.RecordingIds();
    if (!ids.ok()) return Fail(ids.error());
    size_t usable = 0;
    for (const auto& id : *ids) usable += keys.Get(id).ok() ? 1 : 0;
    if (json) {
      std::cout << DumpJson({{"master_key_id", keys.kek_id()}, {"recording_keys", ids->size()}, {"unwrap", usable}}, 2)
                << "\n";
    } else {
      std::printf("master key %s: %zu recording keys, %zu unwrap with it\n", keys.kek_id().c_str(), ids->size(),
                  usable);
    }
    return usable == ids->size() ? kExitOk : kExitFailed;
  }
  if (*probe) {
    auto ids = keys.RecordingIds();
    if (!ids.ok()) return Fail(ids.error());
    for (const auto& id : *ids) {
      auto dek = keys.Get(id);
      if (!dek.ok()) continue;
      auto reader = DecryptingReader::Open(file, *dek);
      if (reader.ok() && (*reader)->Read(0, (*reader)->size()).ok()) {
        std::printf("%s decrypts with the key of recording %s\n", file.c_str(), id.c_str());
        return kExitOk;
      }
    }
    std::printf("no key on disk decrypts %s (tried %zu recording keys)\n", file.c_str(), ids->size());
    return kExitFailed;
  }
  auto new_kek = LoadMasterKey(new_key_file, *data_dir);
  if (!new_kek.ok()) return Fail(new_kek.error());
  // A running daemon holds the master key in memory and wraps every new recording's key
  // with it, so it rotates itself (issue 15 item 5): asked over its admin socket, it
  // switches to the new key first and rewraps the rest. Without a daemon the data dir's
  // lock is taken for the rotation, so a daemon cannot start in the middle of it.
  Result<std::shared_ptr<DataDirLock>> lock = DataDirLock::Acquire(*data_dir, "kronika key rotate");
  if (!lock.ok()) {
    const std::optional<LockHolder> holder = DataDirLock::Holder(*data_dir);
    if (lock.error().code == ErrorCode::kUnavailable && holder && holder->what == "kronika serve") {
      return RotateThroughDaemon(*data_dir, new_key_file, holder->pid);
    }
    return Fail(lock.error());  // "data directory D is in use by process P (...)"
  }
  auto n = keys.Rotate(*new_kek);
  if (!n.ok()) return Fail(n.error());
  std::printf(
      "rewrapped %zu recording keys: master key %s -> %s; start the daemon with %s pointing at the "
      "new file (it refuses to start with the old one). The old file still opens backups made "
      "before now: destroy it once no such backup is kept\n",
      *n, RecordingKeys::KekId(*kek).c_str(), keys.kek_id().c_str(), kMasterKeyEnv);
  return kExitOk;
}

}  // namespace kronika::srs
