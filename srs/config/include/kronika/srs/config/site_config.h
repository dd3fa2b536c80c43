// Site policy files (issue 7): config/sites/<site>.toml -> policy::SitePolicy.
//
// One TOML file per office; the key -> field table is in docs/compliance.md and beside each
// field of kronika/policy/site_policy.h. Unknown sections or keys are errors (a typo in a
// retention rule must not pass silently); every loaded policy went through
// policy::ValidateSitePolicy().
//
// Threads: plain functions and values; load once at start, then share read-only.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "kronika/policy/site_policy.h"
#include "kronika/result.h"

namespace kronika::srs {

// Parses one site file's text. `source` names the file in errors:
// "<source>: [retention] months: 0 not in 1..120", "<source>:12:3: <toml syntax error>".
Result<policy::SitePolicy> ParseSitePolicy(std::string_view toml_text, std::string_view source);
// Reads and parses a file. Error names the path when it cannot be read.
Result<policy::SitePolicy> LoadSitePolicyFile(const std::string& path);

// The sites a server knows, by id. Lookups are linear (a handful of offices).
class SitePolicies {
 public:
  SitePolicies() = default;
  // Loads every file; error on the first that fails or on a duplicate site id.
  static Result<SitePolicies> Load(const std::vector<std::string>& files);
  // Adds an already validated policy (tests). Replaces one with the same id.
  void Add(policy::SitePolicy policy);

  bool empty() const { return sites_.empty(); }
  const std::vector<policy::SitePolicy>& all() const { return sites_; }
  // The policy whose site_id is `id`; nullptr when none.
  const policy::SitePolicy* Find(std::string_view id) const;
  // Find(id), else the first loaded policy (a recording stored without a known site), else
  // nullptr when no site is configured.
  const policy::SitePolicy* ForRecording(std::string_view id) const;

 private:
  std::vector<policy::SitePolicy> sites_;
};

}  // namespace kronika::srs
