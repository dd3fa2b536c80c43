// [[webhooks]] and [events] in kronika.toml (issue 17): parsed, validated with errors that
// name the entry and key, secrets read from files only when no one else may read them, and
// never printed by --check-config.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include "kronika/srs/config/config.h"
#include "kronika/srs/config/config_changes.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::TempDir;

constexpr char kGood[] = R"(
[events]
keep_days = 7

[[webhooks]]
name = "archive"
url = "https://dms.example.org/kronika"
types = ["recording.finished", "hold.placed"]
secret = "0123456789abcdef0123"
personal_data = true
max_age = "36h"
timeout = "5s"

[[webhooks]]
name = "ops"
url = "https://[2001:db8::1]:8443/hook"
secret = "fedcba9876543210fedc"
)";

std::string ErrorOf(const std::string& toml) {
  Result<Config> parsed = ParseConfig(toml, "test.toml");
  if (!parsed.ok()) return parsed.error().message;
  Status valid = ValidateConfig(*parsed);
  return valid.ok() ? std::string("OK") : valid.error().message;
}

std::string Hook(const std::string& lines) {
  return "[[webhooks]]\nname = \"a\"\nurl = \"https://h.example/x\"\nsecret = \"0123456789abcdef\"\n" + lines;
}

TEST_CASE("webhooks: a valid configuration parses with its defaults") {
  Result<Config> c = ParseConfig(kGood, "test.toml");
  REQUIRE(c.ok());
  REQUIRE(ValidateConfig(*c).ok());
  CHECK(c->events.keep_days == 7);
  REQUIRE(c->webhooks.size() == 2);
  CHECK(c->webhooks[0].name == "archive");
  CHECK(c->webhooks[0].types == std::vector<std::string>{"recording.finished", "hold.placed"});
  CHECK(c->webhooks[0].personal_data);
  CHECK(c->webhooks[1].types == std::vector<std::string>{"*"});  // default: every type
  CHECK_FALSE(c->webhooks[1].personal_data);                    // default: no personal data
  CHECK(c->webhooks[1].max_age == "24h");
  CHECK(Config{}.events.keep_days == 30);
}

TEST_CASE("webhooks: --check-config output parses back, without the secret") {
  Result<Config> c = ParseConfig(kGood, "test.toml");
  REQUIRE(c.ok());
  const std::string formatted = FormatConfig(*c);
  CHECK(formatted.find("0123456789abcdef0123") == std::string::npos);
  CHECK(formatted.find(kRedactedSecret) != std::string::npos);
  Result<Config> back = ParseConfig(formatted, "formatted");
  REQUIRE(back.ok());
  CHECK(FormatConfig(*back) == formatted);
  REQUIRE(back->webhooks.size() == 2);
  CHECK(back->webhooks[0].url == c->webhooks[0].url);
  CHECK(back->webhooks[0].types == c->webhooks[0].types);
  CHECK(back->events.keep_days == 7);
}

TEST_CASE("webhooks: every validation error names the entry and the key") {
  CHECK(ErrorOf(Hook("")) == "OK");
  CHECK(ErrorOf(Hook("colour = 1\n")) == "config: webhooks[0].colour: unknown option");
  CHECK(ErrorOf(Hook("personal_data = \"yes\"\n")) == "config: webhooks[0].personal_data: expected true or false");
  CHECK(ErrorOf("[webhooks]\nname = \"a\"\n") == "config: webhooks: expected [[webhooks]] tables");
  CHECK(ErrorOf("[[webhooks]]\nname = \"Bad Name\"\nurl = \"https://h/x\"\nsecret = \"0123456789abcdef\"\n")
            .starts_with("config: webhooks[0].name: 'Bad Name' must be"));
  CHECK(ErrorOf(Hook("") + Hook("")).starts_with("config: webhooks.a.name: 'a' is used by two webhooks"));
  CHECK(ErrorOf("[[webhooks]]\nname = \"a\"\nurl = \"http://127.0.0.1:9/x\"\nsecret = \"0123456789abcdef\"\n")
            .starts_with("config: webhooks.a.url: 'http://127.0.0.1:9/x' is not an https:// URL"));
  CHECK(ErrorOf("[[webhooks]]\nname = \"a\"\nurl = \"https:///x\"\nsecret = \"0123456789abcdef\"\n")
            .starts_with("config: webhooks.a.url: 'https:///x' has no host"));
  CHECK(ErrorOf(Hook("types = [\"recording.exploded\"]\n")) ==
        "config: webhooks.a.types: unknown event type 'recording.exploded' (docs/api.md, \"Webhooks\")");
  CHECK(ErrorOf(Hook("types = []\n")).starts_with("config: webhooks.a.types: empty"));
  CHECK(ErrorOf(Hook("types = [\"*\", \"hold.placed\"]\n")) == "config: webhooks.a.types: \"*\" must stand alone");
  CHECK(ErrorOf("[[webhooks]]\nname = \"a\"\nurl = \"https://h/x\"\n") ==
        "config: webhooks.a.secret: set exactly one of secret and secret_file");
  CHECK(ErrorOf("[[webhooks]]\nname = \"a\"\nurl = \"https://h/x\"\nsecret = \"short\"\n") ==
        "config: webhooks.a.secret: shorter than 16 bytes");
  CHECK(ErrorOf(Hook("max_age = \"forever\"\n")).starts_with("config: webhooks.a.max_age: 'forever' is not a duration"));
  CHECK(ErrorOf(Hook("max_age = \"40d\"\n")).starts_with("config: webhooks.a.max_age: '40d' is longer than events.keep_days"));
  CHECK(ErrorOf(Hook("max_age = \"500ms\"\n")) == "config: webhooks.a.max_age: '500ms' is shorter than 1s");
  CHECK(ErrorOf(Hook("timeout = \"10m\"\n")) == "config: webhooks.a.timeout: '10m' out of range 100ms..5m");
  CHECK(ErrorOf(Hook("ca_file = \"/nonexistent/ca.pem\"\n")) ==
        "config: webhooks.a.ca_file: '/nonexistent/ca.pem' is not a readable file");
  CHECK(ErrorOf("[events]\nkeep_days = 0\n") == "config: events.keep_days: 0 days out of range 1..3650 days");
}

