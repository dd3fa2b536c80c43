// Start-up validation of Config and the command-line overrides. Every message names the
// option ("config: sip.listen: port 70000 out of range") so the operator can fix it.
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <string>

#include "kronika/srs/config/config.h"
#include "kronika/srs/core/event.h"
#include "kronika/srs/core/i18n.h"
#include "kronika/srs/core/ip_network.h"

namespace kronika::srs {
namespace {

constexpr int kMinSessionExpiresS = 90;  // RFC 4028 Min-SE floor
constexpr const char* kLogLevels[] = {"error", "warn", "info", "debug"};
constexpr const char* kKnownCodecs[] = {"PCMU", "PCMA", "G722", "G729", "opus"};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool IsIpLiteral(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 || inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

bool IsWildcard(const std::string& host) { return host == "*" || host == "0.0.0.0" || host == "::"; }

bool IsHostName(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.';
  });
}

std::optional<long long> ParseInteger(std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool IsReadableFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

class Problems {
 public:
  void Add(const std::string& option, const std::string& what) {
    list_.push_back("config: " + option + ": " + what);
  }
  void Range(const std::string& option, long long value, long long min, long long max,
             const char* unit = "") {
    if (value < min || value > max) {
      Add(option, std::to_string(value) + unit + " out of range " + std::to_string(min) + ".." +
                      std::to_string(max) + unit);
    }
  }
  std::vector<std::string> Take() { return std::move(list_); }

 private:
  std::vector<std::string> list_;
};

// Checks an ADDR:PORT option; returns the parsed value when usable.
std::optional<HostPort> CheckListen(Problems& problems, const std::string& option,
                                    const std::string& value, bool allow_hostname) {
  Result<HostPort> parsed = ParseHostPort(value);
  if (!parsed.ok()) {
    problems.Add(option, parsed.error().message);
    return std::nullopt;
  }
  const std::string& host = parsed->host;
  if (!IsIpLiteral(host) && !IsWildcard(host) && !(allow_hostname && IsHostName(host))) {
    problems.Add(option, "'" + host + "' is not an IP address");
    return std::nullopt;
  }
  return *parsed;
}

constexpr size_t kMinWebhookSecretBytes = 16;
constexpr size_t kMaxSecretFileBytes = 4096;
constexpr int64_t kMinWebhookMaxAgeMs = 1000;        // 1 s (tests); hours in production
constexpr int64_t kMinWebhookTimeoutMs = 100;
constexpr int64_t kMaxWebhookTimeoutMs = 5 * 60 * 1000;
constexpr int64_t kMsPerDay = 24LL * 3600 * 1000;

bool IsWebhookName(const std::string& name) {
  return !name.empty() && name.size() <= 32 && std::all_of(name.begin(), name.end(), [](unsigned char ch) {
    return std::islower(ch) || std::isdigit(ch) || ch == '-' || ch == '_';
  });
}

// "webhooks.<name>" when the name is usable, else "webhooks[<index>]".
std::string WebhookOption(const WebhookConfig& w, size_t index) {
  return IsWebhookName(w.name) ? "webhooks." + w.name : "webhooks[" + std::to_string(index) + "]";
}

// The host of an https:// URL ("" when it has none).
std::string UrlHost(std::string_view url) {
  std::string_view rest = url.substr(std::string_view("https://").size());
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) rest = rest.substr(at + 1);
  if (!rest.empty() && rest.front() == '[') return std::string(rest.substr(1, rest.find(']') - 1));
  return std::string(rest.substr(0, rest.find(':')));
}

// A secret file's contents without the final newline; the message names the file, not the option.
Result<std::string> ReadSecretFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Error{ErrorCode::kUnavailable, "'" + path + "' is not a readable file"};
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Error{ErrorCode::kPermissionDenied, "'" + path + "' has mode " + mode +
                                                   ": group or others may access it (chmod 600)"};
  }
  // A secret is short: read at most kMaxSecretFileBytes + 1 (a path to a huge file, or one
  // under /proc that claims a size it has not, is refused without reading it all).
  std::ifstream in(path, std::ios::binary);
  std::string secret(kMaxSecretFileBytes + 1, '\0');
  in.read(secret.data(), static_cast<std::streamsize>(secret.size()));
  if (in.bad() || !in.is_open()) return Error{ErrorCode::kUnavailable, "'" + path + "' cannot be read"};
  secret.resize(static_cast<size_t>(in.gcount()));
  if (secret.size() > kMaxSecretFileBytes) {
    return Error{ErrorCode::kInvalidInput, "'" + path + "' is larger than 4096 bytes: not a secret"};
  }
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  if (secret.size() < kMinWebhookSecretBytes) {
    return Error{ErrorCode::kInvalidInput, "'" + path + "' holds fewer than 16 bytes"};
  }
  return secret;
}

