// AccessDb on the store's KvDb (see access_db.h).
#include "kronika/srs/access/access_db.h"

#include <array>
#include <system_error>

#include "kronika/srs/store/kv_db.h"

namespace kronika::srs {
namespace {

constexpr uint64_t kMapBytes = uint64_t{256} << 20;
constexpr std::array<const char*, 6> kTableNames = {"users",       "tokens",       "requests",
                                                    "disclosures", "restrictions", "meta"};

size_t Index(AccessTable t) { return static_cast<size_t>(t); }

class WriteTxn final : public AccessWriteTxn {
 public:
  explicit WriteTxn(KvWriteTxn& txn) : txn_(txn) {}
  Result<std::optional<std::string>> Get(AccessTable table, std::string_view key) override {
    return txn_.Get(Index(table), key);
  }
  Status Put(AccessTable table, std::string_view key, std::string_view value) override {
    return txn_.Put(Index(table), key, value);
  }
  Status Delete(AccessTable table, std::string_view key) override {
    Result<bool> erased = txn_.Erase(Index(table), key);
    if (!erased.ok()) return erased.error();
    return OkStatus();
  }
  Result<uint64_t> NextSequence(std::string_view name) override {
    const std::string key = "seq:" + std::string(name);
    Result<std::optional<std::string>> current = Get(AccessTable::kMeta, key);
    if (!current.ok()) return current.error();
    uint64_t next = current->has_value() ? std::stoull(**current) + 1 : 1;
    if (Status s = Put(AccessTable::kMeta, key, std::to_string(next)); !s.ok()) return s.error();
    return next;
  }

 private:
  KvWriteTxn& txn_;
};

}  // namespace

class AccessDb::Impl {
 public:
  std::unique_ptr<KvDb> kv;
};

Result<std::unique_ptr<AccessDb>> AccessDb::Open(const std::filesystem::path& data_dir) {
  const std::filesystem::path dir = AccessDir(data_dir) / "db";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return MakeError(500, "access db: cannot create " + dir.string() + ": " + ec.message());
  std::filesystem::permissions(AccessDir(data_dir), std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  KvDbOptions options;
  options.name = "access db";
  options.tables.assign(kTableNames.begin(), kTableNames.end());
  options.map_bytes = kMapBytes;
  Result<std::unique_ptr<KvDb>> kv = KvDb::Open(dir, std::move(options));
  if (!kv.ok()) return kv.error();
  auto impl = std::make_unique<Impl>();
  impl->kv = std::move(*kv);
  return std::unique_ptr<AccessDb>(new AccessDb(std::move(impl)));
}

AccessDb::AccessDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AccessDb::~AccessDb() = default;

Result<std::optional<std::string>> AccessDb::Get(AccessTable table, std::string_view key) const {
  std::optional<std::string> out;
  Status s = impl_->kv->Read([&](const KvTxn& txn) -> Status {
    Result<std::optional<std::string>> value = txn.Get(Index(table), key);
    if (!value.ok()) return value.error();
    out = std::move(*value);
    return OkStatus();
  });
  if (!s.ok()) return s.error();
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> AccessDb::List(AccessTable table) const {
  std::vector<std::pair<std::string, std::string>> out;
  Status s = impl_->kv->Read([&](const KvTxn& txn) {
    return txn.Scan(Index(table), [&](std::string_view key, std::string_view value) {
      out.emplace_back(std::string(key), std::string(value));
      return true;
    });
  });
  if (!s.ok()) return s.error();
  return out;
}

Status AccessDb::Write(const std::function<Status(AccessWriteTxn&)>& fn) {
  return impl_->kv->Write([&](KvWriteTxn& txn) {
    WriteTxn w(txn);
    return fn(w);
  });
}

}  // namespace kronika::srs
