#include "kronika/media/completeness.h"

#include <algorithm>
#include <array>
#include <utility>

namespace kronika::media {
namespace {

constexpr std::array<std::pair<Verdict, std::string_view>, 6> kVerdictNames{{
    {Verdict::kComplete, "complete"},
    {Verdict::kPartial, "partial"},
    {Verdict::kOneWay, "one-way"},
    {Verdict::kSilent, "silent"},
    {Verdict::kNoMedia, "no-media"},
    {Verdict::kInterrupted, "interrupted"},
}};

// The longest piece of [from, to) that none of `spans` covers (spans sorted by from_ms).
TimeSpan LongestUncovered(int64_t from, int64_t to, const std::vector<TimeSpan>& spans) {
  TimeSpan best{from, from};
  int64_t at = from;
  auto consider = [&](int64_t a, int64_t b) {
    if (b - a > best.to_ms - best.from_ms) best = TimeSpan{a, b};
  };
  for (const TimeSpan& s : spans) {
    if (s.to_ms <= at) continue;
    if (s.from_ms >= to) break;
    if (s.from_ms > at) consider(at, s.from_ms);
    at = std::max(at, s.to_ms);
    if (at >= to) return best;
  }
  if (at < to) consider(at, to);
  return best;
}

struct LegView {
  int index = 0;
  const LegEvidence* leg = nullptr;
  std::vector<TimeSpan> pauses;  // the leg's own and the recording's, sorted
};

}  // namespace

std::string_view GapKindName(GapKind kind) {
  switch (kind) {
    case GapKind::kLoss: return "loss";
    case GapKind::kSilence: return "silence";
    case GapKind::kDeclared: return "declared";
    case GapKind::kStart: return "start";
    case GapKind::kEnd: return "end";
  }
  return "loss";
}

std::string_view FindingKindName(FindingKind kind) {
  switch (kind) {
    case FindingKind::kNoPackets: return "no-packets";
    case FindingKind::kNoSignal: return "no-signal";
    case FindingKind::kGap: return "gap";
    case FindingKind::kGapsOmitted: return "gaps-omitted";
    case FindingKind::kCutShort: return "cut-short";
  }
  return "gap";
}

std::string_view VerdictName(Verdict verdict) {
  for (const auto& [v, name] : kVerdictNames) {
    if (v == verdict) return name;
  }
  return "complete";
}

std::optional<Verdict> ParseVerdict(std::string_view name) {
  for (const auto& [v, text] : kVerdictNames) {
    if (text == name) return v;
  }
  return std::nullopt;
}

Completeness JudgeCompleteness(const RecordingEvidence& evidence, const SignallingFacts& facts,
                               const CompletenessOptions& options) {
  Completeness out;
  if (facts.interrupted) {
    out.verdict = Verdict::kInterrupted;
    return out;
  }
  // Legs expected to send: negotiated for some time that no pause covers.
  std::vector<LegView> legs;
  for (size_t i = 0; i < evidence.legs.size(); ++i) {
    const LegEvidence& leg = evidence.legs[i];
    LegView view{static_cast<int>(i), &leg, leg.pauses};
    view.pauses.insert(view.pauses.end(), facts.pauses.begin(), facts.pauses.end());
    std::sort(view.pauses.begin(), view.pauses.end(),
              [](const TimeSpan& a, const TimeSpan& b) { return a.from_ms < b.from_ms; });
    const TimeSpan open = LongestUncovered(leg.active_from_ms, leg.active_to_ms, view.pauses);
    if (open.to_ms > open.from_ms) legs.push_back(std::move(view));
  }
  if (legs.empty()) return out;  // nothing was due: paused all along

  int with_packets = 0;
  int with_signal = 0;
  int64_t first_packet_ms = INT64_MAX;
  for (const LegView& v : legs) {
    const LegEvidence& leg = *v.leg;
    if (leg.packets_received == 0) {
      out.findings.push_back(Finding{FindingKind::kNoPackets, v.index, leg.active_from_ms, leg.active_to_ms});
      continue;
    }
    ++with_packets;
    if (leg.first_packet_ms >= 0) first_packet_ms = std::min(first_packet_ms, leg.first_packet_ms);
    if (leg.signal_ms >= options.min_signal_ms) {
      ++with_signal;
    } else {
      out.findings.push_back(Finding{FindingKind::kNoSignal, v.index, leg.active_from_ms, leg.active_to_ms});
    }
  }

  // Gaps: judged from when media was due and some leg had started.
  const int64_t judged_from = std::max(facts.media_due_ms, first_packet_ms == INT64_MAX ? 0 : first_packet_ms);
  bool unexplained_gap = false;
  for (const LegView& v : legs) {
    const LegEvidence& leg = *v.leg;
    if (leg.packets_received == 0) continue;
    for (const Gap& gap : leg.gaps) {
      if (gap.kind == GapKind::kDeclared) continue;
      const int64_t from = std::max(gap.from_ms, judged_from);
      if (gap.to_ms - from < options.max_gap_ms) continue;
      const TimeSpan hole = LongestUncovered(from, gap.to_ms, v.pauses);
      if (hole.to_ms - hole.from_ms < options.max_gap_ms) continue;
      out.findings.push_back(Finding{FindingKind::kGap, v.index, hole.from_ms, hole.to_ms});
      unexplained_gap = true;
    }
    if (leg.gaps_omitted > 0) {
      // More gaps than the list holds: what they were is not known, so none is taken as explained.
      const int64_t after = leg.gaps.empty() ? leg.active_from_ms : leg.gaps.back().to_ms;
      out.findings.push_back(Finding{FindingKind::kGapsOmitted, v.index, after, leg.active_to_ms});
      unexplained_gap = true;
    }
  }

  if (facts.ended_ms >= 0 && facts.ended_ms - evidence.duration_ms >= options.max_gap_ms) {
    out.findings.push_back(Finding{FindingKind::kCutShort, -1, evidence.duration_ms, facts.ended_ms});
    unexplained_gap = true;
  }

  if (with_packets == 0) {
    out.verdict = Verdict::kNoMedia;
  } else if (with_signal == 0) {
    out.verdict = Verdict::kSilent;
  } else if (with_signal < static_cast<int>(legs.size())) {
    out.verdict = Verdict::kOneWay;
  } else if (unexplained_gap) {
    out.verdict = Verdict::kPartial;
  }
  return out;
}

}  // namespace kronika::media
