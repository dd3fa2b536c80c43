// ListeningSessions (see listening_sessions.h).
#include "kronika/srs/access/listening_sessions.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "kronika/srs/access/access_register.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

constexpr char kClosingKind[] = "playback_parts";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double Tenths(double s) { return std::round(s * 10) / 10; }

nlohmann::json PartsJson(const std::vector<PlayedPart>& parts) {
  nlohmann::json out = nlohmann::json::array();
  for (const PlayedPart& p : parts) out.push_back({{"from_s", Tenths(p.from_s)}, {"to_s", Tenths(p.to_s)}});
  return out;
}

std::vector<PlayedPart> PartsOf(const nlohmann::json& j) {
  std::vector<PlayedPart> parts;
  if (!j.is_array()) return parts;
  for (const nlohmann::json& p : j) {
    if (p.is_object() && p.value("from_s", nlohmann::json()).is_number() && p.value("to_s", nlohmann::json()).is_number())
      parts.push_back({p["from_s"].get<double>(), p["to_s"].get<double>()});
  }
  return parts;
}

}  // namespace

std::vector<PlayedPart> JoinParts(std::vector<PlayedPart> parts) {
  std::erase_if(parts, [](const PlayedPart& p) {
    return !std::isfinite(p.from_s) || !std::isfinite(p.to_s) || p.to_s < p.from_s || p.from_s < 0;
  });
  std::sort(parts.begin(), parts.end(), [](const PlayedPart& a, const PlayedPart& b) { return a.from_s < b.from_s; });
  std::vector<PlayedPart> joined;
  for (const PlayedPart& p : parts) {
    if (!joined.empty() && p.from_s <= joined.back().to_s) {
      joined.back().to_s = std::max(joined.back().to_s, p.to_s);
    } else {
      joined.push_back(p);
    }
  }
  return joined;
}

bool IsListeningSessionId(std::string_view id) {
  return id.size() >= 16 && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](unsigned char c) {
           return std::isalnum(c) || c == '_' || c == '-';
         });
}

ListeningSessions::~ListeningSessions() { CloseAll(NowMs()); }

Result<uint64_t> ListeningSessions::Serve(const ListeningSessionKey& key, PlayedPart served, int64_t now_ms_utc,
                                          const std::function<nlohmann::json()>& opening_entry) {
  MutexLock lock(mu_);
  auto it = open_.find(key);
  if (it != open_.end() && now_ms_utc - it->second.last_ms_utc <= idle_ms_) {
    // REG-3: no audio while the register is damaged, also within a session (an append
    // would find it; a join must look, as every request's append used to).
    auto v = reg_.Verify();
    if (!v.ok()) return v.error();
    if (!v->ok)
      return MakeError(ErrorCode::kCorrupt, "register: refusing playback, register is damaged: " + v->problem);
    it->second.served = JoinParts([&] {
      auto parts = it->second.served;
      parts.push_back(served);
      return parts;
    }());
    it->second.last_ms_utc = now_ms_utc;
    return it->second.opening_seq;
  }
  // Not open, or open but idle past the limit (the closing pass has not run yet): a new
  // listening. A stale one is closed first so the register keeps the order of events.
  if (it != open_.end() && !CloseLocked(it, now_ms_utc)) {
    return MakeError(ErrorCode::kIo, "the listening register could not close the previous session");
  }
  nlohmann::json entry = opening_entry();
  entry["session"] = key.player;
  auto appended = reg_.Append(std::move(entry));
  if (!appended.ok()) return appended.error();
  const uint64_t seq = (*appended)["seq"].get<uint64_t>();
  open_[key] = Open{seq, key.player, {served}, {}, false, now_ms_utc};
  return seq;
}

