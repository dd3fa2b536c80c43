// Per-recording data keys and encryption at rest (SEC-1, RET-3).
//
// Every recording gets its own random 256-bit data key (DEK), created when its session
// starts (before any audio exists) and handed to the media engine, which seals the file
// as it records it (MediaEngine::OpenSealed, format KENC0002): the audio never touches
// the disk in plaintext. Recordings made without a master key stay plaintext; when a key
// is configured later, EncryptFinishedRecording() encrypts them after the fact (KENC0001). The DEK is wrapped
// (AES-256-GCM, the recording id as additional data) with the master key (KEK), read from
// the file named by KRONIKA_MASTER_KEY_FILE (32 raw bytes or 64 hex digits), which must not
// lie inside the data directory. Each wrapped DEK is its own small file
// `<data_dir>/access/keys/<recording id>.dek`: "KDEK1" | 8-byte KEK id | sealed DEK.
// Crypto-shredding: Shred() overwrites and unlinks that file, after which the .kenc file
// (and any backup copy of it) cannot be decrypted with anything left on disk.
// Rotation: Rotate(new_kek) rewraps every DEK with a new KEK (each file replaced
// atomically), after which the old KEK can be destroyed. It may run while recordings are
// made (issue 15 item 5, `kronika key rotate` through the daemon): the KEK is switched
// first, so every key created from then on is wrapped by the new one, and until the last
// file is rewrapped both KEKs unwrap.
//
// Threads: all methods may be called from any thread but the SIP thread (they touch the
// disk; debug builds abort there, thread_role.h DiskIoForbidden); per-recording files make
// them independent. The KEK is guarded by a reader-writer lock held across each wrap, so a
// Rotate() running while keys are created leaves none under the old KEK; rotations are
// serialised with each other. The SIP thread gets new keys from KeyFileSyncer
// (key_file_syncer.h), which does the writing elsewhere.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kronika/mutex.h"
#include "kronika/result.h"
#include "kronika/thread_annotations.h"

namespace kronika::srs {

inline constexpr char kMasterKeyEnv[] = "KRONIKA_MASTER_KEY_FILE";

// Reads a master key file (32 raw bytes or 64 hex digits + optional newline). Error when
// unreadable, of another size, or inside `data_dir` (keys must not sit next to the data).
Result<std::string> LoadMasterKey(const std::filesystem::path& key_file,
                                  const std::filesystem::path& data_dir);

// True for an id a key file may be named after: 1-128 of [A-Za-z0-9_-]. No I/O.
bool ValidRecordingKeyId(std::string_view recording_id);

class RecordingKeys {
 public:
  RecordingKeys(std::filesystem::path keys_dir, std::string kek);
  ~RecordingKeys();

  static std::filesystem::path DefaultDir(const std::filesystem::path& data_dir);
  // First 8 bytes of SHA-256 of the KEK, hex: names a KEK without revealing it.
  static std::string KekId(std::string_view kek);

  // New DEK for `recording_id`, wrapped and fsynced before returning. kConflict when one exists.
  Result<std::string> Create(std::string_view recording_id);
  // Stores `dek` (made elsewhere: KeyFileSyncer's pool) as the key of `recording_id`, wrapped,
  // file and directory fsynced before returning. kConflict when it has one already.
  Status Put(std::string_view recording_id, std::string_view dek);
  // The DEK of `recording_id`. kNotFound when shredded / never created, kPermissionDenied when
  // it is wrapped by another master key than the configured one.
  Result<std::string> Get(std::string_view recording_id) const;
  bool Has(std::string_view recording_id) const;
  // Destroys the wrapped DEK (crypto-shredding). Ok when there was none.
  Status Shred(std::string_view recording_id);
  // Rewraps every DEK under `new_kek`; returns how many. A key wrapped by neither the
  // current nor the new KEK refuses the rotation before anything changes, naming it. Then
  // the new KEK becomes the current one (Create() wraps with it from then on), and every
  // file still wrapped by the old one is rewrapped, again until none is left (nothing is
  // lost: each file is replaced only after its new version is written; a key shredded
  // meanwhile stays shredded). On a later error the old KEK still unwraps, and calling
  // Rotate() again with the same key finishes the job.
  Result<size_t> Rotate(std::string_view new_kek);
  // Switches to `kek` when every key file on disk is already wrapped by it (a rotation was
  // done by another process); Ok without change when it is the current one. Else
  // kPermissionDenied naming the first key file it does not wrap; nothing changes.
  Status Adopt(std::string_view kek);
  Result<std::vector<std::string>> RecordingIds() const;
  std::string kek_id() const;

