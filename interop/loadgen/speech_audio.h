// The audio kronika-loadgen sends: a recording read once at start (libsndfile), or a test
// tone, as mono 16-bit PCM at the rate a codec encodes from.
//
// Thread safety: pure functions, callable from any thread. Nothing here runs per packet.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "kronika/result.h"

namespace kronika::loadgen {

// Longest audio kept from a file: a loop longer than this adds memory, not realism.
inline constexpr double kMaxSpeechSeconds = 600;

// Reads any file libsndfile reads (WAV with PCM, A-law or u-law samples, FLAC, ...),
// averages its channels to mono, resamples to `rate_hz` (libsamplerate, SRC_SINC_MEDIUM_
// QUALITY) and keeps at most kMaxSpeechSeconds. The result has a whole number of 20 ms
// frames (the tail is cut).
// Errors: the file cannot be opened or read (kIo, names the file and libsndfile's reason),
// it holds less than 1 s of audio (kInvalidInput), the resampler fails (kInternal).
Result<std::vector<int16_t>> LoadSpeech(const std::string& path, int rate_hz);

// `seconds` of a sine tone of `tone_hz` at `rate_hz` (amplitude 8000 of 32767): what the
// load generator sends when no audio file is given.
std::vector<int16_t> ToneAudio(int rate_hz, int tone_hz, double seconds);

}  // namespace kronika::loadgen
