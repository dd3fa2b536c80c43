// Key file placement checks (see key_location.h).
#include "kronika/srs/atrest/key_location.h"

#include <algorithm>
#include <string>

namespace kronika::srs {

bool IsInside(const std::filesystem::path& child, const std::filesystem::path& parent) {
  std::error_code ec;
  const auto c = std::filesystem::weakly_canonical(child, ec);
  const auto p = std::filesystem::weakly_canonical(parent, ec);
  auto [pe, ce] = std::mismatch(p.begin(), p.end(), c.begin(), c.end());
  return pe == p.end();
}

Status RequireOutsideDataDir(const std::filesystem::path& key_file, const std::filesystem::path& data_dir,
                             std::string_view what, std::string_view requirement) {
  if (data_dir.empty() || !IsInside(key_file, data_dir)) return OkStatus();
  return MakeError(ErrorCode::kInvalidInput, std::string(what) + ": " + key_file.string() +
                                                 " lies inside the data directory " +
                                                 data_dir.string() + "; keep it elsewhere (" +
                                                 std::string(requirement) + ")");
}

}  // namespace kronika::srs
