// The route table (see route_table.h).
#include "route_table.h"

#include <algorithm>
#include <utility>

namespace kronika::srs::http_internal {

bool RouteTable::IsPrefixPattern(const std::string& pattern) {
  return pattern.size() >= 2 && pattern.compare(pattern.size() - 2, 2, "/*") == 0;
}

void RouteTable::Add(std::string method, std::string pattern, Route route) {
  WriterLock lock(mu_);
  if (IsPrefixPattern(pattern)) {
    pattern.pop_back();  // keep the '/'
    prefix_[Key{std::move(method), std::move(pattern)}] = std::move(route);
  } else {
    exact_[Key{std::move(method), std::move(pattern)}] = std::move(route);
  }
}

std::optional<Route> RouteTable::Get(const std::string& method, std::string pattern) const {
  ReaderLock lock(mu_);
  const bool is_prefix = IsPrefixPattern(pattern);
  if (is_prefix) pattern.pop_back();
  const auto& table = is_prefix ? prefix_ : exact_;
  auto it = table.find(Key{method, std::move(pattern)});
  if (it == table.end()) return std::nullopt;
  return it->second;
}

std::vector<RouteInfo> RouteTable::List() const {
  ReaderLock lock(mu_);
  std::vector<RouteInfo> out;
  for (const auto& [key, route] : exact_) out.push_back({key.method, key.path, route.access, route.dispatch});
  for (const auto& [key, route] : prefix_) out.push_back({key.method, key.path + "*", route.access, route.dispatch});
  std::sort(out.begin(), out.end(), [](const RouteInfo& a, const RouteInfo& b) {
    return std::tie(a.pattern, a.method) < std::tie(b.pattern, b.method);
  });
  return out;
}

bool RouteTable::Find(const std::string& method, const std::string& path, Route& route,
                      std::string& path_rest, int& status) const {
  ReaderLock lock(mu_);
  if (auto it = exact_.find(Key{method, path}); it != exact_.end()) {
    route = it->second;
    path_rest.clear();
    return true;
  }
  bool other_method = false;
  for (const auto& [key, unused] : exact_) other_method = other_method || key.path == path;
  const std::pair<const Key, Route>* best = nullptr;
  for (const auto& entry : prefix_) {
    const Key& key = entry.first;
    if (path.compare(0, key.path.size(), key.path) != 0) continue;
    if (key.method != method) {
      other_method = true;
      continue;
    }
    if (best == nullptr || key.path.size() > best->first.path.size()) best = &entry;
  }
  if (best == nullptr) {
    status = other_method ? 405 : 404;
    return false;
  }
  route = best->second;
  path_rest = path.substr(best->first.path.size());
  return true;
}

}  // namespace kronika::srs::http_internal
