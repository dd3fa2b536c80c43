// Site policy files (issue 7): config/sites/<site>.toml -> policy::SitePolicy.
//
// One TOML file per office; the key -> field table is in docs/compliance.md and beside each
// field of kronika/policy/site_policy.h. Unknown sections or keys are errors (a typo in a
// retention rule must not pass silently); every loaded policy went through
// policy::ValidateSitePolicy().
//
// Threads: plain functions, and SitePolicies, which any thread may read while one thread
// replaces its contents (SIGHUP, docs/operations.md "Reloading the configuration").
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/policy/site_policy.h"
#include "kronika/result.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

// Parses one site file's text. `source` names the file in errors:
// "<source>: [retention] months: 0 not in 1..120", "<source>:12:3: <toml syntax error>".
Result<policy::SitePolicy> ParseSitePolicy(std::string_view toml_text, std::string_view source);
// Reads and parses a file. Error names the path when it cannot be read.
Result<policy::SitePolicy> LoadSitePolicyFile(const std::string& path);

// The sites a server knows, by id. Lookups are linear (a handful of offices).
//
// Reloadable without a lock on the read side: every set of sites ever installed is kept
// until the object is destroyed and readers follow an atomic pointer to the current one, so
// a SitePolicy* or all() reference handed out before a Replace() stays valid (the SIP
// thread, the sweeper and the admin socket hold them across a call). What is kept is a few
// KB per reload, and reloads are an operator's SIGHUPs.
class SitePolicies {
 public:
  SitePolicies();
  // A copy holds the other's current sites (a fresh history).
  SitePolicies(const SitePolicies& other);
  SitePolicies& operator=(const SitePolicies& other);
  SitePolicies(SitePolicies&&) noexcept = default;
  SitePolicies& operator=(SitePolicies&&) noexcept = default;
  ~SitePolicies();

  // Loads every file; error on the first that fails or on a duplicate site id.
  static Result<SitePolicies> Load(const std::vector<std::string>& files);
  // Adds an already validated policy (tests). Replaces one with the same id.
  void Add(policy::SitePolicy policy);
  // Makes `next`'s sites the current ones for every reader, on any thread (SIGHUP reload).
  void Replace(const SitePolicies& next);

  bool empty() const { return all().empty(); }
  const std::vector<policy::SitePolicy>& all() const;
  // The policy whose site_id is `id`; nullptr when none.
  const policy::SitePolicy* Find(std::string_view id) const;
  // Find(id), else the first loaded policy (a recording stored without a known site), else
  // nullptr when no site is configured.
  const policy::SitePolicy* ForRecording(std::string_view id) const;

 private:
  using Sites = std::vector<policy::SitePolicy>;
  struct History {
    Mutex mu;                                                   // writers: Add, Replace
    std::vector<std::unique_ptr<const Sites>> kept GUARDED_BY(mu);  // every set ever current
    std::atomic<const Sites*> current{nullptr};      // never null; points into `kept`
  };
  void Install(Sites sites);

  std::unique_ptr<History> history_;
};

}  // namespace kronika::srs
