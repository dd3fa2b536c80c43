// The version the `kronika` binary reports (`kronika --version`, `kronika serve --version`).
#pragma once

namespace kronika::srs {

inline constexpr char kKronikaVersion[] = "0.1.0";

}  // namespace kronika::srs
