// kronika query / show: stub.
#include "kronika/srs/query_command.h"

#include <iostream>

namespace kronika::srs {
int RunQueryCommand(int, char**, std::ostream&, std::ostream& err) {
  err << "kronika query: not implemented yet\n";
  return 2;
}
int RunShowCommand(int, char**, std::ostream&, std::ostream& err) {
  err << "kronika show: not implemented yet\n";
  return 2;
}
int RunQueryCommand(int argc, char** argv) { return RunQueryCommand(argc, argv, std::cout, std::cerr); }
int RunShowCommand(int argc, char** argv) { return RunShowCommand(argc, argv, std::cout, std::cerr); }
}  // namespace kronika::srs
