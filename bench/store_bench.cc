// store_bench: the LMDB recording store at scale (issue 5).
//
// Inserts N synthetic recordings through Store::Enqueue (the daemon's path: one writer
// thread, batched commits), then reopens the store read-only (the CLI / API path) and
// times queries. Writes one JSON document (stdout, or --out FILE).
//
// Data: start times 3.15 s apart on average (10M recordings ~ one year), ULID ids from
// RecordingIdGenerator; 2-3 participants: a Polish caller drawn from N/10 numbers (so a
// caller number has ~10 recordings), one of 200 company lines (+48 22 ...), and in 30 %
// of calls an agent extension; ~1.4 KB RFC 7865 metadata per record; 3-5 timeline events.
//
// Writer (--writer-seconds S > 0, after the insert): the store reopened read-write as the
// daemon opens it, with the records inserted above already present, then
//   serial:  one snapshot per commit (Enqueue + Flush, back to back) for S seconds: the
//            commits/s of the writer when each commit waits for its fsync alone;
//   offered: a producer thread enqueues call snapshots at each rate of --writer-rates
//            (snapshots/s; a call = an "active" snapshot and later its final one, as the
//            SIP thread writes them) for S seconds: commits/s, snapshots per commit, the
//            queue's high-water mark and whether the writer kept up (drained within
//            max_batch_delay + 1 s of the producer stopping);
//   saturated: the producer enqueues as fast as the queue takes them for S seconds: the
//            writer's ceiling in snapshots/s at the daemon's batch size (1000).
//
// usage: store_bench [--records N] [--dir DIR] [--keep] [--nosync] [--queries Q]
//                    [--metadata-bytes B] [--writer-seconds S] [--writer-rates R1,R2,...]
//                    [--out FILE]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/recording_id.h"
#include "kronika/srs/store/store.h"
#include "store_codec.h"

namespace {

using Clock = std::chrono::steady_clock;
using kronika::srs::ParticipantRecord;
using kronika::srs::RecordingQuery;
using kronika::srs::RecordingRecord;
using kronika::srs::RecordingState;
using kronika::srs::Store;
using kronika::srs::StoreOptions;

constexpr int64_t kEpochMs = 1767225600000;  // 2026-01-01T00:00:00Z
constexpr double kMeanGapMs = 3150.0;        // 10M recordings ~ 1 year
constexpr int kCompanyLines = 200;
constexpr int kExtensions = 500;

struct Flags {
  uint64_t records = 10'000'000;
  std::string dir;
  bool keep = false;
  bool durable = true;
  int queries = 2000;
  size_t metadata_bytes = 1400;
  double writer_seconds = 0;  // 0: no writer phase
  std::vector<double> writer_rates = {100, 1000, 5000, 20000};  // snapshots per second
  std::string out;
};

const char* const kFirstNames[] = {"Jan", "Anna", "Piotr", "Katarzyna", "Tomasz", "Małgorzata",
                                   "Krzysztof", "Agnieszka", "Łukasz", "Ewa", "Michał", "Zofia"};
const char* const kLastNames[] = {"Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kowalczyk",
                                  "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak",
                                  "Dąbrowski", "Kozłowski", "Jankowski", "Mazur"};

std::string CallerNumber(uint64_t index) {
  static const int kPrefixes[] = {500, 501, 502, 503, 510, 530, 600, 601, 602, 603, 660, 690,
                                  691, 695, 720, 721, 730, 780, 790, 880, 881, 885, 886, 888};
  uint64_t prefix = kPrefixes[index % std::size(kPrefixes)];
  uint64_t rest = (index * 2654435761ull) % 1'000'000;
  char buf[24];
  std::snprintf(buf, sizeof buf, "+48%03llu%06llu", static_cast<unsigned long long>(prefix),
                static_cast<unsigned long long>(rest));
  return buf;
}

std::string CompanyNumber(int index) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "+4822%07d", 5'550'000 + index);
  return buf;
}

// The caller's number as the SBC may have sent it.
std::string AsTyped(const std::string& e164, uint64_t variant) {
  switch (variant % 3) {
    case 0: return e164;
    case 1: return "0" + e164.substr(3);
    default: return e164.substr(3);
  }
}

