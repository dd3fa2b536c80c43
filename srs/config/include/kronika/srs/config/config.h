// Kronika's configuration: one TOML file, an embedded default, command-line overrides.
//
// Load order (later wins): built-in defaults (the values below, identical to the
// documented example config/kronika.toml) -> the TOML file FindConfig() finds (--config
// FILE, else $KRONIKA_CONFIG, else /etc/kronika/kronika.toml) -> command-line overrides
// (--data-dir, --sip, --http, --rtp-ports, --log-level).
// ValidateConfig() then checks every option once, at start; each error message names the
// option it is about ("config: sip.listen: port 70000 out of range"), so it can be shown
// to the operator as is. Unknown keys in the file are errors too (typos must not pass
// silently). docs/configuration.md lists every option with its default, unit and meaning.
//
// Threads: plain values; build once on the main thread, then share read-only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/core/ip_network.h"

namespace kronika::srs {

// "ADDR:PORT" split and checked. IPv6 addresses are written in brackets: "[::1]:5060".
struct HostPort {
  std::string host;    // literal IP address or host name, without brackets
  uint16_t port = 0;   // 1..65535
};

struct SipConfig {
  std::string listen = "127.0.0.1:5060";      // UDP + TCP listener, ADDR:PORT
  std::string tls_listen;                      // "" = no TLS; else sips: listener ADDR:PORT
  std::string tls_cert_dir;                    // holds agent.pem (+ cafile.pem); needed with tls_listen
  int max_sessions = 1000;                     // concurrent recording sessions; more -> 503
  bool accept_non_siprec = false;              // plain SDP INVITE (no metadata) -> record instead of 488
  int session_timer = 1800;                    // seconds; Session-Expires granted when the SRC asks
                                               // for RFC 4028 timers; 0 = never use session timers
  int retry_after = 30;                        // seconds, Retry-After sent with every 503
  std::string user_agent = "Kronika/0.1.0";    // User-Agent / Server header
  // What one peer can make the server hold (issue 12; docs/operations.md "Limits").
  int max_streams = 8;                         // recorded streams (answered audio m-lines) per
                                               // session; an offer with more -> 488
  int max_message_bytes = 1048576;             // bytes of one SIP request; larger -> 513
  int max_sessions_per_source = 500;           // concurrent sessions from one source address;
                                               // more -> 503
  std::vector<std::string> allowed_sources =   // CIDRs SIP requests are taken from; others
      DefaultAllowedSources();                 // -> 403; "0.0.0.0/0", "::/0" = open (warned)
  bool tls_verify_client = false;              // TLS: require a client certificate signed by
                                               // a CA in tls_cert_dir/cafile.pem
  std::vector<std::string> tls_client_subjects;  // with tls_verify_client: accepted certificate
                                                 // subjects (CN or subjectAltName); [] = any
};

struct MediaConfig {
  int rtp_port_min = 20000;          // first RTP port (even); RTCP not bound
  int rtp_port_max = 39999;          // last RTP port
  std::string bind_ip = "127.0.0.1"; // address the RTP sockets bind to and the SDP answer advertises
  int workers = 0;                   // media threads; 0 = one per CPU core
  int opus_bitrate = 16000;          // bit/s of the whole Opus stream (both channels)
  int opus_complexity = 0;           // 0 (cheapest) .. 10 (best quality per bit)
  int opus_packet_ms = 20;           // 20, 40 or 60 ms of audio per Opus packet
  bool opus_dual_mono = true;        // two mono Opus streams (Ogg mapping family 1), not coupled stereo
  bool stereo = true;                // true: one leg per channel; false: both legs mixed to mono
  int rtp_timeout_ms = 5000;         // no RTP on a stream this long -> rtp-timeout event; 0 = off
  std::string source_check = "latch";  // "latch": RTP from the first valid source, whatever the
                                       // SDP says; "strict": only from the SDP's host
  int latch_source_silence_ms = 1000;  // another source takes a stream over after the latched one
                                       // sent nothing this long
  int ssrc_silence_ms = 250;         // another SSRC from the latched source after the latched SSRC
                                     // sent nothing this long; 0 = no SSRC lock
  int no_rtp_warning_ms = 5000;      // no RTP on a stream this long after it was due -> one warning; 0 = off
  int gap_min_ms = 1000;             // the evidence lists silences of a leg at least this long
  int partial_gap_ms = 1000;         // verdict: an unexplained gap this long makes a recording partial
  int min_signal_ms = 1000;          // verdict: a leg with less audio above -60 dBFS carried none
  int min_free_disk_mb = 256;        // below this much free disk space new INVITEs get 503
};

struct CodecsConfig {
  // Payload formats (encoding names as in a=rtpmap, case-insensitive) in the order the
  // SRS prefers them when an m-line offers several.
  std::vector<std::string> preference = {"PCMU", "PCMA", "G722", "opus", "G729"};
};

struct HttpConfig {
  std::string listen = "127.0.0.1:8080";  // HTTP API + /metrics, ADDR:PORT
  // HTTPS only (TLS 1.2+, SEC-1) when set: PEM with the certificate chain and, unless
  // tls_key is set, the private key. "" = plain HTTP. KRONIKA_HTTP_TLS_CERT/_KEY override.
  std::string tls_cert;
  std::string tls_key;  // PEM file with the unencrypted private key; "" = in tls_cert
};

struct StorageConfig {
  std::string data_dir = "./var";   // recordings in data_dir/recordings, LMDB in data_dir/db
  int lmdb_map_size_mb = 1024;      // LMDB map size (upper bound of the database file)
};

struct SiteConfig {
  std::string name;                 // site name stored with each recording ("" = none)
  std::string country_code = "48";  // digits without '+'; national numbers in metadata are
                                    // indexed as +<country_code>... (RIGHTS-1 search)
};

// Recording policy (issue 7, docs/compliance.md): site rule files and the retention sweeper.
struct PolicyConfig {
  std::vector<std::string> site_files;  // site policy TOML files (config/sites/*.toml); the one
                                        // whose [site] id equals site.name governs new calls;
                                        // every file's rules apply to its own stored recordings.
                                        // Empty = no policy (record everything, keep forever).
  int sweep_interval_s = 300;           // seconds between retention/quota sweeps (RET-3, RET-5)
  bool overwrite_on_delete = true;      // overwrite audio with zeros before unlink (RET-3)
};

struct LogConfig {
  std::string level = "info";  // error | warn | info | debug
};

// The events outbox (issue 17; srs/store event_outbox.h).
struct EventsConfig {
  int keep_days = 30;  // days an event stays in the outbox; older ones are pruned (hourly)
  // This node's name in every event's id and `node` ("<node>-<seq>"): letters, digits,
  // '.', '_', '-', at most 64. "" = the host name. The daemon and a CLI command writing
  // without it read the same value, so their events share one node and one sequence.
  std::string node;
};

// One `[[webhooks]]` entry (issue 17 item 3; docs/api.md "Webhooks"): an HTTPS endpoint the
// daemon POSTs matching events to, signed, in order, at least once.
struct WebhookConfig {
  std::string name;                             // [a-z0-9_-], 1..32; metric label and cursor
                                                // "webhook:<name>" in events.cursors
  std::string url;                              // https:// only (no plain http, not even to
                                                // loopback; a private CA goes in ca_file)
  std::vector<std::string> types = {"*"};       // event types sent (docs/api.md); ["*"] = all
  std::string secret;                           // HMAC-SHA256 key, >= 16 bytes; or:
  std::string secret_file;                      // file holding it (mode 0600/0400: no group or
                                                // other access); exactly one of the two
  bool personal_data = false;                   // send the event's "personal" part
  std::string max_age = "24h";                  // retry an event this long after it happened,
                                                // then park it ("30s", "15m", "24h", "7d")
  std::string timeout = "10s";                  // one POST, connect included ("500ms".."5m")
  std::string ca_file;                          // PEM CA bundle for a private CA; "" = system CAs
};

// The office the recorder serves (issue 16): what people read - the web page, the documents,
// the command line's human output - is in its language and time zone; documents carry its
// name and address as their header.
struct OfficeConfig {
  std::string language = "pl";              // "pl" | "en": default language of people-facing
                                            // text (a user's own setting wins)
  std::string time_zone = "Europe/Warsaw";  // IANA zone of every time a person reads (machine
                                            // formats - JSON, CSV for scripts, logs - stay UTC)
  std::string name;                         // office name in document headers
  std::string address;                      // postal address; may hold newlines
  std::string place;                        // town in "<place>, dnia <date>" on documents
  std::string logo;                         // PNG file for document headers; "" = none
};

// Sign-in to the web UI (issue 16 item 4; docs/configuration.md "[signin]"): sessions and
// lock-out. Durations as "30s", "15m", "8h".
struct SignInConfig {
  std::string idle_timeout = "15m";      // a session unused this long is signed out
  std::string lifetime = "8h";           // a session ends this long after sign-in, used or not
  int lockout_failures = 5;              // failed sign-ins of one username within lockout_window
                                         // that lock it; 0 = never
  int lockout_address_failures = 5;      // the same per source address; 0 = never
  std::string lockout_window = "15m";
  std::string lockout_duration = "15m";  // how long a lock lasts
};

// LDAP / Active Directory sign-in (issue 16 item 4; docs/configuration.md "[ldap]").
struct LdapConfig {
  std::string url;                 // ldap://host[:port] or ldaps://host[:port]; "" = off
  bool start_tls = false;          // with ldap://: StartTLS, required to succeed
  std::string ca_file;             // PEM CA bundle for ldaps/StartTLS; "" = the system's
  std::string bind_dn;             // DN template, {username} replaced: direct bind; or
  std::string search_base;         // search-then-bind under this base (needs search_filter)
  std::string search_filter = "(uid={username})";  // AD: "(sAMAccountName={username})"
  std::string service_dn;          // account the search binds as ("" = anonymous search)
  std::string service_password_file;  // file holding its password (mode 0600/0400)
  std::string group_attribute = "memberOf";  // the user entry's attribute listing its groups
  // Group DN -> Kronika role names, for users without a local record:
  // [ldap.group_roles] "cn=listeners,ou=groups,dc=example,dc=pl" = ["listener"]
  std::map<std::string, std::vector<std::string>> group_roles;
  std::string name_attribute = "givenName";
  std::string surname_attribute = "sn";
  std::string position_attribute = "title";
  std::string timeout = "5s";      // each network step (connect, TLS, bind, search)
  int max_concurrent = 4;          // binds in progress at once; more are refused at once
};

struct Config {
  SipConfig sip;
  MediaConfig media;
  CodecsConfig codecs;
  HttpConfig http;
  StorageConfig storage;
  SiteConfig site;
  PolicyConfig policy;
  LogConfig log;
  EventsConfig events;
  OfficeConfig office;
  std::vector<WebhookConfig> webhooks;  // [[webhooks]], in file order
  SignInConfig signin;
  LdapConfig ldap;

