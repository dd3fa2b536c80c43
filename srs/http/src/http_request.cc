// HttpRequest/HttpResponse helpers (see http_server.h); no HTTP library here.
#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "kronika/srs/core/json_record.h"
#include "kronika/srs/http/http_server.h"

namespace kronika::srs {

std::optional<std::string> HttpRequest::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() &&
        std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return std::nullopt;
}

std::optional<std::string> HttpRequest::QueryParam(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string> HttpRequest::Cookie(std::string_view name) const {
  for (const auto& [key, value] : cookies) {
    if (key == name) return value;
  }
  return std::nullopt;
}

HttpResponse HttpResponse::JsonError(int status, std::string_view message) {
  HttpResponse r;
  r.status = status;
  r.body = DumpJson(nlohmann::json{{"error", {{"status", status}, {"message", message}}}});
  return r;
}

}  // namespace kronika::srs
