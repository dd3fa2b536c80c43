#include "config_fields.h"

#include <array>
#include <map>
#include <type_traits>
#include <utility>

namespace kronika::srs {
namespace {

template <typename T>
constexpr FieldType TypeOf() {
  if constexpr (std::is_same_v<T, std::string>) return FieldType::kString;
  if constexpr (std::is_same_v<T, int>) return FieldType::kInt;
  if constexpr (std::is_same_v<T, bool>) return FieldType::kBool;
  if constexpr (std::is_same_v<T, std::vector<std::string>>) return FieldType::kStringList;
  if constexpr (std::is_same_v<T, std::map<std::string, std::string>>) return FieldType::kStringMap;
  if constexpr (std::is_same_v<T, std::map<std::string, std::vector<std::string>>>) return FieldType::kStringListMap;
}

// The field's type comes from the member itself, so the table cannot lie about it.
template <typename Accessor>
constexpr ConfigField MakeField(const char* section, const char* key, Accessor) {
  using T = std::remove_pointer_t<decltype(Accessor{}(std::declval<Config&>()))>;
  return ConfigField{section, key, TypeOf<T>(), [](Config& c) -> void* { return Accessor{}(c); }};
}

#define KRONIKA_FIELD(section, key) \
  MakeField(#section, #key, [](Config& c) { return &c.section.key; })

const std::array kFields = {
    KRONIKA_FIELD(sip, listen),
    KRONIKA_FIELD(sip, tls_listen),
    KRONIKA_FIELD(sip, tls_cert_dir),
    KRONIKA_FIELD(sip, max_sessions),
    KRONIKA_FIELD(sip, accept_non_siprec),
    KRONIKA_FIELD(sip, session_timer),
    KRONIKA_FIELD(sip, retry_after),
    KRONIKA_FIELD(sip, user_agent),
    KRONIKA_FIELD(sip, max_streams),
    KRONIKA_FIELD(sip, max_message_bytes),
    KRONIKA_FIELD(sip, max_sessions_per_source),
    KRONIKA_FIELD(sip, allowed_sources),
    KRONIKA_FIELD(sip, tls_verify_client),
    KRONIKA_FIELD(sip, tls_client_subjects),
    KRONIKA_FIELD(media, rtp_port_min),
    KRONIKA_FIELD(media, rtp_port_max),
    KRONIKA_FIELD(media, bind_ip),
    KRONIKA_FIELD(media, workers),
    KRONIKA_FIELD(media, opus_bitrate),
    KRONIKA_FIELD(media, opus_complexity),
    KRONIKA_FIELD(media, opus_packet_ms),
    KRONIKA_FIELD(media, opus_dual_mono),
    KRONIKA_FIELD(media, stereo),
    KRONIKA_FIELD(media, rtp_timeout_ms),
    KRONIKA_FIELD(media, source_check),
    KRONIKA_FIELD(media, latch_source_silence_ms),
    KRONIKA_FIELD(media, ssrc_silence_ms),
    KRONIKA_FIELD(media, no_rtp_warning_ms),
    KRONIKA_FIELD(media, gap_min_ms),
    KRONIKA_FIELD(media, partial_gap_ms),
    KRONIKA_FIELD(media, min_signal_ms),
    KRONIKA_FIELD(media, min_free_disk_mb),
    KRONIKA_FIELD(codecs, preference),
    KRONIKA_FIELD(http, listen),
    KRONIKA_FIELD(http, tls_cert),
    KRONIKA_FIELD(http, tls_key),
    KRONIKA_FIELD(storage, data_dir),
    KRONIKA_FIELD(storage, lmdb_map_size_mb),
    KRONIKA_FIELD(site, name),
    KRONIKA_FIELD(site, country_code),
    KRONIKA_FIELD(policy, site_files),
    KRONIKA_FIELD(policy, sweep_interval_s),
    KRONIKA_FIELD(policy, overwrite_on_delete),
    KRONIKA_FIELD(log, level),
    KRONIKA_FIELD(events, keep_days),
    KRONIKA_FIELD(events, node),
    KRONIKA_FIELD(office, language),
    KRONIKA_FIELD(office, time_zone),
    KRONIKA_FIELD(office, name),
    KRONIKA_FIELD(office, address),
    KRONIKA_FIELD(office, place),
    KRONIKA_FIELD(office, logo),
    KRONIKA_FIELD(signin, idle_timeout),
    KRONIKA_FIELD(signin, lifetime),
    KRONIKA_FIELD(signin, lockout_failures),
    KRONIKA_FIELD(signin, lockout_address_failures),
    KRONIKA_FIELD(signin, lockout_window),
    KRONIKA_FIELD(signin, lockout_duration),
    KRONIKA_FIELD(ldap, url),
    KRONIKA_FIELD(ldap, start_tls),
    KRONIKA_FIELD(ldap, ca_file),
    KRONIKA_FIELD(ldap, bind_dn),
    KRONIKA_FIELD(ldap, search_base),
    KRONIKA_FIELD(ldap, search_filter),
    KRONIKA_FIELD(ldap, service_dn),
    KRONIKA_FIELD(ldap, service_password_file),
    KRONIKA_FIELD(ldap, group_attribute),
    KRONIKA_FIELD(ldap, name_attribute),
    KRONIKA_FIELD(ldap, surname_attribute),
    KRONIKA_FIELD(ldap, position_attribute),
    KRONIKA_FIELD(ldap, timeout),
    KRONIKA_FIELD(ldap, max_concurrent),
    KRONIKA_FIELD(ldap, group_roles),
};

#undef KRONIKA_FIELD

}  // namespace

std::span<const ConfigField> ConfigFields() { return kFields; }

const ConfigField* FindField(std::string_view section, std::string_view key) {
  for (const ConfigField& field : kFields) {
    if (section == field.section && key == field.key) return &field;
  }
  return nullptr;
}

bool KnownSection(std::string_view section) {
  for (const ConfigField& field : kFields) {
    if (section == field.section) return true;
  }
  return false;
}

}  // namespace kronika::srs
