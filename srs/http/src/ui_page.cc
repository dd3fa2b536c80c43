// The /ui/ routes (see ui_page.h).
#include "kronika/srs/http/ui_page.h"

#include <cstdint>
#include <cstdio>
#include <string_view>

#include "kronika/srs/core/log.h"
#include "ui_assets.h"
#include "ui_strings.h"

namespace kronika::srs {
namespace {

// No inline script or style and nothing from elsewhere; audio from the API (or, signed in
// with an API token, from a blob the page fetched); the page cannot be framed.
constexpr char kContentSecurityPolicy[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "media-src 'self' blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

bool EndsWith(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

std::string_view ContentType(std::string_view name) {
  if (EndsWith(name, ".html")) return "text/html; charset=utf-8";
  if (EndsWith(name, ".css")) return "text/css; charset=utf-8";
  if (EndsWith(name, ".js")) return "text/javascript; charset=utf-8";
  return "application/octet-stream";
}

// A strong validator of a body (FNV-1a, 64 bits): changes with every byte, costs nothing.
std::string ETagOf(std::string_view body) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : body) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"%016llx\"", static_cast<unsigned long long>(h));
  return buf;
}

const UiAsset* FindAsset(std::string_view name) {
  for (const UiAsset& a : UiAssets()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

// The language asked for (?lang=), when the page has it; else the office's.
std::string LanguageOf(const HttpRequest& request, const UiSettings& settings) {
  const std::string asked = request.QueryParam("lang").value_or("");
  if (asked == "pl" || asked == "en") return asked;
  return settings.language.empty() ? "pl" : settings.language;
}

// Headers every /ui answer carries; a 304 when the client holds this body already.
HttpResponse Cached(const HttpRequest& request, std::string content_type, std::string body) {
  HttpResponse out;
  const std::string etag = ETagOf(body);
  if (request.Header("If-None-Match").value_or("") == etag) {
    out.status = 304;
  } else {
    out.body = std::move(body);
  }
  out.content_type = std::move(content_type);
  out.headers.emplace_back("ETag", etag);
  out.headers.emplace_back("Cache-Control", "no-cache");
  out.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
  out.headers.emplace_back("X-Content-Type-Options", "nosniff");
  out.headers.emplace_back("Referrer-Policy", "no-referrer");
  out.headers.emplace_back("X-Frame-Options", "DENY");
  return out;
}

}  // namespace

std::string RenderUiIndex(const UiSettings& settings, const std::string& language) {
  const UiAsset* index = FindAsset("index.html");
  if (index == nullptr) return {};
  std::string scripts, styles;
  for (const UiAsset& a : UiAssets()) {  // app.css and app.js first: the embedding order
    if (EndsWith(a.name, ".js")) {
      scripts += "<script src=\"/ui/" + std::string(a.name) + "\" defer></script>\n";
    } else if (EndsWith(a.name, ".css")) {
      styles += "<link rel=\"stylesheet\" href=\"/ui/" + std::string(a.name) + "\">\n";
    }
  }
  const std::string_view page = index->body;
  std::string out;
  out.reserve(page.size() + 4096);
  size_t at = 0;
  while (true) {
    const size_t open = page.find("{{", at);
    const size_t close = open == std::string_view::npos ? open : page.find("}}", open + 2);
    if (close == std::string_view::npos) {
      out.append(page.substr(at));
      break;
    }
    out.append(page.substr(at, open - at));
    const std::string key(page.substr(open + 2, close - open - 2));
    if (key == "@lang") {
      out += HtmlEscape(language);
    } else if (key == "@tz") {
      out += HtmlEscape(settings.time_zone);
    } else if (key == "@scripts") {
      out += scripts;
    } else if (key == "@styles") {
      out += styles;
    } else if (std::optional<std::string> text = UiText(language, key)) {
      out += HtmlEscape(*text);
    } else {
      out.append(page.substr(open, close + 2 - open));  // left visible: the unit test fails on it
    }
    at = close + 2;
  }
  return out;
}

void MountUiPage(HttpServer& server, const UiSettings& settings) {
  server.Route("GET", "/ui", RouteAccess::Public(), [](const HttpRequest&) {
    HttpResponse out;
    out.status = 308;
    out.content_type = "text/plain; charset=utf-8";
    out.headers.emplace_back("Location", "/ui/");
    return out;
  });
  server.Route("GET", "/ui/*", RouteAccess::Public(), [settings](const HttpRequest& request) {
    const std::string& name = request.path_rest;
    if (name.empty() || name == "index.html") {
      return Cached(request, "text/html; charset=utf-8",
                    RenderUiIndex(settings, LanguageOf(request, settings)));
    }
    if (name == "texts.json") {
      return Cached(request, "application/json", UiTexts(LanguageOf(request, settings)).dump());
    }
    const UiAsset* asset = FindAsset(name);
    if (asset == nullptr || name.find('/') != std::string::npos) {
      return HttpResponse::JsonError(404, "no such file: /ui/" + name);
    }
    return Cached(request, std::string(ContentType(name)), std::string(asset->body));
  });
}

}  // namespace kronika::srs
