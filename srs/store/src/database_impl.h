// Database::Impl: the environment behind a Database, for srs/store's own code (Store).
#pragma once

#include <memory>

#include "kronika/srs/store/bad_rows.h"
#include "kronika/srs/store/data_dir_lock.h"
#include "kronika/srs/store/database.h"
#include "lmdb_env.h"

namespace kronika::srs {

class Database::Impl {
 public:
  std::shared_ptr<DataDirLock> owner;  // read-write: the data directory's lock, held
  std::unique_ptr<LmdbEnv> env;
  mutable BadRows bad_rows;
};

}  // namespace kronika::srs
