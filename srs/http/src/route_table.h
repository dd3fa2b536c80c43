// RouteTable: HttpServer's routes, independent of the HTTP library that carries them.
//
// A pattern is an exact path ("/healthz") or a prefix ending in "/*" ("/api/v1/recordings/*"
// matches "/api/v1/recordings/ABC" with path_rest "ABC"). Exact routes win over prefixes;
// longer prefixes win over shorter ones. A later Add() of the same method + pattern replaces
// the earlier one.
//
// Threads: Add() and Find() may run concurrently from any thread (a shared mutex).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/srs/http/http_server.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs::http_internal {

struct Route {
  HttpHandler handler;
  RouteDispatch dispatch = RouteDispatch::kWorker;
  RouteAccess access;
};

class RouteTable {
 public:
  void Add(std::string method, std::string pattern, Route route);
  // A copy of the route registered for exactly this method + pattern (as given to Add()).
  std::optional<Route> Get(const std::string& method, std::string pattern) const;
  // Every route with its pattern as given to Add(), ordered by pattern then method.
  std::vector<RouteInfo> List() const;
  // The route for `method` on `path`, copied (the caller runs it after the lock is gone),
  // with the rest of the path after a prefix route's prefix. False when there is none, with
  // `status` 404 (no such path) or 405 (the path exists for other methods).
  bool Find(const std::string& method, const std::string& path, Route& route, std::string& path_rest,
            int& status) const;

 private:
  struct Key {
    std::string method;
    std::string path;  // exact path, or the prefix (with its trailing '/') of a "/*" pattern
    bool operator<(const Key& o) const { return std::tie(path, method) < std::tie(o.path, o.method); }
  };
  static bool IsPrefixPattern(const std::string& pattern);

  mutable SharedMutex mu_;
  std::map<Key, Route> exact_ GUARDED_BY(mu_);
  std::map<Key, Route> prefix_ GUARDED_BY(mu_);
};

}  // namespace kronika::srs::http_internal
