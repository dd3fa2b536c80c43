// `kronika events`: the events outbox (issue 17) on the command line, for scripts on the
// recorder itself (the pull feed GET /api/v1/events serves those elsewhere).
//
//   kronika events [--config FILE] [--data-dir DIR] [--after SEQ] [--limit N] [--follow]
//                  [--json]
//
// Prints the events with a sequence above SEQ (default 0: from the first), oldest first,
// one line each: the time on the wall clock of Europe/Warsaw, the sequence, the type and
// the recording id ("-" for events about the node); with --json one JSON object per line
// instead (JSON Lines; the object of docs/api.md "Events", personal part included: whoever
// may read the data directory may read the numbers, as with `kronika query`). Without
// --follow at most N events (--limit, 1..1000, default 100); with --follow every event,
// and then each new one as it is committed (the outbox is read every 200 ms, so the
// daemon's or another command's commits show), until SIGINT or SIGTERM.
//
// The database is opened read-only and no lock is taken, so it runs beside the daemon.
// argv[0] is "events". Exit codes: 0 events printed (or --follow ended by a signal), 1 no
// events or the database could not be read, 2 usage or configuration error (no database
// where the configuration points); messages on `err`.
#pragma once

#include <iosfwd>

namespace kronika::srs {

int RunEventsCommand(int argc, char** argv, std::ostream& out, std::ostream& err);
// Same, writing to std::cout / std::cerr.
int RunEventsCommand(int argc, char** argv);

}  // namespace kronika::srs
