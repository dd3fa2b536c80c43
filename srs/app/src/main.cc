// kronika: the session recording server and its command-line tools (see kronika/srs/cli.h).
#include "kronika/srs/app/cli.h"

int main(int argc, char** argv) { return kronika::srs::RunCli(argc, argv); }