  // Whether the configured master key is the one the keys on disk are wrapped with: of
  // the first `limit` key files (in name order), how many another master key wraps, with
  // the first such recording and that key's id. The daemon refuses to start on any (a
  // stale KRONIKA_MASTER_KEY_FILE after `kronika key rotate`, or a rotation left half
  // done); reading a key file's 13-byte header costs microseconds.
  struct WrapCheck {
    size_t checked = 0;
    size_t foreign = 0;
    std::string first_foreign_id;
    std::string first_foreign_kek_id;
  };
  Result<WrapCheck> CheckWrapping(size_t limit) const;

 private:
  std::filesystem::path PathOf(std::string_view recording_id) const;
  Status WriteWrapped(std::string_view recording_id, std::string_view dek, std::string_view kek) const;
  // Replaces an existing key file with `dek` wrapped by `kek`; never brings back a file
  // shredded meanwhile. false when there was none.
  Result<bool> Rewrap(std::string_view recording_id, std::string_view dek, std::string_view kek) const;
  // The id of the KEK wrapping `recording_id`'s file; "" when it is gone or not a key file.
  std::string WrappingKekId(std::string_view recording_id) const;

  std::filesystem::path dir_;
  mutable SharedMutex kek_mu_;
  std::string kek_ GUARDED_BY(kek_mu_);               // wraps new keys, unwraps
  std::string kek_id_ GUARDED_BY(kek_mu_);
  std::string previous_kek_ GUARDED_BY(kek_mu_);      // unwraps during a rotation; "" else
  std::string previous_kek_id_ GUARDED_BY(kek_mu_);
  Mutex rotate_mu_;  // one Rotate() at a time
};

// The data keys of `data_dir` under the master key named by `master_key_file`, else by
// KRONIKA_MASTER_KEY_FILE. nullptr when neither is set (encryption at rest is off).
// Errors as LoadMasterKey.
Result<std::unique_ptr<RecordingKeys>> OpenRecordingKeys(const std::filesystem::path& data_dir,
                                                         const std::filesystem::path& master_key_file = {});

// Crypto-shredding for deletion paths that hold no master key or AccessContext (retention
// sweeper, erasure, early deletion): overwrites and unlinks the recording's key file
// `<data_dir>/access/keys/<id>.dek` and its `<plain_path>.kenc`. Ok when neither exists.
// Call it next to deleting the plaintext file and the store record.
Status ShredRecordingAtRest(const std::filesystem::path& data_dir, std::string_view recording_id,
                            const std::filesystem::path& plain_path);

// `<file>.kenc` for a recording file path.
std::filesystem::path EncryptedPathOf(const std::filesystem::path& plain_path);

// After a recording ends: creates its DEK, writes `<path>.kenc`, then overwrites and
// unlinks the plaintext. Idempotent: a recording already encrypted is left alone (and a
// leftover plaintext beside a valid .kenc is removed).
Status EncryptFinishedRecording(RecordingKeys& keys, std::string_view recording_id,
                                const std::filesystem::path& plain_path);

// Reads [offset, offset+length) of a recording's audio, decrypting `<path>.kenc` when it
// exists (needs `keys`), else the plaintext file. `total_bytes` gets the audio size.
// kNotFound when neither file exists or the key was shredded; kUnavailable when the file is
// encrypted and no master key is configured; kPermissionDenied when another one is; the
// reader's error when it does not decrypt.
Result<std::string> ReadRecordingAudio(const RecordingKeys* keys, std::string_view recording_id,
                                       const std::filesystem::path& plain_path, uint64_t offset,
                                       uint64_t length, uint64_t& total_bytes);

}  // namespace kronika::srs
