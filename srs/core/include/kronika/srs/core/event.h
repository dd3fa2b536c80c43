// Events for scripts and archives (issue 17): one fact a script cares about - a recording
// started, a hold was placed - as it is kept in the outbox (srs/store/event_outbox.h) and
// sent to webhooks and the pull feed. The JSON form is a public interface (docs/api.md):
// add fields, never rename. Pure value types and functions, any thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace kronika::srs {

// Every event type, in the words of docs/api.md.
inline constexpr std::array<std::string_view, 15> kEventTypes = {
    "recording.started",   "recording.finished",  "recording.interrupted", "recording.deleted",
    "hold.placed",         "hold.lifted",         "playback.granted",      "playback.performed",
    "playback.ended",      "disclosure.released", "subject.erased",        "node.ready",
    "node.draining",       "webhook.parked",      "events.pruned"};

bool IsEventType(std::string_view type);

// What the code that changes state says about it; the outbox adds the sequence, id, time
// and node when it appends the draft in the same write transaction as the change.
struct EventDraft {
  std::string type;          // one of kEventTypes
  std::string recording_id;  // "" for events about the node
  // The fields a script needs, no personal data: {"reason": "retention"}, {"verdict": ...}.
  nlohmann::json data = nlohmann::json::object();
  // Personal data (phone numbers, participant names and addresses, subject references):
  // sent only where the recipient's configuration allows it (webhook `personal_data`, a
  // pull-feed role that may see numbers), and scrubbed by a subject erasure.
  nlohmann::json personal = nlohmann::json::object();
};

struct Event {
  uint64_t seq = 0;          // per node, from 1, gap-free: the outbox's key
  std::string id;            // "<node>-<seq>": the idempotency key a receiver keys on
  std::string type;
  int64_t time_ms_utc = 0;   // when the state change committed
  std::string node;
  std::string recording_id;
  std::string data_json = "{}";      // a JSON object, as stored
  std::string personal_json = "{}";  // a JSON object, as stored
};

// The event's id for `node` and `seq`.
std::string EventId(std::string_view node, uint64_t seq);

// {"id", "seq", "type", "time" ("2026-12-07T10:00:00.123Z"), "node", "recording_id" (null
// for node events), "data": {...}, "personal": {...} only when `with_personal`}. Stored
// fields that are not JSON objects (a damaged row) come out as {} rather than throwing.
nlohmann::json EventJson(const Event& event, bool with_personal);

}  // namespace kronika::srs
