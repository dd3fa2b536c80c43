#include "kronika/policy/quota_usage.h"

namespace kronika::policy {

QuotaChange QuotaUsage::Set(const QuotaPolicy& quota, std::string_view site, uint64_t bytes) {
  auto it = used_.find(site);
  if (it == used_.end()) it = used_.emplace(std::string(site), 0).first;
  const QuotaStatus before = AssessQuota(quota, it->second);
  it->second = bytes;
  QuotaChange change;
  change.status = AssessQuota(quota, bytes);
  change.level_changed = change.status.level != before.level;
  change.crossed_limit = before.level != QuotaLevel::kFull && change.status.level == QuotaLevel::kFull;
  return change;
}

QuotaChange QuotaUsage::Resync(const QuotaPolicy& quota, std::string_view site, uint64_t bytes) {
  return Set(quota, site, bytes);
}

QuotaChange QuotaUsage::Add(const QuotaPolicy& quota, std::string_view site, uint64_t bytes) {
  const uint64_t used = Used(site);
  return Set(quota, site, bytes > UINT64_MAX - used ? UINT64_MAX : used + bytes);
}

QuotaChange QuotaUsage::Remove(const QuotaPolicy& quota, std::string_view site, uint64_t bytes) {
  const uint64_t used = Used(site);
  return Set(quota, site, bytes > used ? 0 : used - bytes);
}

uint64_t QuotaUsage::Used(std::string_view site) const {
  auto it = used_.find(site);
  return it == used_.end() ? 0 : it->second;
}

QuotaAdmission QuotaUsage::Admit(const QuotaPolicy& quota, std::string_view site) const {
  QuotaAdmission a;
  a.status = AssessQuota(quota, Used(site));
  if (a.status.level == QuotaLevel::kFull && quota.at_limit == QuotaAction::kRefuseNew) {
    a.admit = false;
    a.text = "quota: site " + std::string(site) + " storage full, new recordings refused (at_limit = refuse-new): " +
             a.status.text;
  }
  return a;
}

}  // namespace kronika::policy
