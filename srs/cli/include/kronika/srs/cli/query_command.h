// `kronika query` and `kronika show`: command-line access to the recording store.
//
//   kronika query [--config FILE] [--data-dir DIR] [--number N] [--participant NAME]
//                 [--from TIME] [--to TIME] [--id ID] [--state S] [--verdict V] [--limit N]
//                 [--offset N] [--order asc|desc] [--country-code CC] [--json | --csv]
//   kronika show ID [--config FILE] [--data-dir DIR] [--json]
//
// The configuration is found as every tool finds it (cli_common.h, FindConfig); a data
// directory without a store is refused, never created. --json reports the page and the
// total count of matches.
//
// argv[0] is the command name ("query" / "show") and is ignored; main() passes
// (argc - 1, argv + 1). The store is opened read-only, so both run while the daemon
// writes. Exit codes: 0 results found, 1 no results, 2 usage / config / store error
// (message on `err`). Output formats and column names: docs/query.md.
#pragma once

#include <iosfwd>

namespace kronika::srs {

int RunQueryCommand(int argc, char** argv, std::ostream& out, std::ostream& err);
int RunShowCommand(int argc, char** argv, std::ostream& out, std::ostream& err);

// Same, writing to std::cout / std::cerr.
int RunQueryCommand(int argc, char** argv);
int RunShowCommand(int argc, char** argv);

}  // namespace kronika::srs