void CheckWebhooks(Problems& p, const Config& c) {
  std::vector<std::string> names;
  for (size_t i = 0; i < c.webhooks.size(); ++i) {
    const WebhookConfig& w = c.webhooks[i];
    const std::string option = WebhookOption(w, i);
    if (!IsWebhookName(w.name)) {
      p.Add(option + ".name", "'" + w.name + "' must be 1..32 of a-z, 0-9, '-', '_'");
    } else if (std::find(names.begin(), names.end(), w.name) != names.end()) {
      p.Add(option + ".name", "'" + w.name + "' is used by two webhooks");
    }
    names.push_back(w.name);
    if (w.url.rfind("https://", 0) != 0) {
      p.Add(option + ".url", "'" + w.url + "' is not an https:// URL (events carry personal data: no plain HTTP)");
    } else if (UrlHost(w.url).empty() || std::any_of(w.url.begin(), w.url.end(), [](unsigned char ch) {
                 return ch <= 0x20 || ch == 0x7f;
               })) {
      p.Add(option + ".url", "'" + w.url + "' has no host or has spaces or control characters");
    }
    if (w.types.empty()) p.Add(option + ".types", "empty: name event types or [\"*\"]");
    for (const std::string& type : w.types) {
      if (type == "*") {
        if (w.types.size() != 1) p.Add(option + ".types", "\"*\" must stand alone");
      } else if (!IsEventType(type)) {
        p.Add(option + ".types", "unknown event type '" + type + "' (docs/api.md, \"Webhooks\")");
      }
    }
    if (w.secret.empty() == w.secret_file.empty()) {
      p.Add(option + ".secret", "set exactly one of secret and secret_file");
    } else if (!w.secret.empty() && w.secret.size() < kMinWebhookSecretBytes) {
      p.Add(option + ".secret", "shorter than " + std::to_string(kMinWebhookSecretBytes) + " bytes");
    } else if (!w.secret_file.empty()) {
      if (Result<std::string> secret = ReadSecretFile(w.secret_file); !secret.ok()) {
        p.Add(option + ".secret_file", secret.error().message);
      }
    }
    Result<int64_t> max_age = ParseDurationMs(w.max_age);
    if (!max_age.ok()) {
      p.Add(option + ".max_age", max_age.error().message);
    } else if (*max_age < kMinWebhookMaxAgeMs) {
      p.Add(option + ".max_age", "'" + w.max_age + "' is shorter than 1s");
    } else if (*max_age > c.events.keep_days * kMsPerDay) {
      p.Add(option + ".max_age", "'" + w.max_age + "' is longer than events.keep_days (" +
                                     std::to_string(c.events.keep_days) +
                                     " days): events would be pruned before they are given up");
    }
    Result<int64_t> timeout = ParseDurationMs(w.timeout);
    if (!timeout.ok()) {
      p.Add(option + ".timeout", timeout.error().message);
    } else if (*timeout < kMinWebhookTimeoutMs || *timeout > kMaxWebhookTimeoutMs) {
      p.Add(option + ".timeout", "'" + w.timeout + "' out of range 100ms..5m");
    }
    if (!w.ca_file.empty() && !IsReadableFile(w.ca_file)) {
      p.Add(option + ".ca_file", "'" + w.ca_file + "' is not a readable file");
    }
  }
}

bool SameSocket(const HostPort& a, const HostPort& b) {
  return a.port == b.port && (a.host == b.host || IsWildcard(a.host) || IsWildcard(b.host));
}

}  // namespace

Result<int64_t> ParseDurationMs(std::string_view text) {
  const size_t digits = static_cast<size_t>(
      std::find_if(text.begin(), text.end(), [](unsigned char ch) { return !std::isdigit(ch); }) - text.begin());
  const std::optional<long long> number = ParseInteger(text.substr(0, digits));
  const std::string_view unit = text.substr(digits);
  int64_t scale = 0;
  if (unit == "ms") scale = 1;
  if (unit == "s") scale = 1000;
  if (unit == "m") scale = 60 * 1000;
  if (unit == "h") scale = 3600 * 1000;
  if (unit == "d") scale = kMsPerDay;
  if (!number || *number <= 0 || scale == 0 || *number > INT64_MAX / scale / 1000) {
    return Error{ErrorCode::kInvalidInput,
                 "'" + std::string(text) + "' is not a duration (a positive number and ms, s, m, h or d: \"24h\")"};
  }
  return *number * scale;
}