  // Derived paths (no I/O).
  std::string RecordingsDir() const;  // <data_dir>/recordings
  std::string DatabaseDir() const;    // <data_dir>/db
};

// Command-line overrides; an empty string means "not given".
struct ConfigOverrides {
  std::string data_dir;   // --data-dir DIR
  std::string sip;        // --sip ADDR:PORT
  std::string http;       // --http ADDR:PORT
  std::string rtp_ports;  // --rtp-ports MIN-MAX
  std::string log_level;  // --log-level LEVEL
};

// Parses TOML text over the defaults. `source` names the file in error messages.
// Errors: TOML syntax (with line:column), an unknown key, a value of the wrong type.
// Does not validate ranges: call ValidateConfig().
Result<Config> ParseConfig(std::string_view toml_text, std::string_view source);

// Reads and parses the file at `path`. Error if it cannot be read or parsed.
Result<Config> LoadConfigFile(const std::string& path);

// Where the configuration is looked for when no --config is given.
inline constexpr char kConfigEnv[] = "KRONIKA_CONFIG";
inline constexpr char kSystemConfigFile[] = "/etc/kronika/kronika.toml";

// A configuration and where it came from.
struct FoundConfig {
  Config config;
  std::string source;  // the file read, or "" for the built-in defaults
  // "/etc/kronika/kronika.toml", "$KRONIKA_CONFIG (/srv/k.toml)", "built-in defaults":
  // for messages that must say which configuration was used.
  std::string Describe() const;
};

// The configuration every command uses, found, never guessed: `explicit_file` (--config)
// when not empty, else the file named by $KRONIKA_CONFIG when set and not empty, else
// kSystemConfigFile when it exists, else the built-in defaults. A file named by --config
// or $KRONIKA_CONFIG must exist; any file found must parse (errors name it). Reads the
// environment and the disk; any thread.
Result<FoundConfig> FindConfig(const std::string& explicit_file);
// The same with the environment value and the system path given (tests).
Result<FoundConfig> FindConfig(const std::string& explicit_file, const char* env_value,
                               const std::filesystem::path& system_file);

// Applies command-line overrides. Error names the flag ("--rtp-ports: expected MIN-MAX");
// --sip and --http values are checked by ValidateConfig() under their option names.
Status ApplyOverrides(const ConfigOverrides& overrides, Config& config);

// Checks every option (ranges, address syntax, cross-field rules, TLS files present).
// Returns the first problem, message "config: <section.key>: <what is wrong>".
Status ValidateConfig(const Config& config);

// Every problem ValidateConfig() would report, in file order (empty when valid).
std::vector<std::string> ConfigProblems(const Config& config);

// The effective configuration as TOML (what `kronika serve --check-config` prints);
// ParseConfig(FormatConfig(c)) yields c again, except that a webhook's inline `secret` is
// written as kRedactedSecret (a secret is never printed).
inline constexpr char kRedactedSecret[] = "(redacted)";
std::string FormatConfig(const Config& config);

// "250ms", "30s", "15m", "24h", "7d" -> milliseconds. Error (no option name): not a
// positive whole number followed by one of those units.
Result<int64_t> ParseDurationMs(std::string_view text);

// The secret of a webhook: `secret`, or the contents of `secret_file` without its final
// newline. Errors name the option ("config: webhooks[arch].secret_file: ..."): kUnavailable
// the file cannot be read; kPermissionDenied its mode lets group or others in; kInvalidInput
// shorter than 16 bytes. Reads the disk; any thread.
Result<std::string> LoadWebhookSecret(const WebhookConfig& webhook);

// Splits "ADDR:PORT" / "[v6]:PORT". Error message starts with what is wrong (no option name).
Result<HostPort> ParseHostPort(std::string_view text);

}  // namespace kronika::srs
