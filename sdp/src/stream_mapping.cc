#include "kronika/sdp/stream_mapping.h"

#include <algorithm>
#include <string>

namespace kronika::sdp {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

void AddUnique(std::vector<std::string>& list, const std::string& value) {
  if (!Contains(list, value)) list.push_back(value);
}

std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += "; ";
    out += part;
  }
  return out;
}

std::string Plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// An explicit empty association (Cisco a=inactive offer) counts: nobody sends yet.
bool AnyStreamAssociation(const RecordingMetadata& md) {
  return std::any_of(md.participants.begin(), md.participants.end(),
                     [](const Participant& p) { return p.has_stream_assoc; });
}

// Participants sending on a stream id that no metadata <stream> describes.
std::vector<std::string> OrphanSenders(const RecordingMetadata& md) {
  std::vector<std::string> out;
  for (const Participant& p : md.participants) {
    for (const std::string& id : p.send_stream_ids) {
      if (FindStream(md, id) == nullptr) {
        AddUnique(out, p.id);
        break;
      }
    }
  }
  return out;
}

}  // namespace

StreamMapping MapStreams(const std::vector<std::string>& sdp_labels,
                         const RecordingMetadata* metadata) {
  StreamMapping mapping;
  const size_t mline_count = sdp_labels.size();
  for (size_t i = 0; i < mline_count; ++i) {
    StreamAssignment a;
    a.mline_index = i;
    a.label = sdp_labels[i];
    if (mline_count == 1 || i >= 2) {
      a.channel = kChannelMixedMono;
    } else {
      a.channel = i == 0 ? kChannelLeft : kChannelRight;
    }
    mapping.streams.push_back(std::move(a));
  }
  mapping.mixed_single_stream = mline_count == 1;
  if (mline_count == 0) return mapping;
  if (metadata == nullptr) {
    mapping.fallback_used = true;
    mapping.fallback_reason = "no metadata: streams taken in m-line order";
    return mapping;
  }
  const RecordingMetadata& md = *metadata;
  std::vector<std::string> reasons;
  std::vector<bool> stream_used(md.streams.size(), false);
  std::vector<bool> mline_matched(mline_count, false);

  // 1. Match a=label to <stream><label>, one-to-one.
  for (size_t i = 0; i < mline_count; ++i) {
    const std::string& label = sdp_labels[i];
    std::string where = "m-line " + std::to_string(i + 1);
    if (label.empty()) {
      reasons.push_back(where + " has no a=label");
      continue;
    }
    if (std::count(sdp_labels.begin(), sdp_labels.end(), label) > 1) {
      reasons.push_back("SDP label " + label + " (" + where + ") is repeated");
      continue;
    }
    bool found = false;
    for (size_t s = 0; s < md.streams.size(); ++s) {
      if (!stream_used[s] && md.streams[s].label == label) {
        stream_used[s] = true;
        mline_matched[i] = true;
        mapping.streams[i].stream_id = md.streams[s].id;
        found = true;
        break;
      }
    }
    if (!found) reasons.push_back("SDP label " + label + " (" + where + ") not in metadata");
  }
  if (md.streams.size() != mline_count) {
    reasons.push_back("metadata describes " + Plural(md.streams.size(), "stream") + " for " +
                      Plural(mline_count, "m-line"));
  }

  // 2. Unmatched m-lines take the unmatched metadata streams in document order.
  size_t next_stream = 0;
  for (size_t i = 0; i < mline_count; ++i) {
    if (mline_matched[i]) continue;
    while (next_stream < md.streams.size() && stream_used[next_stream]) ++next_stream;
    if (next_stream == md.streams.size()) break;
    stream_used[next_stream] = true;
    mapping.streams[i].stream_id = md.streams[next_stream].id;
  }

  // 3. Senders.
  for (StreamAssignment& a : mapping.streams) {
    if (!a.stream_id.empty()) a.participant_ids = SendersOf(md, a.stream_id);
  }
  std::vector<std::string> orphans = OrphanSenders(md);
  for (StreamAssignment& a : mapping.streams) {
    if (a.stream_id.empty()) {
      for (const std::string& id : orphans) AddUnique(a.participant_ids, id);
    }
  }
  if (mline_count == 1) {
    // Mono mix: everyone sending on a stream the SDP does not carry is in it too.
    StreamAssignment& only = mapping.streams[0];
    for (size_t s = 0; s < md.streams.size(); ++s) {
      if (md.streams[s].id == only.stream_id) continue;
      for (const std::string& id : SendersOf(md, md.streams[s].id)) {
        AddUnique(only.participant_ids, id);
      }
    }
    for (const std::string& id : orphans) AddUnique(only.participant_ids, id);
  }

  // 4. No association at all: document order, flagged as a guess.
  if (!AnyStreamAssociation(md) && !md.participants.empty()) {
    if (mline_count == 1) {
      for (const Participant& p : md.participants) {
        mapping.streams[0].participant_ids.push_back(p.id);
      }
      mapping.senders_guessed = true;
    } else if (md.participants.size() == mline_count) {
      for (size_t i = 0; i < mline_count; ++i) {
        mapping.streams[i].participant_ids = {md.participants[i].id};
      }
      mapping.senders_guessed = true;
    }
  }

  mapping.fallback_used = !reasons.empty();
  mapping.fallback_reason = Join(reasons);
  return mapping;
}

}  // namespace kronika::sdp
