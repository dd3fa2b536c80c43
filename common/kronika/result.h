// Result<T>: errors as values at module edges.
//
// An Error carries a message fit for a SIP Warning header ("sdp: m-line 2 has no
// acceptable codec") and, where the failure maps to a SIP answer, the status code the
// SIP layer should send (400, 415, 488, 503 ...). Nothing here throws.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace kronika {

struct Error {
  std::string message;   // human-readable, one line, no CR/LF (goes into Warning)
  int sip_status = 500;  // suggested SIP status when this error answers a request
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}       // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok()
  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  // REQUIRES: !ok()
  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

inline Error MakeError(int sip_status, std::string message) {
  return Error{std::move(message), sip_status};
}

}  // namespace kronika
