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
// A call's "active" snapshot and its final one are --writer-open-calls (200) snapshots
// apart, as with that many calls in progress.
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
// Fixture (--fixture-dir DIR): the store is DIR/db (DIR is a data_dir `kronika backup` can
// copy) and is kept; DIR/fixture.json describes it, and a later run with the same
// --records and --metadata-bytes reuses it instead of inserting again. With --bulk the
// fixture is built without the writer thread: records in id order, by_start in time order
// and by_number sorted by (number, start + id), each appended with MDB_APPEND, through the
// store's own EncodeRecord, TimeKey and NumberKeysOf. The daemon's path (the default) writes
// ~12 KB per record at this scale and did not reach 10M on this machine (docs/benchmarks.md).
//
// Cold cache (--cold-queries Q): before each query kind the read-only store is closed, the
// kernel is told to drop data.mdb's cached pages (posix_fadvise DONTNEED; nothing of it is
// mapped then) and the store is reopened; Q queries follow without warm-up.
//
// usage: store_bench [--records N] [--dir DIR | --fixture-dir DIR [--bulk]] [--keep]
//                    [--nosync] [--queries Q] [--cold-queries Q] [--metadata-bytes B]
//                    [--writer-seconds S] [--writer-rates R1,R2,...] [--writer-open-calls C] [--out FILE]
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <ctime>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>
#include <optional>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "database_impl.h"
#include "kronika/srs/core/completeness_record.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/recording_id.h"
#include "kronika/srs/store/store.h"
#include "store_codec.h"
#include "store_keys.h"

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
  size_t writer_open_calls = 200;  // calls in progress between a call's two snapshots
  std::string out;
  std::string fixture_dir;  // kept store under DIR/db, reused when DIR/fixture.json matches
  bool bulk = false;        // build the fixture with sorted MDB_APPEND, not the writer
  int cold_queries = 0;     // per query kind, page cache of data.mdb dropped first
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
    r.verdict = Verdict(r.state);
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
  // Continues after a fixture built earlier: later start times, so later ids.
  void Resume(int64_t last_ms) { now_ms_ = last_ms; }
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

  // Completeness verdicts: mostly complete; the rarer ones are what people search for.
  std::string Verdict(RecordingState state) {
    if (state == RecordingState::kInterrupted) return "interrupted";
    uint64_t v = verdict_rng_() % 1000;
    if (v < 900) return "complete";
    if (v < 950) return "partial";
    if (v < 975) return "one-way";
    if (v < 990) return "silent";
    return "no-media";
  }

  const Flags& flags_;
  std::mt19937_64 rng_;
  std::mt19937_64 verdict_rng_{4242};
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

