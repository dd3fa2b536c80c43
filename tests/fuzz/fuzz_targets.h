// Fuzz harnesses (issue 12 item 6): one function per input surface a peer, a
// file on disk or an operator controls, fed any bytes.
//
// Each harness runs the input through the same code the daemon runs on it and
// returns 0 (libFuzzer's "input consumed"); what it checks is that nothing
// crashes, hangs, leaks or trips a sanitizer, plus the contracts named at each
// harness below (a violation calls FuzzContractViolated, which aborts, so
// libFuzzer keeps the input as a crash).
//
// The same functions are called from three places:
//   - the libFuzzer binaries kronika_fuzz_<target> (tests/fuzz/fuzz_main.cc;
//   clang build
//     with -DKRONIKA_FUZZ=ON, see tests/fuzz/README.md);
//   - the unit test kronika_fuzz_tests, which replays every seed of every
//   target (the
//     regression seeds of tests/fuzz/seeds/<target>/ and the shaped interop
//     corpus) in the normal and the sanitizer test runs;
//   - `kronika_fuzz_<target> --write-seeds DIR`, which writes a target's seeds
//   for a fuzz run.
//
// Threads: every function may be called from any thread; the harnesses keep no
// state between calls (libFuzzer calls them on one thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace kronika::fuzz {

// A whole SIP request as it arrives on a socket: sofia-sip's SIP message
// parser, then what SessionManager does with an INVITE/UPDATE body: SIPREC body
// split, SDP offer parse, negotiation and answer, RFC 7865 metadata parse and
// merge, stream mapping, phone number normalisation, consent clues.
int FuzzSipRequest(const uint8_t *data, size_t size);

// An SDP offer (the SDP part of a body): parse, negotiate, answer, and the
// offer we send in a re-INVITE without SDP. Contract: an accepted negotiation
// has at most one answer m-line per offered m-line, in order.
int FuzzSdpOffer(const uint8_t *data, size_t size);

// RFC 7865 metadata (the XML part of a body): parse, merge as a complete and as
// a partial update, stream mapping against the labels it names, consent clues.
int FuzzRecordingMetadata(const uint8_t *data, size_t size);

// RTP and SRTP datagrams into one leg pipeline (media/src/leg_pipeline.h). The
// input is a small script (rtp_leg_fuzz.cc): a config byte (codecs, output
// rate, SRTP suite), then datagrams with arrival times, SRTP-protected by the
// harness on request so that the fuzzer reaches what follows authentication,
// and drains. Contract (leg_pipeline.h): chunks come in timeline order and
// never overlap, and never start before the watermark.
int FuzzRtpLeg(const uint8_t *data, size_t size);

// A row of the `recordings` LMDB table (srs store codec): decode; what decodes
// must re-encode to bytes that decode to the same record.
int FuzzStoredRecord(const uint8_t *data, size_t size);

// The daemon's TOML config file: parse, validate, and the documented round trip
// ParseConfig(FormatConfig(c)) == c (`kronika serve --check-config`).
int FuzzConfigFile(const uint8_t *data, size_t size);

// A site policy file (config/sites/*.toml): parse and validate, then decide on
// calls and stamp retention with it as the daemon does.
int FuzzSitePolicyFile(const uint8_t *data, size_t size);

// A recording file as the disk holds it (recording_file_fuzz.cc): crash
// recovery of a plain or sealed .opus.part, and the sealed-file reader used by
// playback and export.
int FuzzRecordingFile(const uint8_t *data, size_t size);

// An API request's query parameters (GET /api/v1/recordings) and Range header
// (GET .../audio), as lines "name=value" and "Range: value" (http_request_fuzz.cc).
// Contracts: a query's limit is 1..kMaxQueryLimit; a served range lies inside the file.
int FuzzHttpRequest(const uint8_t *data, size_t size);

// Aborts with `what` on stderr: a harness found its code breaking a documented
// contract.
[[noreturn]] void FuzzContractViolated(std::string_view what);

// Where a target's seeds come from besides tests/fuzz/seeds/<target>/ (read at
// run time, never copied into the repository): the shared interop corpus, or
// files the repository already has for another purpose.
enum class SeedShape {
  kRfc4475Messages,      // interop-corpus/rfc4475-torture/*.dat, as they are
  kSippRequests,         // every <send> of the corpus's SIPp scenarios, as SIPp sends
                         // it
  kPcapSipMessages,      // SIP messages in the corpus's pcaps (UDP payloads)
  kVendorInvites,        // vendor-bodies/*: each body in an INVITE (LF and CRLF)
  kVendorSdpParts,       // the SDP part of each vendor body and SIPp request
  kVendorMetadataParts,  // the metadata part of each vendor body and SIPp
                         // request
  kRfcMetadataExamples,  // interop-corpus/rfc/extracted/*.xml
  kPcapRtpStreams,       // RTP streams of the corpus's pcaps as FuzzRtpLeg scripts
  kRepositoryConfigs,    // config/kronika.toml (the documented default), from the
                         // source tree
  kRepositorySites,      // config/sites/*.toml, from the source tree
};

// True for the shapes read from the shared interop corpus.
constexpr bool FromCorpus(SeedShape shape) {
  return shape != SeedShape::kRepositoryConfigs && shape != SeedShape::kRepositorySites;
}

struct FuzzTarget {
  std::string_view name;  // binary kronika_fuzz_<name>, seeds tests/fuzz/seeds/<name>/
  int (*run)(const uint8_t *data, size_t size);
  std::vector<SeedShape> shaped_seeds;  // seeds shaped from existing files
};

// Every target, in a fixed order.
const std::vector<FuzzTarget> &FuzzTargets();
// nullptr when there is no target of that name.
const FuzzTarget *FindFuzzTarget(std::string_view name);

struct SeedInput {
  std::string name;  // file name, or "<path>#<n>" for a shaped input
  std::string bytes;
};

// The target's seeds: every file of `source_dir`/tests/fuzz/seeds/<name>/
// (sorted), then its shaped seeds (those from `shared_dir`/interop-corpus only
// when that exists).
std::vector<SeedInput> LoadSeeds(const FuzzTarget &target, const std::filesystem::path &source_dir,
                                 const std::filesystem::path &shared_dir);

// Writes LoadSeeds() into `dir` (created), one file per seed named by its
// content's hash as libFuzzer names corpus files; returns how many were
// written.
size_t WriteSeeds(const FuzzTarget &target, const std::filesystem::path &source_dir,
                  const std::filesystem::path &shared_dir, const std::filesystem::path &dir);

}  // namespace kronika::fuzz