class Generator {
 public:
  Generator(const Flags& flags) : flags_(flags), rng_(42), callers_(std::max<uint64_t>(1, flags.records / 10)) {}

  RecordingRecord Next() {
    now_ms_ += static_cast<int64_t>(gap_(rng_)) + 1;
    RecordingRecord r;
    r.recording_id = ids_.Next(std::chrono::system_clock::time_point(std::chrono::milliseconds(now_ms_)));
    r.sip_call_id = std::to_string(rng_()) + "@sbc1.example.pl";
    r.src_host = "10.20.0.11";
    r.site = "waw1";
    r.start_ms_utc = now_ms_;
    int64_t duration_ms = 5'000 + static_cast<int64_t>(rng_() % 600'000);
    r.end_ms_utc = now_ms_ + duration_ms;
    r.duration_s = duration_ms / 1000.0;
    r.state = rng_() % 50 == 0 ? RecordingState::kInterrupted : RecordingState::kCompleted;
    r.file_path = "recordings/2026/" + r.recording_id + ".opus";
    r.file_bytes = static_cast<uint64_t>(duration_ms) * 2;
    r.codec = "opus/48000/2 from PCMA";
    uint64_t caller = rng_() % callers_;
    std::string caller_e164 = CallerNumber(caller);
    std::string name = std::string(kFirstNames[rng_() % std::size(kFirstNames)]) + " " +
                       kLastNames[rng_() % std::size(kLastNames)];
    r.participants.push_back({"cGFydGljaXBhbnQx", name, "sip:" + caller_e164 + "@sbc1.example.pl",
                              caller_e164, AsTyped(caller_e164, caller), 0});
    std::string company = CompanyNumber(static_cast<int>(rng_() % kCompanyLines));
    r.participants.push_back({"cGFydGljaXBhbnQy", "Infolinia", "sip:" + company + "@pbx.example.pl",
                              company, company, 1});
    if (rng_() % 10 < 3) {
      std::string ext = std::to_string(1000 + rng_() % kExtensions);
      r.participants.push_back({"cGFydGljaXBhbnQz", "Konsultant " + ext, "sip:" + ext + "@pbx.example.pl",
                                "", ext, 1});
    }
    r.timeline.push_back({now_ms_, "invite", ""});
    r.timeline.push_back({now_ms_ + 180, "answer", "200 OK"});
    if (rng_() % 5 == 0) {
      r.timeline.push_back({now_ms_ + duration_ms / 3, "pause", "a=inactive"});
      r.timeline.push_back({now_ms_ + duration_ms / 2, "resume", "a=sendonly"});
    }
    r.timeline.push_back({r.end_ms_utc, "bye", "from SRC"});
    r.metadata_xml_last = Metadata(r);
    return r;
  }

  int64_t first_ms() const { return kEpochMs; }
  int64_t last_ms() const { return now_ms_; }
  uint64_t callers() const { return callers_; }

 private:
  std::string Metadata(const RecordingRecord& r) {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<recording xmlns=\"urn:ietf:params:xml:ns:recording:1\">\n"
        "  <datamode>complete</datamode>\n"
        "  <session session_id=\"hVpd7YQgRW2nD22h7q60JQ==\"><sipSessionID>" + r.sip_call_id +
        "</sipSessionID></session>\n";
    for (const ParticipantRecord& p : r.participants) {
      xml += "  <participant participant_id=\"" + p.participant_id + "\">\n    <nameID aor=\"" +
             p.aor + "\"><name xml:lang=\"pl\">" + p.name + "</name></nameID>\n  </participant>\n";
    }
    xml += "  <stream stream_id=\"UAAMm5GRQKSCMVvLyl4rFw==\" session_id=\"hVpd7YQgRW2nD22h7q60JQ==\">"
           "<label>1</label></stream>\n"
           "  <stream stream_id=\"i1Pz3to5hGk8fuXl+PbwCw==\" session_id=\"hVpd7YQgRW2nD22h7q60JQ==\">"
           "<label>2</label></stream>\n";
    while (xml.size() + 14 < flags_.metadata_bytes) {
      xml += "  <!-- pad -->\n";
    }
    xml += "</recording>\n";
    if (flags_.metadata_bytes == 0) xml.clear();
    return xml;
  }

  const Flags& flags_;
  std::mt19937_64 rng_;
  std::exponential_distribution<double> gap_{1.0 / kMeanGapMs};
  uint64_t callers_;
  int64_t now_ms_ = kEpochMs;
  kronika::srs::RecordingIdGenerator ids_;
};

