// The pull feed of events (see event_feed.h).
#include "kronika/srs/http/event_feed.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <utility>

#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/log.h"
#include "request_auth.h"

namespace kronika::srs {
namespace {

// A whole number in [min, max] from the query argument `name`; `fallback` when absent.
// Values above `max` are an error unless `cap` (then `max`).
Result<uint64_t> WholeNumber(const HttpRequest& request, std::string_view name, uint64_t fallback, uint64_t min,
                             uint64_t max, bool cap) {
  const std::optional<std::string> text = request.QueryParam(name);
  if (!text) return fallback;
  uint64_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  const bool number = !text->empty() && ec != std::errc::invalid_argument && ptr == end;
  if (number && ec == std::errc::result_out_of_range && cap) return max;
  const std::string range =
      max == UINT64_MAX ? "expected a whole number, " + std::to_string(min) + " or more"
                        : "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                              (cap ? " (larger values are taken as " + std::to_string(max) + ")" : "");
  if (!number || ec == std::errc::result_out_of_range) {
    return MakeError(ErrorCode::kInvalidInput, std::string(name) + ": " + range + ", got '" + *text + "'");
  }
  if (value > max && cap) return max;
  if (value < min || value > max) {
    return MakeError(ErrorCode::kInvalidInput, std::string(name) + ": " + range + ", got " + *text);
  }
  return value;
}

HttpResponse Json(int status, const nlohmann::json& body) {
  HttpResponse r;
  r.status = status;
  r.body = DumpJson(body);
  return r;
}

HttpResponse ErrorResponse(const Error& e) { return HttpResponse::JsonError(HttpStatus(e), e.message); }

// One page after `q.after`: the last sequence is read first, so when the page is not full
// every event up to it has been seen (see next_after in event_feed.h).
Result<HttpResponse> Page(const EventOutbox& outbox, const EventFeedQuery& q, bool personal) {
  ASSIGN_OR_RETURN(const uint64_t last, outbox.LastSeq());
  ASSIGN_OR_RETURN(std::vector<Event> events, outbox.ReadAfter(q.after, q.limit));
  nlohmann::json list = nlohmann::json::array();
  for (const Event& e : events) list.push_back(EventJson(e, personal));
  const uint64_t page_last = events.empty() ? 0 : events.back().seq;
  // A full page: go on from its last event. Otherwise every event up to `last` was read
  // (or was an unreadable row the outbox skipped): go on from the end.
  const uint64_t next_after = events.size() == q.limit ? page_last : std::max(page_last, last);
  return Json(200, {{"events", std::move(list)}, {"last_seq", std::max(last, page_last)}, {"next_after", next_after}});
}

}  // namespace

Result<EventFeedQuery> ParseEventFeedQuery(const HttpRequest& request) {
  EventFeedQuery q;
  ASSIGN_OR_RETURN(q.after, WholeNumber(request, "after", 0, 0, UINT64_MAX, false));
  ASSIGN_OR_RETURN(const uint64_t limit,
                   WholeNumber(request, "limit", kEventFeedDefaultLimit, 1, kEventFeedMaxLimit, false));
  q.limit = static_cast<size_t>(limit);
  ASSIGN_OR_RETURN(const uint64_t wait,
                   WholeNumber(request, "wait", 0, 0, static_cast<uint64_t>(kEventFeedMaxWait.count()), true));
  q.wait = std::chrono::seconds(wait);
  return q;
}

const std::vector<Role>& EventFeedReaders() {
  static const std::vector<Role> readers = {Role::kAdministrator, Role::kRecordsKeeper, Role::kDpo, Role::kAuditor};
  return readers;
}

bool SeesPersonalEventData(const User& user) {
  return user.Has(Role::kRecordsKeeper) || user.Has(Role::kDpo) || user.Has(Role::kAuditor);
}

void MountEventFeed(HttpServer& server, AccessContext& context, std::shared_ptr<const EventOutbox> outbox) {
  auto auth = std::make_shared<const RequestAuth>(context);
  std::vector<std::string> names;
  for (Role r : EventFeedReaders()) names.emplace_back(RoleName(r));
  server.Route(
      "GET", "/api/v1/events", RouteAccess::Roles(std::move(names)),
      [auth, outbox = std::move(outbox)](const HttpRequest& request) -> HttpResponse {
        HttpResponse refusal;
        std::optional<Identity> who = auth->Authorise(request, EventFeedReaders(), refusal);
        if (!who) return refusal;
        Result<EventFeedQuery> q = ParseEventFeedQuery(request);
        if (!q.ok()) return HttpResponse::JsonError(400, q.error().message);
        const bool personal = SeesPersonalEventData(who->user);
        Logf(LogLevel::kDebug, "", "events: %s (token %s) from %s reads after %llu, limit %zu, wait %lld s%s",
             who->user.username.c_str(), who->token_id.c_str(), request.remote_addr.c_str(),
             static_cast<unsigned long long>(q->after), q->limit, static_cast<long long>(q->wait.count()),
             personal ? "" : ", without personal data");
        Result<uint64_t> last = outbox->LastSeq();
        if (!last.ok()) return ErrorResponse(last.error());
        if (*last > q->after || q->wait.count() == 0) {
          Result<HttpResponse> page = Page(*outbox, *q, personal);
          return page.ok() ? std::move(*page) : ErrorResponse(page.error());
        }
        // Nothing new: park the request (no worker waits) until an event commits or the
        // wait is over. LastSeq is one read transaction: it sees commits of every process.
        HttpResponse pending;
        pending.poll_until = std::chrono::steady_clock::now() + q->wait;
        pending.poll = [outbox, q = *q, personal](bool expired) -> std::optional<HttpResponse> {
          Result<uint64_t> now_last = outbox->LastSeq();
          if (!now_last.ok()) return ErrorResponse(now_last.error());
          if (*now_last <= q.after && !expired) return std::nullopt;
          Result<HttpResponse> page = Page(*outbox, q, personal);
          return page.ok() ? std::move(*page) : ErrorResponse(page.error());
        };
        return pending;
      });
}

}  // namespace kronika::srs
