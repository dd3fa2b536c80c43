// BadRows (see bad_rows.h).
#include "kronika/srs/store/bad_rows.h"

#include "kronika/srs/core/log.h"

namespace kronika::srs {
namespace {

// The key as it may appear in a log line: printable ASCII kept, other bytes as \xNN, at
// most 80 characters.
std::string Printable(std::string_view key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : key) {
    if (out.size() >= 80) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      out += c;
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xf];
    }
  }
  return out;
}

}  // namespace

void BadRows::Report(std::string_view table, std::string_view key, std::string_view why,
                     bool key_is_personal) {
  {
    MutexLock lock(mu_);
    if (seen_.size() < kMaxRemembered) {
      if (!seen_.emplace(std::string(table), std::string(key)).second) return;  // known
    }
    ++counts_[std::string(table)];
  }
  const std::string shown = key_is_personal ? "(key withheld: personal data)" : "'" + Printable(key) + "'";
  Logf(LogLevel::kWarn, "", "store: skipped an unreadable row in table %.*s, key %s: %.*s",
       static_cast<int>(table.size()), table.data(), shown.c_str(), static_cast<int>(why.size()),
       why.data());
}

void BadRows::Declare(std::string_view table) {
  MutexLock lock(mu_);
  counts_.emplace(std::string(table), 0);
}

std::map<std::string, uint64_t> BadRows::Counts() const {
  MutexLock lock(mu_);
  return counts_;
}

uint64_t BadRows::Total() const {
  MutexLock lock(mu_);
  uint64_t total = 0;
  for (const auto& [table, n] : counts_) total += n;
  return total;
}

}  // namespace kronika::srs
