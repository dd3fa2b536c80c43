// Our SDES (RFC 4568) master key + salt for a=crypto lines of the SDP answer.
#include <sofia-sip/base64.h>
#include <sys/random.h>

#include <array>
#include <random>
#include <string>

#include "session_manager.h"

namespace kronika::srs {

std::string NewSrtpKeyBase64() {
  std::array<unsigned char, 30> key{};  // AES_CM_128: 16-byte key + 14-byte salt
  if (getrandom(key.data(), key.size(), 0) != static_cast<ssize_t>(key.size())) {
    std::random_device device;
    for (unsigned char& b : key) b = static_cast<unsigned char>(device());
  }
  char text[64];
  base64_e(text, sizeof(text), key.data(), key.size());
  return text;
}

}  // namespace kronika::srs
