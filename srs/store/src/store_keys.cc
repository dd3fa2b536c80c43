#include "store_keys.h"

#include <algorithm>

#include "kronika/phone/phone_number.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

std::string NumberIndexKey(std::string_view number) { return phone::WithoutSeparators(number); }

std::string TimeKey(int64_t time_ms_utc, std::string_view recording_id) {
  uint64_t u = static_cast<uint64_t>(time_ms_utc) ^ (uint64_t{1} << 63);
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i) {
    key[i] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
  key.append(recording_id);
  return key;
}

bool SplitTimeKey(std::string_view key, int64_t& time_ms_utc, std::string& recording_id) {
  if (key.size() < 8) return false;
  uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = (u << 8) | static_cast<uint8_t>(key[i]);
  time_ms_utc = static_cast<int64_t>(u ^ (uint64_t{1} << 63));
  recording_id.assign(key.substr(8));
  return true;
}

std::vector<std::string> NumberKeysOf(const RecordingRecord& record) {
  std::vector<std::string> keys;
  for (const ParticipantRecord& p : record.participants) {
    for (const std::string* n : {&p.number_e164, &p.number_original}) {
      std::string key = NumberIndexKey(*n);
      if (key.empty() || key.size() > kMaxNumberKeyBytes) continue;
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
    }
  }
  return keys;
}

}  // namespace kronika::srs
