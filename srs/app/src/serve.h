// `kronika serve` (see serve.cc). argv[0] is "serve". Exit codes: 0 stopped normally or
// --check-config valid, 1 runtime failure (port taken, store unusable), 2 usage/config error.
#pragma once

namespace kronika::srs {

int RunServeCommand(int argc, char** argv);

}  // namespace kronika::srs
