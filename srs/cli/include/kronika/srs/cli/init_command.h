// `kronika init`: creates the databases of a new data directory (the recordings store,
// the access db, the rules db and the recordings folder) as `kronika serve` does at its
// first start, so that users, tokens, holds or the do-not-record list can be set up
// before the daemon has ever run. Every other tool refuses a data directory without a
// database rather than creating one (cli_common.h, RequireDatabase).
//
//   kronika init [--config FILE] [--data-dir DIR]
//
// argv[0] is "init". Exit codes: 0 created or already there, 1 cannot create, 2 usage or
// configuration error.
#pragma once

namespace kronika::srs {

int RunInitCommand(int argc, char** argv);

}  // namespace kronika::srs
