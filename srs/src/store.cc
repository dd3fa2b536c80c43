// Store: stub until the LMDB implementation lands.
#include "kronika/srs/store.h"

namespace kronika::srs {

class Store::Impl {
 public:
  std::filesystem::path dir;
};

std::string NumberIndexKey(std::string_view number) { return std::string(number); }

Result<std::unique_ptr<Store>> Store::Open(const std::filesystem::path& dir,
                                           const StoreOptions& /*options*/) {
  return MakeError(500, "store: not implemented yet (" + dir.string() + ")");
}
Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::~Store() = default;
bool Store::Enqueue(RecordingRecord /*snapshot*/) { return false; }
bool Store::EnqueueDelete(std::string /*recording_id*/) { return false; }
Status Store::Flush(std::chrono::milliseconds /*timeout*/) { return OkStatus(); }
bool Store::Healthy() const { return false; }
bool Store::MapFull() const { return false; }
Result<std::optional<RecordingRecord>> Store::Get(std::string_view /*id*/) const {
  return std::optional<RecordingRecord>();
}
Result<std::vector<RecordingRecord>> Store::Query(const RecordingQuery& /*query*/) const {
  return std::vector<RecordingRecord>();
}
Result<std::vector<std::string>> Store::ExpiredBefore(int64_t /*now*/, size_t /*limit*/) const {
  return std::vector<std::string>();
}
Result<StoreStats> Store::Stats() const { return StoreStats{}; }
const std::filesystem::path& Store::dir() const { return impl_->dir; }

}  // namespace kronika::srs
