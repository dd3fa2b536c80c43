// Configuration: defaults, the documented example, TOML errors, overrides, and that every
// validation error names the option it is about.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "kronika/srs/config/config.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

std::string ErrorOf(std::string_view toml) {
  Result<Config> parsed = ParseConfig(toml, "test.toml");
  if (!parsed.ok()) return parsed.error().message;
  Status valid = ValidateConfig(*parsed);
  return valid.ok() ? std::string("OK") : valid.error().message;
}

TEST_CASE("defaults are valid and match the documented example config/kronika.toml") {
  Config defaults;
  REQUIRE(ConfigProblems(defaults).empty());
  CHECK(defaults.sip.listen == "127.0.0.1:5060");
  CHECK(defaults.http.listen == "127.0.0.1:8080");
  CHECK(defaults.storage.data_dir == "./var");
  CHECK(defaults.RecordingsDir() == "./var/recordings");
  CHECK(defaults.DatabaseDir() == "./var/db");
  CHECK_FALSE(defaults.sip.accept_non_siprec);

  // KRONIKA_SOURCE_DIR, not __FILE__: ccache with base_dir makes __FILE__ a relative path.
  const std::filesystem::path repo = KRONIKA_SOURCE_DIR;
  Result<Config> example = LoadConfigFile((repo / "config" / "kronika.toml").string());
  REQUIRE(example.ok());
  CHECK(FormatConfig(*example) == FormatConfig(defaults));
}

TEST_CASE("FormatConfig output parses back to the same configuration") {
  Config c;
  c.sip.user_agent = "Kronika \"test\" \\ build";
  c.sip.max_sessions = 7;
  c.media.stereo = false;
  c.codecs.preference = {"G722", "PCMA"};
  Result<Config> back = ParseConfig(FormatConfig(c), "formatted");
  REQUIRE(back.ok());
  CHECK(back->sip.user_agent == c.sip.user_agent);
  CHECK(back->sip.max_sessions == 7);
  CHECK_FALSE(back->media.stereo);
  CHECK(back->codecs.preference == std::vector<std::string>{"G722", "PCMA"});
  CHECK(FormatConfig(*back) == FormatConfig(c));
}

TEST_CASE("a partial file keeps the defaults of options it does not set") {
  Result<Config> c = ParseConfig("[sip]\nmax_sessions = 5\n[media]\nrtp_port_min = 30000\n", "t");
  REQUIRE(c.ok());
  CHECK(c->sip.max_sessions == 5);
  CHECK(c->media.rtp_port_min == 30000);
  CHECK(c->media.rtp_port_max == 39999);
  CHECK(c->sip.listen == "127.0.0.1:5060");
}

TEST_CASE("TOML syntax errors, unknown keys and wrong types are reported with their place") {
  CHECK(ErrorOf("[sip]\nlisten = \n") .rfind("config: test.toml:2:", 0) == 0);
  CHECK(ErrorOf("[sip]\nlisen = \"1.2.3.4:5\"\n") == "config: sip.lisen: unknown option");
  CHECK(ErrorOf("[sipp]\nlisten = \"1.2.3.4:5\"\n") == "config: sipp: unknown section");
  CHECK(ErrorOf("sip = 5\n") == "config: sip: expected a [sip] table");
  CHECK(ErrorOf("[sip]\nmax_sessions = \"many\"\n") == "config: sip.max_sessions: expected an integer");
  CHECK(ErrorOf("[sip]\naccept_non_siprec = 1\n") == "config: sip.accept_non_siprec: expected true or false");
  CHECK(ErrorOf("[codecs]\npreference = \"PCMU\"\n") == "config: codecs.preference: expected an array of strings");
  CHECK(ErrorOf("[codecs]\npreference = [\"PCMU\", 8]\n") == "config: codecs.preference: expected an array of strings");
  CHECK(ErrorOf("[media]\nworkers = 99999999999\n") == "config: media.workers: 99999999999 out of range");
}