// CPU time of this thread: on a loaded shared machine wall time includes waiting for a
// core, so both are reported.
double ThreadCpuUs() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

double At(std::vector<double>& v, double p) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

nlohmann::json Percentiles(std::vector<double> us, uint64_t rows, std::vector<double> cpu_us = {}) {
  nlohmann::json j = {{"queries", us.size()},
                      {"rows_avg", us.empty() ? 0.0 : static_cast<double>(rows) / us.size()},
                      {"p50_us", At(us, 0.50)},
                      {"p99_us", At(us, 0.99)},
                      {"max_us", us.empty() ? 0.0 : us.back()}};
  if (!cpu_us.empty()) {
    j["cpu_p50_us"] = At(cpu_us, 0.50);
    j["cpu_p99_us"] = At(cpu_us, 0.99);
  }
  return j;
}

template <typename MakeQuery>
nlohmann::json TimeQueries(const Store& store, int n, std::mt19937_64& rng, MakeQuery make) {
  std::vector<double> us, cpu_us;
  uint64_t rows = 0;
  for (int i = 0; i < n + n / 10; ++i) {  // the first n/10 warm up and are not counted
    RecordingQuery q = make(rng);
    double c0 = ThreadCpuUs();
    auto t0 = Clock::now();
    auto result = store.Query(q);
    auto t1 = Clock::now();
    double c1 = ThreadCpuUs();
    if (!result.ok()) {
      std::fprintf(stderr, "store_bench: query failed: %s\n", result.error().message.c_str());
      std::exit(1);
    }
    if (i < n / 10) continue;
    rows += result->size();
    us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    cpu_us.push_back(c1 - c0);
  }
  return Percentiles(std::move(us), rows, std::move(cpu_us));
}

nlohmann::json CodecComparison(Generator& gen) {
  // Compact binary (what the store writes) against JSON via nlohmann for the same records.
  constexpr int kSamples = 2000;
  std::vector<RecordingRecord> recs;
  for (int i = 0; i < kSamples; ++i) recs.push_back(gen.Next());
  size_t binary_bytes = 0, json_bytes = 0;
  std::vector<std::string> bins, jsons;
  auto t0 = Clock::now();
  for (const auto& r : recs) bins.push_back(kronika::srs::EncodeRecord(r));
  auto t1 = Clock::now();
  for (const auto& r : recs) jsons.push_back(kronika::srs::RecordingDetailJson(r).dump());
  auto t2 = Clock::now();
  size_t sink = 0;  // keeps the decoded values alive for the optimiser
  for (const auto& b : bins) {
    binary_bytes += b.size();
    sink += kronika::srs::DecodeRecord(b)->participants.size();
  }
  auto t3 = Clock::now();
  for (const auto& j : jsons) {
    json_bytes += j.size();
    sink += nlohmann::json::parse(j)["participants"].size();
  }
  auto t4 = Clock::now();
  if (sink == 0) std::fprintf(stderr, "store_bench: no participants decoded\n");
  auto ns = [](auto d) { return std::chrono::duration<double, std::nano>(d).count() / kSamples; };
  return {{"records", kSamples},
          {"binary_bytes_avg", static_cast<double>(binary_bytes) / kSamples},
          {"json_bytes_avg", static_cast<double>(json_bytes) / kSamples},
          {"binary_encode_ns", ns(t1 - t0)},
          {"json_encode_ns", ns(t2 - t1)},
          {"binary_decode_ns", ns(t3 - t2)},
          {"json_parse_ns", ns(t4 - t3)}};
}

