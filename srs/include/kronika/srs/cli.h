// The `kronika` command line: `kronika <serve|query|show> [options]`, `--version`, `--help`.
//
// Exit codes (every command): 0 ok, 1 not found / nothing matched / runtime failure,
// 2 usage or configuration error. Messages go to stderr, results to stdout.
#pragma once

namespace kronika::srs {

inline constexpr char kKronikaVersion[] = "0.1.0";

// main() of the kronika binary.
int RunCli(int argc, char** argv);

}  // namespace kronika::srs
