// JudgeCompleteness: one case per verdict and the edges between them, on evidence shaped as
// the media worker reports it (the engine tests check that the worker reports it so).
#include "kronika/media/completeness.h"

#include <catch2/catch.hpp>

namespace kronika::media {
namespace {

// A leg that sent audible RTP from `from_ms` to `to_ms` (the recording's 60 s timeline).
LegEvidence TalkingLeg(int channel, int64_t from_ms = 200, int64_t to_ms = 60000) {
  LegEvidence leg;
  leg.mline_index = static_cast<size_t>(channel < 0 ? 0 : channel);
  leg.label = std::to_string(channel + 1);
  leg.channel = channel;
  leg.active_from_ms = 0;
  leg.active_to_ms = 60000;
  leg.first_packet_ms = from_ms;
  leg.last_packet_ms = to_ms - 20;
  leg.packets_received = static_cast<uint64_t>((to_ms - from_ms) / 20);
  leg.packets_expected = leg.packets_received;
  leg.audio_ms = to_ms - from_ms;
  leg.signal_ms = (to_ms - from_ms) / 2;  // a listener half the time
  leg.rms_dbfs = -24;
  leg.peak_dbfs = -6;
  leg.codecs = {"PCMU"};
  if (60000 - to_ms >= 1000) leg.gaps.push_back(Gap{GapKind::kEnd, to_ms, 60000, 0});
  return leg;
}

RecordingEvidence TwoLegs() {
  RecordingEvidence e;
  e.duration_ms = 60000;
  e.legs = {TalkingLeg(0), TalkingLeg(1)};
  return e;
}

Verdict Judge(const RecordingEvidence& e, const SignallingFacts& facts = {}) {
  return JudgeCompleteness(e, facts).verdict;
}

TEST_CASE("Verdict: two legs with audio from start to end are complete", "[verdict]") {
  const Completeness c = JudgeCompleteness(TwoLegs(), {});
  CHECK(c.verdict == Verdict::kComplete);
  CHECK(c.findings.empty());
}

TEST_CASE("Verdict: a crash-recovered recording is interrupted whatever else is known", "[verdict]") {
  SignallingFacts facts;
  facts.interrupted = true;
  CHECK(Judge(TwoLegs(), facts) == Verdict::kInterrupted);
  CHECK(Judge(RecordingEvidence{}, facts) == Verdict::kInterrupted);
}

TEST_CASE("Verdict: no packet on any leg is no-media", "[verdict]") {
  RecordingEvidence e;
  e.duration_ms = 30000;
  LegEvidence a;
  a.active_to_ms = 30000;
  LegEvidence b = a;
  b.mline_index = 1;
  e.legs = {a, b};
  const Completeness c = JudgeCompleteness(e, {});
  CHECK(c.verdict == Verdict::kNoMedia);
  REQUIRE(c.findings.size() == 2);
  CHECK(c.findings[0].kind == FindingKind::kNoPackets);
  CHECK(c.findings[1].leg == 1);
  // Refused packets (a firewall/NAT or strict-mode mismatch) are still no media recorded.
  e.legs[0].packets_foreign_source = 1500;
  CHECK(Judge(e) == Verdict::kNoMedia);
}

TEST_CASE("Verdict: packets of digital silence or comfort noise only are silent", "[verdict]") {
  RecordingEvidence e = TwoLegs();
  for (LegEvidence& leg : e.legs) {
    leg.signal_ms = 0;
    leg.rms_dbfs = -120;
  }
  e.legs[1].comfort_noise_packets = 300;
  e.legs[1].audio_ms = 0;
  const Completeness c = JudgeCompleteness(e, {});
  CHECK(c.verdict == Verdict::kSilent);
  CHECK(c.findings.size() == 2);
  CHECK(c.findings[0].kind == FindingKind::kNoSignal);
}

TEST_CASE("Verdict: one leg never sends, or sends only silence, while the other talks: one-way", "[verdict]") {
  RecordingEvidence never = TwoLegs();
  never.legs[1] = LegEvidence{};
  never.legs[1].mline_index = 1;
  never.legs[1].active_to_ms = 60000;
  const Completeness c = JudgeCompleteness(never, {});
  CHECK(c.verdict == Verdict::kOneWay);
  REQUIRE(c.findings.size() == 1);
  CHECK(c.findings[0].kind == FindingKind::kNoPackets);
  CHECK(c.findings[0].leg == 1);

  RecordingEvidence silent = TwoLegs();
  silent.legs[0].signal_ms = 0;
  CHECK(Judge(silent) == Verdict::kOneWay);
  // Just under the minimum of signal is still no audio; at it, audio.
  silent.legs[0].signal_ms = 999;
  CHECK(Judge(silent) == Verdict::kOneWay);
  silent.legs[0].signal_ms = 1000;
  CHECK(Judge(silent) == Verdict::kComplete);
}

TEST_CASE("Verdict: one-way outranks a gap; a single mixed stream is never one-way", "[verdict]") {
  RecordingEvidence e = TwoLegs();
  e.legs[0].signal_ms = 0;
  e.legs[1].gaps.push_back(Gap{GapKind::kLoss, 10000, 15000, 250});
  CHECK(Judge(e) == Verdict::kOneWay);
  RecordingEvidence mono;
  mono.duration_ms = 60000;
  mono.legs = {TalkingLeg(-1)};
  CHECK(Judge(mono) == Verdict::kComplete);
}

TEST_CASE("Verdict: a long gap without a pause is partial, with the gap named", "[verdict]") {
  const GapKind kind = GENERATE(GapKind::kLoss, GapKind::kSilence);
  RecordingEvidence e = TwoLegs();
  e.legs[1].gaps.push_back(Gap{kind, 20000, 27000, kind == GapKind::kLoss ? 350u : 0u});
  const Completeness c = JudgeCompleteness(e, {});
  CHECK(c.verdict == Verdict::kPartial);
  REQUIRE(c.findings.size() == 1);
  CHECK(c.findings[0].kind == FindingKind::kGap);
  CHECK(c.findings[0].leg == 1);
  CHECK(c.findings[0].from_ms == 20000);
  CHECK(c.findings[0].to_ms == 27000);
}

TEST_CASE("Verdict: a gap shorter than max_gap_ms is tolerated; the threshold is the caller's", "[verdict]") {
  RecordingEvidence e = TwoLegs();
  e.legs[0].gaps.push_back(Gap{GapKind::kLoss, 5000, 5999, 50});
  CHECK(Judge(e) == Verdict::kComplete);
  e.legs[0].gaps.back().to_ms = 6000;
  CHECK(Judge(e) == Verdict::kPartial);
  CompletenessOptions lenient;
  lenient.max_gap_ms = 5000;
  CHECK(JudgeCompleteness(e, {}, lenient).verdict == Verdict::kComplete);
}

TEST_CASE("Verdict: both legs stop mid-call without a BYE: partial (the end of the call is missing)", "[verdict]") {
  RecordingEvidence e;
  e.duration_ms = 60000;
  e.legs = {TalkingLeg(0, 200, 40000), TalkingLeg(1, 200, 40000)};
  const Completeness c = JudgeCompleteness(e, {});
  CHECK(c.verdict == Verdict::kPartial);
  REQUIRE(c.findings.size() == 2);
  CHECK(c.findings[0].from_ms == 40000);
  CHECK(c.findings[0].to_ms == 60000);
}

TEST_CASE("Verdict: a paused call is complete; the same silence without the pause is partial", "[verdict]") {
  RecordingEvidence e = TwoLegs();
  for (LegEvidence& leg : e.legs) {
    leg.gaps.push_back(Gap{GapKind::kSilence, 20000, 35000, 0});
    leg.pauses.push_back(TimeSpan{19990, 35010});  // what the worker muted (a=inactive)
  }
  CHECK(Judge(e) == Verdict::kComplete);
  // The same pause known only from signalling (whole-recording pause spans).
  RecordingEvidence by_signalling = e;
  for (LegEvidence& leg : by_signalling.legs) leg.pauses.clear();
  SignallingFacts facts;
  facts.pauses = {TimeSpan{19990, 35010}};
  CHECK(Judge(by_signalling, facts) == Verdict::kComplete);
  CHECK(Judge(by_signalling) == Verdict::kPartial);
  // A pause that explains only part of a gap leaves the rest: 5 s unexplained.
  facts.pauses = {TimeSpan{19990, 30000}};
  const Completeness c = JudgeCompleteness(by_signalling, facts);
  CHECK(c.verdict == Verdict::kPartial);
  REQUIRE_FALSE(c.findings.empty());
  CHECK(c.findings[0].from_ms == 30000);
  CHECK(c.findings[0].to_ms == 35000);
}

TEST_CASE("Verdict: declared silence (comfort noise, talkspurt marker) is not a gap", "[verdict]") {
  RecordingEvidence e = TwoLegs();
  e.legs[1].gaps.push_back(Gap{GapKind::kDeclared, 10000, 25000, 0});
  CHECK(Judge(e) == Verdict::kComplete);
}

TEST_CASE("Verdict: a leg paused all along is not expected to send", "[verdict]") {
  RecordingEvidence e = TwoLegs();
  e.legs[1] = LegEvidence{};
  e.legs[1].mline_index = 1;
  e.legs[1].active_to_ms = 60000;
  e.legs[1].pauses = {TimeSpan{0, 60000}};
  CHECK(Judge(e) == Verdict::kComplete);
  // Every leg paused all along: nothing was due, nothing is missing.
  e.legs[0] = e.legs[1];
  CHECK(Judge(e) == Verdict::kComplete);
}

TEST_CASE("Verdict: a late start is judged against the other legs and the ACK, not the INVITE", "[verdict]") {
  // Both legs start 8 s in (the SRC opened the recording while the call was ringing).
  RecordingEvidence ringing;
  ringing.duration_ms = 60000;
  ringing.legs = {TalkingLeg(0, 8000), TalkingLeg(1, 8000)};
  for (LegEvidence& leg : ringing.legs) leg.gaps.insert(leg.gaps.begin(), Gap{GapKind::kStart, 0, 8000, 0});
  CHECK(Judge(ringing) == Verdict::kComplete);
  // One leg starts 5 s after the other: its first 5 s are missing.
  RecordingEvidence late = ringing;
  late.legs[1] = TalkingLeg(1, 13000);
  late.legs[1].gaps.insert(late.legs[1].gaps.begin(), Gap{GapKind::kStart, 0, 13000, 0});
  const Completeness c = JudgeCompleteness(late, {});
  CHECK(c.verdict == Verdict::kPartial);
  REQUIRE(c.findings.size() == 1);
  CHECK(c.findings[0].from_ms == 8000);
  CHECK(c.findings[0].to_ms == 13000);
  // Media due (ACK) at 12.5 s: only 0.5 s of that start is judged.
  SignallingFacts facts;
  facts.media_due_ms = 12500;
  CHECK(Judge(late, facts) == Verdict::kComplete);
}

TEST_CASE("Verdict: more gaps than the evidence lists cannot be taken as explained", "[verdict]") {
  RecordingEvidence e = TwoLegs();
  e.legs[0].gaps.push_back(Gap{GapKind::kDeclared, 1000, 3000, 0});
  e.legs[0].gaps_omitted = 3;
  const Completeness c = JudgeCompleteness(e, {});
  CHECK(c.verdict == Verdict::kPartial);
  REQUIRE(c.findings.size() == 1);
  CHECK(c.findings[0].kind == FindingKind::kGapsOmitted);
  CHECK(c.findings[0].from_ms == 3000);
}

TEST_CASE("Verdict: a recording that stopped before the call ended (a write failure) is partial", "[verdict]") {
  RecordingEvidence e = TwoLegs();  // 60 s of audio on both legs...
  SignallingFacts facts;
  facts.ended_ms = 60500;           // ... and the BYE half a second later: complete
  CHECK(Judge(e, facts) == Verdict::kComplete);
  facts.ended_ms = 95000;           // the file stopped 35 s before the call ended
  const Completeness c = JudgeCompleteness(e, facts);
  CHECK(c.verdict == Verdict::kPartial);
  REQUIRE(c.findings.size() == 1);
  CHECK(c.findings[0].kind == FindingKind::kCutShort);
  CHECK(c.findings[0].leg == -1);
  CHECK(c.findings[0].from_ms == 60000);
  CHECK(c.findings[0].to_ms == 95000);
}

TEST_CASE("Verdict: names round-trip and nothing else parses", "[verdict]") {
  for (Verdict v : {Verdict::kComplete, Verdict::kPartial, Verdict::kOneWay, Verdict::kSilent, Verdict::kNoMedia,
                    Verdict::kInterrupted}) {
    CHECK(ParseVerdict(VerdictName(v)) == v);
  }
  CHECK(VerdictName(Verdict::kOneWay) == "one-way");
  CHECK(VerdictName(Verdict::kNoMedia) == "no-media");
  CHECK_FALSE(ParseVerdict("oneway").has_value());
  CHECK_FALSE(ParseVerdict("").has_value());
}

}  // namespace
}  // namespace kronika::media
