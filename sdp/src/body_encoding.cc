// Content-Encoding of request bodies, decoded with zlib.
#include "kronika/sdp/body_encoding.h"

#include <zlib.h>

#include <algorithm>
#include <vector>

#include "warning_text.h"

namespace kronika::sdp {
namespace {

constexpr size_t kInflateChunkBytes = 16 * 1024;
// windowBits 15 (the largest window) + 32: zlib detects a gzip or a zlib header itself, so
// "deflate" bodies sent with either wrapper decode (HTTP's "deflate" is zlib-wrapped, some
// senders use gzip framing under that name).
constexpr int kAutoDetectHeaderWindowBits = 15 + 32;

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> Codings(std::string_view header) {
  std::vector<std::string> codings;
  while (!header.empty()) {
    const size_t comma = header.find(',');
    const std::string_view coding = TrimSpaces(header.substr(0, comma));
    if (!coding.empty()) codings.push_back(ToLower(coding));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
  }
  return codings;
}

class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&stream_, kAutoDetectHeaderWindowBits) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&stream_);
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Inflates all of `in` (one or more concatenated gzip members, RFC 1952 section 2.2).
  Result<std::string> Run(std::string_view in, std::string_view coding) {
    if (!ok_) return MakeError(ErrorCode::kInternal, "body: zlib could not start");
    std::string out;
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));  // zlib API is not const
    stream_.avail_in = static_cast<uInt>(in.size());
    std::vector<Bytef> chunk(kInflateChunkBytes);
    while (true) {
      stream_.next_out = chunk.data();
      stream_.avail_out = static_cast<uInt>(chunk.size());
      const int rc = inflate(&stream_, Z_NO_FLUSH);
      out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size() - stream_.avail_out);
      if (out.size() > kMaxDecodedBodyBytes) {
        return MakeError(ErrorCode::kTooLarge,
                         "body: decoded body over " + std::to_string(kMaxDecodedBodyBytes) + " bytes");
      }
      if (rc == Z_STREAM_END) {
        if (stream_.avail_in == 0) return out;
        inflateReset(&stream_);  // another member follows
        continue;
      }
      if (rc == Z_OK) continue;
      if (rc == Z_BUF_ERROR && stream_.avail_in == 0) {
        return MakeError(ErrorCode::kInvalidInput, "body: " + std::string(coding) + " data ends before its end");
      }
      const char* why = stream_.msg != nullptr ? stream_.msg : "not compressed data";
      return MakeError(ErrorCode::kInvalidInput,
                       "body: " + std::string(coding) + " data is damaged (" + WarningSafe(why) + ")");
    }
  }

 private:
  z_stream stream_{};
  bool ok_ = false;
};

}  // namespace

Result<std::string> DecodeBody(std::string_view content_encoding, std::string_view body) {
  std::vector<std::string> codings = Codings(content_encoding);
  std::string decoded(body);
  std::reverse(codings.begin(), codings.end());
  for (const std::string& coding : codings) {
    if (coding == "identity") continue;
    if (coding != "gzip" && coding != "x-gzip" && coding != "deflate") {
      return MakeError(ErrorCode::kUnsupportedType,
                       "body: unsupported Content-Encoding " + WarningSafe(coding, 40));
    }
    Inflater inflater;
    ASSIGN_OR_RETURN(decoded, inflater.Run(decoded, coding));
  }
  return decoded;
}

}  // namespace kronika::sdp
