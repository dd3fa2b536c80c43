#include "curl_poster.h"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "kronika/srs/core/version.h"

namespace kronika::srs {
namespace {

constexpr long kMaxConnectTimeoutMs = 10000;

// A receiver's answer body is not kept: only its status counts.
size_t Discard(char*, size_t size, size_t count, void*) { return size * count; }

int Progress(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::atomic<bool>*>(stop)->load(std::memory_order_acquire) ? 1 : 0;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace

std::string PostResult::Describe() const {
  return error.empty() ? "HTTP " + std::to_string(http_status) : error;
}

CurlPoster::CurlPoster(std::string url, std::string ca_file, std::chrono::milliseconds timeout,
                       const std::atomic<bool>* stop)
    : url_(std::move(url)), ca_file_(std::move(ca_file)), timeout_(timeout), stop_(stop) {
  GlobalInit();
}

CurlPoster::~CurlPoster() {
  if (curl_ != nullptr) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

PostResult CurlPoster::Post(const std::vector<std::string>& headers, const std::string& body) {
  PostResult result;
  if (curl_ == nullptr) curl_ = curl_easy_init();
  CURL* curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) {
    result.error = "curl: cannot make a handle";
    return result;
  }
  curl_slist* list = nullptr;
  for (const std::string& h : headers) list = curl_slist_append(list, h.c_str());
  list = curl_slist_append(list, "Expect:");  // no 100-continue round trip
  const std::string agent = std::string("Kronika-Webhook/") + kKronikaVersion;
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_reset(curl);  // keeps the connection cache, drops the previous options
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!ca_file_.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file_.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, std::min(kMaxConnectTimeoutMs, static_cast<long>(timeout_.count())));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Discard);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &Progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, const_cast<std::atomic<bool>*>(stop_));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.http_status);
  } else {
    result.error = std::string("curl: ") + (error[0] != '\0' ? error : curl_easy_strerror(rc));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  curl_slist_free_all(list);
  return result;
}

}  // namespace kronika::srs
