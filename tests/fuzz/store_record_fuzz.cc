// FuzzStoredRecord: a row of the `recordings` database as any bytes, e.g. a
// disk or a restore gone wrong (fuzz_targets.h). DecodeRecord must refuse what
// it cannot read with an error, never crash; what it reads must encode and
// decode back to itself.
#include <string>
#include <string_view>

#include "fuzz_targets.h"
#include "store_codec.h"

namespace kronika::fuzz {

int FuzzStoredRecord(const uint8_t *data, size_t size) {
  Result<srs::RecordingRecord> decoded =
      srs::DecodeRecord(std::string_view(reinterpret_cast<const char *>(data), size));
  if (!decoded.ok()) return 0;
  // Bytes, not records, are compared: a NaN duration is not equal to itself.
  const std::string encoded = srs::EncodeRecord(*decoded);
  Result<srs::RecordingRecord> again = srs::DecodeRecord(encoded);
  if (!again.ok()) FuzzContractViolated("store_record: a decoded record does not decode after encoding");
  if (srs::EncodeRecord(*again) != encoded)
    FuzzContractViolated("store_record: encode(decode(x)) is not stable");
  return 0;
}

}  // namespace kronika::fuzz
