// Helpers shared by the store, query and HTTP tests: temporary data directories and
// synthetic recordings.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "kronika/srs/core/recording_record.h"

namespace kronika::srs::testing {

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("kronika-store-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// 2026-11-25T10:00:00Z
inline constexpr int64_t kT0Ms = 1795600800000;

inline RecordingRecord MakeRecording(const std::string& id, int64_t start_ms,
                                     const std::string& caller_e164,
                                     const std::string& caller_name = "Jan Kowalski",
                                     const std::string& callee_e164 = "+48221234567") {
  RecordingRecord r;
  r.recording_id = id;
  r.sip_call_id = "call-" + id + "@sbc.example.pl";
  r.src_host = "192.0.2.10";
  r.site = "waw1";
  r.start_ms_utc = start_ms;
  r.end_ms_utc = start_ms + 95'500;
  r.state = RecordingState::kCompleted;
  r.file_path = "recordings/2026/11/25/" + id + ".opus";
  r.file_bytes = 190'000;
  r.duration_s = 95.5;
  r.codec = "opus/48000/2 from PCMA";
  r.participants.push_back({"pa", caller_name, "sip:" + caller_e164 + "@sbc.example.pl",
                            caller_e164, caller_e164, 0});
  r.participants.push_back({"pb", "Infolinia", "sip:" + callee_e164 + "@pbx.example.pl",
                            callee_e164, callee_e164, 1});
  r.timeline.push_back({start_ms, "invite", ""});
  r.timeline.push_back({start_ms + 200, "answer", "200 OK"});
  r.timeline.push_back({start_ms + 95'500, "bye", "from SRC"});
  r.metadata_xml_last = "<recording xmlns='urn:ietf:params:xml:ns:recording:1'/>";
  r.metadata_status = "complete";
  return r;
}

}  // namespace kronika::srs::testing