// Times n queries from `make`. warm: the same n queries run once untimed first, so the
// timed pass finds their pages in the page cache (on a store larger than the cache, a new
// random query is a cold one whatever ran before it). Not warm: each query's first run.
template <typename MakeQuery>
nlohmann::json TimeQueries(const Store& store, int n, std::mt19937_64& rng, MakeQuery make, bool warm = true) {
  std::vector<RecordingQuery> queries;
  for (int i = 0; i < n; ++i) queries.push_back(make(rng));
  std::vector<double> us, cpu_us;
  uint64_t rows = 0;
  for (int pass = warm ? 0 : 1; pass < 2; ++pass) {
    for (const RecordingQuery& q : queries) {
      double c0 = ThreadCpuUs();
      auto t0 = Clock::now();
      auto result = store.Query(q);
      auto t1 = Clock::now();
      double c1 = ThreadCpuUs();
      if (!result.ok()) {
        std::fprintf(stderr, "store_bench: query failed: %s\n", result.error().message.c_str());
        std::exit(1);
      }
      if (pass == 0) continue;
      rows += result->size();
      us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
      cpu_us.push_back(c1 - c0);
    }
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
// ends (the final snapshot overwrites the first), with `open_calls` calls in progress in
// between, so a call's two snapshots land in different commits as they do in the daemon.
class CallSnapshots {
 public:
  CallSnapshots(Generator& gen, size_t open_calls) : gen_(gen), open_calls_(std::max<size_t>(1, open_calls)) {}
  RecordingRecord Next() {
    if (open_.size() >= open_calls_) {  // the oldest call in progress ends now
      RecordingRecord final_snapshot = std::move(open_.front());
      open_.pop_front();
      return final_snapshot;
    }
    RecordingRecord answered = gen_.Next();
    open_.push_back(answered);
    answered.state = RecordingState::kActive;
    answered.verdict.clear();
    answered.end_ms_utc = 0;
    answered.duration_s = 0;
    return answered;
  }

 private:
  Generator& gen_;
  size_t open_calls_;
  std::deque<RecordingRecord> open_;
};

// /proc/self/io: `wchar` = bytes this process handed to write(2)/pwrite(2) (LMDB's page and
// meta-page writes, the writer thread included; a few bytes of stderr), `write_bytes` = what
// the kernel accounted to storage for it (on this VM's ext4 ~10x wchar for LMDB's scattered
// 4 KB page writes: a strace of the same commits counts the wchar figure in pwrite64 calls).
struct ProcessIo {
  uint64_t wchar = 0, write_bytes = 0;
};
ProcessIo ReadProcessIo() {
  std::ifstream io("/proc/self/io");
  std::string name;
  uint64_t value = 0;
  ProcessIo out;
  while (io >> name >> value) {
    if (name == "wchar:") out.wchar = value;
    if (name == "write_bytes:") out.write_bytes = value;
  }
  return out;
}

// Bytes written per committed snapshot and per commit over a writer phase. Each durable
// commit is one fdatasync of data.mdb plus one synchronous (O_DSYNC) meta-page write.
void AddWriteCost(nlohmann::json& j, const ProcessIo& io0, uint64_t snapshots, uint64_t commits, uint64_t grew) {
  const ProcessIo io1 = ReadProcessIo();
  const uint64_t bytes = io1.wchar - io0.wchar, kernel = io1.write_bytes - io0.write_bytes;
  j["written_bytes"] = bytes;
  j["written_bytes_per_snapshot"] = snapshots ? static_cast<double>(bytes) / snapshots : 0.0;
  j["written_bytes_per_commit"] = commits ? static_cast<double>(bytes) / commits : 0.0;
  j["kernel_write_bytes_per_snapshot"] = snapshots ? static_cast<double>(kernel) / snapshots : 0.0;
  j["data_mdb_growth_bytes"] = grew;
}

nlohmann::json WriterSerial(Store& store, CallSnapshots& calls, double seconds) {
  std::vector<double> us;
  const auto stats0 = store.Stats();
  const ProcessIo io0 = ReadProcessIo();
  const auto t0 = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - t0).count() < seconds) {
    const auto a = Clock::now();
    if (!store.Enqueue(calls.Next()) || !store.Flush(std::chrono::seconds(30)).ok()) return {{"error", "commit failed"}};
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - a).count());
  }
  const double wall = std::chrono::duration<double>(Clock::now() - t0).count();
  const auto stats1 = store.Stats();
  const uint64_t commits = stats1->commits - stats0->commits;
  nlohmann::json j = {{"commits", commits},
                      {"commits_per_s", commits / wall},
                      {"enqueue_to_committed_p50_us", At(us, 0.50)},
                      {"enqueue_to_committed_p99_us", At(us, 0.99)},
                      {"enqueue_to_committed_max_us", us.empty() ? 0.0 : us.back()}};
  AddWriteCost(j, io0, stats1->records_written - stats0->records_written, commits,
               stats1->file_bytes - stats0->file_bytes);
  return j;
}

// rate <= 0: saturated (enqueue as fast as the queue takes snapshots).
nlohmann::json WriterOffered(Store& store, CallSnapshots& calls, double rate, double seconds,
                             std::chrono::milliseconds max_batch_delay) {
  const auto stats0 = store.Stats();
  const ProcessIo io0 = ReadProcessIo();
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
  nlohmann::json j = {{"offered_snapshots_per_s", rate > 0 ? nlohmann::json(rate) : nlohmann::json("saturated")},
          {"enqueued", enqueued.load()},
          {"enqueue_refused_queue_full", refused.load()},
          {"committed_snapshots_per_s", written / wall},
          {"commits_per_s", commits / wall},
          {"snapshots_per_commit", commits ? static_cast<double>(written) / commits : 0.0},
          {"queue_high_water", high_water},
          {"drain_seconds_after_producer_stopped", drain_s},
          {"kept_up", flushed && refused == 0 &&
                          drain_s <= std::chrono::duration<double>(max_batch_delay).count() + 1.0}};
  AddWriteCost(j, io0, written, commits, stats1->file_bytes - stats0->file_bytes);
  return j;
}

