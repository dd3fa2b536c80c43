// The HTTP API as `kronika serve` mounts it (recording API, access routes, /metrics) over a
// real LMDB store, for bench/http_bench.py to load with wrk. Not a test.
//
//   http_bench_server --dir DIR [--records N] [--tls-cert PEM] [--workers N] [--io-threads N]
//                     [--max-connections-per-client N]
//
// Fills DIR with N recordings (callers +48601200000..+48601200999, so a number matches
// N/1000 of them), one 2 MiB recording file, a records keeper, an approver and a listener
// whose playback request for that file is approved, then serves on 127.0.0.1 (ephemeral
// port) and prints one JSON line: {"port", "keeper_token", "listener_token", "audio_id"}.
// Besides the product routes it serves GET /bench/audio: the same 1 MiB range of that file
// read by the same function as the audio route, without the authorisation and listening
// register work (REG-1) around it, so a library's cost of sending 1 MiB is seen alone.
// Runs until stdin closes.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "kronika/srs/access/access_context.h"
#include "kronika/srs/access/access_playback.h"
#include "kronika/srs/access/access_users.h"
#include "kronika/srs/atrest/recording_keys.h"
#include "kronika/srs/core/metrics.h"
#include "kronika/srs/http/access_routes.h"
#include "kronika/srs/http/http_server.h"
#include "kronika/srs/http/metrics_route.h"
#include "kronika/srs/http/recording_api.h"
#include "kronika/srs/store/store.h"
#include "kronika/srs/store/store_metrics.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

constexpr char kAudioId[] = "01JBENCHAUD10000000000000A1";
constexpr uint64_t kAudioBytes = 2 << 20;
constexpr uint64_t kRangeBytes = 1 << 20;

int Fail(const std::string& what) {
  std::fprintf(stderr, "http_bench_server: %s\n", what.c_str());
  return 1;
}

int Main(int argc, char** argv) {
  std::string dir, tls_cert;
  int records = 10000;
  HttpServerOptions options;
  options.port = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--dir") dir = value;
    else if (flag == "--records") records = std::atoi(value.c_str());
    else if (flag == "--tls-cert") options.tls_certificate = value;
    else if (flag == "--workers") options.workers = std::atoi(value.c_str());
    else if (flag == "--io-threads") options.io_threads = std::atoi(value.c_str());
    else if (flag == "--max-connections-per-client") options.max_connections_per_client = std::atoi(value.c_str());
    else return Fail("unknown option " + flag);
  }
  if (dir.empty()) return Fail("--dir is required");
  const std::filesystem::path data(dir);
  std::filesystem::create_directories(data / "recordings");

  auto store = Store::Open(StoreDir(data), StoreOptions{});
  if (!store.ok()) return Fail(store.error().message);
  for (int i = 0; i < records; ++i) {
    char id[32], number[16];
    std::snprintf(id, sizeof id, "01JBENCH%018d", i);
    std::snprintf(number, sizeof number, "+48601200%03d", i % 1000);
    if (!(*store)->Enqueue(testing::MakeRecording(id, testing::kT0Ms + i * 60'000LL, number))) {
      return Fail("store queue full");
    }
  }
  RecordingRecord audio = testing::MakeRecording(kAudioId, testing::kT0Ms - 60'000, "+48601299999");
  audio.file_path = std::string("recordings/") + kAudioId + ".opus";
  audio.file_bytes = kAudioBytes;
  (void)(*store)->Enqueue(audio);
  if (Status s = (*store)->Flush(); !s.ok()) return Fail(s.error().message);
  {
    std::string bytes(kAudioBytes, '\0');
    std::mt19937 random(7);
    for (char& c : bytes) c = static_cast<char>(random());
    std::ofstream(data / audio.file_path, std::ios::binary) << bytes;
  }

  AccessOptions access_options;
  access_options.data_dir = data;
  access_options.encrypt_interval = std::chrono::milliseconds(0);
  auto access = AccessContext::Open(access_options, **store, nullptr);
  if (!access.ok()) return Fail(access.error().message);
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  UserDirectory& users = (*access)->users();
  auto add = [&](const std::string& name, Role role) -> Result<Identity> {
    RETURN_IF_ERROR(users.Add(User{name, "Bench", name, "Bench", {role}, false, now, "bench"}));
    ASSIGN_OR_RETURN(std::string token, users.IssueToken(name, "bench", now));
    ASSIGN_OR_RETURN(Identity who, users.Authenticate(token));
    who.token_id = token;  // the bench prints the token itself
    return who;
  };
  auto keeper = add("keeper", Role::kRecordsKeeper);
  auto approver = add("approver", Role::kApprover);
  auto listener = add("listener", Role::kListener);
  if (!keeper.ok() || !approver.ok() || !listener.ok()) return Fail("cannot add the bench users");
  PlaybackWorkflow& flow = (*access)->playback();
  auto request = flow.File(*listener, {{"recording_ids", {kAudioId}}, {"reason", "a"}, {"justification", "bench"}},
                           now);
  if (!request.ok()) return Fail(request.error().message);
  const std::string request_id = (*request)["id"];
  if (auto d = flow.Decide(*approver, request_id, {{"granted", true}, {"valid_minutes", 600}}, now); !d.ok()) {
    return Fail(d.error().message);
  }
  if (auto m = flow.MarkInformed(*keeper, request_id, {{"recording_id", kAudioId}, {"how", "bench"}}, now);
      !m.ok()) {
    return Fail(m.error().message);
  }

  Metrics metrics;
  metrics.AddCollector([s = store->get()] { return StoreFamilies(*s); });
  HttpServer server(options);
  RegisterRecordingApi(server, **store);
  MountAccessApi(server, **access);
  RegisterMetricsRoute(server, metrics);
  const std::filesystem::path audio_path = data / audio.file_path;
  server.Route("GET", "/bench/audio", RouteAccess::Public(), [audio_path](const HttpRequest&) {
    uint64_t total = 0;
    auto bytes = ReadRecordingAudio(nullptr, kAudioId, audio_path, 0, kRangeBytes, total);
    if (!bytes.ok()) return HttpResponse::JsonError(500, bytes.error().message);
    HttpResponse out;
    out.status = 206;
    out.content_type = "audio/ogg";
    out.body = std::move(*bytes);
    out.headers.emplace_back("Content-Range", "bytes 0-" + std::to_string(kRangeBytes - 1) + "/" +
                                                  std::to_string(total));
    return out;
  });
  if (Status s = server.Start(); !s.ok()) return Fail(s.error().message);
  std::cout << nlohmann::json{{"port", server.port()},
                              {"keeper_token", keeper->token_id},
                              {"listener_token", listener->token_id},
                              {"audio_id", kAudioId}}
                   .dump()
            << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  server.Stop();
  return 0;
}

}  // namespace
}  // namespace kronika::srs

int main(int argc, char** argv) { return kronika::srs::Main(argc, argv); }
