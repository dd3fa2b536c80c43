#include <algorithm>

#include "kronika/sdp/recording_metadata.h"

namespace kronika::sdp {
namespace {

template <typename T>
const T* FindById(const std::vector<T>& list, std::string_view id) {
  for (const T& item : list) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

}  // namespace

const Participant* FindParticipant(const RecordingMetadata& metadata, std::string_view id) {
  return FindById(metadata.participants, id);
}

const Stream* FindStream(const RecordingMetadata& metadata, std::string_view id) {
  return FindById(metadata.streams, id);
}

const Session* FindSession(const RecordingMetadata& metadata, std::string_view id) {
  return FindById(metadata.sessions, id);
}

const Stream* FindStreamByLabel(const RecordingMetadata& metadata, std::string_view label) {
  if (label.empty()) return nullptr;
  for (const Stream& stream : metadata.streams) {
    if (stream.label == label) return &stream;
  }
  return nullptr;
}

std::vector<std::string> SendersOf(const RecordingMetadata& metadata, std::string_view stream_id) {
  std::vector<std::string> senders;
  for (const Participant& participant : metadata.participants) {
    const auto& sends = participant.send_stream_ids;
    if (std::find(sends.begin(), sends.end(), stream_id) != sends.end()) {
      senders.push_back(participant.id);
    }
  }
  return senders;
}

}  // namespace kronika::sdp