// Drops data.mdb's pages from the page cache. Only pages no process maps are dropped, so
// call it with the store closed.
std::string DropFileCache(const std::string& store_dir) {
  int fd = ::open((store_dir + "/data.mdb").c_str(), O_RDONLY);
  if (fd < 0) return "cannot open data.mdb";
  ::fdatasync(fd);
  int rc = ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
  ::close(fd);
  return rc == 0 ? "posix_fadvise(DONTNEED) on data.mdb" : std::string("posix_fadvise failed: ") + std::strerror(rc);
}

// Pages of data.mdb resident in the page cache, as a fraction (mincore over a mapping).
double ResidentFraction(const std::string& store_dir) {
  int fd = ::open((store_dir + "/data.mdb").c_str(), O_RDONLY);
  if (fd < 0) return -1;
  off_t size = ::lseek(fd, 0, SEEK_END);
  double fraction = -1;
  void* map = size > 0 ? ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
  if (map != MAP_FAILED) {
    const long page = ::sysconf(_SC_PAGESIZE);
    std::vector<unsigned char> vec((size + page - 1) / page);
    if (::mincore(map, size, vec.data()) == 0) {
      size_t resident = 0;
      for (unsigned char c : vec) resident += c & 1;
      fraction = static_cast<double>(resident) / vec.size();
    }
    ::munmap(map, size);
  }
  ::close(fd);
  return fraction;
}

std::string FixtureJsonPath(const Flags& flags) { return flags.fixture_dir + "/fixture.json"; }

// The fixture's description: what it holds and what a later run needs to query it.
std::optional<nlohmann::json> LoadFixture(const Flags& flags) {
  std::ifstream in(FixtureJsonPath(flags));
  if (!in) return std::nullopt;
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || j.value("records", uint64_t{0}) != flags.records ||
      j.value("metadata_bytes", size_t{0}) != flags.metadata_bytes || !j.value("complete", false)) {
    return std::nullopt;
  }
  return j;
}