// The daemon's writes: each call is stored when answered (state active) and again when it
// ends (the final snapshot overwrites the first). Returns the snapshot for step `i`.
class CallSnapshots {
 public:
  explicit CallSnapshots(Generator& gen) : gen_(gen) {}
  RecordingRecord Next() {
    if (pending_) {  // the call that started last ends now
      RecordingRecord final_snapshot = std::move(*pending_);
      pending_.reset();
      return final_snapshot;
    }
    RecordingRecord answered = gen_.Next();
    pending_ = answered;
    answered.state = RecordingState::kActive;
    answered.end_ms_utc = 0;
    answered.duration_s = 0;
    return answered;
  }

 private:
  Generator& gen_;
  std::optional<RecordingRecord> pending_;
};

nlohmann::json WriterSerial(Store& store, CallSnapshots& calls, double seconds) {
  std::vector<double> us;
  const auto stats0 = store.Stats();
  const auto t0 = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - t0).count() < seconds) {
    const auto a = Clock::now();
    if (!store.Enqueue(calls.Next()) || !store.Flush(std::chrono::seconds(30)).ok()) return {{"error", "commit failed"}};
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
  }
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const auto stats1 = store.Stats();
  const uint64_t commits = stats1->commits - stats0->commits;
  return {{"commits", commits},
          {"commits_per_s", commits / wall},
          {"enqueue_to_committed_p50_us", At(us, 0.50)},
          {"enqueue_to_committed_p99_us", At(us, 0.99)},
          {"enqueue_to_committed_max_us", us.empty() ? 0.0 : us.back()}};
}

