// GET /readyz (see readiness_route.h).
#include "kronika/srs/http/readiness_route.h"

#include <prometheus/client_metric.h>
#include <prometheus/metric_family.h>

#include <exception>
#include <memory>
#include <nlohmann/json.hpp>
#include <utility>

#include "kronika/srs/core/json_record.h"

namespace kronika::srs {
namespace {

struct Outcome {
  const std::string* name;
  bool ok = false;
  std::string detail;  // what was seen, or why it is not ready
};

std::vector<Outcome> Evaluate(const std::vector<ReadinessCheck>& checks) {
  std::vector<Outcome> out;
  for (const ReadinessCheck& check : checks) {
    Outcome o{&check.name, false, ""};
    try {
      Status s = check.probe(o.detail);
      o.ok = s.ok();
      if (!o.ok) o.detail = s.error().message;
    } catch (const std::exception& e) {  // a probe that throws is a failed probe
      o.detail = std::string("probe failed: ") + e.what();
    }
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

void RegisterReadinessRoute(HttpServer& server, Metrics& metrics, std::vector<ReadinessCheck> checks) {
  auto shared = std::make_shared<const std::vector<ReadinessCheck>>(std::move(checks));
  metrics.AddCollector([shared] {
    prometheus::MetricFamily family;
    family.name = "kronika_ready";
    family.help = "1 while the readiness check passes (GET /readyz), else 0";
    family.type = prometheus::MetricType::Gauge;
    for (const Outcome& o : Evaluate(*shared)) {
      prometheus::ClientMetric m;
      m.label.push_back({"check", *o.name});
      m.gauge.value = o.ok ? 1 : 0;
      family.metric.push_back(std::move(m));
    }
    return std::vector<prometheus::MetricFamily>{std::move(family)};
  });
  server.Route(
      "GET", "/readyz", RouteAccess::Public(),  // no personal data
      [shared](const HttpRequest&) {
        bool ready = true;
        nlohmann::json checks = nlohmann::json::object();
        for (const Outcome& o : Evaluate(*shared)) {
          ready = ready && o.ok;
          checks[*o.name] = {{"ok", o.ok}, {"detail", o.detail}};
        }
        HttpResponse response;
        response.status = ready ? 200 : 503;
        response.body = DumpJson(nlohmann::json{{"status", ready ? "ready" : "not_ready"}, {"checks", checks}});
        if (!ready) response.headers.emplace_back("Retry-After", "5");
        return response;
      },
      RouteDispatch::kImmediate);
}

}  // namespace kronika::srs