Status ListeningSessions::ReportPlayed(const ListeningSessionKey& key, const std::vector<PlayedPart>& played,
                                       int64_t now_ms_utc) {
  MutexLock lock(mu_);
  // The player may not know the request id: then any open session of this listener, player
  // and recording (there is one unless two requests cover the same recording).
  auto it = open_.find(key);
  if (it == open_.end() && key.request_id.empty()) {
    it = std::find_if(open_.begin(), open_.end(), [&](const auto& entry) {
      return entry.first.username == key.username && entry.first.recording_id == key.recording_id &&
             entry.first.player == key.player;
    });
  }
  if (it == open_.end())
    return MakeError(ErrorCode::kNotFound, "no open listening session of this player for recording " + key.recording_id);
  std::vector<PlayedPart> parts = it->second.played;
  parts.insert(parts.end(), played.begin(), played.end());
  it->second.played = JoinParts(std::move(parts));
  it->second.player_reported = true;
  it->second.last_ms_utc = std::max(it->second.last_ms_utc, now_ms_utc);
  return OkStatus();
}

size_t ListeningSessions::CloseIdle(int64_t now_ms_utc) { return Close(now_ms_utc, false); }
size_t ListeningSessions::CloseAll(int64_t now_ms_utc) { return Close(now_ms_utc, true); }

size_t ListeningSessions::open_count() const {
  MutexLock lock(mu_);
  return open_.size();
}

size_t ListeningSessions::Close(int64_t now_ms_utc, bool all) {
  MutexLock lock(mu_);
  size_t closed = 0;
  for (auto it = open_.begin(); it != open_.end();) {
    auto next = std::next(it);
    if ((all || now_ms_utc - it->second.last_ms_utc > idle_ms_) && CloseLocked(it, now_ms_utc)) ++closed;
    it = next;
  }
  return closed;
}

bool ListeningSessions::CloseLocked(std::map<ListeningSessionKey, Open>::iterator it, int64_t now_ms_utc) {
  const Open& s = it->second;
  nlohmann::json closing = {
      {"kind", kClosingKind},
      {"opening_seq", s.opening_seq},
      {"session", s.session_id},
      {"recording_id", it->first.recording_id},
      {"request_id", it->first.request_id},
      {"listener", {{"username", it->first.username}}},
      {"parts_served", PartsJson(s.served)},
      {"closed_at_utc", FormatUtcTime(now_ms_utc)},
      {"closed_at_ms_utc", now_ms_utc},
  };
  if (s.player_reported) closing["parts_played"] = PartsJson(s.played);
  auto appended = reg_.Append(std::move(closing));
  if (!appended.ok()) {
    Logf(LogLevel::kError, it->first.recording_id.c_str(),
         "access: listening session of register entry #%llu not closed (retried later): %s",
         static_cast<unsigned long long>(s.opening_seq), appended.error().message.c_str());
    return false;
  }
  open_.erase(it);
  return true;
}

std::vector<nlohmann::json> MergeListeningParts(const std::vector<nlohmann::json>& entries) {
  std::map<uint64_t, size_t> index_of_seq;  // opening seq -> index in `out`
  std::vector<nlohmann::json> out;
  out.reserve(entries.size());
  for (const nlohmann::json& e : entries) {
    if (e.is_object() && e.value("kind", "") == kClosingKind) {
      const uint64_t opening = e.value("opening_seq", uint64_t{0});
      auto found = index_of_seq.find(opening);
      if (found == index_of_seq.end()) continue;  // its opening entry is not in this view
      nlohmann::json& opened = out[found->second];
      const std::vector<PlayedPart> served = PartsOf(e.value("parts_served", nlohmann::json()));
      opened["parts_served"] = PartsJson(served);
      std::vector<PlayedPart> heard = served;
      if (e.contains("parts_played")) {
        heard = PartsOf(e["parts_played"]);
        opened["parts_played"] = PartsJson(heard);
      }
      if (!heard.empty()) {
        opened["listened_from_s"] = Tenths(heard.front().from_s);
        opened["listened_to_s"] = Tenths(heard.back().to_s);
      } else {
        opened["listened_from_s"] = 0.0;  // the player reported playing nothing
        opened["listened_to_s"] = 0.0;
      }
      opened["closed_at_utc"] = e.value("closed_at_utc", "");
      opened["closing_seq"] = e.value("seq", uint64_t{0});
      continue;
    }
    if (e.is_object() && e.contains("seq") && e["seq"].is_number_unsigned())
      index_of_seq[e["seq"].get<uint64_t>()] = out.size();
    out.push_back(e);
  }
  return out;
}

}  // namespace kronika::srs
