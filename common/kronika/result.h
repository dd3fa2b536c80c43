// Result<T>: errors as values at module edges.
//
// An Error carries a code (what kind of failure, ErrorCode) and a message fit for a SIP
// Warning header or a log line ("sdp: m-line 2 has no acceptable codec"). Codes are mapped
// to a protocol's status only at that protocol's edge: SipStatus() where the SIP layer
// answers, HttpStatus() where the HTTP layer answers, a CLI's exit code in the CLI. Nothing
// here throws.
//
// Propagation: RETURN_IF_ERROR(status_expr) and ASSIGN_OR_RETURN(lhs, result_expr) return
// the error of a failed expression from the enclosing function (which must return a
// Result<...> or Status).
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kronika {

// What went wrong, independent of the protocol that reports it. Keep SipStatus(),
// HttpStatus() and ErrorCodeName() in step when adding one.
enum class ErrorCode : uint8_t {
  kInvalidInput,      // a peer's or user's input is malformed (SIP 400, HTTP 400)
  kUnsupportedType,   // a body/content type we do not take (415)
  kNotAcceptable,     // well-formed, but nothing in it we can use, e.g. no codec (SIP 488, HTTP 422)
  kTooLarge,          // over a configured size bound (413)
  kUnauthenticated,   // no or bad credentials (HTTP 401; SIP 403)
  kPermissionDenied,  // known caller, not allowed (403)
  kNotFound,          // no such object (404)
  kConflict,          // the object's state forbids it now: a hold, a missing approval (HTTP 409; SIP 500)
  kOverloaded,        // too busy now, try again later (503 with Retry-After)
  kUnavailable,       // a dependency is down or not ready: store, disk, key, port (503)
  kIo,                // file, socket or database I/O failed (500)
  kCorrupt,           // stored data or a file does not decode (500)
  kInternal,          // a bug or an impossible state (500)
  kUsage,             // a command line that cannot be run as written (HTTP 400; CLI exit 2)
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // human-readable, one line, no CR/LF (goes into Warning)
};

// The SIP status a request is answered with when it fails with `code`.
constexpr int SipStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput: return 400;
    case ErrorCode::kUnsupportedType: return 415;
    case ErrorCode::kNotAcceptable: return 488;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kUnauthenticated: return 403;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kOverloaded: return 503;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kUsage: return 400;
    case ErrorCode::kConflict:
    case ErrorCode::kIo:
    case ErrorCode::kCorrupt:
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

// The HTTP status an API request is answered with when it fails with `code`.
constexpr int HttpStatus(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput: return 400;
    case ErrorCode::kUnsupportedType: return 415;
    case ErrorCode::kNotAcceptable: return 422;
    case ErrorCode::kTooLarge: return 413;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kConflict: return 409;
    case ErrorCode::kOverloaded: return 503;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kUsage: return 400;
    case ErrorCode::kIo:
    case ErrorCode::kCorrupt:
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

// A stable lower-case name for logs, metric labels and JSON ("invalid_input").
constexpr std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidInput: return "invalid_input";
    case ErrorCode::kUnsupportedType: return "unsupported_type";
    case ErrorCode::kNotAcceptable: return "not_acceptable";
    case ErrorCode::kTooLarge: return "too_large";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kConflict: return "conflict";
    case ErrorCode::kOverloaded: return "overloaded";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kIo: return "io";
    case ErrorCode::kCorrupt: return "corrupt";
    case ErrorCode::kInternal: return "internal";
    case ErrorCode::kUsage: return "usage";
  }
  return "internal";
}

inline int SipStatus(const Error& error) { return SipStatus(error.code); }
inline int HttpStatus(const Error& error) { return HttpStatus(error.code); }

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
  const Error& error() const& { assert(!ok()); return std::get<1>(v_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

// Result<void> equivalent.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace kronika

#define KRONIKA_RESULT_CONCAT_INNER(a, b) a##b
#define KRONIKA_RESULT_CONCAT(a, b) KRONIKA_RESULT_CONCAT_INNER(a, b)

// Returns the error of `expr` (a Status or Result<T>) from the enclosing function.
#define RETURN_IF_ERROR(expr)                                                    \
  do {                                                                           \
    auto kronika_status_ = (expr);                                               \
    if (!kronika_status_.ok()) return std::move(kronika_status_).error();        \
  } while (false)

// `lhs` = the value of `rexpr` (a Result<T>), or returns its error from the enclosing
// function. `lhs` may declare a variable: ASSIGN_OR_RETURN(auto offer, ParseSdpOffer(text)).
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  KRONIKA_ASSIGN_OR_RETURN_IMPL(KRONIKA_RESULT_CONCAT(kronika_result_, __LINE__), lhs, rexpr)
#define KRONIKA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                  \
  if (!tmp.ok()) return std::move(tmp).error();        \
  lhs = std::move(tmp).value()