// Builds the store without the writer thread, in key order, through the store's own codec
// and key functions (EncodeRecord, TimeKey, NumberKeysOf), so the tables hold exactly what
// Store::Enqueue would have written for the same records (except the events outbox: its
// recording.* events are pruned after delivery anyway and no query reads them).
//   recordings: ULIDs are time-ordered, so generation order is key order: MDB_APPEND.
//   by_start:   TimeKey(start, id), start strictly increasing: MDB_APPEND.
//   by_number:  (number, TimeKey) pairs; grouped by number in memory (each number's list is
//               already in time order), numbers sorted, then MDB_APPEND / MDB_APPENDDUP.
// LMDB refuses an out-of-order append (MDB_KEYEXIST), so a wrong order fails loudly.
// Memory: 8 + 26 bytes per record and 4 bytes per by_number entry (~0.5 GB at 10M).
int BuildBulk(const Flags& flags, Generator& gen, std::vector<std::string>& ids, nlohmann::json& report) {
  using namespace kronika::srs;
  auto fail = [](const std::string& what, int rc) {
    std::fprintf(stderr, "store_bench: bulk: %s: %s\n", what.c_str(), mdb_strerror(rc));
    return 1;
  };
  DatabaseOptions db_options;
  db_options.durable = false;  // synced once at the end
  db_options.map_size_bytes = std::max<uint64_t>(1ull << 30, flags.records * (flags.metadata_bytes + 1200) * 3 / 2);
  db_options.max_map_size_bytes = 1ull << 40;
  auto db = Database::Open(flags.dir, db_options);
  if (!db.ok()) {
    std::fprintf(stderr, "store_bench: %s\n", db.error().message.c_str());
    return 1;
  }
  {  // creates the tables, the schema version and the outbox as the daemon would
    StoreOptions options;
    options.durable = false;
    auto store = Store::Open(*db, options);
    if (!store.ok()) {
      std::fprintf(stderr, "store_bench: %s\n", store.error().message.c_str());
      return 1;
    }
  }
  LmdbEnv& env = *(*db)->impl().env;
  auto recordings = env.OpenTable("recordings", 0);
  auto by_start = env.OpenTable("by_start", 0);
  auto by_number = env.OpenTable("by_number", MDB_DUPSORT);
  if (!recordings.ok() || !by_start.ok() || !by_number.ok()) return fail("open tables", MDB_NOTFOUND);

  const auto t0 = Clock::now();
  const double c0 = ThreadCpuUs();
  std::vector<int64_t> starts;
  std::string id_bytes;  // fixed-width ids, back to back
  size_t id_width = 0;
  std::unordered_map<std::string, std::vector<uint32_t>> numbers;
  const uint64_t sample_every = flags.records / 200'000 + 1;
  constexpr uint64_t kPerTxn = 50'000;
  uint64_t record_bytes = 0;
  starts.reserve(flags.records);
  for (uint64_t done = 0; done < flags.records;) {
    auto txn = env.BeginWrite();
    if (!txn.ok()) return fail("begin", MDB_PANIC);
    LmdbCursor rec_cursor(txn->get(), *recordings), start_cursor(txn->get(), *by_start);
    for (uint64_t n = 0; n < kPerTxn && done < flags.records; ++n, ++done) {
      RecordingRecord r = gen.Next();
      r.schema_version = kRecordingSchemaVersion;
      if (r.retention_expiry_ms_utc != 0 || r.legal_hold) return fail("the generator sets no expiry or hold", MDB_INVALID);
      if (done % sample_every == 0) ids.push_back(r.recording_id);
      if (id_width == 0) id_width = r.recording_id.size();
      if (r.recording_id.size() != id_width) return fail("ids of different lengths", MDB_INVALID);
      std::string encoded = EncodeRecord(r);
      record_bytes += encoded.size();
      MDB_val key = LmdbVal(r.recording_id), value = LmdbVal(encoded), empty{0, nullptr};
      if (int rc = rec_cursor.Put(key, value, MDB_APPEND); rc != 0) return fail("append recording", rc);
      std::string start_key = TimeKey(r.start_ms_utc, r.recording_id);
      MDB_val sk = LmdbVal(start_key);
      if (int rc = start_cursor.Put(sk, empty, MDB_APPEND); rc != 0) return fail("append by_start", rc);
      starts.push_back(r.start_ms_utc);
      id_bytes += r.recording_id;
      for (std::string& number : NumberKeysOf(r)) numbers[std::move(number)].push_back(static_cast<uint32_t>(done));
    }
    if (int rc = txn->Commit(); rc != 0) return fail("commit recordings", rc);
    if (done % 1'000'000 == 0) {
      std::fprintf(stderr, "store_bench: bulk: %llu records in %.1f s\n", static_cast<unsigned long long>(done),
                   std::chrono::duration<double>(Clock::now() - t0).count());
    }
  }
  const double records_s = std::chrono::duration<double>(Clock::now() - t0).count();
  std::vector<const std::pair<const std::string, std::vector<uint32_t>>*> sorted;
  sorted.reserve(numbers.size());
  uint64_t entries = 0;
  for (const auto& kv : numbers) {
    sorted.push_back(&kv);
    entries += kv.second.size();
  }
  std::sort(sorted.begin(), sorted.end(), [](auto* a, auto* b) { return a->first < b->first; });
  uint64_t put = 0;
  std::optional<kronika::Result<LmdbTxn>> txn;
  txn.emplace(env.BeginWrite());
  if (!txn->ok()) return fail("begin", MDB_PANIC);
  auto cursor = std::make_unique<LmdbCursor>((*txn)->get(), *by_number);
  for (const auto* kv : sorted) {
    MDB_val key = LmdbVal(kv->first);
    bool first = true;
    for (uint32_t i : kv->second) {
      std::string value_bytes = TimeKey(starts[i], std::string_view(id_bytes).substr(size_t{i} * id_width, id_width));
      MDB_val value = LmdbVal(value_bytes);
      if (int rc = cursor->Put(key, value, first ? MDB_APPEND : MDB_APPENDDUP); rc != 0) return fail("append by_number", rc);
      first = false;
      if (++put % 2'000'000 == 0) {
        cursor.reset();
        if (int rc = (*txn)->Commit(); rc != 0) return fail("commit by_number", rc);
        txn.reset();
        txn.emplace(env.BeginWrite());
        if (!txn->ok()) return fail("begin", MDB_PANIC);
        cursor = std::make_unique<LmdbCursor>((*txn)->get(), *by_number);
        key = LmdbVal(kv->first);
      }
    }
  }
  cursor.reset();
  if (int rc = (*txn)->Commit(); rc != 0) return fail("commit by_number", rc);
  txn.reset();
  if (int rc = mdb_env_sync(env.env(), 1); rc != 0) return fail("sync", rc);
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  MDB_envinfo info;
  mdb_env_info(env.env(), &info);
  std::error_code ec;
  const uint64_t file_bytes = std::filesystem::file_size(flags.dir + "/data.mdb", ec);
  report["insert"] = {{"method", "bulk: sorted MDB_APPEND through EncodeRecord/TimeKey/NumberKeysOf, one sync at the end"},
                      {"seconds", seconds},
                      {"records_and_by_start_seconds", records_s},
                      {"builder_cpu_seconds", (ThreadCpuUs() - c0) / 1e6},
                      {"records_per_s", flags.records / seconds},
                      {"by_number_entries", entries},
                      {"distinct_numbers", numbers.size()},
                      {"encoded_record_bytes_avg", static_cast<double>(record_bytes) / flags.records}};
  report["store"] = {{"file_bytes", file_bytes},
                     {"used_bytes", env.UsedBytes()},
                     {"map_size_bytes", info.me_mapsize},
                     {"bytes_per_record", static_cast<double>(file_bytes) / flags.records}};
  return 0;
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
    else if (a == "--fixture-dir") f.fixture_dir = value();
    else if (a == "--bulk") f.bulk = true;
    else if (a == "--writer-open-calls") f.writer_open_calls = std::stoull(value());
    else if (a == "--cold-queries") f.cold_queries = std::stoi(value());
    else if (a == "--writer-seconds") f.writer_seconds = std::stod(value());
    else if (a == "--writer-rates") {
      f.writer_rates.clear();
      std::stringstream list(value());
      for (std::string item; std::getline(list, item, ',');) f.writer_rates.push_back(std::stod(item));
    } else {
      std::fprintf(stderr,
                   "usage: store_bench [--records N] [--dir DIR | --fixture-dir DIR [--bulk]] [--keep] "
                   "[--nosync] [--queries Q] [--cold-queries Q] [--metadata-bytes B] [--writer-seconds S] [--writer-rates R1,R2,...] "
                   "[--writer-open-calls C] [--out FILE]\n");
      std::exit(2);
    }
  }
  return f;
}

}  // namespace