TEST_CASE("every validation error names its option") {
  struct Case {
    const char* toml;
    const char* expected;  // prefix of the first error
  };
  const Case cases[] = {
      {"[sip]\nlisten = \"127.0.0.1:70000\"", "config: sip.listen: port 70000 out of range"},
      {"[office]\nlanguage = \"de\"", "config: office.language: 'de' is not a language Kronika ships"},
      {"[office]\ntime_zone = \"Europe/Warsow\"", "config: office.time_zone: 'Europe/Warsow' is not an IANA"},
      {"[office]\nlogo = \"/nonexistent/logo.png\"", "config: office.logo: '/nonexistent/logo.png' cannot be read"},
      {"[sip]\nlisten = \"127.0.0.1\"", "config: sip.listen: '127.0.0.1': expected ADDR:PORT"},
      {"[sip]\nlisten = \"127.0.0.1:abc\"", "config: sip.listen: '127.0.0.1:abc': port 'abc' is not a number"},
      {"[sip]\nlisten = \"bad host!:5060\"", "config: sip.listen: 'bad host!' is not an IP address"},
      {"[sip]\nlisten = \"[::1:5060\"", "config: sip.listen: '[::1:5060': missing ']'"},
      {"[sip]\ntls_listen = \"127.0.0.1:5061\"", "config: sip.tls_cert_dir: required when sip.tls_listen is set"},
      {"[sip]\ntls_listen = \"127.0.0.1:5061\"\ntls_cert_dir = \"/nonexistent\"",
       "config: sip.tls_cert_dir: '/nonexistent' is not a directory"},
      {"[sip]\ntls_listen = \"127.0.0.1:5060\"\ntls_cert_dir = \"/tmp\"",
       "config: sip.tls_listen: same address and port as sip.listen"},
      {"[sip]\nmax_sessions = 0", "config: sip.max_sessions: 0 out of range 1..100000"},
      {"[sip]\nsession_timer = 30", "config: sip.session_timer: 30 s out of range 90..86400 s"},
      {"[sip]\nretry_after = 0", "config: sip.retry_after: 0 s out of range"},
      {"[sip]\nuser_agent = \"\"", "config: sip.user_agent: must be 1..200 characters"},
      {"[sip]\nuser_agent = \"a\\r\\nX-Injected: 1\"", "config: sip.user_agent: contains control characters"},
      {"[sip]\nmax_streams = 0", "config: sip.max_streams: 0 out of range 1..64"},
      {"[sip]\nmax_message_bytes = 1000", "config: sip.max_message_bytes: 1000 bytes out of range 8192..16777216 bytes"},
      {"[sip]\nmax_sessions_per_source = 0", "config: sip.max_sessions_per_source: 0 out of range 1..100000"},
      {"[sip]\nallowed_sources = []", "config: sip.allowed_sources: empty: no SRC could reach the server"},
      {"[sip]\nallowed_sources = [\"10.0.0.1/8\"]",
       "config: sip.allowed_sources: '10.0.0.1/8' has host bits set (network 10.0.0.0/8?)"},
      {"[sip]\nallowed_sources = [\"srs.example.com\"]",
       "config: sip.allowed_sources: 'srs.example.com' is not an IPv4 or IPv6 address"},
      {"[sip]\ntls_verify_client = true", "config: sip.tls_verify_client: set without sip.tls_listen"},
      {"[sip]\ntls_client_subjects = [\"sbc1\"]",
       "config: sip.tls_client_subjects: set without sip.tls_verify_client = true"},
      {"[media]\nrtp_port_min = 80", "config: media.rtp_port_min: 80 out of range 1024..65534"},
      {"[media]\nrtp_port_max = 70000", "config: media.rtp_port_max: 70000 out of range"},
      {"[media]\nrtp_port_min = 30000\nrtp_port_max = 29000",
       "config: media.rtp_port_max: 29000 is not above media.rtp_port_min 30000"},
      {"[media]\nrtp_port_min = 5000\nrtp_port_max = 6000",
       "config: media.rtp_port_min: RTP range 5000-6000 contains the sip.listen port 5060"},
      {"[media]\nbind_ip = \"somewhere\"", "config: media.bind_ip: 'somewhere' is not an IP address"},
      {"[media]\nbind_ip = \"0.0.0.0\"", "config: media.bind_ip: '0.0.0.0' cannot be advertised"},
      {"[media]\nworkers = -1", "config: media.workers: -1 out of range 0..256"},
      {"[media]\nopus_bitrate = 1000", "config: media.opus_bitrate: 1000 bit/s out of range"},
      {"[media]\nopus_complexity = 11", "config: media.opus_complexity: 11 out of range 0..10"},
      {"[media]\nopus_packet_ms = 30", "config: media.opus_packet_ms: 30 ms is not 20, 40 or 60"},
      {"[media]\nrtp_timeout_ms = 10", "config: media.rtp_timeout_ms: 10 ms out of range"},
      {"[media]\nmin_free_disk_mb = -5", "config: media.min_free_disk_mb: -5 MB out of range"},
      {"[codecs]\npreference = []", "config: codecs.preference: must name at least one codec"},
      {"[codecs]\npreference = [\"PCMU\", \"AMR\"]", "config: codecs.preference: unknown codec 'AMR'"},
      {"[codecs]\npreference = [\"PCMU\", \"pcmu\"]", "config: codecs.preference: codec 'pcmu' listed twice"},
      {"[http]\nlisten = \"127.0.0.1:0\"", "config: http.listen: port 0 out of range"},
      {"[http]\nlisten = \"127.0.0.1:5060\"", "config: http.listen: same address and port as sip.listen"},
      {"[storage]\ndata_dir = \"\"", "config: storage.data_dir: must not be empty"},
      {"[storage]\nlmdb_map_size_mb = 1", "config: storage.lmdb_map_size_mb: 1 MB out of range"},
      {"[site]\ncountry_code = \"+48\"", "config: site.country_code: '+48' is not a country calling code"},
      {"[site]\nname = \"a\\nb\"", "config: site.name: must be at most 200 printable characters"},
      {"[log]\nlevel = \"verbose\"", "config: log.level: 'verbose' is not one of error, warn, info, debug"},
  };
  for (const Case& c : cases) {
    INFO(c.toml);
    const std::string error = ErrorOf(c.toml);
    CHECK(error.rfind(c.expected, 0) == 0);
  }
}

