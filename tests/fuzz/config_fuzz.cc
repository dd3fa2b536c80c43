// FuzzConfigFile and FuzzSitePolicyFile: the operator's TOML files
// (fuzz_targets.h).
#include <string>
#include <string_view>

#include "fuzz_targets.h"
#include "kronika/policy/retention.h"
#include "kronika/policy/scope.h"
#include "kronika/srs/config/config.h"
#include "kronika/srs/config/site_config.h"

namespace kronika::fuzz {

int FuzzConfigFile(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  Result<srs::Config> config = srs::ParseConfig(text, "fuzz.toml");
  if (!config.ok()) return 0;
  (void)srs::ValidateConfig(*config);
  (void)srs::ConfigProblems(*config);
  // config.h: ParseConfig(FormatConfig(c)) yields c again (`kronika serve
  // --check-config`).
  const std::string formatted = srs::FormatConfig(*config);
  Result<srs::Config> again = srs::ParseConfig(formatted, "formatted.toml");
  if (!again.ok())
    FuzzContractViolated("config: FormatConfig output does not parse: " + again.error().message);
  if (srs::FormatConfig(*again) != formatted)
    FuzzContractViolated("config: ParseConfig(FormatConfig(c)) differs from c");
  return 0;
}

int FuzzSitePolicyFile(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  Result<policy::SitePolicy> site = srs::ParseSitePolicy(text, "fuzz-site.toml");
  if (!site.ok()) return 0;
  // What the daemon does with a loaded site: decide on calls and stamp
  // retention, around a DST change and at the far ends of the time range it can
  // meet.
  for (const int64_t start_ms :
       {int64_t{0}, int64_t{1774746000000}, int64_t{1792890000000}, int64_t{4102444800000}}) {
    policy::CallFacts facts;
    facts.participants = {"+48221234567", "214", ""};
    facts.caller_index = 0;
    facts.start_ms_utc = start_ms;
    (void)policy::Decide(*site, facts);
    (void)policy::StampRetention(*site, start_ms);
  }
  return 0;
}

}  // namespace kronika::fuzz
