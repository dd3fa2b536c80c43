// One versioned codec per access table (record_codec.h). Version 1 is a binary layout
// written with RecordWriter in the order of the struct's fields (access_records.h,
// access_users.h; optional parts as a 0/1 flag then the fields, lists and maps as a count
// then the elements); version 0 is the JSON object the access db wrote before (read when
// a database is migrated, and wherever such a row is met: a value that starts with '{').
// Decoders never throw: a truncated row, a field of the wrong type or an unknown version
// is a kCorrupt error naming the table and the field (the reader skips and reports it).
// Pure functions, any thread. Private to srs/access.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kronika/result.h"
#include "kronika/srs/access/access_records.h"
#include "kronika/srs/access/access_users.h"

namespace kronika::srs {

inline constexpr uint64_t kAccessRowVersion = 1;
// access.disclosures has a version of its own: 2 adds to each export its purge (RIGHTS-2:
// a 0/1 flag, then at_ms_utc, by, reason, the erased recording ids, package_was_gone).
// Version 1 rows decode as exports never purged; a build that knows only version 1 skips
// and reports a version-2 row (record_codec.h) instead of misreading it.
inline constexpr uint64_t kDisclosureRowVersion = 2;
// access.users too: 2 adds the password hash and the language (issue 16 item 4). Version 1
// rows decode as users without a local password, in the office's language.
inline constexpr uint64_t kUserRowVersion = 2;

struct UserCodec {
  using Record = User;
  static std::string Encode(const User& user);
  static Result<User> Decode(std::string_view key, std::string_view bytes);
};

struct TokenCodec {
  using Record = ApiToken;
  static std::string Encode(const ApiToken& token);  // the id is the key
  static Result<ApiToken> Decode(std::string_view key, std::string_view bytes);
};

struct PlaybackRequestCodec {
  using Record = PlaybackRequest;
  static std::string Encode(const PlaybackRequest& request);
  static Result<PlaybackRequest> Decode(std::string_view key, std::string_view bytes);
};

struct DisclosureCodec {
  using Record = Disclosure;
  static std::string Encode(const Disclosure& disclosure);
  static Result<Disclosure> Decode(std::string_view key, std::string_view bytes);
};

struct RestrictionCodec {
  using Record = Restriction;
  static std::string Encode(const Restriction& restriction);  // the recording id is the key
  static Result<Restriction> Decode(std::string_view key, std::string_view bytes);
};

// A counter of access.meta ("seq:<name>"): v1 varint; v0 decimal text.
struct CounterCodec {
  using Record = uint64_t;
  static std::string Encode(uint64_t value);
  static Result<uint64_t> Decode(std::string_view key, std::string_view bytes);
};

}  // namespace kronika::srs
