// The pull feed of events for scripts behind firewalls (issue 17 item 4, docs/api.md
// "Events"), mounted on the daemon's HttpServer:
//
//   GET /api/v1/events?after=SEQ&limit=N&wait=S
//     200 {"events": [EventJson...], "last_seq": L, "next_after": A}
//
// Events come in sequence order, those with seq > `after` (default 0: from the first),
// at most `limit` (1..1000, default 100). `last_seq` is the outbox's last sequence as seen
// by this answer; `next_after` is the `after` of the next call: the last event returned,
// or, when the page reached the end of the outbox, `last_seq` (so an unreadable row at
// the end, skipped by the outbox, is not asked for again, and a client whose `after` is
// beyond the outbox - a data directory restored from a backup - comes back to its end).
//
// Long polling: with no event after `after`, the call waits up to `wait` seconds (0..60,
// default 0; a larger value waits 60) and answers as soon as one is committed, by this
// process or any other, else with an empty page at the deadline. A waiting call holds a
// suspended connection, not an HTTP worker (HttpResponse::poll, http_server.h): the
// parking thread checks the outbox's last sequence every 100 ms.
//
// Roles (ACCESS-1): the feed is read by administrator, records_keeper, dpo and auditor
// (scripts that archive, audit or monitor); listener and approver get 403. The `personal`
// part of each event (phone numbers, names) is sent only to the roles that also see
// numbers in GET /api/v1/recordings (records_keeper, dpo, auditor); an administrator gets
// the events without it, as an administrator gets no recording metadata.
// Bad parameters: 400 {"error": {"status": 400, "message": "after: ..."}} naming the
// parameter. Refusals are logged and counted like every access route (request_auth.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "kronika/result.h"
#include "kronika/srs/access/access_context.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/http/http_server.h"
#include "kronika/srs/store/event_outbox.h"

namespace kronika::srs {

inline constexpr size_t kEventFeedDefaultLimit = 100;
inline constexpr size_t kEventFeedMaxLimit = 1000;
inline constexpr std::chrono::seconds kEventFeedMaxWait{60};

// The parameters of one call, checked.
struct EventFeedQuery {
  uint64_t after = 0;
  size_t limit = kEventFeedDefaultLimit;
  std::chrono::seconds wait{0};  // already capped at kEventFeedMaxWait
};

// Reads after, limit and wait from `request`. Error (kInvalidInput): the message names the
// parameter and what it expects ("limit: expected a whole number from 1 to 1000, got 0").
Result<EventFeedQuery> ParseEventFeedQuery(const HttpRequest& request);

// Who may read the feed, and who of them sees the `personal` part (see above).
const std::vector<Role>& EventFeedReaders();
bool SeesPersonalEventData(const User& user);

// Registers GET /api/v1/events. `context` and `outbox` must outlive the server's Stop().
void MountEventFeed(HttpServer& server, AccessContext& context, std::shared_ptr<const EventOutbox> outbox);

}  // namespace kronika::srs
