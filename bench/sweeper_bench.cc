// Retention sweeper (issue 7, RET-3): the sweeper deletes N expired recordings while a
// writer thread keeps recording (Enqueue + commit of new snapshots, as the SIP thread
// does); reports sweeper throughput and the recording path's Enqueue and commit latency
// p50/p99 without and with the sweep running; plus RulesGate::Admit (the INVITE-path
// policy decision with a do-not-record lookup in the policy LMDB).
// Usage: sweeper_bench [--records N] [--batch N] [--files N] [--out FILE.json]
// Expired records have no audio file (file_path ""): file overwrite/unlink costs are not
// in the figure (they are per-file I/O, measured separately by --files, default 1000
// files of 64 KiB shredded = overwritten + fdatasync + unlink).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <prometheus/registry.h>
#include <random>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include "kronika/policy/retention.h"
#include "kronika/srs/core/recording_id.h"
#include "kronika/srs/rules/deletions.h"
#include "kronika/srs/rules/retention_sweeper.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/rules/rules_gate.h"
#include "kronika/srs/store/store.h"

namespace {


using namespace kronika::srs;  // NOLINT: benchmark file
using SteadyClock = std::chrono::steady_clock;

constexpr int64_t kT0Ms = 1764064800000;  // 2025-11-25T10:00:00Z

RecordingRecord Make(const std::string& id, int64_t start_ms, int64_t expiry_ms, int n) {
  RecordingRecord r;
  r.recording_id = id;
  r.sip_call_id = "call-" + id;
  r.src_host = "192.0.2.10";
  r.site = "bench";
  r.start_ms_utc = start_ms;
  r.end_ms_utc = start_ms + 60000;
  r.state = RecordingState::kCompleted;
  r.duration_s = 60;
  r.codec = "opus from PCMA";
  const std::string caller = "+48601" + std::to_string(100000 + n % 900000);
  r.participants.push_back({"pa", "Caller", "sip:" + caller + "@sbc", caller, caller, 0});
  r.participants.push_back({"pb", "Desk", "sip:+48221234567@pbx", "+48221234567", "+48221234567", 1});
  r.timeline.push_back({start_ms, "invite", ""});
  r.retention_expiry_ms_utc = expiry_ms;
  return r;
}

std::string Id(int64_t ms, uint64_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%013lld%013llu", static_cast<long long>(ms), static_cast<unsigned long long>(n));
  return buf;
}

nlohmann::json Pct(std::vector<double> us) {
  if (us.empty()) return {{"samples", 0}};
  std::sort(us.begin(), us.end());
  auto at = [&](double q) { return us[std::min(us.size() - 1, static_cast<size_t>(q * us.size()))]; };
  return {{"samples", us.size()}, {"p50_us", at(0.50)}, {"p99_us", at(0.99)}, {"max_us", us.back()}};
}

struct WriterStats {
  std::vector<double> enqueue_us, commit_us;
};

// One new recording snapshot every `period` until stop: Enqueue timed, then Flush timed
// (the commit a recording waits for).
void Writer(Store& store, std::atomic<bool>& stop, WriterStats& out, std::atomic<uint64_t>& seq, int64_t now_ms) {
  while (!stop.load()) {
    const uint64_t n = seq.fetch_add(1);
    RecordingRecord r = Make(Id(now_ms, 900000000 + n), now_ms, now_ms + 86400000LL * 90, static_cast<int>(n));
    const auto t0 = SteadyClock::now();
    if (!store.Enqueue(std::move(r))) continue;
    const auto t1 = SteadyClock::now();
    (void)store.Flush(std::chrono::seconds(30));
    const auto t2 = SteadyClock::now();
    out.enqueue_us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    out.commit_us.push_back(std::chrono::duration<double, std::micro>(t2 - t1).count());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t records = 1000000;
  size_t files = 1000;
  size_t batch = 1000;
  std::string out_path = "sweeper_bench.json";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--records") records = std::stoul(argv[i + 1]);
    if (a == "--files") files = std::stoul(argv[i + 1]);
    if (a == "--batch") batch = std::stoul(argv[i + 1]);
    if (a == "--out") out_path = argv[i + 1];
  }
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("kronika-sweeper-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  nlohmann::json result = {{"records", records}, {"sweep_batch", batch}};
  {
    StoreOptions options;
    options.map_size_bytes = 4ull << 30;
    auto store = std::move(Store::Open(StoreDir(dir), options)).value();
    auto db = std::move(RulesDb::Open(dir)).value();
    kronika::policy::SitePolicy site;
    site.site_id = "bench";
    SitePolicies sites;
    sites.Add(std::move(*kronika::policy::ValidateSitePolicy(site)));

    // Fill: `records` recordings that expired a day before "now".
    const int64_t now_ms = kT0Ms + 400LL * 86400000;
    const auto f0 = SteadyClock::now();
    for (size_t n = 0; n < records; ++n) {
      const int64_t start = kT0Ms + static_cast<int64_t>(n) * 10;
      while (!store->Enqueue(Make(Id(start, n), start, now_ms - 86400000, static_cast<int>(n)))) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    (void)store->Flush(std::chrono::seconds(600));
    result["fill_s"] = std::chrono::duration<double>(SteadyClock::now() - f0).count();

    // Baseline: the writer alone for 5 s.
    std::atomic<uint64_t> seq{0};
    WriterStats base;
    {
      std::atomic<bool> stop{false};
      std::thread w(Writer, std::ref(*store), std::ref(stop), std::ref(base), std::ref(seq), now_ms);
      std::this_thread::sleep_for(std::chrono::seconds(5));
      stop = true;
      w.join();
    }
    // The sweep with the writer running.
    WriterStats during;
    prometheus::Registry registry;
    RulesMetrics metrics(registry);
    RetentionSweeper sweeper(store.get(), db.get(), &sites, &metrics, SweepOptions{dir, true, batch});
    std::atomic<bool> stop{false};
    std::thread w(Writer, std::ref(*store), std::ref(stop), std::ref(during), std::ref(seq), now_ms);
    const auto s0 = SteadyClock::now();
    kronika::Result<SweepReport> report = sweeper.SweepOnce(now_ms, std::nullopt, /*operator_confirmed=*/true);
    const double sweep_s = std::chrono::duration<double>(SteadyClock::now() - s0).count();
    stop = true;
    w.join();
    if (!report.ok()) {
      std::fprintf(stderr, "sweep failed: %s\n", report.error().message.c_str());
      return 1;
    }
    result["sweep"] = {{"deleted", report->deleted},
                       {"seconds", sweep_s},
                       {"deletions_per_s", static_cast<double>(report->deleted) / sweep_s},
                       {"remaining_expired", store->ExpiredBefore(now_ms, 10)->size()}};
    result["recording_path_without_sweep"] = {{"enqueue", Pct(base.enqueue_us)}, {"commit", Pct(base.commit_us)}};
    result["recording_path_during_sweep"] = {{"enqueue", Pct(during.enqueue_us)}, {"commit", Pct(during.commit_us)}};

    // INVITE path: RulesGate::Admit with 1000 numbers on the do-not-record list.
    for (int i = 0; i < 1000; ++i) {
      (void)db->AddDoNotRecord({"+48700" + std::to_string(100000 + i), "bench", now_ms, ""});
    }
    RulesGate gate(&sites, "bench", db.get(), nullptr);
    RecordingRecord invite = Make("x", now_ms, 0, 7);
    const int kAdmits = 100000;
    size_t admitted = 0;
    const auto a0 = SteadyClock::now();
    for (int i = 0; i < kAdmits; ++i) admitted += gate.Admit(invite).action == AdmitDecision::Action::kRecord ? 1 : 0;
    result["invite_admit"] = {{"calls", kAdmits}, {"admitted", admitted},
                              {"ns_per_call", std::chrono::duration<double, std::nano>(SteadyClock::now() - a0).count() / kAdmits}};

    // Shredding real files: overwrite + fdatasync + unlink.
    std::filesystem::create_directories(dir / "files");
    const std::string blob(64 * 1024, 'A');
    for (size_t i = 0; i < files; ++i) std::ofstream(dir / "files" / std::to_string(i)) << blob;
    const auto sh0 = SteadyClock::now();
    for (size_t i = 0; i < files; ++i) (void)ShredFile(dir / "files" / std::to_string(i), true);
    const double shred_s = std::chrono::duration<double>(SteadyClock::now() - sh0).count();
    result["shred_64k_files"] = {{"files", files}, {"files_per_s", static_cast<double>(files) / shred_s}};
  }
  std::filesystem::remove_all(dir);
  const std::string text = result.dump(2);
  std::ofstream(out_path) << text << "\n";
  std::puts(text.c_str());
  return 0;
}