// rate <= 0: saturated (enqueue as fast as the queue takes snapshots).
nlohmann::json WriterOffered(Store& store, CallSnapshots& calls, double rate, double seconds,
                             std::chrono::milliseconds max_batch_delay) {
  const auto stats0 = store.Stats();
  std::atomic<bool> producing{true};
  std::atomic<uint64_t> enqueued{0}, refused{0};
  const auto t0 = Clock::now();
  std::thread producer([&] {
    while (producing) {
      const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
      const uint64_t due = rate > 0 ? static_cast<uint64_t>(elapsed * rate) : enqueued + 1000;
      while (enqueued < due && producing) {
        if (store.Enqueue(calls.Next())) {
          ++enqueued;
        } else {  // queue full: the writer is behind
          ++refused;
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        }
      }
      if (rate > 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  size_t high_water = 0;
  while (std::chrono::duration<double>(Clock::now() - t0).count() < seconds) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    high_water = std::max(high_water, store.Stats()->queue_depth);
  }
  producing = false;
  producer.join();
  const double produced_s = std::chrono::duration<double>(Clock::now() - t0).count();
  const auto f0 = Clock::now();
  const bool flushed = store.Flush(std::chrono::minutes(10)).ok();
  const double drain_s = std::chrono::duration<double>(Clock::now() - f0).count();
  const double wall = produced_s + drain_s;
  const auto stats1 = store.Stats();
  const uint64_t commits = stats1->commits - stats0->commits;
  const uint64_t written = stats1->records_written - stats0->records_written;
  return {{"offered_snapshots_per_s", rate > 0 ? nlohmann::json(rate) : nlohmann::json("saturated")},
          {"enqueued", enqueued.load()},
          {"enqueue_refused_queue_full", refused.load()},
          {"committed_snapshots_per_s", written / wall},
          {"commits_per_s", commits / wall},
          {"snapshots_per_commit", commits ? static_cast<double>(written) / commits : 0.0},
          {"queue_high_water", high_water},
          {"drain_seconds_after_producer_stopped", drain_s},
          {"kept_up", flushed && refused == 0 &&
                          drain_s <= std::chrono::duration<double>(max_batch_delay).count() + 1.0}};
}

Flags ParseFlags(int argc, char** argv) {
  Flags f;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "store_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--records") f.records = std::stoull(value());
    else if (a == "--dir") f.dir = value();
    else if (a == "--keep") f.keep = true;
    else if (a == "--nosync") f.durable = false;
    else if (a == "--queries") f.queries = std::stoi(value());
    else if (a == "--metadata-bytes") f.metadata_bytes = std::stoull(value());
    else if (a == "--out") f.out = value();
    else if (a == "--writer-seconds") f.writer_seconds = std::stod(value());
    else if (a == "--writer-rates") {
      f.writer_rates.clear();
      std::stringstream list(value());
      for (std::string item; std::getline(list, item, ',');) f.writer_rates.push_back(std::stod(item));
    } else {
      std::fprintf(stderr,
                   "usage: store_bench [--records N] [--dir DIR] [--keep] [--nosync] "
                   "[--queries Q] [--metadata-bytes B] [--writer-seconds S] [--writer-rates R1,R2,...] "
                   "[--out FILE]\n");
      std::exit(2);
    }
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags = ParseFlags(argc, argv);
  bool made_dir = flags.dir.empty();
  if (made_dir) {
    flags.dir = (std::filesystem::temp_directory_path() /
                 ("kronika-store-bench-" + std::to_string(::getpid()))).string();
  }
  std::filesystem::remove_all(flags.dir);
  nlohmann::json report = {{"bench", "store_bench"},
                           {"records", flags.records},
                           {"durable", flags.durable},
                           {"metadata_bytes", flags.metadata_bytes},
                           {"hardware_threads", std::thread::hardware_concurrency()}};

  Generator gen(flags);
  std::vector<std::string> ids;  // a sample of inserted ids for get_by_id
  // ---- insert through the daemon's path ----
  {
    StoreOptions options;
    options.durable = flags.durable;
    options.map_size_bytes = 1ull << 30;
    options.max_map_size_bytes = 1ull << 40;
    options.queue_capacity = 100'000;
    auto store = Store::Open(flags.dir, options);
    if (!store.ok()) {
      std::fprintf(stderr, "store_bench: %s\n", store.error().message.c_str());
      return 1;
    }
    auto t0 = Clock::now();
    uint64_t full_waits = 0;
    const uint64_t sample_every = flags.records / 200'000 + 1;
    for (uint64_t i = 0; i < flags.records; ++i) {
      RecordingRecord r = gen.Next();
      if (i % sample_every == 0) ids.push_back(r.recording_id);
      while (!(*store)->Enqueue(r)) {  // queue full: the writer is behind, wait for it
        ++full_waits;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      if (i % 1'000'000 == 999'999) {
        double s = std::chrono::duration<double>(Clock::now() - t0).count();
        std::fprintf(stderr, "store_bench: %llu records in %.1f s\n",
                     static_cast<unsigned long long>(i + 1), s);
      }
    }
    auto flushed = (*store)->Flush(std::chrono::hours(1));
    auto t1 = Clock::now();
    if (!flushed.ok()) {
      std::fprintf(stderr, "store_bench: %s\n", flushed.error().message.c_str());
      return 1;
    }
    double seconds = std::chrono::duration<double>(t1 - t0).count();
    auto stats = (*store)->Stats();
    report["insert"] = {{"seconds", seconds},
                        {"records_per_s", flags.records / seconds},
                        {"commits", stats->commits},
                        {"records_per_commit", stats->commits ? double(stats->records_written) / stats->commits : 0.0},
                        {"producer_waits_queue_full", full_waits}};
    report["store"] = {{"file_bytes", stats->file_bytes},
                       {"used_bytes", stats->used_bytes},
                       {"map_size_bytes", stats->map_size_bytes},
                       {"bytes_per_record", flags.records ? double(stats->used_bytes) / flags.records : 0.0}};
  }
  // ---- the writer with the records above present (the daemon's store) ----
  if (flags.writer_seconds > 0) {
    StoreOptions options;  // the daemon's defaults: batches of <= 1000 or every 50 ms
    options.durable = flags.durable;
    options.max_map_size_bytes = 1ull << 40;
    auto store = Store::Open(flags.dir, options);
    if (!store.ok()) {
      std::fprintf(stderr, "store_bench: %s\n", store.error().message.c_str());
      return 1;
    }
    CallSnapshots calls(gen);
    nlohmann::json writer = {{"seconds_per_phase", flags.writer_seconds},
                             {"records_present", flags.records},
                             {"max_batch", options.max_batch},
                             {"max_batch_delay_ms", options.max_batch_delay.count()}};
    std::fprintf(stderr, "store_bench: writer, serial commits\n");
    writer["serial_one_snapshot_per_commit"] = WriterSerial(**store, calls, flags.writer_seconds);
    nlohmann::json offered = nlohmann::json::array();
    for (double rate : flags.writer_rates) {
      std::fprintf(stderr, "store_bench: writer, %.0f snapshots/s offered\n", rate);
      offered.push_back(WriterOffered(**store, calls, rate, flags.writer_seconds, options.max_batch_delay));
    }
    writer["offered"] = offered;
    std::fprintf(stderr, "store_bench: writer, saturated\n");
    writer["saturated"] = WriterOffered(**store, calls, 0, flags.writer_seconds, options.max_batch_delay);
    report["writer"] = writer;
  }
  // ---- queries through a read-only handle (CLI / API path) ----
  {
    StoreOptions ro;
    ro.read_only = true;
    auto store = Store::Open(flags.dir, ro);
    if (!store.ok()) {
      std::fprintf(stderr, "store_bench: %s\n", store.error().message.c_str());
      return 1;
    }
    std::mt19937_64 rng(7);
    const uint64_t callers = gen.callers();
    const int64_t first = gen.first_ms(), span = gen.last_ms() - gen.first_ms();
    report["query_by_number"] = TimeQueries(**store, flags.queries, rng, [&](std::mt19937_64& r) {
      RecordingQuery q;
      q.number = CallerNumber(r() % callers);  // ~10 recordings each
      q.limit = 100;
      return q;
    });
    report["query_by_number_as_typed"] = TimeQueries(**store, flags.queries, rng, [&](std::mt19937_64& r) {
      RecordingQuery q;
      q.number = "0" + CallerNumber(r() % callers).substr(3);  // national form, normalised
      q.limit = 100;
      return q;
    });
    report["query_company_line_newest_10"] = TimeQueries(**store, flags.queries, rng, [&](std::mt19937_64& r) {
      RecordingQuery q;
      q.number = CompanyNumber(static_cast<int>(r() % kCompanyLines));
      q.limit = 10;
      q.newest_first = true;
      return q;
    });
    report["query_time_range_10"] = TimeQueries(**store, flags.queries, rng, [&](std::mt19937_64& r) {
      RecordingQuery q;
      q.from_ms_utc = first + static_cast<int64_t>(r() % static_cast<uint64_t>(std::max<int64_t>(1, span)));
      q.to_ms_utc = *q.from_ms_utc + static_cast<int64_t>(10 * kMeanGapMs);  // ~10 rows
      q.limit = 100;
      return q;
    });
    report["query_time_range_page_100"] = TimeQueries(**store, flags.queries, rng, [&](std::mt19937_64& r) {
      RecordingQuery q;
      q.from_ms_utc = first + static_cast<int64_t>(r() % static_cast<uint64_t>(std::max<int64_t>(1, span)));
      q.to_ms_utc = *q.from_ms_utc + 24LL * 3600 * 1000;  // a day, first page
      q.limit = 100;
      return q;
    });
    std::vector<double> us;
    for (int i = 0; i < flags.queries && !ids.empty(); ++i) {
      const std::string& id = ids[rng() % ids.size()];
      auto t0 = Clock::now();
      auto rec = (*store)->Get(id);
      auto t1 = Clock::now();
      if (!rec.ok() || !rec->has_value()) {
        std::fprintf(stderr, "store_bench: lost record %s\n", id.c_str());
        return 1;
      }
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    report["get_by_id"] = Percentiles(std::move(us), flags.queries);
  }
  report["codec"] = CodecComparison(gen);
  if (made_dir && !flags.keep) std::filesystem::remove_all(flags.dir);
  std::string text = report.dump(2) + "\n";
  if (flags.out.empty()) {
    std::cout << text;
  } else {
    std::ofstream(flags.out) << text;
    std::cerr << text;
  }
  return 0;
}
