// The register by local dates (see register_view.h).
#include "register_view.h"

#include <set>
#include <utility>

#include "kronika/policy/civil_time.h"
#include "kronika/policy/time_zone.h"
#include "kronika/srs/access/listening_sessions.h"
#include "kronika/srs/core/json_record.h"
#include "kronika/srs/core/utc_time.h"

namespace kronika::srs {
namespace {

// When an entry was listened to: listened_at_ms_utc, or its ISO form in older entries.
std::optional<int64_t> ListenedAt(const nlohmann::json& entry) {
  auto ms = entry.find("listened_at_ms_utc");
  if (ms != entry.end() && ms->is_number_integer()) return ms->get<int64_t>();
  auto iso = entry.find("listened_at_utc");
  if (iso != entry.end() && iso->is_string()) {
    Result<int64_t> parsed = ParseUtcTime(iso->get<std::string>());
    if (parsed.ok()) return *parsed;
  }
  return std::nullopt;
}

std::string FileName(const RegisterView& view, const char* extension) {
  std::string name = "register";
  if (!view.from.empty()) name += "-from-" + view.from;
  if (!view.to.empty()) name += "-to-" + view.to;
  return name + "." + extension;
}

}  // namespace

Result<std::pair<int64_t, int64_t>> LocalDayUtc(const std::string& date, const std::string& time_zone,
                                                 const char* field) {
  policy::CivilDate day;
  if (!policy::ParseDate(date, day)) {
    return MakeError(ErrorCode::kInvalidInput, std::string(field) + ": a date YYYY-MM-DD is expected, not \"" + date + "\"");
  }
  Result<policy::TimeZone> zone = policy::TimeZone::Parse(time_zone);
  if (!zone.ok()) return MakeError(ErrorCode::kInvalidInput, zone.error().message);
  // Local midnight is never skipped in the zones Kronika meets, but a zone that skips it
  // gives the first instant after the gap: the day still starts with its first minute.
  const int64_t start = zone->ToUtc(policy::CivilDateTime{day, 0, 0, 0, 0}).earliest_ms_utc;
  const int64_t end = zone->ToUtc(policy::CivilDateTime{policy::AddDays(day, 1), 0, 0, 0, 0}).earliest_ms_utc;
  return std::pair{start, end};
}

Result<RegisterView> RegisterViewOf(const ListeningRegister& reg, const HttpRequest& request,
                                    const std::string& time_zone) {
  RegisterView view;
  view.time_zone = time_zone;
  view.format = request.QueryParam("format").value_or("json");
  if (view.format != "json" && view.format != "csv" && view.format != "html" && view.format != "pdf") {
    return MakeError(ErrorCode::kInvalidInput, "format: expected json, csv, html or pdf");
  }
  view.sessions = view.format != "json" || request.QueryParam("view").value_or("") == "sessions";
  view.from = request.QueryParam("from").value_or("");
  view.to = request.QueryParam("to").value_or("");
  if (!view.from.empty()) {
    ASSIGN_OR_RETURN(auto day, LocalDayUtc(view.from, time_zone, "from"));
    view.from_ms_utc = day.first;
  }
  if (!view.to.empty()) {
    ASSIGN_OR_RETURN(auto day, LocalDayUtc(view.to, time_zone, "to"));
    view.to_ms_utc = day.second;
  }
  if (view.from_ms_utc && view.to_ms_utc && *view.from_ms_utc >= *view.to_ms_utc) {
    return MakeError(ErrorCode::kInvalidInput, "from: must not be after to");
  }
  ASSIGN_OR_RETURN(std::vector<nlohmann::json> all, reg.Entries());
  if (view.sessions) all = MergeListeningParts(all);
  std::set<uint64_t> kept_seqs;  // opening entries in range: their closing lines go with them
  for (nlohmann::json& e : all) {
    if (view.from_ms_utc || view.to_ms_utc) {
      const auto opening = e.find("opening_seq");
      if (opening != e.end() && opening->is_number_unsigned()) {
        if (kept_seqs.count(opening->get<uint64_t>()) == 0) continue;
      } else {
        const std::optional<int64_t> at = ListenedAt(e);
        if (!at) continue;  // an entry without its time cannot be placed in a range
        if (view.from_ms_utc && *at < *view.from_ms_utc) continue;
        if (view.to_ms_utc && *at >= *view.to_ms_utc) continue;
        if (e.contains("seq") && e["seq"].is_number_unsigned()) kept_seqs.insert(e["seq"].get<uint64_t>());
      }
    }
    view.entries.push_back(std::move(e));
  }
  return view;
}

Result<HttpResponse> RegisterDocument(const RegisterView& view, const DocumentSettings& documents) {
  HttpResponse out;
  if (view.format == "csv") {
    out.content_type = "text/csv; charset=utf-8";
    out.body = RegisterCsv(view.entries);
    out.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + FileName(view, "csv") + "\"");
  } else if (view.format == "html") {
    out.content_type = "text/html; charset=utf-8";
    out.body = RegisterProtocolHtml(view.entries, documents);
    out.headers.emplace_back("Content-Disposition", "inline; filename=\"" + FileName(view, "html") + "\"");
  } else if (view.format == "pdf") {
    ASSIGN_OR_RETURN(std::string pdf, RegisterProtocolPdf(view.entries, documents));
    out.content_type = "application/pdf";
    out.body = std::move(pdf);
    out.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + FileName(view, "pdf") + "\"");
  } else {
    nlohmann::json range = {{"from", view.from.empty() ? nlohmann::json(nullptr) : nlohmann::json(view.from)},
                            {"to", view.to.empty() ? nlohmann::json(nullptr) : nlohmann::json(view.to)},
                            {"time_zone", view.time_zone},
                            {"from_utc", view.from_ms_utc ? nlohmann::json(FormatUtcTime(*view.from_ms_utc))
                                                          : nlohmann::json(nullptr)},
                            {"to_utc", view.to_ms_utc ? nlohmann::json(FormatUtcTime(*view.to_ms_utc))
                                                      : nlohmann::json(nullptr)}};
    out.body = DumpJson(nlohmann::json{{"entries", view.entries}, {"count", view.entries.size()}, {"range", range}});
  }
  return out;
}

}  // namespace kronika::srs
