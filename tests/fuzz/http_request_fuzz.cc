// FuzzHttpRequest: what a client controls in an API request once libmicrohttpd has split
// it (fuzz_targets.h): the query parameters of GET /api/v1/recordings and the Range header
// of GET /api/v1/recordings/{id}/audio.
//
// Input: lines. "Range: <value>" is the Range header; "<name>=<value>" sets one query
// parameter (names as the API spells them; unknown names are ignored, as the route does).
// The file size for the Range is taken from the input's length so that both small and
// empty files are reached.
#include <string>
#include <string_view>

#include "byte_range.h"
#include "fuzz_targets.h"
#include "kronika/srs/store/query_params.h"

namespace kronika::fuzz {
namespace {

void SetParam(srs::QueryParams &p, std::string_view name, std::string value) {
  std::optional<std::string> *slot = nullptr;
  if (name == "id") slot = &p.id;
  else if (name == "number") slot = &p.number;
  else if (name == "participant") slot = &p.participant;
  else if (name == "from") slot = &p.from;
  else if (name == "to") slot = &p.to;
  else if (name == "state") slot = &p.state;
  else if (name == "verdict") slot = &p.verdict;
  else if (name == "limit") slot = &p.limit;
  else if (name == "offset") slot = &p.offset;
  else if (name == "order") slot = &p.order;
  else if (name == "metadata_status") slot = &p.metadata_status;
  if (slot != nullptr) *slot = std::move(value);
}

}  // namespace

int FuzzHttpRequest(const uint8_t *data, size_t size) {
  const std::string_view text(reinterpret_cast<const char *>(data), size);
  srs::QueryParams params;
  std::string range;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (line.starts_with("Range: ")) {
      range = line.substr(7);
    } else if (const size_t eq = line.find('='); eq != std::string_view::npos) {
      SetParam(params, line.substr(0, eq), std::string(line.substr(eq + 1)));
    }
  }

  // Contract (query_params.h): a query made from the parameters stays within the limits.
  Result<srs::RecordingQuery> query = srs::MakeRecordingQuery(params);
  if (query.ok() && (query->limit == 0 || query->limit > srs::kMaxQueryLimit))
    FuzzContractViolated("http_request: a query's limit is outside 1..kMaxQueryLimit");

  // Contract (byte_range.h): a satisfiable range lies inside the file, first <= last.
  for (const uint64_t total : {uint64_t{0}, uint64_t{1}, uint64_t{size}, uint64_t{1} << 40}) {
    const srs::ByteRangeRequest r = srs::ParseByteRange(range, total);
    if (r.kind == srs::ByteRangeRequest::Kind::kSatisfiable && (r.first > r.last || r.last >= total))
      FuzzContractViolated("http_request: a Range outside the file was accepted");
  }
  return 0;
}

}  // namespace kronika::fuzz
