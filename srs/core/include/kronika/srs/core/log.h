// Log lines to stderr: "<UTC time> <LEVEL> [<recording id>] <message>".
//
// One line per call, written with a single write so lines from different threads never
// interleave. The level is set once at start (log.level) and may be read from any thread.
#pragma once

#include <string_view>

namespace kronika::srs {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

// "error", "warn", "info", "debug" -> level; anything else -> kInfo.
LogLevel ParseLogLevel(std::string_view name);
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);

// `recording_id` may be empty (the bracket part is then left out).
void Log(LogLevel level, std::string_view recording_id, std::string_view message);

// printf-style convenience; the formatted text is cut at 2000 bytes.
void Logf(LogLevel level, std::string_view recording_id, const char* format, ...)
    __attribute__((format(printf, 3, 4)));

}  // namespace kronika::srs