Result<std::string> LoadWebhookSecret(const WebhookConfig& w) {
  if (w.secret_file.empty()) {
    if (w.secret.size() < kMinWebhookSecretBytes) {
      return Error{ErrorCode::kInvalidInput, "config: webhooks." + w.name + ".secret: shorter than 16 bytes"};
    }
    return w.secret;
  }
  Result<std::string> secret = ReadSecretFile(w.secret_file);
  if (!secret.ok()) {
    return Error{secret.error().code, "config: webhooks." + w.name + ".secret_file: " + secret.error().message};
  }
  return secret;
}

Result<HostPort> ParseHostPort(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) return Error{ErrorCode::kInvalidInput, "'" + std::string(text) + "': missing ']'"};
    host = text.substr(1, close - 1);
    if (close + 1 >= text.size() || text[close + 1] != ':') {
      return Error{ErrorCode::kInvalidInput, "'" + std::string(text) + "': expected [ADDR]:PORT"};
    }
    port = text.substr(close + 2);
  } else {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) {
      return Error{ErrorCode::kInvalidInput, "'" + std::string(text) + "': expected ADDR:PORT"};
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  if (host.empty()) return Error{ErrorCode::kInvalidInput, "'" + std::string(text) + "': missing address"};
  std::optional<long long> number = ParseInteger(port);
  if (!number) return Error{ErrorCode::kInvalidInput, "'" + std::string(text) + "': port '" + std::string(port) + "' is not a number"};
  if (*number < 1 || *number > 65535) {
    return Error{ErrorCode::kInvalidInput, "port " + std::to_string(*number) + " out of range 1..65535"};
  }
  return HostPort{std::string(host), static_cast<uint16_t>(*number)};
}

