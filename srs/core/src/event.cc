#include "kronika/srs/core/event.h"

#include <algorithm>

#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

nlohmann::json ObjectOrEmpty(const std::string& text) {
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  return parsed.is_object() ? parsed : nlohmann::json::object();
}

}  // namespace

bool IsEventType(std::string_view type) {
  return std::find(kEventTypes.begin(), kEventTypes.end(), type) != kEventTypes.end();
}

std::string EventId(std::string_view node, uint64_t seq) {
  return std::string(node) + "-" + std::to_string(seq);
}

nlohmann::json EventJson(const Event& event, bool with_personal) {
  nlohmann::json out = {{"id", event.id},
                        {"seq", event.seq},
                        {"type", event.type},
                        {"time", FormatUtcTimeMs(event.time_ms_utc)},
                        {"node", event.node},
                        {"recording_id", event.recording_id.empty() ? nlohmann::json(nullptr)
                                                                    : nlohmann::json(event.recording_id)},
                        {"data", ObjectOrEmpty(event.data_json)}};
  if (with_personal) out["personal"] = ObjectOrEmpty(event.personal_json);
  return out;
}

}  // namespace kronika::srs
