// The records keeper's and the auditor's routes (see records_routes.h): the listening
// register by the office's local dates (REG-1..3), legal holds (RET-2), data subjects
// (RIGHTS-1..3).
#include "kronika/srs/http/records_routes.h"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kronika/srs/access/access_register.h"
#include "kronika/srs/access/listening_sessions.h"
#include "kronika/srs/core/i18n.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/log.h"
#include "register_view.h"
#include "request_auth.h"
#include "request_documents.h"
#include "ui_catalogue.h"

namespace kronika::srs {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

HttpResponse Json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = DumpJson(body);
  return r;
}

HttpResponse ErrorResponse(const Error& e) { return HttpResponse::JsonError(HttpStatus(e), e.message); }

Result<nlohmann::json> ParseObject(const HttpRequest& request) {
  if (request.body.empty()) return nlohmann::json::object();
  nlohmann::json j = nlohmann::json::parse(request.body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return MakeError(ErrorCode::kInvalidInput, "body: a JSON object is expected");
  return j;
}

// A string field of the body; "" when absent or not a string.
std::string Text(const nlohmann::json& body, const char* field) {
  auto it = body.find(field);
  return it != body.end() && it->is_string() ? it->get<std::string>() : std::string();
}

HttpResponse NotWired() {
  return HttpResponse::JsonError(503, "this operation is not available in this process");
}

const std::vector<Role> kRegisterReaders = {Role::kRecordsKeeper, Role::kAuditor, Role::kDpo};
const std::vector<Role> kHoldReaders = {Role::kRecordsKeeper, Role::kAuditor, Role::kDpo};
const std::vector<Role> kSubjectReaders = {Role::kRecordsKeeper, Role::kDpo};

// {recording_ids: [..], case, reason} of a hold change; by = the authenticated user.
Result<HoldRequest> HoldRequestOf(const nlohmann::json& body, const Identity& who, bool lift) {
  HoldRequest h;
  auto ids = body.find("recording_ids");
  if (ids == body.end() || !ids->is_array() || ids->empty()) {
    return MakeError(ErrorCode::kInvalidInput, "recording_ids: a non-empty list is required");
  }
  for (const nlohmann::json& id : *ids) {
    if (!id.is_string() || id.get<std::string>().empty()) {
      return MakeError(ErrorCode::kInvalidInput, "recording_ids: recording IDs (strings) are expected");
    }
    h.recording_ids.push_back(id.get<std::string>());
  }
  h.case_ref = Text(body, "case");
  if (h.case_ref.empty()) return MakeError(ErrorCode::kInvalidInput, "case: the case reference is required");
  h.reason = Text(body, "reason");
  if (lift && h.reason.empty()) return MakeError(ErrorCode::kInvalidInput, "reason: why the hold is lifted is required");
  h.by = who.user.username;
  return h;
}

// {number, reason, confirm} of a subject's request; `confirm` must repeat the number.
Result<SubjectRequest> SubjectRequestOf(const nlohmann::json& body, const Identity& who) {
  SubjectRequest s{Text(body, "number"), who.user.username, Text(body, "reason")};
  if (s.number.empty()) return MakeError(ErrorCode::kInvalidInput, "number: the data subject's phone number is required");
  if (s.reason.empty()) return MakeError(ErrorCode::kInvalidInput, "reason: the request's reference is required");
  if (Text(body, "confirm") != s.number) {
    return MakeError(ErrorCode::kInvalidInput, "confirm: repeat the number to confirm");
  }
  return s;
}

}  // namespace

