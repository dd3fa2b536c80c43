// Password hashes of local users (issue 16 item 4, ACCESS-1): argon2id through libsodium's
// crypto_pwhash_str family, so the stored text ("$argon2id$v=19$m=...,t=...,p=1$salt$hash")
// carries its own salt and cost and an older hash can be recognised and replaced.
//
// Cost: libsodium's "interactive" limits (2 passes, 64 MiB) - about 0.1 s of one core per
// sign-in here; a worker hashes one password at a time, so at most `workers` x 64 MiB are in
// use at once. Verification of a hash made with other limits works; NeedsRehash says so.
//
// Threads: pure functions, any thread (sodium_init() is called once, thread-safely).
#pragma once

#include <string>
#include <string_view>

#include "kronika/result.h"

namespace kronika::srs {

// Prefix of every hash this build writes.
inline constexpr std::string_view kPasswordHashPrefix = "$argon2id$";
// Passwords shorter than this are refused when set (not when checked: a rule changed later
// must not lock people out).
inline constexpr size_t kMinPasswordLength = 10;
inline constexpr size_t kMaxPasswordLength = 1024;

// The argon2id hash of `password`. Errors: kInvalidInput too short, too long or holding a
// NUL byte; kInternal libsodium failed (out of memory).
Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `stored` (a HashPassword result). False for any other
// text, including an empty or malformed hash. Constant time in the password's content.
bool VerifyPassword(std::string_view stored, std::string_view password);

// True when `stored` was made with other limits or another algorithm than HashPassword
// uses now: the caller re-hashes at the next successful sign-in.
bool PasswordNeedsRehash(std::string_view stored);

// True when `stored` looks like a hash this module can verify ("$argon2id$..."); checked
// before a hash from another process (the CLI) is stored.
bool IsPasswordHash(std::string_view stored);

}  // namespace kronika::srs