TEST_CASE("IPv6 and host-name listeners are accepted") {
  CHECK(ErrorOf("[sip]\nlisten = \"[::1]:5060\"\n[media]\nbind_ip = \"::1\"") == "OK");
  CHECK(ErrorOf("[sip]\nlisten = \"localhost:5070\"") == "OK");
  Result<HostPort> hp = ParseHostPort("[2001:db8::1]:5080");
  REQUIRE(hp.ok());
  CHECK(hp->host == "2001:db8::1");
  CHECK(hp->port == 5080);
}

TEST_CASE("TLS is valid when the certificate directory holds agent.pem") {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / "kronika-config-test-tls";
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir / "agent.pem");
  const std::string toml = "[sip]\ntls_listen = \"127.0.0.1:5061\"\ntls_cert_dir = \"" + dir.string() + "\"";
  CHECK(ErrorOf(toml).rfind("config: sip.tls_cert_dir: '" + dir.string() + "/agent.pem' (key + certificate) not found", 0) == 0);
  std::ofstream(dir / "agent.pem") << "not really a key\n";
  CHECK(ErrorOf(toml) == "OK");
  // Client certificates are checked against cafile.pem, which must then be there.
  const std::string verify = toml + "\ntls_verify_client = true\ntls_client_subjects = [\"sbc1.example.com\"]";
  std::filesystem::remove(dir / "cafile.pem");
  CHECK(ErrorOf(verify).rfind("config: sip.tls_verify_client: '" + dir.string() + "/cafile.pem'", 0) == 0);
  std::ofstream(dir / "cafile.pem") << "not really a CA\n";
  CHECK(ErrorOf(verify) == "OK");
  std::filesystem::remove_all(dir);
}

TEST_CASE("sip.allowed_sources takes networks and single addresses of both families") {
  CHECK(ErrorOf("[sip]\nallowed_sources = [\"192.0.2.7\", \"2001:db8::/32\", \"0.0.0.0/0\", \"::/0\"]") == "OK");
  Config defaults;
  CHECK(defaults.sip.allowed_sources == DefaultAllowedSources());
}

TEST_CASE("command-line overrides win over the file and are validated") {
  Config c;
  ConfigOverrides o;
  o.data_dir = "/srv/kronika";
  o.sip = "10.0.0.5:5080";
  o.http = "10.0.0.5:9090";
  o.rtp_ports = "40000-40999";
  o.log_level = "debug";
  REQUIRE(ApplyOverrides(o, c).ok());
  CHECK(c.storage.data_dir == "/srv/kronika");
  CHECK(c.sip.listen == "10.0.0.5:5080");
  CHECK(c.http.listen == "10.0.0.5:9090");
  CHECK(c.media.rtp_port_min == 40000);
  CHECK(c.media.rtp_port_max == 40999);
  CHECK(c.log.level == "debug");
  CHECK(ValidateConfig(c).ok());

  Config d;
  auto only = [](auto set) {
    ConfigOverrides o;
    set(o);
    return o;
  };
  CHECK(ApplyOverrides(only([](ConfigOverrides& o) { o.rtp_ports = "4000"; }), d).error().message ==
        "--rtp-ports: '4000': expected MIN-MAX, e.g. 20000-29999");
  Config e;
  REQUIRE(ApplyOverrides(only([](ConfigOverrides& o) { o.sip = "127.0.0.1:70000"; }), e).ok());
  CHECK(ValidateConfig(e).error().message == "config: sip.listen: port 70000 out of range 1..65535");
  Config f;
  REQUIRE(ApplyOverrides(only([](ConfigOverrides& o) { o.http = "1.2.3.4"; }), f).ok());
  CHECK(ValidateConfig(f).error().message == "config: http.listen: '1.2.3.4': expected ADDR:PORT");
  REQUIRE(ApplyOverrides(only([](ConfigOverrides& o) { o.log_level = "loud"; }), d).ok());
  CHECK(ValidateConfig(d).error().message == "config: log.level: 'loud' is not one of error, warn, info, debug");
}

