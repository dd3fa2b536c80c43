// Our SDES (RFC 4568) master key + salt for a=crypto lines of the SDP answer.
#include <sys/random.h>

#include <array>
#include <random>
#include <string>

#include "kronika/srs/atrest/crypto.h"
#include "kronika/srs/session/session_manager.h"

namespace kronika::srs {

std::string NewSrtpKeyBase64() {
  std::array<unsigned char, 30> key{};  // AES_CM_128: 16-byte key + 14-byte salt
  if (getrandom(key.data(), key.size(), 0) != static_cast<ssize_t>(key.size())) {
    std::random_device device;
    for (unsigned char& b : key) b = static_cast<unsigned char>(device());
  }
  return Base64Encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

}  // namespace kronika::srs
