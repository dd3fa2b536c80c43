// The access routes on the HTTP server (see access_routes.h, docs/api.md): authentication
// and roles (ACCESS-1), audio with the register entry first (REG-1), the playback
// workflow, the register and disclosures, over AccessContext (srs/access); the /ui page is
// ui_page.cc.
#include "kronika/srs/http/access_routes.h"

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "byte_range.h"
#include "listener_view.h"
#include "request_auth.h"
#include "request_documents.h"
#include "ui_assets.h"
#include "kronika/srs/access/access_db.h"
#include "kronika/srs/access/access_disclosure.h"
#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/access/access_register.h"
#include "kronika/srs/access/listening_sessions.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/access/office_documents.h"
#include "kronika/srs/access/export_purge.h"
#include "kronika/srs/access/package_archive.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse Json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = DumpJson(body);
  return r;
}

HttpResponse ErrorResponse(const Error& e) {
  return HttpResponse::JsonError(HttpStatus(e), e.message);
}

const std::vector<Role> kMetadataReaders = {Role::kRecordsKeeper, Role::kApprover, Role::kListener,
                                            Role::kDpo, Role::kAuditor};
const std::vector<Role> kWorkflowReaders = {Role::kRecordsKeeper, Role::kApprover, Role::kDpo,
                                            Role::kAuditor, Role::kUnitHead};

nlohmann::json ParticipantsJson(const RecordingRecord& r) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : r.participants) {
    out.push_back({{"name", p.name}, {"number", DisplayNumber(p)}, {"aor", p.aor}});
  }
  return out;
}

nlohmann::json UserJson(const User& u) {
  nlohmann::json roles = nlohmann::json::array();
  for (Role r : u.roles) roles.push_back(RoleName(r));
  return {{"username", u.username},          {"name", u.name}, {"surname", u.surname},
          {"position", u.position},          {"roles", roles}, {"disabled", u.disabled},
          {"authorised_by", u.authorised_by}};
}

