// The records keeper's writes over HTTP (records_routes.h, issue 16 item 3) wired to the
// daemon's own admin operations (admin_ops.h): a hold placed or a subject erased in the
// browser is the same change `kronika hold` / `kronika subject` ask the daemon for over
// its admin socket, done by the process that owns the databases. Reads (the hold list, a
// number's recordings) come from the same databases, read-only.
//
// Threads: the functions run on HTTP workers; `ops` is used by one of them at a time
// (LocalAdminOps serves one call at a time), behind a mutex the functions share.
#pragma once

#include <memory>

#include "kronika/srs/access/access_db.h"
#include "kronika/srs/admin/admin_ops.h"
#include "kronika/srs/config/site_config.h"
#include "kronika/srs/http/records_routes.h"
#include "kronika/srs/rules/rules_db.h"
#include "kronika/srs/store/store.h"

namespace kronika::srs {

struct RecordsActionDeps {
  const Store* store = nullptr;         // borrowed: read the recordings of a number
  const RulesDb* rules = nullptr;       // borrowed: read the holds
  const AccessDb* access = nullptr;     // borrowed: read restrictions
  std::shared_ptr<AdminOps> ops;        // the daemon's admin operations for the web
};

RecordsActions MakeRecordsActions(RecordsActionDeps deps);

}  // namespace kronika::srs
