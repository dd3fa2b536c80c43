// SIGHUP reload (issue 15 item 5): which settings changed, which a running daemon takes over,
// and site policies replaced under readers that still hold the old ones.
#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "kronika/policy/site_policy.h"
#include "kronika/srs/config/config.h"
#include "kronika/srs/config/config_changes.h"
#include "kronika/srs/config/site_config.h"

namespace kronika::srs {
namespace {

Config Parsed(const std::string& toml) {
  Result<Config> c = ParseConfig(toml, "test.toml");
  REQUIRE(c.ok());
  return *c;
}

policy::SitePolicy Site(const std::string& id, int months) {
  policy::SitePolicy p;
  p.site_id = id;
  p.retention.months = months;
  Result<policy::SitePolicy> valid = policy::ValidateSitePolicy(p);
  REQUIRE(valid.ok());
  return *valid;
}

TEST_CASE("reload: the changed settings are named as in kronika.toml, and only log.level, the site files and the HTTPS certificate are taken over live") {
  const Config before = Parsed("[sip]\nlisten = \"127.0.0.1:5060\"\n[log]\nlevel = \"info\"\n");
  const Config after = Parsed(
      "[sip]\nlisten = \"127.0.0.1:5070\"\n[log]\nlevel = \"debug\"\n"
      "[policy]\nsite_files = [\"/etc/kronika/sites/waw.toml\"]\n");
  const std::vector<ConfigChange> changes = ChangedSettings(before, after);
  std::vector<std::string> keys;
  for (const ConfigChange& c : changes) keys.push_back(c.key);
  CHECK(keys == std::vector<std::string>{"sip.listen", "policy.site_files", "log.level"});
  for (const ConfigChange& c : changes) {
    if (c.key == "log.level") {
      CHECK_THAT(c.before, Catch::Contains("info"));
      CHECK_THAT(c.after, Catch::Contains("debug"));
    }
  }
  CHECK(ReloadableSetting("log.level"));
  CHECK(ReloadableSetting("policy.site_files"));
  CHECK_FALSE(ReloadableSetting("sip.listen"));
  CHECK(ReloadableSetting("http.tls_cert"));  // issue 15 item 5: the HTTPS certificate
  CHECK(ReloadableSetting("http.tls_key"));
  CHECK_FALSE(ReloadableSetting("sip.tls_cert_dir"));  // sofia-sip reads it at start only
  CHECK(ChangedSettings(before, before).empty());
}

TEST_CASE("reload: replaced site policies reach new readers; what an old reader holds stays valid") {
  SitePolicies sites;
  sites.Add(Site("waw1", 3));
  const policy::SitePolicy* held = sites.ForRecording("waw1");  // e.g. the sweeper mid-pass
  const std::vector<policy::SitePolicy>& held_all = sites.all();
  REQUIRE(held != nullptr);

  SitePolicies next;
  next.Add(Site("waw1", 24));
  next.Add(Site("krk1", 6));
  sites.Replace(next);

  CHECK(held->retention.months == 3);  // untouched, not freed
  CHECK(held_all.size() == 1);
  CHECK(sites.Find("waw1")->retention.months == 24);
  CHECK(sites.Find("krk1") != nullptr);
  CHECK(sites.all().size() == 2);
  SitePolicies copy = sites;  // a copy holds the current sites
  CHECK(copy.Find("krk1") != nullptr);
}

TEST_CASE("reload: readers on other threads see one whole set of sites or the other") {
  SitePolicies sites;
  sites.Add(Site("waw1", 3));
  SitePolicies longer;
  longer.Add(Site("waw1", 24));
  std::atomic<bool> stop{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!stop.load()) {
      const policy::SitePolicy* s = sites.ForRecording("waw1");
      if (s == nullptr || (s->retention.months != 3 && s->retention.months != 24)) ++torn;
    }
  });
  for (int i = 0; i < 200; ++i) sites.Replace(i % 2 ? longer : SitePolicies(sites));
  stop = true;
  reader.join();
  CHECK(torn == 0);
}

}  // namespace
}  // namespace kronika::srs
