// RFC 4733 telephone-events: one DtmfEvent per key press with digit, time and duration.
#include <catch2/catch.hpp>

#include "dtmf_events.h"
#include "leg_pipeline.h"
#include "leg_test_util.h"

namespace kronika::media {
namespace {

using testing::kMs;
using testing::MakeRtp;
using testing::RecordingSink;

std::vector<uint8_t> Event(uint8_t event, bool end, uint16_t duration) {
  return {event, static_cast<uint8_t>((end ? 0x80 : 0) | 10), static_cast<uint8_t>(duration >> 8),
          static_cast<uint8_t>(duration)};
}

TEST_CASE("DTMF digits map RFC 4733 events 0-15", "[dtmf]") {
  CHECK(DtmfDigit(0) == '0');
  CHECK(DtmfDigit(9) == '9');
  CHECK(DtmfDigit(10) == '*');
  CHECK(DtmfDigit(11) == '#');
  CHECK(DtmfDigit(12) == 'A');
  CHECK(DtmfDigit(15) == 'D');
  CHECK(DtmfDigit(16) == 0);  // flash
}

TEST_CASE("A key press with three end packets is reported once", "[dtmf]") {
  DtmfEventTracker tracker;
  int reports = 0;
  KeyPress last;
  for (uint16_t d = 160; d <= 800; d += 160) {
    auto payload = Event(5, false, d);
    auto o = tracker.OnPacket(1000, payload.data(), payload.size());
    reports += int(o.report_count);
  }
  for (int i = 0; i < 3; ++i) {
    auto payload = Event(5, true, 960);
    auto o = tracker.OnPacket(1000, payload.data(), payload.size());
    if (o.report_count) last = o.reports[0];
    reports += int(o.report_count);
  }
  CHECK(reports == 1);
  CHECK(last.digit == '5');
  CHECK(last.timestamp == 1000);
  CHECK(last.duration_ticks == 960);
}

TEST_CASE("A key press whose end packets were all lost is reported at the next press",
          "[dtmf]") {
  DtmfEventTracker tracker;
  auto first = Event(1, false, 400);
  CHECK(tracker.OnPacket(100, first.data(), first.size()).report_count == 0);
  auto second = Event(2, true, 320);  // a one-packet press with its end bit
  auto o = tracker.OnPacket(5000, second.data(), second.size());
  REQUIRE(o.report_count == 2);
  CHECK(o.reports[0].digit == '1');
  CHECK(o.reports[0].duration_ticks == 400);
  CHECK(o.reports[1].digit == '2');
  // A late straggler of the first press does not report it again.
  CHECK(tracker.OnPacket(100, first.data(), first.size()).report_count == 0);
  auto short_payload = Event(1, false, 1);
  CHECK(tracker.OnPacket(1, short_payload.data(), 3).malformed);
}

TEST_CASE("Leg: a '*' key press becomes one DtmfEvent at its time (CONSENT-2)", "[dtmf][leg]") {
  LegConfig config;
  config.formats = {{0, "PCMU", 8000, 1}, {101, "telephone-event", 8000, 1}};
  LegPipeline leg(config);
  RecordingSink sink;
  const uint32_t ssrc = 77;
  uint16_t seq = 10;
  // Audio from 100 ms (ts 0), then '*' starting at ts 8000 (1 s of stream = 1.1 s timeline),
  // 120 ms long, sent every 20 ms, three end packets; then audio resumes.
  std::vector<std::pair<int64_t, std::vector<uint8_t>>> sent;
  for (int k = 0; k < 50; ++k) {
    sent.push_back({100 * kMs + k * 20 * kMs,
                    MakeRtp(0, seq++, uint32_t(160 * k), ssrc, std::vector<uint8_t>(160, 0xff))});
  }
  for (int k = 1; k <= 6; ++k) {
    sent.push_back({1100 * kMs + k * 20 * kMs,
                    MakeRtp(101, seq++, 8000, ssrc, Event(10, false, uint16_t(160 * k)), k == 1)});
  }
  for (int i = 0; i < 3; ++i) {
    sent.push_back({1240 * kMs + i * 5 * kMs, MakeRtp(101, seq++, 8000, ssrc, Event(10, true, 960))});
  }
  for (int k = 57; k < 70; ++k) {
    sent.push_back({100 * kMs + k * 20 * kMs,
                    MakeRtp(0, seq++, uint32_t(160 * k), ssrc, std::vector<uint8_t>(160, 0xff))});
  }
  for (const auto& [t, bytes] : sent) {
    leg.OnDatagram(bytes.data(), bytes.size(), t);
    leg.Drain(t, sink);
  }
  leg.Drain(3000 * kMs, sink);
  REQUIRE(sink.dtmf.size() == 1);
  CHECK(sink.dtmf[0].digit == '*');
  CHECK(sink.dtmf[0].start_sample == 800 + 8000);
  CHECK(sink.dtmf[0].duration_ms == 120);
  CHECK(leg.stats().dtmf_events == 1);
  CHECK(leg.stats().bad == 0);
  CHECK(leg.stats().lost == 0);
  CHECK(leg.stats().reanchors == 0);
  // Telephone-event packets are not audio losses: nothing concealed around the press.
  CHECK(leg.stats().concealed_samples == 0);
}

TEST_CASE("Leg: telephone-event at a 48 kHz clock beside Opus gives milliseconds", "[dtmf][leg]") {
  LegConfig config;
  config.formats = {{111, "opus", 48000, 2}, {110, "telephone-event", 48000, 1}};
  LegPipeline leg(config);
  RecordingSink sink;
  // First packet anchors at 200 ms; the press starts 0.5 s later in RTP time.
  auto start = MakeRtp(110, 1, 480000, 5, Event(7, false, 960), true);
  leg.OnDatagram(start.data(), start.size(), 200 * kMs);
  auto later = MakeRtp(110, 2, 480000 + 24000, 5, Event(3, true, 4800));
  leg.OnDatagram(later.data(), later.size(), 700 * kMs);
  leg.Drain(800 * kMs, sink);
  // '7' lost its end packets and is reported when '3' starts; '3' ends at once.
  REQUIRE(sink.dtmf.size() == 2);
  CHECK(sink.dtmf[0].digit == '7');
  CHECK(sink.dtmf[0].start_sample == 1600);
  CHECK(sink.dtmf[0].duration_ms == 20);
  CHECK(sink.dtmf[1].digit == '3');
  CHECK(sink.dtmf[1].start_sample == 1600 + 4000);
  CHECK(sink.dtmf[1].duration_ms == 100);
}

}  // namespace
}  // namespace kronika::media
