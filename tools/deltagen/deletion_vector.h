// Deletion vectors as PROTOCOL.md "Deletion Vector Format" describes them: a 64-bit
// RoaringBitmap (portable format) behind a magic number, stored in
// `<prefix>/deletion_vector_<uuid>.bin` files (version byte, big-endian size, data, CRC-32)
// and named in the log by a descriptor whose pathOrInlineDv is the prefix plus the Z85 text of
// the UUID. Thread-safety: free functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::deltagen {

struct DeletionVectorDescriptor {
  std::string storage_type = "u";
  std::string path_or_inline_dv;
  std::optional<int32_t> offset;
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;

  /// The add/remove `deletionVector` JSON object.
  std::string ToJson() const;
};

/// Z85 (ZeroMQ RFC 32) text of `bytes`. REQUIRES: bytes.size() % 4 == 0.
std::string Z85Encode(std::string_view bytes);

/// Magic number + portable 64-bit RoaringBitmap of `rows` (ascending, unique).
std::string SerializeDeletionVector(const std::vector<uint64_t>& rows);

/// Writes one DV file for `rows` under `table_root` and returns its descriptor. `uuid` is 16
/// bytes; `prefix` (may be empty) becomes a folder and the head of pathOrInlineDv.
Result<DeletionVectorDescriptor> WriteDeletionVectorFile(storage::FileSystem& fs,
                                                         const std::string& table_root,
                                                         const std::vector<uint64_t>& rows,
                                                         std::string_view uuid,
                                                         const std::string& prefix);

}  // namespace lakesync::deltagen