Result<nlohmann::json> ParseBody(const HttpRequest& request) {
  if (request.body.empty()) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(request.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return MakeError(ErrorCode::kInvalidInput, "body: a JSON object is expected");
  return j;
}

// Which listening session an audio request belongs to (listening_sessions.h): the page's
// `session` parameter, else the credential the request carries. 400 for a malformed one.
Result<ListeningSessionKey> ListeningKeyOf(const HttpRequest& request, const Identity& who,
                                           const std::string& recording_id, const std::string& request_id) {
  std::string player = request.QueryParam("session").value_or("");
  if (!player.empty() && !IsListeningSessionId(player))
    return MakeError(ErrorCode::kInvalidInput, "session: 16-64 letters, digits, '_' or '-'");
  if (player.empty()) player = "credential:" + who.Credential();
  return ListeningSessionKey{who.user.username, recording_id, request_id, std::move(player)};
}

// POST /api/v1/recordings/{id}/listening {session?, request?, played: [{from_s, to_s}...]}:
// the player's own account of what it played, kept for the session's closing line. 404 when
// no session of this listener and player is open for the recording.
HttpResponse ReportPlayed(AccessContext& c, const HttpRequest& request, const Identity& who,
                          const std::string& recording_id) {
  auto body = ParseBody(request);
  if (!body.ok()) return ErrorResponse(body.error());
  const nlohmann::json played = body->value("played", nlohmann::json());
  if (!played.is_array() || played.size() > 10000)
    return HttpResponse::JsonError(400, "played: an array of {from_s, to_s} (seconds) is expected");
  std::vector<PlayedPart> parts;
  for (const nlohmann::json& p : played) {
    if (!p.is_object() || !p.value("from_s", nlohmann::json()).is_number() ||
        !p.value("to_s", nlohmann::json()).is_number())
      return HttpResponse::JsonError(400, "played: each part is {from_s, to_s} in seconds");
    parts.push_back({p["from_s"].get<double>(), p["to_s"].get<double>()});
  }
  const std::string session = body->value("session", "");
  if (!session.empty() && !IsListeningSessionId(session))
    return HttpResponse::JsonError(400, "session: 16-64 letters, digits, '_' or '-'");
  ListeningSessionKey key{who.user.username, recording_id, body->value("request", ""),
                          session.empty() ? "credential:" + who.Credential() : session};
  Status s = c.listening_sessions().ReportPlayed(key, parts, NowMs());
  if (!s.ok()) return ErrorResponse(s.error());
  return Json(200, {{"recording_id", recording_id}, {"parts", parts.size()}});
}

// GET /api/v1/recordings/{id}/audio: an approved request's audio (ACCESS-2..5), the
// register entry written before any byte leaves (REG-1).
HttpResponse Audio(const RequestAuth& auth, const HttpRequest& request, const Identity& who,
                   const std::string& recording_id) {
  AccessContext& c = auth.context();
  HttpResponse refusal;
  auto record = c.store().Get(recording_id);
  if (!record.ok()) return ErrorResponse(record.error());
  if (!record->has_value()) return HttpResponse::JsonError(404, "no recording " + recording_id);
  const int64_t now = NowMs();
  auto grant = c.playback().AuthorisePlayback(who, recording_id,
                                               request.QueryParam("request").value_or(""), now);
  if (!grant.ok()) {
    auth.Refuse(
        request, who,
        grant.error().message.find("RIGHTS-3") != std::string::npos ? "restricted" : "not_approved",
        grant.error().message, refusal, recording_id);
    return refusal;
  }
  const RecordingRecord& r = **record;
  uint64_t total = 0;
  // Size first (cheap: header only), then the range.
  auto probe = ReadRecordingAudio(c.keys(), recording_id, c.PlainPathOf(r), 0, 0, total);
  if (!probe.ok()) return ErrorResponse(probe.error());
  const ByteRangeRequest range = ParseByteRange(request.Header("Range").value_or(""), total);
  if (range.kind == ByteRangeRequest::Kind::kUnsatisfiable) {
    HttpResponse out = HttpResponse::JsonError(416, "range not satisfiable");
    out.headers.emplace_back("Content-Range", "bytes */" + std::to_string(total));
    return out;
  }
  const bool ranged = range.kind == ByteRangeRequest::Kind::kSatisfiable;
  const uint64_t from = ranged ? range.first : 0;
  const uint64_t to = ranged ? range.last : (total == 0 ? 0 : total - 1);
  auto bytes = ReadRecordingAudio(c.keys(), recording_id, c.PlainPathOf(r), from,
                                  total == 0 ? 0 : to - from + 1, total);
  if (!bytes.ok()) return ErrorResponse(bytes.error());

  // REG-1: the register entry is made before any audio leaves; no entry, no audio. One
  // entry per listening session (listening_sessions.h): a later Range request of the same
  // player only adds the part it serves.
  const double duration =
      r.duration_s > 0
          ? r.duration_s
          : (r.end_ms_utc > r.start_ms_utc ? (r.end_ms_utc - r.start_ms_utc) / 1000.0 : 0);
  auto at = [&](uint64_t byte) {
    return total == 0 ? 0.0
                      : std::round(duration * static_cast<double>(byte) /
                                   static_cast<double>(total) * 10) /
                            10;
  };
  const nlohmann::json& g = *grant;
  auto key = ListeningKeyOf(request, who, recording_id, g.value("id", ""));
  if (!key.ok()) return ErrorResponse(key.error());
  auto opening_entry = [&] {
    const nlohmann::json participants = ParticipantsJson(r);
    return nlohmann::json{
        {"recording_id", recording_id},
        {"calling_number", participants.size() > 0 ? participants[0].value("number", "") : ""},
        {"called_number", participants.size() > 1 ? participants[1].value("number", "") : ""},
        {"call_start_utc", FormatUtcTime(r.start_ms_utc)},
        {"call_end_utc", FormatUtcTime(r.end_ms_utc)},
        {"participants", participants},
        {"listened_from_s", at(from)},
        {"listened_to_s", at(total == 0 ? 0 : to + 1)},
        {"bytes", {{"from", from}, {"to", to}, {"total", total}}},
        {"listener",
         {{"username", who.user.username},
          {"name", who.user.name},
          {"surname", who.user.surname},
          {"position", who.user.position}}},
        {"listened_at_utc", FormatUtcTime(now)},
        {"listened_at_ms_utc", now},
        {"identity",
         {{"username", who.user.username},
          {"token_id", who.token_id},
          {"session_id", who.session_id},  // a sign-in session's public id (issue 16 item 4)
          {"remote_addr", request.remote_addr}}},
        {"request_id", g.value("id", "")},
        {"reason", g.value("reason", "")},
        {"reason_text", g.value("reason_text", "")},
        {"justification", g.value("justification", "")},
        {"protocol", g.value("protocol", nlohmann::json::object())},
        {"approved_by", g["decision"].value("by_name", "")},
        {"approver_note", g["decision"].value("note", "")},
        {"employee_informed", g["informed"][recording_id]},
    };
  };
  c.listening_sessions().CloseIdle(now);
  auto seq = c.listening_sessions().Serve(*key, PlayedPart{at(from), at(total == 0 ? 0 : to + 1)}, now,
                                          opening_entry);
  if (!seq.ok()) {
    Logf(LogLevel::kError, recording_id.c_str(),
         "access: playback refused, register append failed: %s", seq.error().message.c_str());
    return HttpResponse::JsonError(500,
                                   "playback refused: the listening register could not be written");
  }
  c.CountPlayback();
  Logf(LogLevel::kInfo, recording_id.c_str(),
       "access: playback bytes %llu-%llu/%llu by %s (request %s, register #%s)",
       static_cast<unsigned long long>(from), static_cast<unsigned long long>(to),
       static_cast<unsigned long long>(total), who.user.username.c_str(), g.value("id", "").c_str(),
       std::to_string(*seq).c_str());
  HttpResponse out;
  out.status = ranged ? 206 : 200;
  out.content_type = "audio/ogg";
  out.body = std::move(*bytes);
  out.headers.emplace_back("Accept-Ranges", "bytes");
  if (ranged) {
    out.headers.emplace_back("Content-Range", "bytes " + std::to_string(from) + "-" +
                                                  std::to_string(to) + "/" + std::to_string(total));
  }
  out.headers.emplace_back("X-Kronika-Register-Entry", std::to_string(*seq));
  return out;
}


DocumentSettings Documents(const AccessContext& c, const HttpRequest& request) {
  return RequestDocuments(c, request, NowMs());
}

// GET /api/v1/disclosures/{id}/protocol[?format=html|pdf][&lang=pl|en] (DISC-3); without `format`,
// "Accept: application/pdf" picks the PDF, anything else the HTML.
HttpResponse DisclosureProtocolResponse(const AccessContext& c, const HttpRequest& request,
                                        const std::string& id) {
  std::string format = request.QueryParam("format").value_or("");
  if (format.empty()) {
    const std::string accept = request.Header("Accept").value_or("");
    format = accept.find("application/pdf") != std::string::npos ? "pdf" : "html";
  }
  if (format != "html" && format != "pdf")
    return HttpResponse::JsonError(400, "format: expected html or pdf");
  auto protocol = c.disclosures().Protocol(
      id, format == "pdf" ? ProtocolFormat::kPdf : ProtocolFormat::kHtml, c.signing(), Documents(c, request));
  if (!protocol.ok()) return ErrorResponse(protocol.error());
  HttpResponse out;
  out.content_type = format == "pdf" ? "application/pdf" : "text/html; charset=utf-8";
  out.body = std::move(*protocol);
  out.headers.emplace_back("Content-Disposition",
                           "inline; filename=\"protocol-" + id + "." + format + "\"");
  return out;
}

bool EndsWith(const std::string& text, std::string_view suffix) {
  return text.size() > suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// GET /api/v1/disclosures/{id}/package (DISC-3): the latest package of a granted
// disclosure as one ZIP download, for the records keeper only (it holds the decrypted
// audio). The package is checked against its manifest first: a package altered on disk is
// refused, not handed over.
HttpResponse DisclosurePackageResponse(const RequestAuth& auth, const HttpRequest& request, const Identity& who,
                                       const std::string& id) {
  AccessContext& c = auth.context();
  if (!who.user.Has(Role::kRecordsKeeper)) {
    HttpResponse refusal;
    auth.Refuse(request, who, "forbidden", "role required: records_keeper (DISC-3)", refusal);
    return refusal;
  }
  auto d = c.disclosures().Get(id);
  if (!d.ok()) return ErrorResponse(d.error());
  std::optional<nlohmann::json> latest;  // the newest export not purged
  for (const nlohmann::json& e : d->value("exports", nlohmann::json::array())) {
    if (e.value("purged", nlohmann::json(nullptr)).is_null()) latest = e;
  }
  if (!latest) return HttpResponse::JsonError(409, "disclosure " + id + " has no package to download: build it first");
  const std::filesystem::path package = latest->value("package", "");
  PackageVerification check = VerifyExportPackage(package, PackageTrust{});
  if (!check.ok) {
    std::string problems;
    for (const std::string& p : check.problems) problems += (problems.empty() ? "" : "; ") + p;
    Logf(LogLevel::kError, "", "access: package %s of %s not served: it fails its manifest: %s",
         package.c_str(), id.c_str(), problems.c_str());
    return HttpResponse::JsonError(409, "the package of " + id + " no longer matches its manifest: " + problems);
  }
  auto zip = ZipPackage(package, id);
  if (!zip.ok()) return ErrorResponse(zip.error());
  Logf(LogLevel::kInfo, "", "access: %s downloaded the package of disclosure %s (%zu bytes, %zu files)",
       who.user.username.c_str(), id.c_str(), zip->size(), check.files);
  HttpResponse out;
  out.content_type = "application/zip";
  out.body = std::move(*zip);
  out.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + id + ".zip\"");
  out.headers.emplace_back("X-Kronika-Manifest-Sha256", latest->value("manifest_sha256", ""));
  return out;
}

// POST /api/v1/disclosures/{id}/purge {reason} (DISC-3): the records keeper removes the
// disclosure's packages from the server after the hand-over.
Result<nlohmann::json> PurgePackages(AccessContext& c, const Identity& who, const std::string& id,
                                     const nlohmann::json& body) {
  if (!who.user.Has(Role::kRecordsKeeper)) {
    return MakeError(ErrorCode::kPermissionDenied, "role required: records_keeper (DISC-3)");
  }
  const std::string reason = body.contains("reason") && body["reason"].is_string() ? body["reason"].get<std::string>() : "";
  ASSIGN_OR_RETURN(ExportPurgeOutcome outcome, PurgeDisclosurePackages(c.db(), id, who.user.username, reason, NowMs()));
  nlohmann::json purged = nlohmann::json::array();
  for (const PurgedExport& p : outcome.purged) {
    purged.push_back({{"package", p.package}, {"exported_at_utc", FormatUtcTime(p.exported_at_ms_utc)},
                      {"package_was_gone", p.package_was_gone}});
  }
  if (purged.empty() && !outcome.failures.empty()) {
    std::string failures;
    for (const std::string& f : outcome.failures) failures += (failures.empty() ? "" : "; ") + f;
    return MakeError(ErrorCode::kIo, "no package purged: " + failures);
  }
  return nlohmann::json{{"disclosure_id", id}, {"purged", purged}, {"failures", outcome.failures}};
}

}  // namespace