std::vector<std::string> ConfigProblems(const Config& c) {
  Problems p;

  // [sip]
  std::optional<HostPort> sip = CheckListen(p, "sip.listen", c.sip.listen, true);
  std::optional<HostPort> tls;
  if (!c.sip.tls_listen.empty()) {
    tls = CheckListen(p, "sip.tls_listen", c.sip.tls_listen, true);
    if (tls && sip && SameSocket(*tls, *sip)) {
      p.Add("sip.tls_listen", "same address and port as sip.listen (" + c.sip.listen + ")");
    }
    if (c.sip.tls_cert_dir.empty()) {
      p.Add("sip.tls_cert_dir", "required when sip.tls_listen is set");
    } else if (!IsDirectory(c.sip.tls_cert_dir)) {
      p.Add("sip.tls_cert_dir", "'" + c.sip.tls_cert_dir + "' is not a directory");
    } else if (!IsReadableFile(c.sip.tls_cert_dir + "/agent.pem")) {
      p.Add("sip.tls_cert_dir", "'" + c.sip.tls_cert_dir + "/agent.pem' (key + certificate) not found");
    } else if (c.sip.tls_verify_client && !IsReadableFile(c.sip.tls_cert_dir + "/cafile.pem")) {
      p.Add("sip.tls_verify_client", "'" + c.sip.tls_cert_dir +
                                         "/cafile.pem' (the CAs client certificates are checked against) not found");
    }
  } else if (c.sip.tls_verify_client) {
    p.Add("sip.tls_verify_client", "set without sip.tls_listen");
  }
  if (!c.sip.tls_client_subjects.empty() && !c.sip.tls_verify_client) {
    p.Add("sip.tls_client_subjects", "set without sip.tls_verify_client = true");
  }
  for (const std::string& subject : c.sip.tls_client_subjects) {
    if (subject.empty() || std::any_of(subject.begin(), subject.end(), [](unsigned char ch) { return ch < 0x20; })) {
      p.Add("sip.tls_client_subjects", "'" + subject + "' is empty or has control characters");
    }
  }
  p.Range("sip.max_streams", c.sip.max_streams, 1, 64);
  p.Range("sip.max_message_bytes", c.sip.max_message_bytes, 8192, 16 * 1024 * 1024, " bytes");
  p.Range("sip.max_sessions_per_source", c.sip.max_sessions_per_source, 1, 100000);
  if (c.sip.allowed_sources.empty()) {
    p.Add("sip.allowed_sources", "empty: no SRC could reach the server (\"0.0.0.0/0\", \"::/0\" allow every address)");
  }
  for (const std::string& source : c.sip.allowed_sources) {
    if (Result<IpNetwork> network = ParseIpNetwork(source); !network.ok()) {
      p.Add("sip.allowed_sources", network.error().message);
    }
  }
  p.Range("sip.max_sessions", c.sip.max_sessions, 1, 100000);
  if (c.sip.session_timer != 0) {
    p.Range("sip.session_timer", c.sip.session_timer, kMinSessionExpiresS, 86400, " s");
  }
  p.Range("sip.retry_after", c.sip.retry_after, 1, 3600, " s");
  if (c.sip.user_agent.empty() || c.sip.user_agent.size() > 200) {
    p.Add("sip.user_agent", "must be 1..200 characters");
  } else if (std::any_of(c.sip.user_agent.begin(), c.sip.user_agent.end(),
                         [](unsigned char ch) { return ch < 0x20 || ch == 0x7f; })) {
    p.Add("sip.user_agent", "contains control characters");
  }

  // [media]
  p.Range("media.rtp_port_min", c.media.rtp_port_min, 1024, 65534);
  p.Range("media.rtp_port_max", c.media.rtp_port_max, 1025, 65535);
  if (c.media.rtp_port_max <= c.media.rtp_port_min) {
    p.Add("media.rtp_port_max", std::to_string(c.media.rtp_port_max) + " is not above media.rtp_port_min " +
                                    std::to_string(c.media.rtp_port_min));
  }
  std::optional<HostPort> http = CheckListen(p, "http.listen", c.http.listen, true);
  for (const auto& [option, listen] : {std::pair{"sip.listen", sip}, std::pair{"sip.tls_listen", tls},
                                       std::pair{"http.listen", http}}) {
    if (listen && listen->port >= c.media.rtp_port_min && listen->port <= c.media.rtp_port_max) {
      p.Add("media.rtp_port_min", "RTP range " + std::to_string(c.media.rtp_port_min) + "-" +
                                      std::to_string(c.media.rtp_port_max) + " contains the " +
                                      option + " port " + std::to_string(listen->port));
    }
  }
  if (!IsIpLiteral(c.media.bind_ip)) {
    p.Add("media.bind_ip", "'" + c.media.bind_ip + "' is not an IP address");
  } else if (IsWildcard(c.media.bind_ip)) {
    p.Add("media.bind_ip", "'" + c.media.bind_ip +
                               "' cannot be advertised in an SDP answer (it means 'hold'); give the interface address");
  }
  p.Range("media.workers", c.media.workers, 0, 256);
  p.Range("media.opus_bitrate", c.media.opus_bitrate, 6000, 510000, " bit/s");
  p.Range("media.opus_complexity", c.media.opus_complexity, 0, 10);
  if (c.media.opus_packet_ms != 20 && c.media.opus_packet_ms != 40 && c.media.opus_packet_ms != 60) {
    p.Add("media.opus_packet_ms", std::to_string(c.media.opus_packet_ms) + " ms is not 20, 40 or 60");
  }
  if (c.media.rtp_timeout_ms != 0) p.Range("media.rtp_timeout_ms", c.media.rtp_timeout_ms, 1000, 3600000, " ms");
  if (c.media.source_check != "latch" && c.media.source_check != "strict") {
    p.Add("media.source_check", "'" + c.media.source_check + "' is not \"latch\" or \"strict\"");
  }
  p.Range("media.latch_source_silence_ms", c.media.latch_source_silence_ms, 0, 60000, " ms");
  p.Range("media.ssrc_silence_ms", c.media.ssrc_silence_ms, 0, 60000, " ms");
  if (c.media.no_rtp_warning_ms != 0) {
    p.Range("media.no_rtp_warning_ms", c.media.no_rtp_warning_ms, 500, 3600000, " ms");
  }
  p.Range("media.gap_min_ms", c.media.gap_min_ms, 100, 3600000, " ms");
  if (c.media.partial_gap_ms < c.media.gap_min_ms) {
    p.Add("media.partial_gap_ms", std::to_string(c.media.partial_gap_ms) +
                                      " ms is shorter than media.gap_min_ms: shorter gaps are not in the evidence");
  }
  p.Range("media.min_signal_ms", c.media.min_signal_ms, 0, 3600000, " ms");
  p.Range("media.min_free_disk_mb", c.media.min_free_disk_mb, 0, 10'000'000, " MB");

  // [codecs]
  if (c.codecs.preference.empty()) p.Add("codecs.preference", "must name at least one codec");
  std::vector<std::string> seen;
  for (const std::string& codec : c.codecs.preference) {
    const bool known = std::any_of(std::begin(kKnownCodecs), std::end(kKnownCodecs),
                                   [&](const char* k) { return Lower(k) == Lower(codec); });
    if (!known) {
      p.Add("codecs.preference", "unknown codec '" + codec + "' (known: PCMU, PCMA, G722, G729, opus)");
    } else if (std::find(seen.begin(), seen.end(), Lower(codec)) != seen.end()) {
      p.Add("codecs.preference", "codec '" + codec + "' listed twice");
    }
    seen.push_back(Lower(codec));
  }

  // [http]
  if (http && sip && SameSocket(*http, *sip)) {
    p.Add("http.listen", "same address and port as sip.listen (" + c.sip.listen + ")");
  }
  if (http && tls && SameSocket(*http, *tls)) {
    p.Add("http.listen", "same address and port as sip.tls_listen (" + c.sip.tls_listen + ")");
  }
  // SEC-1: the contents (PEM, key matching the certificate) are checked when the listener starts.
  if (!c.http.tls_cert.empty() && !IsReadableFile(c.http.tls_cert)) {
    p.Add("http.tls_cert", "'" + c.http.tls_cert + "' is not a readable file");
  }
  if (!c.http.tls_key.empty() && c.http.tls_cert.empty()) {
    p.Add("http.tls_key", "set but http.tls_cert is not (the API would be served without TLS)");
  } else if (!c.http.tls_key.empty() && !IsReadableFile(c.http.tls_key)) {
    p.Add("http.tls_key", "'" + c.http.tls_key + "' is not a readable file");
  }

  // [storage]
  if (c.storage.data_dir.empty()) p.Add("storage.data_dir", "must not be empty");
  p.Range("storage.lmdb_map_size_mb", c.storage.lmdb_map_size_mb, 16, 1048576, " MB");

  // [site]
  if (c.site.name.size() > 200 || std::any_of(c.site.name.begin(), c.site.name.end(),
                                               [](unsigned char ch) { return ch < 0x20 || ch == 0x7f; })) {
    p.Add("site.name", "must be at most 200 printable characters");
  }
  if (c.site.country_code.empty() || c.site.country_code.size() > 3 || c.site.country_code[0] == '0' ||
      !std::all_of(c.site.country_code.begin(), c.site.country_code.end(),
                   [](unsigned char ch) { return std::isdigit(ch); })) {
    p.Add("site.country_code", "'" + c.site.country_code + "' is not a country calling code (1-3 digits, e.g. 48)");
  }

  // [policy] (issue 7): the site files themselves are read and checked by LoadSitePolicies().
  p.Range("policy.sweep_interval_s", c.policy.sweep_interval_s, 1, 86400, " s");

  // [events], [[webhooks]] (issue 17)
  p.Range("events.keep_days", c.events.keep_days, 1, 3650, " days");
  CheckWebhooks(p, c);

  // [office] (issue 16): what people read
  if (!IsSupportedLanguage(c.office.language)) {
    p.Add("office.language", "'" + c.office.language + "' is not a language Kronika ships (pl, en)");
  }
  if (!IsKnownTimeZone(c.office.time_zone)) {
    p.Add("office.time_zone", "'" + c.office.time_zone +
                                  "' is not an IANA time zone (e.g. Europe/Warsaw) nor a POSIX TZ rule");
  }
  if (!c.office.logo.empty() && ::access(c.office.logo.c_str(), R_OK) != 0) {
    p.Add("office.logo", "'" + c.office.logo + "' cannot be read (a PNG file for document headers)");
  }

  // [log]
  if (std::none_of(std::begin(kLogLevels), std::end(kLogLevels),
                   [&](const char* level) { return c.log.level == level; })) {
    p.Add("log.level", "'" + c.log.level + "' is not one of error, warn, info, debug");
  }

  // [signin] (issue 16 item 4)
  auto duration = [&](const std::string& option, const std::string& text, int64_t min_ms, int64_t max_ms) {
    Result<int64_t> ms = ParseDurationMs(text);
    if (!ms.ok()) {
      p.Add(option, "'" + text + "': " + ms.error().message);
    } else if (*ms < min_ms || *ms > max_ms) {
      p.Add(option, "'" + text + "' out of range");
    }
  };
  constexpr int64_t kMinute = 60'000;
  duration("signin.idle_timeout", c.signin.idle_timeout, 1000, 24 * 60 * kMinute);
  duration("signin.lifetime", c.signin.lifetime, 1000, 7 * 24 * 60 * kMinute);
  duration("signin.lockout_window", c.signin.lockout_window, 1000, 24 * 60 * kMinute);
  duration("signin.lockout_duration", c.signin.lockout_duration, 1000, 24 * 60 * kMinute);
  p.Range("signin.lockout_failures", c.signin.lockout_failures, 0, 1000);
  p.Range("signin.lockout_address_failures", c.signin.lockout_address_failures, 0, 100000);

  // [ldap] (issue 16 item 4): role names are checked by the daemon (the access module's list).
  if (!c.ldap.url.empty()) {
    if (c.ldap.url.rfind("ldap://", 0) != 0 && c.ldap.url.rfind("ldaps://", 0) != 0) {
      p.Add("ldap.url", "'" + c.ldap.url + "' must start with ldap:// or ldaps://");
    }
    if (c.ldap.start_tls && c.ldap.url.rfind("ldaps://", 0) == 0) {
      p.Add("ldap.start_tls", "not with an ldaps:// url (TLS from the start already)");
    }
    if (c.ldap.bind_dn.empty() == c.ldap.search_base.empty()) {
      p.Add("ldap.bind_dn", "give either bind_dn (a DN template) or search_base (search-then-bind)");
    }
    if (!c.ldap.bind_dn.empty() && c.ldap.bind_dn.find("{username}") == std::string::npos) {
      p.Add("ldap.bind_dn", "must contain {username}");
    }
    if (!c.ldap.search_base.empty() && c.ldap.search_filter.find("{username}") == std::string::npos) {
      p.Add("ldap.search_filter", "must contain {username}");
    }
    if (!c.ldap.service_dn.empty() && c.ldap.service_password_file.empty()) {
      p.Add("ldap.service_password_file", "required with service_dn");
    }
    if (c.ldap.group_attribute.empty()) p.Add("ldap.group_attribute", "must not be empty");
    duration("ldap.timeout", c.ldap.timeout, 100, 60'000);
    p.Range("ldap.max_concurrent", c.ldap.max_concurrent, 1, 64);
  }

  // [events]
  if (c.events.node.size() > 64 ||
      !std::all_of(c.events.node.begin(), c.events.node.end(), [](unsigned char ch) {
        return std::isalnum(ch) || ch == '.' || ch == '_' || ch == '-';
      })) {
    p.Add("events.node", "'" + c.events.node + "' is not a node name (letters, digits, '.', '_', '-', at most 64)");
  }
  return p.Take();
}

Status ValidateConfig(const Config& config) {
  std::vector<std::string> problems = ConfigProblems(config);
  if (problems.empty()) return OkStatus();
  return Error{ErrorCode::kInvalidInput, problems.front()};
}

Status ApplyOverrides(const ConfigOverrides& o, Config& config) {
  if (!o.data_dir.empty()) config.storage.data_dir = o.data_dir;
  // --sip / --http values are checked by ValidateConfig() as sip.listen / http.listen.
  if (!o.sip.empty()) config.sip.listen = o.sip;
  if (!o.http.empty()) config.http.listen = o.http;
  if (!o.rtp_ports.empty()) {
    const size_t dash = o.rtp_ports.find('-');
    std::optional<long long> min, max;
    if (dash != std::string::npos) {
      min = ParseInteger(std::string_view(o.rtp_ports).substr(0, dash));
      max = ParseInteger(std::string_view(o.rtp_ports).substr(dash + 1));
    }
    if (!min || !max || *min < 0 || *max > 65535) {
      return Error{ErrorCode::kInvalidInput, "--rtp-ports: '" + o.rtp_ports + "': expected MIN-MAX, e.g. 20000-29999"};
    }
    config.media.rtp_port_min = static_cast<int>(*min);
    config.media.rtp_port_max = static_cast<int>(*max);
  }
  if (!o.log_level.empty()) config.log.level = o.log_level;
  return OkStatus();
}

}  // namespace kronika::srs
