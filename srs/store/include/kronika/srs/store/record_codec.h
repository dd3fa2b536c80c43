// The byte layout every table of the store uses for its values: a compact, versioned
// binary record. Each table has one codec (an Encode and a Decode function over its typed
// record) written with these two classes; store_codec.cc (recordings) is the model.
//
// Layout: the first varint is the version the row was written with, then the fields in
// the order that version defines. Integers are unsigned LEB128 varints, signed ones
// zig-zag encoded first; strings are a varint length and the bytes; doubles are 8 bytes
// IEEE-754 little endian; booleans are a varint 0/1. A decoder reads every version it
// knows (older ones migrated in memory to the current struct), refuses newer ones, and
// never throws: a truncated or malformed row is an ErrorCode::kCorrupt error naming the
// table and the field (database.h skips such rows and reports them, bad_rows.h).
//
// Pure functions and value types, any thread.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

#include "kronika/result.h"

namespace kronika::srs {

// Keys of sequence logs (the hold log, the deletion log, the events outbox): the sequence in
// 8 bytes big-endian, so that LMDB's bytewise key order is the numeric order.
inline std::string SeqKey(uint64_t seq) {
  std::string key(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8) key[static_cast<size_t>(i)] = static_cast<char>(seq & 0xff);
  return key;
}

// The sequence of such a key; kCorrupt, naming `table`, for a key of any other length.
inline Result<uint64_t> SeqOfKey(std::string_view table, std::string_view key) {
  if (key.size() != 8) {
    return Error{ErrorCode::kCorrupt,
                 std::string(table) + ": a sequence key is 8 bytes, not " + std::to_string(key.size())};
  }
  uint64_t seq = 0;
  for (char c : key) seq = (seq << 8) | static_cast<unsigned char>(c);
  return seq;
}

class RecordWriter {
 public:
  void U(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void S(int64_t v) { U((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void Bool(bool b) { U(b ? 1 : 0); }
  void Str(std::string_view s) {
    U(s.size());
    out_.append(s);
  }
  void F64(double d) {
    const uint64_t bits = std::bit_cast<uint64_t>(d);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Each read returns false (and leaves the reader where it was failing) when the input is
// truncated or a value does not fit.
class RecordReader {
 public:
  explicit RecordReader(std::string_view in) : in_(in) {}
  bool U(uint64_t& v) {
    v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return false;
      const uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool S(int64_t& v) {
    uint64_t u = 0;
    if (!U(u)) return false;
    v = static_cast<int64_t>(u >> 1) ^ -static_cast<int64_t>(u & 1);
    return true;
  }
  bool I(int& v) {
    int64_t s = 0;
    if (!S(s) || s < INT32_MIN || s > INT32_MAX) return false;
    v = static_cast<int>(s);
    return true;
  }
  bool Bool(bool& b) {
    uint64_t u = 0;
    if (!U(u) || u > 1) return false;
    b = u != 0;
    return true;
  }
  bool Str(std::string& s) {
    uint64_t n = 0;
    if (!U(n) || n > in_.size() - pos_) return false;
    s.assign(in_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool F64(double& d) {
    if (in_.size() - pos_ < 8) return false;
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i) {
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    }
    pos_ += 8;
    d = std::bit_cast<double>(bits);
    return true;
  }
  // An element count: each element takes at least one byte, so a count larger than what
  // is left is malformed (no allocation sized by a corrupt varint).
  bool Count(size_t& n) {
    uint64_t u = 0;
    if (!U(u) || u > remaining()) return false;
    n = static_cast<size_t>(u);
    return true;
  }
  size_t remaining() const { return in_.size() - pos_; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// "<table>: row truncated or malformed at <field>" (kCorrupt).
inline Error MalformedRow(std::string_view table, std::string_view field) {
  return Error{ErrorCode::kCorrupt, std::string(table) + ": row truncated or malformed at " +
                                        std::string(field)};
}

// "<table>: row has schema version N, this build reads up to M (upgrade kronika)" (kCorrupt).
inline Error UnknownRowVersion(std::string_view table, uint64_t version, uint64_t newest) {
  return Error{ErrorCode::kCorrupt, std::string(table) + ": row has schema version " + std::to_string(version) +
                                        ", this build reads up to " + std::to_string(newest) +
                                        " (upgrade kronika)"};
}

}  // namespace kronika::srs