void MountAccessApi(HttpServer& server, AccessContext& context) {
  auto auth = std::make_shared<const RequestAuth>(context);
  AccessContext* c = &context;
  using Guarded = GuardedHandler;
  auto mount = [&server, auth](std::string method, std::string pattern, std::vector<Role> roles, Guarded fn) {
    MountGuarded(server, auth, std::move(method), std::move(pattern), std::move(roles), std::move(fn));
  };
  auto result = [](const Result<nlohmann::json>& r, int ok_status = 200) {
    return r.ok() ? Json(ok_status, *r) : ErrorResponse(r.error());
  };
  // POST <prefix>/{id}/{action} with a JSON body: `act` does the work (nullopt: no such
  // action, 404); a 403 from it is a logged, counted refusal, a success is logged as
  // "<user> recorded <action> on <what><id>".
  using Act = std::function<std::optional<Result<nlohmann::json>>(
      const Identity&, const std::string& id, const std::string& action, const nlohmann::json& body)>;
  auto action_route = [auth, result](std::string what, Act act) -> Guarded {
    return [auth, result, what = std::move(what), act = std::move(act)](const HttpRequest& request,
                                                                     const Identity& who) {
      const std::string& rest = request.path_rest;
      const size_t slash = rest.find('/');
      if (slash == std::string::npos) return HttpResponse::JsonError(404, "no such resource: " + request.path);
      const std::string id = rest.substr(0, slash), action = rest.substr(slash + 1);
      auto body = ParseBody(request);
      if (!body.ok()) return ErrorResponse(body.error());
      Result<nlohmann::json> r = act(who, id, action, *body).value_or(
          MakeError(ErrorCode::kNotFound, "no such resource: " + request.path));
      if (!r.ok() && r.error().code == ErrorCode::kPermissionDenied) {
        HttpResponse refusal;
        auth->Refuse(request, who, "forbidden", r.error().message, refusal);
        return refusal;
      }
      if (r.ok())
        Logf(LogLevel::kInfo, "", "access: %s recorded %s on %s%s", who.user.username.c_str(),
             action.c_str(), what.c_str(), id.c_str());
      return result(r);
    };
  };

  // The read-only recording API, now behind authentication (metadata holds phone numbers).
  HttpHandler list_inner = server.Handler("GET", "/api/v1/recordings");
  HttpHandler get_inner = server.Handler("GET", "/api/v1/recordings/*");
  // A listener alone sees no call in progress and masked numbers (listener_view.h).
  if (list_inner) {
    mount("GET", "/api/v1/recordings", kMetadataReaders,
          [auth, c, list_inner](const HttpRequest& request, const Identity& who) {
            const bool masked = SeesMaskedRecordings(who.user);
            if (masked && request.QueryParam("format").value_or("json") != "json") {
              HttpResponse refusal;
              auth->Refuse(request, who, "forbidden", "a listener's recording list is JSON only", refusal);
              return refusal;
            }
            HttpResponse out = list_inner(request);
            if (out.status != 200 || out.content_type != "application/json") return out;
            nlohmann::json list = nlohmann::json::parse(out.body, nullptr, false);
            if (list.is_discarded()) return HttpResponse::JsonError(500, "recording list: not JSON");
            std::set<std::string> unmasked;
            if (masked) {
              auto mine = UnmaskedRecordings(*c, who.user.username);
              if (!mine.ok()) return ErrorResponse(mine.error());
              unmasked = std::move(*mine);
            }
            Status shaped = ShapeRecordingList(*c, list, masked, unmasked);
            if (!shaped.ok()) return ErrorResponse(shaped.error());
            out.body = DumpJson(list);
            return out;
          });
  }
  // Metadata readers only; of them, the audio is for listeners with an approved request
  // (AuthorisePlayback).
  mount(
      "GET", "/api/v1/recordings/*",
      kMetadataReaders, [auth, c, get_inner](const HttpRequest& request, const Identity& who) -> HttpResponse {
        const std::string& rest = request.path_rest;
        const size_t slash = rest.find('/');
        const std::string id = rest.substr(0, slash);
        const std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
        if (sub == "audio") return Audio(*auth, request, who, id);
        if (sub == "restriction") {
          auto state = GetRestriction(c->db(), id);
          if (!state.ok()) return ErrorResponse(state.error());
          return Json(200, ToJson(*state));
        }
        if (!get_inner) return HttpResponse::JsonError(404, "no such resource: " + request.path);
        HttpResponse out = get_inner(request);
        if (!SeesMaskedRecordings(who.user) || out.status != 200 || out.content_type != "application/json")
          return out;
        nlohmann::json detail = nlohmann::json::parse(out.body, nullptr, false);
        if (detail.is_discarded()) return HttpResponse::JsonError(500, "recording: not JSON");
        if (detail.value("state", "") == "active") return HttpResponse::JsonError(404, "no recording " + id);
        auto mine = UnmaskedRecordings(*c, who.user.username);
        if (!mine.ok()) return ErrorResponse(mine.error());
        if (mine->count(id) == 0) MaskRecordingDetail(detail);
        out.body = DumpJson(detail);
        return out;
      });
  // POST .../restriction (the DPO, RIGHTS-3); POST .../listening (the listener's player
  // reports what it played, listening_sessions.h).
  mount(
      "POST", "/api/v1/recordings/*",
      {Role::kDpo, Role::kListener}, [auth, c](const HttpRequest& request, const Identity& who) -> HttpResponse {
        const std::string& rest = request.path_rest;
        const size_t slash = rest.find('/');
        const std::string sub = slash == std::string::npos ? "" : rest.substr(slash + 1);
        if (sub == "listening") {
          if (!who.user.Has(Role::kListener)) {
            HttpResponse refusal;
            auth->Refuse(request, who, "forbidden", "role required: listener", refusal);
            return refusal;
          }
          return ReportPlayed(*c, request, who, rest.substr(0, slash));
        }
        if (sub != "restriction") {
          return HttpResponse::JsonError(404, "no such resource: " + request.path);
        }
        if (!who.user.Has(Role::kDpo)) {
          HttpResponse refusal;
          auth->Refuse(request, who, "forbidden", "role required: dpo", refusal);
          return refusal;
        }
        const std::string id = rest.substr(0, slash);
        auto body = ParseBody(request);
        if (!body.ok()) return ErrorResponse(body.error());
        auto record = c->store().Get(id);
        if (!record.ok()) return ErrorResponse(record.error());
        if (!record->has_value()) return HttpResponse::JsonError(404, "no recording " + id);
        if (!body->contains("restricted") || !(*body)["restricted"].is_boolean()) {
          return HttpResponse::JsonError(400, "restricted: true or false required");
        }
        auto state = SetRestriction(c->db(), id, (*body)["restricted"].get<bool>(),
                                    who.user.username, body->value("reason", ""), NowMs());
        if (!state.ok()) return ErrorResponse(state.error());
        Logf(LogLevel::kInfo, id.c_str(), "access: %s set restricted=%s (RIGHTS-3)",
             who.user.username.c_str(), (*state)["restricted"].dump().c_str());
        return Json(200, *state);
      });
  mount("DELETE", "/api/v1/recordings/*",
               {Role::kAdministrator, Role::kRecordsKeeper},
                     [c](const HttpRequest& request, const Identity& who) -> HttpResponse {
                       const std::string& id = request.path_rest;
                       if (id.empty() || id.find('/') != std::string::npos) {
                         return HttpResponse::JsonError(404, "no such resource: " + request.path);
                       }
                       const std::string reason = request.QueryParam("reason").value_or("");
                       if (reason.empty())
                         return HttpResponse::JsonError(400, "reason: required (RET-4)");
                       Status s = c->DestroyRecording(id, who.user.username, reason);
                       if (!s.ok()) return ErrorResponse(s.error());
                       return Json(200, {{"recording_id", id},
                                         {"destroyed", true},
                                         {"by", who.user.username},
                                         {"reason", reason}});
                     });

  mount("GET", "/api/v1/me", {}, [](const HttpRequest&, const Identity& who) {
                 nlohmann::json j = UserJson(who.user);
                 j["token_id"] = who.token_id;
                 return Json(200, j);
               });
  mount("GET", "/api/v1/users",
               {Role::kAdministrator}, [c](const HttpRequest&, const Identity&) {
                 auto users = c->users().List();
                 if (!users.ok()) return ErrorResponse(users.error());
                 nlohmann::json out = nlohmann::json::array();
                 for (const auto& u : *users) out.push_back(UserJson(u));
                 return Json(200, {{"users", out}});
               });

  // Playback workflow (ACCESS-2..5).
  mount(
      "POST", "/api/v1/playback-requests",
      {Role::kListener}, [c, result](const HttpRequest& request, const Identity& who) {
        auto body = ParseBody(request);
        if (!body.ok()) return ErrorResponse(body.error());
        auto r = c->playback().File(who, *body, NowMs());
        if (r.ok())
          Logf(LogLevel::kInfo, "", "access: %s filed playback request %s",
               who.user.username.c_str(), (*r)["id"].get<std::string>().c_str());
        return result(r, 201);
      });
  mount("GET", "/api/v1/playback-requests",
               {}, [c](const HttpRequest&, const Identity& who) {
                 auto all = c->playback().List();
                 if (!all.ok()) return ErrorResponse(all.error());
                 bool sees_all = false;
                 for (Role r : kWorkflowReaders) sees_all = sees_all || who.user.Has(r);
                 nlohmann::json out = nlohmann::json::array();
                 for (auto r : *all) {
                   if (!sees_all && r.value("requester", "") != who.user.username) continue;
                   Status states = AddRecordingStates(*c, r);
                   if (!states.ok()) return ErrorResponse(states.error());
                   out.push_back(std::move(r));
                 }
                 return Json(200, {{"requests", out}});
               });
  mount("GET", "/api/v1/playback-requests/*",
               {}, [auth, c](const HttpRequest& request, const Identity& who) {
                 auto r = c->playback().Get(request.path_rest);
                 if (!r.ok()) return ErrorResponse(r.error());
                 bool sees_all = false;
                 for (Role role : kWorkflowReaders) sees_all = sees_all || who.user.Has(role);
                 if (!sees_all && r->value("requester", "") != who.user.username) {
                   HttpResponse refusal;
                   auth->Refuse(request, who, "forbidden", "not your request", refusal);
                   return refusal;
                 }
                 Status states = AddRecordingStates(*c, *r);
                 if (!states.ok()) return ErrorResponse(states.error());
                 return Json(200, *r);
               });
  mount(
      "POST", "/api/v1/playback-requests/*",
      {}, action_route("", [c](const Identity& who, const std::string& id,
                                     const std::string& action,
                                     const nlohmann::json& body) -> std::optional<Result<nlohmann::json>> {
              if (action == "opinion") return c->playback().Opinion(who, id, body, NowMs());
              if (action == "decision") return c->playback().Decide(who, id, body, NowMs());
              if (action == "informed") return c->playback().MarkInformed(who, id, body, NowMs());
              return std::nullopt;
            }));

  // The listening register (REG-1..3) is served by records_routes.cc (MountRecordsApi).

  // Disclosure (DISC-1..3).
  mount(
      "POST", "/api/v1/disclosures",
      {Role::kRecordsKeeper}, [c, result](const HttpRequest& request, const Identity& who) {
        auto body = ParseBody(request);
        if (!body.ok()) return ErrorResponse(body.error());
        return result(c->disclosures().File(who, *body, NowMs()), 201);
      });
  mount("GET", "/api/v1/disclosures",
               {Role::kRecordsKeeper, Role::kApprover, Role::kDpo, Role::kAuditor},
                     [c](const HttpRequest&, const Identity&) {
                       auto all = c->disclosures().List();
                       if (!all.ok()) return ErrorResponse(all.error());
                       return Json(200, {{"disclosures", *all}});
                     });
  mount("GET", "/api/v1/disclosures/*",
               {Role::kRecordsKeeper, Role::kApprover, Role::kDpo, Role::kAuditor},
                     [auth, c, result](const HttpRequest& request, const Identity& who) {
                       const std::string& rest = request.path_rest;
                       constexpr std::string_view kProtocol = "/protocol";
                       constexpr std::string_view kPackage = "/package";
                       if (EndsWith(rest, kPackage)) {
                         return DisclosurePackageResponse(*auth, request, who,
                                                          rest.substr(0, rest.size() - kPackage.size()));
                       }
                       if (rest.size() > kProtocol.size() &&
                           rest.compare(rest.size() - kProtocol.size(), kProtocol.size(),
                                        kProtocol) == 0) {
                         return DisclosureProtocolResponse(
                             *c, request, rest.substr(0, rest.size() - kProtocol.size()));
                       }
                       return result(c->disclosures().Get(rest));
                     });
  mount(
      "POST", "/api/v1/disclosures/*",
      {}, action_route("disclosure ", [c](const Identity& who, const std::string& id,
                                               const std::string& action,
                                               const nlohmann::json& body) -> std::optional<Result<nlohmann::json>> {
              if (action == "decision") return c->disclosures().Decide(who, id, body, NowMs());
              if (action == "purge") return PurgePackages(*c, who, id, body);
              if (action != "export") return std::nullopt;
              const int64_t now = NowMs();
              const std::filesystem::path out =
                  c->data_dir() / "exports" / (id + "-" + std::to_string(now));
              // The package's protocol is in the office's language, or {"lang": "en"}.
              DocumentSettings documents = c->documents();
              std::string lang;
              if (body.is_object() && body.contains("lang") && body["lang"].is_string()) lang = body["lang"];
              documents.language = DocumentLanguage(lang, documents.language);
              return c->disclosures().Export(who, id, c->keys(), c->data_dir(), out, c->signing(),
                                             now, documents);
            }));
}

}  // namespace kronika::srs
