// AccessDb on the data directory's Database (see access_db.h).
#include "kronika/srs/access/access_db.h"

#include <array>
#include <system_error>

#include "access_codecs.h"
#include "kronika/srs/core/log.h"
#include "kronika/srs/store/event_outbox.h"

namespace kronika::srs {
namespace {

// Layout version of the access tables, in access.meta (1: the tables moved into the one
// Database with binary rows).
constexpr char kAccessSchemaVersion[] = "1";
constexpr char kSchemaVersionKey[] = "schema_version";

enum TableIndex : size_t { kUsers, kTokens, kRequests, kDisclosures, kRestrictions, kMeta, kTableCount };
constexpr std::array<const char*, kTableCount> kTableNames = {
    "access.users", "access.tokens", "access.requests", "access.disclosures", "access.restrictions", "access.meta"};
// The pre-0.2 environment's names.
constexpr std::array<const char*, kTableCount> kLegacyNames = {"users",       "tokens",       "requests",
                                                               "disclosures", "restrictions", "meta"};

template <typename Codec>
std::string Converted(std::string_view key, const std::string& value, size_t& unconverted) {
  Result<typename Codec::Record> record = Codec::Decode(key, value);
  if (!record.ok()) {
    ++unconverted;
    return value;  // kept as it was: skipped and reported when read
  }
  return Codec::Encode(*record);
}

}  // namespace

class AccessDb::Impl {
 public:
  std::shared_ptr<Database> db;
  std::shared_ptr<EventOutbox> events;  // read-write: the outbox of `db` (issue 17)
  std::array<Table, kTableCount> tables;

  // Imports the pre-0.2 environment (access_db.h) and stamps the schema version.
  Status Migrate(const std::filesystem::path& data_dir) {
    bool current = false;
    RETURN_IF_ERROR(db->Read([&](const ReadTxn& txn) -> Status {
      ASSIGN_OR_RETURN(std::optional<std::string> version, txn.Get(tables[kMeta], kSchemaVersionKey));
      current = version.has_value();
      return OkStatus();
    }));
    if (current) return OkStatus();
    const std::filesystem::path legacy = AccessDir(data_dir) / "db";
    std::error_code ec;
    const bool has_legacy = !data_dir.empty() && std::filesystem::exists(legacy / "data.mdb", ec);
    std::vector<TableRows> rows(kTableCount);
    if (has_legacy) {
      ASSIGN_OR_RETURN(rows, ReadSeparateEnvironment(
                                 legacy, std::vector<std::string>(kLegacyNames.begin(), kLegacyNames.end())));
    }
    size_t imported = 0, unconverted = 0;
    RETURN_IF_ERROR(db->Write([&](WriteTxn& txn) -> Status {
      imported = unconverted = 0;
      for (size_t t = 0; t < kTableCount; ++t) {
        for (const auto& [key, value] : rows[t]) {
          std::string out = value;
          if (t == kUsers) out = Converted<UserCodec>(key, value, unconverted);
          if (t == kTokens) out = Converted<TokenCodec>(key, value, unconverted);
          if (t == kRequests) out = Converted<PlaybackRequestCodec>(key, value, unconverted);
          if (t == kDisclosures) out = Converted<DisclosureCodec>(key, value, unconverted);
          if (t == kRestrictions) out = Converted<RestrictionCodec>(key, value, unconverted);
          if (t == kMeta && key.rfind("seq:", 0) == 0) out = Converted<CounterCodec>(key, value, unconverted);
          RETURN_IF_ERROR(txn.Put(tables[t], key, out));
          ++imported;
        }
      }
      return txn.Put(tables[kMeta], kSchemaVersionKey, kAccessSchemaVersion);
    }));
    if (has_legacy) {
      Logf(LogLevel::kInfo, "", "access db: imported %zu rows from %s into %s (%zu kept unconverted)", imported,
           legacy.c_str(), db->dir().c_str(), unconverted);
      std::filesystem::remove_all(legacy, ec);
      if (ec) {
        Logf(LogLevel::kWarn, "", "access db: cannot remove the imported %s: %s", legacy.c_str(),
             ec.message().c_str());
      }
    }
    return OkStatus();
  }
};

AccessDb::AccessDb(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AccessDb::~AccessDb() = default;

Result<std::unique_ptr<AccessDb>> AccessDb::Open(std::shared_ptr<Database> db, const std::filesystem::path& data_dir) {
  if (!db->read_only() && !data_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(AccessDir(data_dir), ec);
    if (ec) {
      return MakeError(ErrorCode::kIo, "access db: cannot create " + AccessDir(data_dir).string() + ": " + ec.message());
    }
    std::filesystem::permissions(AccessDir(data_dir), std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
  }
  auto impl = std::make_unique<Impl>();
  impl->db = std::move(db);
  for (size_t t = 0; t < kTableCount; ++t) {
    ASSIGN_OR_RETURN(impl->tables[t], impl->db->OpenTable(kTableNames[t]));
  }
  if (!impl->db->read_only()) {
    RETURN_IF_ERROR(impl->Migrate(data_dir));
    ASSIGN_OR_RETURN(impl->events, EventOutbox::Of(impl->db));
  }
  return std::unique_ptr<AccessDb>(new AccessDb(std::move(impl)));
}

Result<std::unique_ptr<AccessDb>> AccessDb::Open(const std::filesystem::path& data_dir, bool read_only) {
  DatabaseOptions options;
  options.read_only = read_only;
  ASSIGN_OR_RETURN(std::shared_ptr<Database> db, Database::Open(StoreDir(data_dir), options));
  return Open(std::move(db), data_dir);
}

const Table& AccessDb::users() const { return impl_->tables[kUsers]; }
const Table& AccessDb::tokens() const { return impl_->tables[kTokens]; }
const Table& AccessDb::requests() const { return impl_->tables[kRequests]; }
const Table& AccessDb::disclosures() const { return impl_->tables[kDisclosures]; }
const Table& AccessDb::restrictions() const { return impl_->tables[kRestrictions]; }
const Table& AccessDb::meta() const { return impl_->tables[kMeta]; }

Status AccessDb::Read(const std::function<Status(const ReadTxn&)>& fn) const { return impl_->db->Read(fn); }
Status AccessDb::Write(const std::function<Status(WriteTxn&)>& fn) { return impl_->db->Write(fn); }

Status AccessDb::EmitIn(WriteTxn& txn, const EventDraft& draft, int64_t at_ms_utc) const {
  if (impl_->events == nullptr) return MakeError(ErrorCode::kIo, "access db: the database is open read-only");
  Result<Event> e = impl_->events->AppendIn(txn, draft, at_ms_utc);
  if (!e.ok()) return e.error();
  return OkStatus();
}

Result<uint64_t> AccessDb::NextSequenceIn(WriteTxn& txn, std::string_view name) const {
  const std::string key = "seq:" + std::string(name);
  ASSIGN_OR_RETURN(std::optional<uint64_t> current, txn.GetRecord<CounterCodec>(meta(), key));
  const uint64_t next = current.value_or(0) + 1;
  RETURN_IF_ERROR(txn.PutRecord<CounterCodec>(meta(), key, next));
  return next;
}

Database& AccessDb::database() const { return *impl_->db; }

}  // namespace kronika::srs
