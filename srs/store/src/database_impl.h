// Database::Impl: the environment behind a Database, for srs/store's own code (Store).
#pragma once

#include <memory>
#include <string>

#include "kronika/mutex.h"
#include "kronika/thread_annotations.h"

#include "kronika/srs/store/bad_rows.h"
#include "kronika/srs/store/data_dir_lock.h"
#include "kronika/srs/store/database.h"
#include "lmdb_env.h"

namespace kronika::srs {

class EventOutbox;

class Database::Impl {
 public:
  std::shared_ptr<DataDirLock> owner;  // read-write: the data directory's lock, held
  std::unique_ptr<LmdbEnv> env;
  mutable BadRows bad_rows;

  // The events outbox of this environment (event_outbox.h EventOutbox::Of): held weakly, so
  // an outbox (which holds the Database) never keeps the environment open by itself.
  Mutex events_mu;
  std::string event_node GUARDED_BY(events_mu);  // "" until SetNode: the host name
  std::weak_ptr<EventOutbox> outbox GUARDED_BY(events_mu);
};

// Lets srs/store's own code that runs on a raw LMDB transaction (the Store writer) hand it
// to the functions that take a WriteTxn (EventOutbox::AppendIn).
struct WriteTxnAccess {
  static WriteTxn Wrap(const Database& db, MDB_txn* txn) { return WriteTxn(db, txn); }
  static bool MapFull(const WriteTxn& txn) { return txn.map_full_; }
};

}  // namespace kronika::srs
