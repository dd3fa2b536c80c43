// ListeningSessions: one listening-register entry per listening session, not per HTTP
// request (issue 16 item 3; REG-1, REG-2).
//
// A player fetches a recording in many Range requests (a browser's <audio> asks for the
// first bytes, then the rest, then seeks). Each used to append a full register entry, so a
// 100-byte probe became "Part listened to 0.0 s - 0.0 s". Now:
//   - The first audio request of a session appends the register entry BEFORE any byte
//     leaves (REG-1 stays: no entry, no audio). Later requests of the same session append
//     nothing; they add the part they served to the session.
//   - A session is one listener, one recording, one approved request and one player: the
//     `session` query parameter the page sends (16-64 of [A-Za-z0-9_-]), else the
//     credential (API token or sign-in session) the requests carry.
//   - The player may report what it actually played (HTMLMediaElement.played); a browser
//     reads ahead, so the parts served are an upper bound and the played parts the truth.
//   - After kListeningIdle without a request, or when the daemon stops, the session closes:
//     one closing line ("kind": "playback_parts", "opening_seq") with the parts served and
//     played is appended to the register (append-only, REG-3: the opening entry is never
//     rewritten). Register views merge it into its opening entry (MergeListeningParts), so
//     a person reads one row per session stating the parts actually played.
//   - A daemon crash loses only the closing line: the opening entry, with the first part
//     served, is already on disk.
//
// Threads: any; one mutex. Opening a session appends under it, so two parallel first
// requests of one player (browsers send them) make one entry, not two.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/result.h"

namespace kronika::srs {

class ListeningRegister;

// A session with no request for this long is closed.
inline constexpr std::chrono::milliseconds kListeningIdle{std::chrono::minutes(2)};

// Seconds of a recording, [from_s, to_s).
struct PlayedPart {
  double from_s = 0;
  double to_s = 0;
};

// The parts as a sorted list of disjoint intervals (touching or overlapping ones joined).
std::vector<PlayedPart> JoinParts(std::vector<PlayedPart> parts);

// True for a usable `session` query parameter: 16-64 of [A-Za-z0-9_-].
bool IsListeningSessionId(std::string_view id);

struct ListeningSessionKey {
  std::string username;
  std::string recording_id;
  std::string request_id;
  std::string player;  // the `session` parameter, else "credential:<token or sign-in id>"

  friend auto operator<=>(const ListeningSessionKey&, const ListeningSessionKey&) = default;
};

class ListeningSessions {
 public:
  // `idle`: how long without a request closes a session (tests shorten it).
  explicit ListeningSessions(ListeningRegister& reg, std::chrono::milliseconds idle = kListeningIdle)
      : reg_(reg), idle_ms_(idle.count()) {}
  ~ListeningSessions();  // closes what is still open (the daemon is stopping)
  ListeningSessions(const ListeningSessions&) = delete;
  ListeningSessions& operator=(const ListeningSessions&) = delete;

  // The register seq of the session's opening entry. A new session appends `opening_entry()`
  // (called only then, under the lock) with "session" set; an open one adds `served`.
  // Error: the register append failed (the caller refuses the audio: REG-1).
  Result<uint64_t> Serve(const ListeningSessionKey& key, PlayedPart served, int64_t now_ms_utc,
                         const std::function<nlohmann::json()>& opening_entry) EXCLUDES(mu_);

  // The player's report of what it played (seconds); key.request_id "" matches the
  // listener's open session of that player and recording whatever its request. kNotFound when no session of this
  // listener and player is open for the recording (closed or never opened: nothing was
  // served since, so nothing new was heard).
  Status ReportPlayed(const ListeningSessionKey& key, const std::vector<PlayedPart>& played,
                      int64_t now_ms_utc) EXCLUDES(mu_);

  // Closes the sessions idle since before now - idle: appends their closing lines. Returns
  // how many closed; a failed append is logged and the session stays open to retry.
  size_t CloseIdle(int64_t now_ms_utc) EXCLUDES(mu_);
  // Closes every open session (shutdown, and before a register export so it is complete).
  size_t CloseAll(int64_t now_ms_utc) EXCLUDES(mu_);

  size_t open_count() const EXCLUDES(mu_);

 private:
  struct Open {
    uint64_t opening_seq = 0;
    std::string session_id;
    std::vector<PlayedPart> served;
    std::vector<PlayedPart> played;
    bool player_reported = false;
    int64_t last_ms_utc = 0;
  };
  size_t Close(int64_t now_ms_utc, bool all) EXCLUDES(mu_);
  // Appends the closing line and forgets the session; false (logged, kept) when the append fails.
  bool CloseLocked(std::map<ListeningSessionKey, Open>::iterator it, int64_t now_ms_utc) REQUIRES(mu_);

  ListeningRegister& reg_;
  const int64_t idle_ms_;
  mutable Mutex mu_;
  std::map<ListeningSessionKey, Open> open_ GUARDED_BY(mu_);
};

// Register entries as people read them: each closing line ("kind": "playback_parts") is
// folded into its opening entry - "parts_served", "parts_played" (when the player reported),
// "listened_from_s"/"listened_to_s" the span of the parts played (else served), "closed_at_utc"
// - and dropped. Entries without a closing line (session still open, or the daemon stopped
// hard) keep their first part. Order and everything else unchanged.
std::vector<nlohmann::json> MergeListeningParts(const std::vector<nlohmann::json>& entries);

}  // namespace kronika::srs
