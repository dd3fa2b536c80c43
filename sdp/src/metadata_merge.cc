// MergeMetadata: RFC 7865 §6 complete snapshots and §8.2 partial updates.
#include <algorithm>
#include <string>

#include "kronika/sdp/recording_metadata.h"

namespace kronika::sdp {
namespace {

// "participant <id> (<aor>)": what a person reading the timeline recognises.
std::string Describe(const Participant& p) {
  std::string text = "participant " + p.id;
  for (const NameId& name : p.names) {
    if (!name.aor.empty()) return text + " (" + name.aor + ")";
    if (!name.name.empty()) return text + " (" + name.name + ")";
  }
  return text;
}

std::string Describe(const Stream& s) {
  std::string text = "stream " + s.id;
  return s.label.empty() ? text : text + " (label " + s.label + ")";
}

std::string Describe(const Session& s) { return "session " + s.id; }
std::string Describe(const Group& g) { return "group " + g.id; }

// Stream id -> "label 96" when the stream is known, else the id.
std::string StreamRef(const RecordingMetadata& md, const std::string& stream_id) {
  const Stream* stream = FindStream(md, stream_id);
  if (stream != nullptr && !stream->label.empty()) return "label " + stream->label;
  return "stream " + stream_id;
}

std::string JoinRefs(const RecordingMetadata& md, const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out += ", ";
    out += StreamRef(md, id);
  }
  return out;
}

// Elements of `a` missing from `b`, in `a`'s order.
std::vector<std::string> Minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const std::string& x : a) {
    if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
  }
  return out;
}

void Union(std::vector<std::string>& into, const std::vector<std::string>& more) {
  for (const std::string& x : more) {
    if (std::find(into.begin(), into.end(), x) == into.end()) into.push_back(x);
  }
}

void TakeIfSet(std::string& field, const std::string& update) {
  if (!update.empty()) field = update;
}

class ChangeLog {
 public:
  void Add(std::string what) { changes_.push_back(MetadataChange{std::move(what)}); }
  std::vector<MetadataChange> Take() { return std::move(changes_); }

  // Association times that appeared or changed between `before` and `after`.
  template <typename T>
  void Times(const std::string& who, const T& before, const T& after) {
    if (after.associate_time != before.associate_time && !after.associate_time.empty() &&
        !before.associate_time.empty()) {
      Add(who + " associated at " + after.associate_time);
    }
    if (after.disassociate_time != before.disassociate_time && !after.disassociate_time.empty()) {
      Add(who + " disassociated at " + after.disassociate_time);
    }
  }

  void Senders(const RecordingMetadata& md, const Participant& before, const Participant& after) {
    std::vector<std::string> stopped = Minus(before.send_stream_ids, after.send_stream_ids);
    std::vector<std::string> started = Minus(after.send_stream_ids, before.send_stream_ids);
    if (!stopped.empty()) {
      Add(Describe(after) + " stopped sending on " + JoinRefs(md, stopped));
    }
    if (!started.empty()) {
      Add(Describe(after) + " started sending on " + JoinRefs(md, started));
    }
  }

 private:
  std::vector<MetadataChange> changes_;
};

void MergeParticipant(Participant& into, const Participant& update) {
  for (const NameId& name : update.names) {
    auto same = [&](const NameId& n) { return n.aor == name.aor && n.name == name.name; };
    if (std::none_of(into.names.begin(), into.names.end(), same)) into.names.push_back(name);
  }
  if (update.has_stream_assoc) {
    into.send_stream_ids = update.send_stream_ids;
    into.recv_stream_ids = update.recv_stream_ids;
    into.has_stream_assoc = true;
  }
  Union(into.session_ids, update.session_ids);
  TakeIfSet(into.associate_time, update.associate_time);
  TakeIfSet(into.disassociate_time, update.disassociate_time);
  TakeIfSet(into.extension_xml, update.extension_xml);
}

void MergeStream(Stream& into, const Stream& update) {
  TakeIfSet(into.session_id, update.session_id);
  TakeIfSet(into.label, update.label);
  TakeIfSet(into.content, update.content);
  TakeIfSet(into.mode, update.mode);
  TakeIfSet(into.associate_time, update.associate_time);
  TakeIfSet(into.disassociate_time, update.disassociate_time);
  TakeIfSet(into.extension_xml, update.extension_xml);
}

void MergeSession(Session& into, const Session& update) {
  TakeIfSet(into.group_id, update.group_id);
  // RFC 8068 §3.3.3: a partial update lists the session's current SIP sessions.
  if (!update.sip_session_ids.empty()) into.sip_session_ids = update.sip_session_ids;
  TakeIfSet(into.start_time, update.start_time);
  TakeIfSet(into.stop_time, update.stop_time);
  TakeIfSet(into.associate_time, update.associate_time);
  TakeIfSet(into.disassociate_time, update.disassociate_time);
  TakeIfSet(into.extension_xml, update.extension_xml);
}

void MergeGroup(Group& into, const Group& update) {
  TakeIfSet(into.associate_time, update.associate_time);
  TakeIfSet(into.disassociate_time, update.disassociate_time);
  TakeIfSet(into.extension_xml, update.extension_xml);
}

