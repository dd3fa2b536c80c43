// Where each database lives inside storage.data_dir, in one place so that every layer that
// opens one (store, access, rules, atrest, the CLI) agrees. Pure path arithmetic, no I/O;
// any thread.
//   <data_dir>/db             recordings store (LMDB, srs/store)
//   <data_dir>/access         access module: db/ (LMDB), the listening register, keys/
//   <data_dir>/policy/db      rules db: legal holds, do-not-record, deletion log (LMDB)
//   <data_dir>/recordings     audio files (media engine), see Config::RecordingsDir()
#pragma once

#include <filesystem>

namespace kronika::srs {

// The recordings store's LMDB directory: `<data_dir>/db`.
inline std::filesystem::path StoreDir(const std::filesystem::path& data_dir) {
  return data_dir / "db";
}

// The access module's directory (db, register, keys): `<data_dir>/access`.
inline std::filesystem::path AccessDir(const std::filesystem::path& data_dir) {
  return data_dir / "access";
}

// The rules db's LMDB directory: `<data_dir>/policy/db` (the name predates the srs/rules
// layer; it is on disk in every installation, so it stays).
inline std::filesystem::path RulesDbDir(const std::filesystem::path& data_dir) {
  return data_dir / "policy" / "db";
}

}  // namespace kronika::srs
