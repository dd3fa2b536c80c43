// kronika-loadgen: N concurrent SIPREC sessions with two paced RTP legs each, against
// a recording server. See `kronika-loadgen --help` and docs/benchmarks.md.
#include <cstdio>
#include <fstream>

#include "load_plan.h"
#include "load_run.h"

int main(int argc, char** argv) {
  auto plan = kronika::loadgen::ParseLoadPlan(argc - 1, argv + 1);
  if (!plan) {
    std::fprintf(stderr, "%s\n", plan.error().message.c_str());
    return plan.error().code == kronika::ErrorCode::kUsage ? 2 : 0;  // --help: usage on stderr, exit 0
  }
  auto report = kronika::loadgen::RunLoad(*plan);
  if (!report) {
    std::fprintf(stderr, "kronika-loadgen: %s\n", report.error().message.c_str());
    return 2;
  }
  const std::string json = kronika::loadgen::ReportJson(*plan, *report);
  std::printf("%s\n", json.c_str());
  if (!plan->json_path.empty()) std::ofstream(plan->json_path) << json << "\n";
  const bool clean = report->failures_by_code.empty() && report->mid_call_failures == 0 &&
                     report->completed == report->attempted;
  return clean ? 0 : 1;
}
