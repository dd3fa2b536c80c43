// `kronika query` / `kronika show` against a real store in a temporary directory.
#include "kronika/srs/cli/query_command.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "kronika/srs/store/store.h"
#include "kronika/srs/core/utc_time.h"
#include "store_test_util.h"

namespace kronika::srs {
namespace {

using testing::kT0Ms;
using testing::MakeRecording;
using testing::TempDir;

constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 24 * 60 * kMinuteMs;

struct Run {
  int code;
  std::string out;
  std::string err;
};

Run Invoke(int (*command)(int, char**, std::ostream&, std::ostream&),
           std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  std::ostringstream out, err;
  int code = command(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

// Three recordings: two from +48601234567 (10:01 and next day 09:00), one from another.
class Fixture {
 public:
  Fixture() {
    auto store = Store::Open(StoreDir(tmp.path()), StoreOptions{});
    REQUIRE(store.ok());
    a = MakeRecording("01JDX0000000000000000000Q1", kT0Ms + kMinuteMs, "+48601234567",
                      "Kowalski, Jan");
    b = MakeRecording("01JDX0000000000000000000Q2", kT0Ms + kDayMs - 60 * kMinuteMs,
                      "+48601234567");
    b.state = RecordingState::kInterrupted;
    c = MakeRecording("01JDX0000000000000000000Q3", kT0Ms + 2 * kMinuteMs, "+48509876543",
                      "Anna Nowak");
    for (const auto& r : {a, b, c}) REQUIRE((*store)->Enqueue(r));
    REQUIRE((*store)->Flush().ok());
  }
  std::string dir() const { return tmp.path().string(); }
  TempDir tmp;
  RecordingRecord a, b, c;
};

TEST_CASE("query: --json lists matches by number in start order with documented fields") {
  Fixture f;
  Run run = Invoke(RunQueryCommand,
                   {"query", "--data-dir", f.dir(), "--number", "0048 601 234 567", "--json"});
  CHECK(run.code == 0);
  auto json = nlohmann::json::parse(run.out);
  REQUIRE(json["count"] == 2);
  auto rows = json["recordings"];
  CHECK(rows[0]["recording_id"] == f.a.recording_id);
  CHECK(rows[0]["start_utc"] == "2026-11-25T10:01:00Z");
  CHECK(rows[0]["end_utc"] == "2026-11-25T10:02:35Z");
  CHECK(rows[0]["duration_s"] == 95.5);
  CHECK(rows[0]["state"] == "completed");
  CHECK(rows[0]["numbers"] == nlohmann::json({"+48601234567", "+48221234567"}));
  CHECK(rows[0]["participants"][0]["name"] == "Kowalski, Jan");
  CHECK(rows[0]["participants"][0]["channel"] == 0);
  CHECK(rows[0]["file_path"] == f.a.file_path);
  CHECK(rows[1]["recording_id"] == f.b.recording_id);
  CHECK(rows[1]["state"] == "interrupted");
}

TEST_CASE("query: --csv has the stable header and quotes fields with commas") {
  Fixture f;
  Run run = Invoke(RunQueryCommand, {"query", "--data-dir=" + f.dir(), "--from",
                                     "2026-11-25T10:00:00Z", "--to", "2026-11-25T10:05:00Z",
                                     "--csv"});
  CHECK(run.code == 0);
  std::istringstream lines(run.out);
  std::string header, row1, row2, extra;
  std::getline(lines, header);
  std::getline(lines, row1);
  std::getline(lines, row2);
  CHECK_FALSE(std::getline(lines, extra));
  CHECK(header ==
        "recording_id,start_utc,end_utc,duration_s,state,participants,numbers,file_path,"
        "file_bytes,codec,site,src_host,sip_call_id,metadata_status,verdict\r");
  CHECK(row1.rfind(f.a.recording_id + ",2026-11-25T10:01:00Z,2026-11-25T10:02:35Z,95.500,"
                   "completed,\"Kowalski, Jan; Infolinia\",+48601234567; +48221234567,",
                   0) == 0);
  CHECK(row2.rfind(f.c.recording_id + ",", 0) == 0);
}

TEST_CASE("query: a --to date includes that whole day; filters combine") {
  Fixture f;
  Run day = Invoke(RunQueryCommand, {"query", "--data-dir", f.dir(), "--from", "2026-11-25",
                                     "--to", "2026-11-25", "--json"});
  CHECK(day.code == 0);
  CHECK(nlohmann::json::parse(day.out)["count"] == 2);  // a and c; b is on the 26th
  Run interrupted = Invoke(RunQueryCommand, {"query", "--data-dir", f.dir(), "--state",
                                             "interrupted", "--json"});
  CHECK(interrupted.code == 0);
  CHECK(nlohmann::json::parse(interrupted.out)["recordings"][0]["recording_id"] ==
        f.b.recording_id);
  Run by_name = Invoke(RunQueryCommand, {"query", "--data-dir", f.dir(), "--participant",
                                         "nowak", "--limit", "5"});
  CHECK(by_name.code == 0);
  CHECK_THAT(by_name.out, Catch::Contains(f.c.recording_id) && Catch::Contains("Anna Nowak"));
  CHECK_THAT(by_name.out, !Catch::Contains(f.a.recording_id));
  Run newest = Invoke(RunQueryCommand, {"query", "--data-dir", f.dir(), "--order", "desc",
                                        "--limit", "1", "--json"});
  CHECK(nlohmann::json::parse(newest.out)["recordings"][0]["recording_id"] == f.b.recording_id);
}

TEST_CASE("query: exit 1 without results, 2 on usage, config or store errors") {
  Fixture f;
  Run none = Invoke(RunQueryCommand, {"query", "--data-dir", f.dir(), "--number", "+48700000000",
                                      "--json"});
  CHECK(none.code == 1);
  CHECK(nlohmann::json::parse(none.out)["count"] == 0);
  Run bad_time = Invoke(RunQueryCommand, {"query", "--data-dir", f.dir(), "--from", "yesterday"});
  CHECK(bad_time.code == 2);
  CHECK_THAT(bad_time.err, Catch::Contains("--from: time 'yesterday' is not ISO-8601"));
  Run bad_state = Invoke(RunQueryCommand, {"query", "--data-dir", f.dir(), "--state", "done"});
  CHECK(bad_state.code == 2);
  Run unknown = Invoke(RunQueryCommand, {"query", "--data-dir", f.dir(), "--colour"});
  CHECK(unknown.code == 2);
  CHECK_THAT(unknown.err, Catch::Contains("kronika query: ") && Catch::Contains("--colour"));
  Run missing_value = Invoke(RunQueryCommand, {"query", "--data-dir", f.dir(), "--number"});
  CHECK(missing_value.code == 2);
  CHECK_THAT(missing_value.err, Catch::Contains("--number"));
  TempDir empty;
  Run no_db = Invoke(RunQueryCommand, {"query", "--data-dir", empty.path().string()});
  CHECK(no_db.code == 2);
  CHECK_THAT(no_db.err, Catch::Contains("no Kronika database in " + empty.path().string()));
  CHECK_FALSE(std::filesystem::exists(empty.path() / "db"));  // nothing created
  Run no_config = Invoke(RunQueryCommand, {"query", "--config", "/nonexistent/kronika.toml"});
  CHECK(no_config.code == 2);
}

TEST_CASE("query: --json reports the total count and the page") {
  Fixture f;
  Run page = Invoke(RunQueryCommand,
                    {"query", "--data-dir", f.dir(), "--json", "--limit", "1", "--offset", "1"});
  CHECK(page.code == 0);
  auto json = nlohmann::json::parse(page.out);
  CHECK(json["total"] == 3);
  CHECK(json["offset"] == 1);
  CHECK(json["limit"] == 1);
  CHECK(json["count"] == 1);
  REQUIRE(json["recordings"].size() == 1);
  CHECK(json["recordings"][0]["recording_id"] == f.c.recording_id);  // second by start time
  Run past_end = Invoke(RunQueryCommand, {"query", "--data-dir", f.dir(), "--json", "--offset", "5",
                                          "--number", "+48601234567"});
  CHECK(past_end.code == 1);
  auto none = nlohmann::json::parse(past_end.out);
  CHECK(none["total"] == 2);
  CHECK(none["count"] == 0);
}

TEST_CASE("query: --config reads storage.data_dir") {
  Fixture f;
  std::filesystem::path config = f.tmp.path() / "kronika.toml";
  std::ofstream(config) << "[storage]\ndata_dir = \"" << f.dir() << "\"\n";
  Run run = Invoke(RunQueryCommand, {"query", "--config", config.string(), "--id",
                                     f.c.recording_id, "--json"});
  CHECK(run.code == 0);
  CHECK(nlohmann::json::parse(run.out)["recordings"][0]["recording_id"] == f.c.recording_id);
}

TEST_CASE("show: prints the full record with its timeline; 1 for an unknown id") {
  Fixture f;
  Run json = Invoke(RunShowCommand, {"show", f.a.recording_id, "--data-dir", f.dir(), "--json"});
  CHECK(json.code == 0);
  auto rec = nlohmann::json::parse(json.out);
  CHECK(rec["recording_id"] == f.a.recording_id);
  CHECK(rec["sip_call_id"] == f.a.sip_call_id);
  CHECK(rec["start_utc"] == "2026-11-25T10:01:00.000Z");
  REQUIRE(rec["timeline"].size() == 3);
  CHECK(rec["timeline"][1]["kind"] == "answer");
  CHECK(rec["timeline"][1]["time_utc"] == "2026-11-25T10:01:00.200Z");
  CHECK(rec["participants"][0]["number_e164"] == "+48601234567");
  CHECK(rec["metadata_xml_last"] == f.a.metadata_xml_last);
  CHECK(rec["legal_hold"] == false);

  Run text = Invoke(RunShowCommand, {"show", "--data-dir", f.dir(), f.a.recording_id});
  CHECK(text.code == 0);
  // For people: the office's language and clock with the zone (issue 16); --json stays UTC.
  CHECK_THAT(text.out, Catch::Contains("25.11.2026, 11:01:00.200 CET  answer  200 OK"));
  CHECK_THAT(text.out, Catch::Contains("Stan:                    zakończone\n"));
  CHECK_THAT(text.out, Catch::Contains("Początek:                25.11.2026, 11:01:00.000 CET\n"));
  CHECK_THAT(text.out, !Catch::Contains("T10:01:00"));
  Run table = Invoke(RunQueryCommand, {"query", "--data-dir", f.dir(), "--id", f.a.recording_id});
  CHECK_THAT(table.out, Catch::StartsWith("NAGRANIE") && Catch::Contains("POCZĄTEK") &&
                            Catch::Contains(f.a.recording_id + "  25.11.2026, 11:01:00 CET       95.5 s  zakończone"));

  Run missing = Invoke(RunShowCommand, {"show", "--data-dir", f.dir(), "01JDXNOSUCHRECORDING00000"});
  CHECK(missing.code == 1);
  Run usage = Invoke(RunShowCommand, {"show", "--data-dir", f.dir()});
  CHECK(usage.code == 2);
}

// True when `text` is well-formed UTF-8 (RFC 3629), checked by nlohmann's strict parser.
bool IsUtf8(const std::string& text) {
  try {
    return nlohmann::json::parse(nlohmann::json(text).dump()).is_string();
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

TEST_CASE("query, show and CSV survive a stored record holding bytes that are not UTF-8 (issue 14)") {
  // What a Latin-1 SBC left in the store before metadata was decoded: the listing used to
  // abort (exit 134, nlohmann type_error 316) for every listing including this recording.
  TempDir tmp;
  {
    auto store = Store::Open(StoreDir(tmp.path()), StoreOptions{});
    REQUIRE(store.ok());
    RecordingRecord r = MakeRecording("01JDX0000000000000000000L1", kT0Ms, "+48601234567", "M\xFCller");
    r.sip_call_id = "call\xE9@sbc";
    r.metadata_xml_last = "<?xml version='1.0' encoding='ISO-8859-1'?><recording><x>\xE9</x></recording>";
    r.timeline.push_back({kT0Ms + 5, "metadata-change", "Jos\xE9"});
    REQUIRE((*store)->Enqueue(r));
    REQUIRE((*store)->Flush().ok());
  }
  const std::string dir = tmp.path().string();
  Run json = Invoke(RunQueryCommand, {"query", "--data-dir", dir, "--json"});
  REQUIRE(json.code == 0);
  CHECK(IsUtf8(json.out));
  auto rows = nlohmann::json::parse(json.out);
  CHECK(rows["recordings"][0]["participants"][0]["name"] == "M\xEF\xBF\xBDller");
  CHECK(rows["recordings"][0]["sip_call_id"] == "call\xEF\xBF\xBD@sbc");

  Run show = Invoke(RunShowCommand, {"show", "01JDX0000000000000000000L1", "--data-dir", dir, "--json"});
  REQUIRE(show.code == 0);
  CHECK(IsUtf8(show.out));
  CHECK(nlohmann::json::parse(show.out)["metadata_xml_last"].get<std::string>().find("<x>\xEF\xBF\xBD</x>") !=
        std::string::npos);

  Run csv = Invoke(RunQueryCommand, {"query", "--data-dir", dir, "--csv"});
  REQUIRE(csv.code == 0);
  CHECK(IsUtf8(csv.out));
  CHECK(csv.out.find("M\xEF\xBF\xBDller") != std::string::npos);

  Run text = Invoke(RunShowCommand, {"show", "01JDX0000000000000000000L1", "--data-dir", dir});
  CHECK(text.code == 0);
}

TEST_CASE("query --metadata-status finds the recordings whose metadata is partial") {
  TempDir tmp;
  RecordingRecord partial = MakeRecording("01JDX0000000000000000000M1", kT0Ms, "+48601234567");
  partial.metadata_status = "partial";
  partial.metadata_issues = {{"empty_id", "the 1st <participant> has no participant_id (sip:x)"}};
  partial.metadata_xml_received = "<?xml version='1.0' encoding='latin1'?><recording>\xE9</recording>";
  RecordingRecord complete = MakeRecording("01JDX0000000000000000000M2", kT0Ms + kMinuteMs, "+48601234567");
  {
    auto store = Store::Open(StoreDir(tmp.path()), StoreOptions{});
    REQUIRE(store.ok());
    REQUIRE((*store)->Enqueue(partial));
    REQUIRE((*store)->Enqueue(complete));
    REQUIRE((*store)->Flush().ok());
  }
  const std::string dir = tmp.path().string();
  Run run = Invoke(RunQueryCommand, {"query", "--data-dir", dir, "--metadata-status", "partial", "--json"});
  REQUIRE(run.code == 0);
  auto rows = nlohmann::json::parse(run.out)["recordings"];
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["recording_id"] == partial.recording_id);
  CHECK(rows[0]["metadata_status"] == "partial");

  Run bad = Invoke(RunQueryCommand, {"query", "--data-dir", dir, "--metadata-status", "broken"});
  CHECK(bad.code == 2);
  CHECK(bad.err == "kronika query: --metadata-status: expected complete|partial|unparsed\n");

  Run show = Invoke(RunShowCommand, {"show", partial.recording_id, "--data-dir", dir, "--json"});
  auto rec = nlohmann::json::parse(show.out);
  CHECK(rec["metadata_status"] == "partial");
  CHECK(rec["metadata_issues"][0]["reason"] == "empty_id");
  CHECK(rec["metadata_xml_received_bytes"] == partial.metadata_xml_received.size());
  Run text = Invoke(RunShowCommand, {"show", partial.recording_id, "--data-dir", dir});
  CHECK_THAT(text.out, Catch::Contains("Metadane:                częściowe"));
  CHECK_THAT(text.out, Catch::Contains("  empty_id: the 1st <participant> has no participant_id (sip:x)"));
  // The bytes exactly as the SRC sent them, for an auditor; else the document as stored.
  CHECK(Invoke(RunShowCommand, {"show", partial.recording_id, "--data-dir", dir, "--received-metadata"}).out ==
        partial.metadata_xml_received);
  CHECK(Invoke(RunShowCommand, {"show", complete.recording_id, "--data-dir", dir, "--received-metadata"}).out ==
        complete.metadata_xml_last);
}

TEST_CASE("query --verdict finds exactly the recordings judged so; show prints the verdict, why, and each leg") {
  TempDir tmp;
  RecordingRecord one_way = MakeRecording("01JDX0000000000000000000R1", kT0Ms, "+48601234567");
  one_way.verdict = "one-way";
  one_way.completeness.media_start_ms_utc = kT0Ms + 5;
  one_way.completeness.duration_ms = 95'495;
  LegEvidenceRecord talking;
  talking.label = "1";
  talking.channel = 0;
  talking.active_to_ms = 95'495;
  talking.packets_expected = talking.packets_received = 4770;
  talking.first_packet_ms = 40;
  talking.last_packet_ms = 95'440;
  talking.audio_ms = talking.signal_ms = 95'400;
  talking.rms_dbfs = -21.3;
  talking.peak_dbfs = -4.0;
  talking.codecs = {"PCMA"};
  talking.latched_source = "10.1.2.3:31000";
  talking.sdp_source = "192.0.2.10:40000";
  talking.gaps = {GapRecord{"loss", 20'000, 21'500, 75}};
  LegEvidenceRecord silent;
  silent.mline_index = 1;
  silent.label = "2";
  silent.channel = 1;
  silent.active_to_ms = 95'495;
  silent.packets_foreign_source = 120;
  one_way.completeness.legs = {talking, silent};
  one_way.completeness.findings = {FindingRecord{"no-packets", 1, 0, 95'495}};
  RecordingRecord complete = MakeRecording("01JDX0000000000000000000R2", kT0Ms + kMinuteMs, "+48509876543");
  complete.verdict = "complete";
  RecordingRecord active = MakeRecording("01JDX0000000000000000000R3", kT0Ms + 2 * kMinuteMs, "+48509876543");
  active.state = RecordingState::kActive;
  {
    auto store = Store::Open(StoreDir(tmp.path()), StoreOptions{});
    REQUIRE(store.ok());
    for (const auto& r : {one_way, complete, active}) REQUIRE((*store)->Enqueue(r));
    REQUIRE((*store)->Flush().ok());
  }
  const std::string dir = tmp.path().string();
  Run found = Invoke(RunQueryCommand, {"query", "--data-dir", dir, "--verdict", "one-way", "--json"});
  CHECK(found.code == 0);
  auto json = nlohmann::json::parse(found.out);
  REQUIRE(json["count"] == 1);
  CHECK(json["recordings"][0]["recording_id"] == one_way.recording_id);
  CHECK(json["recordings"][0]["verdict"] == "one-way");
  Run all = Invoke(RunQueryCommand, {"query", "--data-dir", dir, "--json"});
  CHECK(nlohmann::json::parse(all.out)["recordings"][2]["verdict"].is_null());  // still active: not judged
  Run none = Invoke(RunQueryCommand, {"query", "--data-dir", dir, "--verdict", "silent"});
  CHECK(none.code == 1);
  Run bad = Invoke(RunQueryCommand, {"query", "--data-dir", dir, "--verdict", "oneway"});
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--verdict: expected complete|partial|one-way|silent|no-media|interrupted"));
  Run csv = Invoke(RunQueryCommand, {"query", "--data-dir", dir, "--csv", "--verdict", "complete"});
  CHECK_THAT(csv.out, Catch::Contains(complete.sip_call_id + ",complete,complete\r\n"));  // metadata_status, verdict

  Run show = Invoke(RunShowCommand, {"show", one_way.recording_id, "--data-dir", dir});
  CHECK(show.code == 0);
  INFO(show.out);
  CHECK_THAT(show.out, Catch::Contains("Kompletność:             jednostronne\n  strumień 2 (etykieta 2): brak RTP\n"));
  CHECK_THAT(show.out, Catch::Contains("leg 1 (label 1), m-line 0, left: 4770/4770 packets, 0 lost"));
  CHECK_THAT(show.out, Catch::Contains("RTP 0.04 s - 95.44 s from 10.1.2.3:31000 (SDP 192.0.2.10:40000)"));
  CHECK_THAT(show.out, Catch::Contains("gap 20.00 s - 21.50 s loss (75 packets missing)"));
  CHECK_THAT(show.out, Catch::Contains("-21.3 dBFS RMS, -4.0 dBFS peak; PCMA"));
  CHECK_THAT(show.out, Catch::Contains("leg 2 (label 2), m-line 1, right: 0/0 packets, 0 lost, 0 late, 120 refused (120 other source"));
  Run show_json = Invoke(RunShowCommand, {"show", one_way.recording_id, "--data-dir", dir, "--json"});
  auto detail = nlohmann::json::parse(show_json.out);
  CHECK(detail["verdict"] == "one-way");
  CHECK(detail["completeness"]["findings"][0]["kind"] == "no-packets");
  CHECK(detail["completeness"]["legs"][0]["first_packet_utc"] == "2026-11-25T10:00:00.045Z");
  CHECK(detail["completeness"]["legs"][1]["first_packet_ms"].is_null());
  CHECK(detail["completeness"]["legs"][1]["packets_foreign_source"] == 120);
  Run old = Invoke(RunShowCommand, {"show", complete.recording_id, "--data-dir", dir, "--json"});
  CHECK(nlohmann::json::parse(old.out)["completeness"].is_null());  // a verdict without evidence
}

TEST_CASE("query: ISO-8601 times and dates") {
  CHECK(*ParseUtcTime("2026-11-25T10:00:00Z") == kT0Ms);
  CHECK(*ParseUtcTime("2026-11-25T10:00Z") == kT0Ms);
  CHECK(*ParseUtcTime("2026-11-25T10:00:00.25Z") == kT0Ms + 250);
  CHECK(*ParseUtcTime("2026-11-25T11:00:00+01:00") == kT0Ms);
  CHECK(*ParseUtcTime("2026-11-25") == kT0Ms - 10 * 60 * kMinuteMs);
  CHECK(*ParseUtcTime("2026-11-25", true) == kT0Ms + 14 * 60 * kMinuteMs);
  CHECK_FALSE(ParseUtcTime("2026-11-25T10:00:00").ok());  // local time: ambiguous
  CHECK_FALSE(ParseUtcTime("2026-02-30").ok());
  CHECK_FALSE(ParseUtcTime("25.11.2026").ok());
  // Minutes without seconds and a broken seconds field are plain errors (they reached
  // undefined behaviour in date's %T before; the sanitizer build checks it).
  CHECK_FALSE(ParseUtcTime("2026-03-29T01:30").ok());
  CHECK_FALSE(ParseUtcTime("2026-11-25T10:00:Z").ok());
  CHECK(*ParseUtcTime("2026-11-25 11:00+01:00") == kT0Ms);
  CHECK_FALSE(ParseUtcTime("1013-2-07T14:12-\xb0" "10:00Z").ok());  // a broken offset (fuzz seed)
  CHECK(FormatUtcTime(kT0Ms + 250, true) == "2026-11-25T10:00:00.250Z");
  CHECK(FormatUtcTime(0).empty());
}

}  // namespace
}  // namespace kronika::srs