int main(int argc, char** argv) {
  Flags flags = ParseFlags(argc, argv);
  std::optional<nlohmann::json> fixture;
  if (!flags.fixture_dir.empty()) {
    flags.dir = flags.fixture_dir + "/db";
    fixture = LoadFixture(flags);
  }
  bool made_dir = flags.dir.empty();
  if (made_dir) {
    flags.dir = (std::filesystem::temp_directory_path() /
                 ("kronika-store-bench-" + std::to_string(::getpid()))).string();
  }
  if (!fixture) {
    std::filesystem::remove_all(flags.dir);
    if (!flags.fixture_dir.empty()) std::filesystem::remove(FixtureJsonPath(flags));
    std::filesystem::create_directories(flags.dir);
  }
  nlohmann::json report = {{"bench", "store_bench"},
                           {"records", flags.records},
                           {"durable", flags.durable},
                           {"metadata_bytes", flags.metadata_bytes},
                           {"hardware_threads", std::thread::hardware_concurrency()}};
  double load[3] = {0, 0, 0};
  if (::getloadavg(load, 3) == 3) report["load_average_at_start"] = {load[0], load[1], load[2]};

  Generator gen(flags);
  std::vector<std::string> ids;  // a sample of inserted ids for get_by_id
  if (fixture) {
    std::fprintf(stderr, "store_bench: reusing the fixture in %s\n", flags.fixture_dir.c_str());
    gen.Resume((*fixture)["last_ms"].get<int64_t>());
    ids = (*fixture)["sample_ids"].get<std::vector<std::string>>();
    report["fixture"] = {{"reused", true}, {"built", fixture->value("built", nlohmann::json())}};
  } else if (flags.bulk) {
    if (BuildBulk(flags, gen, ids, report) != 0) return 1;
  }
  if (!fixture && !flags.fixture_dir.empty()) {
    nlohmann::json description = {{"records", flags.records},
                                  {"metadata_bytes", flags.metadata_bytes},
                                  {"last_ms", gen.last_ms()},
                                  {"sample_ids", ids},
                                  {"complete", true},
                                  {"built", {{"insert", report.value("insert", nlohmann::json())},
                                             {"store", report.value("store", nlohmann::json())}}}};
    if (flags.bulk) std::ofstream(FixtureJsonPath(flags)) << description.dump() << "\n";
    else report["fixture_description"] = std::move(description);  // written after the insert below
  }
  // ---- insert through the daemon's path ----
  if (!fixture && !flags.bulk) {
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
    if (!flags.fixture_dir.empty()) {
      nlohmann::json description = report["fixture_description"];
      report.erase("fixture_description");
      description["last_ms"] = gen.last_ms();
      description["sample_ids"] = ids;
      description["built"] = {{"insert", report["insert"]}, {"store", report["store"]}};
      std::ofstream(FixtureJsonPath(flags)) << description.dump() << "\n";
    }
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
    CallSnapshots calls(gen, flags.writer_open_calls);
    nlohmann::json writer = {{"seconds_per_phase", flags.writer_seconds},
                             {"records_present", flags.records},
                             {"max_batch", options.max_batch},
                             {"max_batch_delay_ms", options.max_batch_delay.count()},
                             {"open_calls", flags.writer_open_calls}};
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
    const uint64_t callers = gen.callers();
    const int64_t first = gen.first_ms(), span = gen.last_ms() - gen.first_ms();
    auto random_time = [&](std::mt19937_64& r) {
      return first + static_cast<int64_t>(r() % static_cast<uint64_t>(std::max<int64_t>(1, span)));
    };
    constexpr int64_t kDayMs = 24LL * 3600 * 1000;
    using Maker = std::function<RecordingQuery(std::mt19937_64&)>;
    const std::vector<std::pair<std::string, Maker>> kinds = {
        {"query_by_number", [&](std::mt19937_64& r) {
           RecordingQuery q;
           q.number = CallerNumber(r() % callers);  // ~10 recordings each
           q.limit = 100;
           return q;
         }},
        {"query_by_number_as_typed", [&](std::mt19937_64& r) {
           RecordingQuery q;
           q.number = "0" + CallerNumber(r() % callers).substr(3);  // national form, normalised
           q.limit = 100;
           return q;
         }},
        {"query_company_line_newest_10", [&](std::mt19937_64& r) {
           RecordingQuery q;
           q.number = CompanyNumber(static_cast<int>(r() % kCompanyLines));
           q.limit = 10;
           q.newest_first = true;
           return q;
         }},
        {"query_time_range_10", [&](std::mt19937_64& r) {
           RecordingQuery q;
           q.from_ms_utc = random_time(r);
           q.to_ms_utc = *q.from_ms_utc + static_cast<int64_t>(10 * kMeanGapMs);  // ~10 rows
           q.limit = 100;
           return q;
         }},
        {"query_time_range_page_100", [&](std::mt19937_64& r) {
           RecordingQuery q;
           q.from_ms_utc = random_time(r);
           q.to_ms_utc = *q.from_ms_utc + kDayMs;  // a day, first page
           q.limit = 100;
           return q;
         }},
        // Participant and verdict are filters on the by_start walk (no index of their own):
        // the cost is the number of records read until the page is full.
        {"query_participant_day_page_100", [&](std::mt19937_64& r) {
           RecordingQuery q;  // a surname (~1 call in 14) within one day
           q.participant = kLastNames[r() % std::size(kLastNames)];
           q.from_ms_utc = random_time(r);
           q.to_ms_utc = *q.from_ms_utc + kDayMs;
           q.limit = 100;
           return q;
         }},
        {"query_participant_newest_10", [&](std::mt19937_64& r) {
           RecordingQuery q;  // a surname, newest 10 of the whole store
           q.participant = kLastNames[r() % std::size(kLastNames)];
           q.limit = 10;
           q.newest_first = true;
           return q;
         }},
        {"query_verdict_day_page_100", [&](std::mt19937_64& r) {
           RecordingQuery q;  // one-way (2.5 %) calls of one day
           q.verdict = "one-way";
           q.from_ms_utc = random_time(r);
           q.to_ms_utc = *q.from_ms_utc + kDayMs;
           q.limit = 100;
           return q;
         }},
        {"query_verdict_newest_10", [&](std::mt19937_64& r) {
           RecordingQuery q;  // the last 10 silent (1.5 %) calls before a random time
           q.verdict = "silent";
           q.to_ms_utc = random_time(r);
           q.limit = 10;
           q.newest_first = true;
           return q;
         }},
    };
    auto open_ro = [&]() {
      StoreOptions ro;
      ro.read_only = true;
      auto store = Store::Open(flags.dir, ro);
      if (!store.ok()) {
        std::fprintf(stderr, "store_bench: %s\n", store.error().message.c_str());
        std::exit(1);
      }
      return std::move(*store);
    };
    auto get_by_id = [&](const Store& store, int n, std::mt19937_64& rng, bool warm) {
      std::vector<double> us, cpu_us;
      std::vector<std::string> picked;
      for (int i = 0; i < n && !ids.empty(); ++i) picked.push_back(ids[rng() % ids.size()]);
      if (warm) {
        for (const std::string& id : picked) (void)store.Get(id);
      }
      for (const std::string& id : picked) {
        double c0 = ThreadCpuUs();
        auto t0 = Clock::now();
        auto rec = store.Get(id);
        auto t1 = Clock::now();
        double c1 = ThreadCpuUs();
        if (!rec.ok() || !rec->has_value()) {
          std::fprintf(stderr, "store_bench: lost record %s\n", id.c_str());
          std::exit(1);
        }
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
        cpu_us.push_back(c1 - c0);
      }
      return Percentiles(std::move(us), n, std::move(cpu_us));
    };
    if (flags.cold_queries > 0) {
      nlohmann::json cold = {{"queries_per_kind", flags.cold_queries}};
      std::mt19937_64 rng(11);
      for (const auto& [name, make] : kinds) {
        std::string how = DropFileCache(flags.dir);
        cold["cache_drop"] = how;
        cold[name + "_resident_before"] = ResidentFraction(flags.dir);
        std::unique_ptr<Store> store = open_ro();
        std::fprintf(stderr, "store_bench: cold %s\n", name.c_str());
        cold[name] = TimeQueries(*store, flags.cold_queries, rng, make, /*warm=*/false);
      }
      DropFileCache(flags.dir);
      std::unique_ptr<Store> store = open_ro();
      cold["get_by_id"] = get_by_id(*store, flags.cold_queries, rng, false);
      report["cold"] = cold;
    }
    std::unique_ptr<Store> store = open_ro();
    std::mt19937_64 rng(7);
    for (const auto& [name, make] : kinds) {
      std::fprintf(stderr, "store_bench: warm %s\n", name.c_str());
      report[name] = TimeQueries(*store, flags.queries, rng, make);
    }
    report["get_by_id"] = get_by_id(*store, flags.queries, rng, true);
    report["data_mdb_resident_after_warm"] = ResidentFraction(flags.dir);
  }
  report["codec"] = CodecComparison(gen);
  if (made_dir && !flags.keep) std::filesystem::remove_all(flags.dir);
  if (::getloadavg(load, 3) == 3) report["load_average_at_end"] = {load[0], load[1], load[2]};
  std::string text = report.dump(2) + "\n";
  if (flags.out.empty()) {
    std::cout << text;
  } else {
    std::ofstream(flags.out) << text;
    std::cerr << text;
  }
  return 0;
}
