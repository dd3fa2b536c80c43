#include "kronika/sdp/phone_number.h"

namespace kronika::sdp {

PhoneNumber NormalizePhoneNumber(std::string_view uri_or_name, std::string_view) {
  PhoneNumber n;
  n.original = std::string(uri_or_name);
  n.kind = "name";
  return n;
}

}  // namespace kronika::sdp
