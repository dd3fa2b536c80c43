// The `kronika` command line: `kronika <command> [options]`, `--version`, `--help`: the
// dispatcher over `serve` (the Daemon, srs/app) and the tools of srs/cli.
//
// Exit codes (every command): 0 ok, 1 not found / nothing matched / runtime failure,
// 2 usage or configuration error. Messages go to stderr, results to stdout.
#pragma once

namespace kronika::srs {

// main() of the kronika binary.
int RunCli(int argc, char** argv);

}  // namespace kronika::srs
