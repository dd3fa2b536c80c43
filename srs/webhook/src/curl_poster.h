// One HTTPS client per webhook endpoint (libcurl easy handle, kept so the TLS connection is
// reused between events). Only the endpoint's delivery thread uses it.
//
// HTTPS only (CURLOPT_PROTOCOLS_STR "https", redirects not followed), the peer verified
// against `ca_file` or the system CAs, `timeout` for the whole POST (connect included), and
// `stop` polled at least once a second while a POST is under way, so Stop() never waits
// for a dead endpoint's timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <vector>

namespace kronika::srs {

struct PostResult {
  long http_status = 0;  // 0 when no response came (connect, TLS, timeout)
  std::string error;     // "" on a response; else what failed ("timeout after 10000 ms", ...)
  bool Succeeded() const { return http_status >= 200 && http_status < 300; }
  std::string Describe() const;  // "HTTP 500" or the error
};

class CurlPoster {
 public:
  CurlPoster(std::string url, std::string ca_file, std::chrono::milliseconds timeout, const std::atomic<bool>* stop);
  ~CurlPoster();
  CurlPoster(const CurlPoster&) = delete;
  CurlPoster& operator=(const CurlPoster&) = delete;

  // POSTs `body` with `headers` ("Name: value"). Never throws.
  PostResult Post(const std::vector<std::string>& headers, const std::string& body);

 private:
  std::string url_;
  std::string ca_file_;
  std::chrono::milliseconds timeout_;
  const std::atomic<bool>* stop_;
  void* curl_ = nullptr;  // CURL*; no curl type in the header
};

}  // namespace kronika::srs