TEST_CASE("ConfigProblems lists every problem, not only the first") {
  Config c;
  c.sip.max_sessions = 0;
  c.log.level = "x";
  c.media.opus_complexity = 42;
  std::vector<std::string> problems = ConfigProblems(c);
  REQUIRE(problems.size() == 3);
  CHECK(problems[0].rfind("config: sip.max_sessions:", 0) == 0);
  CHECK(problems[1].rfind("config: media.opus_complexity:", 0) == 0);
  CHECK(problems[2].rfind("config: log.level:", 0) == 0);
}

TEST_CASE("a missing config file is an error naming the path") {
  Result<Config> c = LoadConfigFile("/nonexistent/kronika.toml");
  REQUIRE_FALSE(c.ok());
  CHECK(c.error().message == "config: /nonexistent/kronika.toml: cannot read file");
}

TEST_CASE("the configuration is found: --config, else $KRONIKA_CONFIG, else the system file, else defaults") {
  testing::TempDir dir;
  const std::filesystem::path explicit_file = dir.path() / "explicit.toml";
  const std::filesystem::path env_file = dir.path() / "env.toml";
  const std::filesystem::path system_file = dir.path() / "etc-kronika.toml";
  std::ofstream(explicit_file) << "[storage]\ndata_dir = \"/srv/explicit\"\n";
  std::ofstream(env_file) << "[storage]\ndata_dir = \"/srv/env\"\n";
  std::ofstream(system_file) << "[storage]\ndata_dir = \"/srv/system\"\n";

  Result<FoundConfig> chosen = FindConfig(explicit_file.string(), env_file.c_str(), system_file);
  REQUIRE(chosen.ok());
  CHECK(chosen->config.storage.data_dir == "/srv/explicit");
  CHECK(chosen->Describe() == explicit_file.string());

  chosen = FindConfig("", env_file.c_str(), system_file);
  REQUIRE(chosen.ok());
  CHECK(chosen->config.storage.data_dir == "/srv/env");

  for (const char* unset : {static_cast<const char*>(nullptr), ""}) {
    chosen = FindConfig("", unset, system_file);
    REQUIRE(chosen.ok());
    CHECK(chosen->config.storage.data_dir == "/srv/system");
    CHECK(chosen->source == system_file.string());
  }

  chosen = FindConfig("", nullptr, dir.path() / "absent.toml");
  REQUIRE(chosen.ok());
  CHECK(chosen->config.storage.data_dir == Config{}.storage.data_dir);
  CHECK(chosen->source.empty());
  CHECK(chosen->Describe() == "built-in defaults");
}

TEST_CASE("a config file named by --config or $KRONIKA_CONFIG must exist; one found must parse") {
  testing::TempDir dir;
  const std::filesystem::path missing = dir.path() / "missing.toml";
  Result<FoundConfig> found = FindConfig(missing.string(), nullptr, dir.path() / "absent.toml");
  REQUIRE_FALSE(found.ok());
  CHECK(found.error().message == "config: " + missing.string() + ": cannot read file");

  found = FindConfig("", missing.c_str(), dir.path() / "absent.toml");
  REQUIRE_FALSE(found.ok());
  CHECK(found.error().message == "config: $KRONIKA_CONFIG names " + missing.string() + ": cannot read file");

  const std::filesystem::path broken = dir.path() / "broken.toml";
  std::ofstream(broken) << "[storage]\ndata_dri = \"x\"\n";
  found = FindConfig("", nullptr, broken);
  REQUIRE_FALSE(found.ok());
  CHECK(found.error().message == "config: " + broken.string() + ": storage.data_dri: unknown option");
}

}  // namespace
}  // namespace kronika::srs
