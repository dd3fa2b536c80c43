// What every `kronika` tool shares (private to srs/cli): its options parsed strictly by
// CLI11, the configuration found (FindConfig) and the data directory checked.
//
// Strict means: an unknown option or subcommand, a missing value, a value given twice or
// a bad value is a usage error - exit 2, and a message on stderr that names the option
// ("kronika user add: The following argument was not expected: --authorized-by"). Nothing
// is written before the command line has been read in full.
//
// Threads: the main thread of a CLI process.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

#include "kronika/result.h"
#include "kronika/srs/config/config.h"

namespace kronika::srs {

// Exit codes of every tool (kronika/srs/app/cli.h).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // refused, not found, runtime failure
inline constexpr int kExitUsage = 2;   // usage or configuration error

// --config FILE and --data-dir DIR: which configuration, and where the data is.
struct DataOptions {
  std::string config_file;  // "" = FindConfig's search ($KRONIKA_CONFIG, /etc/kronika/...)
  std::string data_dir;     // "" = storage.data_dir of the configuration
};

// Calls `define` for `app` and for each subcommand defined so far, so that an option
// every subcommand shares is accepted before or after the subcommand's name and shown in
// each --help. Define the subcommands first.
void ForAppAndSubcommands(CLI::App& app, const std::function<void(CLI::App&)>& define);

// Adds --config and --data-dir to `app` and its subcommands (ForAppAndSubcommands).
void AddDataOptions(CLI::App& app, DataOptions& options);

// Parses argv (argv[0] = the command name, e.g. "user"). nullopt: the command line is
// good, go on. Otherwise the exit code to return: 0 after --help (the help of the
// innermost subcommand given is printed to `out`), 2 after a usage error ("kronika user
// add: <what, naming the option>" and a pointer to --help on `err`).
std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv, std::ostream& out,
                                    std::ostream& err);

// The configuration FindConfig() finds for --config, with --data-dir over
// storage.data_dir. Errors name the file.
Result<FoundConfig> LoadToolConfig(const DataOptions& options);

// OK when the configured data directory holds a Kronika database (the recordings store,
// <data_dir>/db/data.mdb, made by `kronika serve` or `kronika init`). Else an error that
// names the absolute path tried and where the configuration came from, so that a tool run
// from the wrong directory or with the wrong config says so instead of creating a new,
// empty database the daemon never sees.
Status RequireDatabase(const FoundConfig& found);

// LoadToolConfig + RequireDatabase.
Result<FoundConfig> LoadExistingData(const DataOptions& options);

// The exit code after LoadToolConfig/LoadExistingData/opening a database failed with `e`:
// 2 for a configuration problem (bad file, no database where the config points), else 1.
int OpenFailureExit(const Error& e);

// CLI11 validator of ISO-8601 times (ParseUtcTime): "--from: time 'x' is not ...".
CLI::Validator UtcTimeValidator();

int64_t NowMsUtc();

}  // namespace kronika::srs