void MountRecordsApi(HttpServer& server, AccessContext& context, RecordsRoutesOptions options) {
  auto auth = std::make_shared<const RequestAuth>(context);
  auto opts = std::make_shared<const RecordsRoutesOptions>(std::move(options));
  AccessContext* c = &context;
  auto mount = [&server, auth](std::string method, std::string pattern, std::vector<Role> roles,
                               GuardedHandler fn) {
    MountGuarded(server, auth, std::move(method), std::move(pattern), std::move(roles), std::move(fn));
  };

  // Listening register (REG-1..3) between two of the office's local dates, as JSON, CSV,
  // the printable protocols (HTML) or PDF; CSV and PDF as downloads.
  mount("GET", "/api/v1/register", kRegisterReaders, [c, opts](const HttpRequest& request, const Identity& who) {
    // Sessions idle past their limit close first, so what is read is current.
    c->listening_sessions().CloseIdle(NowMs());
    Result<RegisterView> view = RegisterViewOf(c->listening_register(), request, opts->time_zone);
    if (!view.ok()) return ErrorResponse(view.error());
    Result<HttpResponse> out = RegisterDocument(*view, RequestDocuments(*c, request, NowMs()));
    if (!out.ok()) return ErrorResponse(out.error());
    if (view->format != "json") {
      Logf(LogLevel::kInfo, "", "access: %s read the listening register as %s (%zu entries, %s .. %s)",
           who.user.username.c_str(), view->format.c_str(), view->entries.size(),
           view->from.empty() ? "start" : view->from.c_str(), view->to.empty() ? "now" : view->to.c_str());
    }
    return std::move(*out);
  });
  // REG-3: the chain and the checkpoint outside the file.
  mount("GET", "/api/v1/register/verify", {Role::kRecordsKeeper, Role::kAuditor},
        [c](const HttpRequest&, const Identity& who) {
          auto v = c->listening_register().Verify();
          if (!v.ok()) return ErrorResponse(v.error());
          Logf(v->ok ? LogLevel::kInfo : LogLevel::kError, "", "access: %s verified the listening register: %s",
               who.user.username.c_str(), v->ok ? "intact" : v->problem.c_str());
          return Json(200, {{"ok", v->ok},
                            {"entries", v->entries},
                            {"head_hash", v->head_hash},
                            {"first_bad_line", v->first_bad_line},
                            {"problem", v->problem}});
        });

  // The catalogue the page's records script translates its text with: public, like the page
  // and its scripts (the page's own words, no data), so the shell can title its sections
  // before anyone signs in.
  server.Route("GET", "/api/v1/ui/catalogue", RouteAccess::Public(), [opts](const HttpRequest& request) {
    if (request.QueryParam("area").value_or("records") != "records") {
      return HttpResponse::JsonError(404, "area: only records has a catalogue here");
    }
    std::string language = request.QueryParam("lang").value_or(opts->language);
    if (!IsSupportedLanguage(language)) language = opts->language;
    return Json(200, UiCatalogue(RecordsUiMsgids(), language, opts->time_zone));
  });

  // Legal holds (RET-2).
  mount("GET", "/api/v1/holds", kHoldReaders, [opts](const HttpRequest& request, const Identity&) {
    if (!opts->actions.list_holds) return NotWired();
    const std::string all = request.QueryParam("all").value_or("");
    auto r = opts->actions.list_holds(all == "1" || all == "true");
    return r.ok() ? Json(200, *r) : ErrorResponse(r.error());
  });
  for (const bool lift : {false, true}) {
    mount("POST", lift ? "/api/v1/holds/lift" : "/api/v1/holds", {Role::kRecordsKeeper},
          [opts, lift](const HttpRequest& request, const Identity& who) {
            const auto& act = lift ? opts->actions.lift_holds : opts->actions.place_holds;
            if (!act) return NotWired();
            auto body = ParseObject(request);
            if (!body.ok()) return ErrorResponse(body.error());
            Result<HoldRequest> hold = HoldRequestOf(*body, who, lift);
            if (!hold.ok()) return ErrorResponse(hold.error());
            auto r = act(*hold);
            if (!r.ok()) return ErrorResponse(r.error());
            Logf(LogLevel::kInfo, "", "access: %s %s legal hold of case %s on %zu recording(s) (RET-2)",
                 who.user.username.c_str(), lift ? "lifted the" : "placed a", hold->case_ref.c_str(),
                 hold->recording_ids.size());
            return Json(200, *r);
          });
  }

  // Data subjects (RIGHTS-1..3).
  mount("GET", "/api/v1/subjects", kSubjectReaders, [opts](const HttpRequest& request, const Identity&) {
    if (!opts->actions.find_subject) return NotWired();
    const std::string number = request.QueryParam("number").value_or("");
    if (number.empty()) return HttpResponse::JsonError(400, "number: required");
    auto r = opts->actions.find_subject(number);
    return r.ok() ? Json(200, *r) : ErrorResponse(r.error());
  });
  mount("POST", "/api/v1/subjects/erasure", {Role::kRecordsKeeper},
        [opts](const HttpRequest& request, const Identity& who) {
          if (!opts->actions.erase_subject) return NotWired();
          auto body = ParseObject(request);
          if (!body.ok()) return ErrorResponse(body.error());
          Result<SubjectRequest> s = SubjectRequestOf(*body, who);
          if (!s.ok()) return ErrorResponse(s.error());
          auto r = opts->actions.erase_subject(*s);
          if (!r.ok()) return ErrorResponse(r.error());
          // The number is personal data: the log names the act and its counts only.
          Logf(LogLevel::kInfo, "", "access: %s erased a data subject's recordings: %zu erased, %zu kept (RIGHTS-2)",
               who.user.username.c_str(), (*r)["erased"].size(), (*r)["kept"].size());
          return Json(200, *r);
        });
  mount("POST", "/api/v1/subjects/restriction", {Role::kRecordsKeeper, Role::kDpo},
        [opts](const HttpRequest& request, const Identity& who) {
          if (!opts->actions.restrict_subject) return NotWired();
          auto body = ParseObject(request);
          if (!body.ok()) return ErrorResponse(body.error());
          auto restricted = body->find("restricted");
          if (restricted == body->end() || !restricted->is_boolean()) {
            return HttpResponse::JsonError(400, "restricted: true or false required");
          }
          Result<SubjectRequest> s = SubjectRequestOf(*body, who);
          if (!s.ok()) return ErrorResponse(s.error());
          auto r = opts->actions.restrict_subject(*s, restricted->get<bool>());
          if (!r.ok()) return ErrorResponse(r.error());
          Logf(LogLevel::kInfo, "", "access: %s set restricted=%s on a data subject's recordings: %zu changed (RIGHTS-3)",
               who.user.username.c_str(), restricted->get<bool>() ? "true" : "false", (*r)["changed"].size());
          return Json(200, *r);
        });
}

}  // namespace kronika::srs
