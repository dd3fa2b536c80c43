#include "cli_common.h"

#include <chrono>
#include <ostream>

#include "kronika/srs/core/data_layout.h"
#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

// "kronika user add": the command path of the innermost subcommand that was given.
std::string CommandPath(const CLI::App& app) {
  std::string path = app.get_name();
  for (const CLI::App* current = &app; !current->get_subcommands().empty();) {
    current = current->get_subcommands().front();
    path += " " + current->get_name();
  }
  return path;
}

const CLI::App& Innermost(const CLI::App& app) {
  const CLI::App* current = &app;
  while (!current->get_subcommands().empty()) current = current->get_subcommands().front();
  return *current;
}

std::string SubcommandNames(const CLI::App& app) {
  std::string names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names += (names.empty() ? "" : ", ") + sub->get_name();
  }
  return names;
}

}  // namespace

void ForAppAndSubcommands(CLI::App& app, const std::function<void(CLI::App&)>& define) {
  define(app);
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) define(*sub);
}

void AddDataOptions(CLI::App& app, DataOptions& options) {
  ForAppAndSubcommands(app, [&options](CLI::App& a) {
    a.add_option("--config", options.config_file,
                 "configuration file (default: $KRONIKA_CONFIG, else /etc/kronika/kronika.toml when it "
                 "exists, else the built-in defaults)")
        ->type_name("FILE");
    a.add_option("--data-dir", options.data_dir, "data directory, instead of storage.data_dir of the configuration")
        ->type_name("DIR");
  });
}

std::optional<int> ParseCommandLine(CLI::App& app, int argc, char** argv, std::ostream& out,
                                    std::ostream& err) {
  try {
    app.parse(argc, argv);
    return std::nullopt;
  } catch (const CLI::CallForHelp&) {
    out << app.help();  // CLI11 hands this to the innermost subcommand given
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    const CLI::App& where = Innermost(app);
    std::string message = e.what();
    // CLI11 checks "a subcommand is required" before it reports the word it could not
    // place; name that word instead, it is what the user mistyped.
    if (dynamic_cast<const CLI::RequiredError*>(&e) != nullptr && where.get_require_subcommand_min() > 0) {
      const std::vector<std::string> left = where.remaining();
      if (!left.empty()) {
        message = "unknown subcommand '" + left.front() + "' (one of: " + SubcommandNames(where) + ")";
      } else {
        message = "a subcommand is required (one of: " + SubcommandNames(where) + ")";
      }
    }
    err << CommandPath(app) << ": " << message << "\n"
        << "run '" << CommandPath(app) << " --help' for the options\n";
    return kExitUsage;
  }
}

Result<FoundConfig> LoadToolConfig(const DataOptions& options) {
  Result<FoundConfig> found = FindConfig(options.config_file);
  if (!found.ok()) return found.error();
  if (!options.data_dir.empty()) found->config.storage.data_dir = options.data_dir;
  return found;
}

Status RequireDatabase(const FoundConfig& found) {
  const std::filesystem::path data_dir = found.config.storage.data_dir;
  const std::filesystem::path store_file = StoreDir(data_dir) / "data.mdb";
  std::error_code ec;
  if (std::filesystem::is_regular_file(store_file, ec)) return OkStatus();
  std::filesystem::path shown = std::filesystem::absolute(data_dir, ec);
  if (ec) shown = data_dir;
  return Error{ErrorCode::kNotFound,
               "no Kronika database in " + shown.lexically_normal().string() + " (" +
                   (StoreDir(shown) / "data.mdb").lexically_normal().string() +
                   " does not exist; data directory from " +
                   (found.source.empty() ? std::string("the built-in defaults") : found.Describe()) +
                   "): give --config FILE or --data-dir DIR, or create it with 'kronika init'"};
}

Result<FoundConfig> LoadExistingData(const DataOptions& options) {
  Result<FoundConfig> found = LoadToolConfig(options);
  if (!found.ok()) return found.error();
  if (Status s = RequireDatabase(*found); !s.ok()) return s.error();
  return found;
}

int OpenFailureExit(const Error& e) {
  return e.code == ErrorCode::kInvalidInput || e.code == ErrorCode::kUsage || e.code == ErrorCode::kNotFound
             ? kExitUsage
             : kExitFailed;
}

CLI::Validator UtcTimeValidator() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        Result<int64_t> t = ParseUtcTime(text);
        return t.ok() ? std::string() : t.error().message;
      },
      "TIME", "ISO-8601 UTC time");
}

int64_t NowMsUtc() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace kronika::srs