TEST_CASE("webhooks: durations") {
  CHECK(ParseDurationMs("250ms").value() == 250);
  CHECK(ParseDurationMs("30s").value() == 30000);
  CHECK(ParseDurationMs("15m").value() == 900000);
  CHECK(ParseDurationMs("24h").value() == 86400000);
  CHECK(ParseDurationMs("7d").value() == 7 * 86400000LL);
  for (const char* bad : {"", "s", "10", "-5s", "0s", "1.5h", "10 s", "3w", "99999999999999999d"}) {
    INFO(bad);
    CHECK(ParseDurationMs(bad).error().code == ErrorCode::kInvalidInput);
  }
}

TEST_CASE("webhooks: secret_file is read only when group and others have no access") {
  TempDir dir;
  const std::string path = (dir.path() / "secret").string();
  {
    std::ofstream out(path);
    out << "s3cr3t-s3cr3t-s3cr3t\n";
  }
  const std::string toml = "[[webhooks]]\nname = \"a\"\nurl = \"https://h/x\"\nsecret_file = \"" + path + "\"\n";
  ::chmod(path.c_str(), 0644);
  CHECK(ErrorOf(toml) == "config: webhooks.a.secret_file: '" + path +
                             "' has mode 0644: group or others may access it (chmod 600)");
  Result<Config> c = ParseConfig(toml, "t");
  REQUIRE(c.ok());
  CHECK(LoadWebhookSecret(c->webhooks[0]).error().code == ErrorCode::kPermissionDenied);
  ::chmod(path.c_str(), 0600);
  CHECK(ErrorOf(toml) == "OK");
  CHECK(LoadWebhookSecret(c->webhooks[0]).value() == "s3cr3t-s3cr3t-s3cr3t");  // without the newline
  {
    std::ofstream out(path, std::ios::trunc);
    out << std::string(5000, 'k');
  }
  CHECK(ErrorOf(toml) == "config: webhooks.a.secret_file: '" + path + "' is larger than 4096 bytes: not a secret");
  std::filesystem::remove(path);
  CHECK(ErrorOf(toml) == "config: webhooks.a.secret_file: '" + path + "' is not a readable file");
  CHECK(LoadWebhookSecret(c->webhooks[0]).error().code == ErrorCode::kUnavailable);
}

TEST_CASE("webhooks: a SIGHUP names changed, added and removed webhook settings, each as needing a restart") {
  const Config before = ParseConfig(kGood, "before").value();
  std::string edited = kGood;
  edited.replace(edited.find("\"36h\""), 5, "\"12h\"");
  edited.replace(edited.find("keep_days = 7"), 13, "keep_days = 9");
  const Config after = ParseConfig(edited, "after").value();
  std::vector<std::string> keys;
  for (const ConfigChange& c : ChangedSettings(before, after)) keys.push_back(c.key);
  CHECK(keys == std::vector<std::string>{"events.keep_days", "webhooks[0].max_age"});
  for (const std::string& key : keys) CHECK_FALSE(ReloadableSetting(key));
  Config fewer = before;
  fewer.webhooks.pop_back();
  keys.clear();
  for (const ConfigChange& c : ChangedSettings(before, fewer)) keys.push_back(c.key);
  CHECK(std::find(keys.begin(), keys.end(), "webhooks[1].url") != keys.end());
}

}  // namespace
}  // namespace kronika::srs
