// kronika: the session recording server and its command-line tools.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0) {
    std::printf("usage: kronika <serve|query|show> [options]\n");
    return argc < 2 ? 2 : 0;
  }
  std::fprintf(stderr, "kronika: unknown command '%s'\n", argv[1]);
  return 2;
}