template <typename T>
T* FindMutable(std::vector<T>& list, const std::string& id) {
  for (T& item : list) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

template <typename T>
const T* FindIn(const std::vector<T>& list, const std::string& id) {
  for (const T& item : list) {
    if (item.id == id) return &item;
  }
  return nullptr;
}

void SessionChanges(ChangeLog& log, const Session& before, const Session& after) {
  if (after.stop_time != before.stop_time && !after.stop_time.empty()) {
    log.Add(Describe(after) + " stopped at " + after.stop_time);
  }
  if (after.sip_session_ids != before.sip_session_ids) {
    log.Add(Describe(after) + " now has " + std::to_string(after.sip_session_ids.size()) +
            " SIP session(s)");
  }
  log.Times(Describe(after), before, after);
}

// Partial update: merge object by object.
void MergePartial(RecordingMetadata& current, const RecordingMetadata& update, ChangeLog& log) {
  for (const Group& g : update.groups) {
    Group* existing = FindMutable(current.groups, g.id);
    if (existing == nullptr) {
      current.groups.push_back(g);
      log.Add(Describe(g) + " added");
      continue;
    }
    Group before = *existing;
    MergeGroup(*existing, g);
    log.Times(Describe(g), before, *existing);
  }
  for (const Session& s : update.sessions) {
    Session* existing = FindMutable(current.sessions, s.id);
    if (existing == nullptr) {
      current.sessions.push_back(s);
      log.Add(Describe(s) + " added");
      continue;
    }
    Session before = *existing;
    MergeSession(*existing, s);
    SessionChanges(log, before, *existing);
  }
  // Streams first so participant messages can name new streams by label.
  for (const Stream& s : update.streams) {
    Stream* existing = FindMutable(current.streams, s.id);
    if (existing == nullptr) {
      current.streams.push_back(s);
      log.Add(Describe(s) + " added");
      continue;
    }
    Stream before = *existing;
    MergeStream(*existing, s);
    if (existing->label != before.label) {
      log.Add(Describe(*existing) + " relabelled from " + before.label);
    }
    log.Times(Describe(*existing), before, *existing);
  }
  for (const Participant& p : update.participants) {
    Participant* existing = FindMutable(current.participants, p.id);
    if (existing == nullptr) {
      current.participants.push_back(p);
      const Participant& added = current.participants.back();
      log.Add(Describe(added) + " added");
      if (!added.send_stream_ids.empty()) {
        log.Add(Describe(added) + " sends on " + JoinRefs(current, added.send_stream_ids));
      }
      if (!added.disassociate_time.empty()) {
        log.Add(Describe(added) + " disassociated at " + added.disassociate_time);
      }
      continue;
    }
    Participant before = *existing;
    MergeParticipant(*existing, p);
    log.Senders(current, before, *existing);
    log.Times(Describe(*existing), before, *existing);
  }
  current.extensions.insert(current.extensions.end(), update.extensions.begin(),
                            update.extensions.end());
  current.unknown_xml += update.unknown_xml;
}

// Complete snapshot: report the difference, then replace.
void ReplaceComplete(RecordingMetadata& current, const RecordingMetadata& update, ChangeLog& log) {
  for (const Stream& s : update.streams) {
    const Stream* old = FindIn(current.streams, s.id);
    if (old == nullptr) {
      log.Add(Describe(s) + " added");
    } else {
      log.Times(Describe(s), *old, s);
    }
  }
  for (const Stream& s : current.streams) {
    if (FindIn(update.streams, s.id) == nullptr) log.Add(Describe(s) + " removed");
  }
  for (const Session& s : update.sessions) {
    const Session* old = FindIn(current.sessions, s.id);
    if (old == nullptr) {
      log.Add(Describe(s) + " added");
    } else {
      SessionChanges(log, *old, s);
    }
  }
  for (const Participant& p : update.participants) {
    const Participant* old = FindIn(current.participants, p.id);
    if (old == nullptr) {
      log.Add(Describe(p) + " added");
      if (!p.send_stream_ids.empty()) {
        log.Add(Describe(p) + " sends on " + JoinRefs(update, p.send_stream_ids));
      }
      continue;
    }
    log.Senders(update, *old, p);
    log.Times(Describe(p), *old, p);
  }
  std::vector<Participant> departed = std::move(current.departed);
  for (Participant& p : current.participants) {
    if (FindIn(update.participants, p.id) != nullptr) continue;
    log.Add(Describe(p) + " removed");
    p.send_stream_ids.clear();
    p.recv_stream_ids.clear();
    p.has_stream_assoc = false;
    departed.erase(std::remove_if(departed.begin(), departed.end(),
                                  [&](const Participant& d) { return d.id == p.id; }),
                   departed.end());
    departed.push_back(std::move(p));
  }
  current = update;
  current.departed = std::move(departed);
}

// A participant named again is no longer departed.
void Rejoin(RecordingMetadata& current) {
  std::erase_if(current.departed,
                [&](const Participant& d) { return FindIn(current.participants, d.id) != nullptr; });
}

}  // namespace

std::vector<MetadataChange> MergeMetadata(RecordingMetadata& current,
                                          const RecordingMetadata& update) {
  ChangeLog log;
  if (update.mode == DataMode::kComplete) {
    ReplaceComplete(current, update, log);
  } else {
    MergePartial(current, update, log);
  }
  Rejoin(current);
  current.mode = DataMode::kComplete;
  if (current.ns.empty()) current.ns = update.ns;
  return log.Take();
}

}  // namespace kronika::sdp
