// Deletion vectors (PROTOCOL.md "Deletion Vectors", "Deletion Vector Format"): the set of row
// indexes of a data file that are logically deleted. A descriptor in the log points at the DV
// inline (Z85 text), in a file named by a UUID relative to the table root, or at an absolute
// path; the DV itself is a 64-bit RoaringBitmap in the portable serialization behind a magic
// number. Decoded here without a Roaring library: only membership in row order is needed.
// Thread-safety: free functions and immutable values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/delta/actions.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::delta {

/// Deleted row indexes of one data file, ascending and unique.
struct DeletedRows {
  std::vector<uint64_t> rows;

  /// The rows of [first, first + count) that are not deleted, relative to `first`.
  /// Returns nullopt when none of them is deleted.
  std::optional<std::vector<uint32_t>> Selection(uint64_t first, uint64_t count) const;
};

/// Decodes Z85 (ZeroMQ RFC 32) text; its length must be a multiple of 5. `size` (the DV's
/// sizeInBytes) says how many bytes the text holds when that is not a multiple of 4.
Result<std::string> Z85Decode(std::string_view text, std::optional<size_t> size = std::nullopt);

/// Where an on-disk DV lives: `<table_root>/<prefix>/deletion_vector_<uuid>.bin` for storage
/// type 'u', the (URI-decoded) path for 'p'. InvalidArgument for inline DVs.
Result<std::string> DeletionVectorPath(const DeletionVectorDescriptor& dv,
                                       std::string_view table_root);

/// Decodes a serialized DV (magic number + portable 64-bit RoaringBitmap).
Result<DeletedRows> ParseDeletionVector(std::string_view bytes);

/// Loads the DV a descriptor points at; `resolve` turns a table-relative or absolute path into
/// a FileSystem path. Checks the stored size, checksum and cardinality.
Result<DeletedRows> LoadDeletionVector(storage::FileSystem& fs, const DeletionVectorDescriptor& dv,
                                       std::string_view table_root);

}  // namespace lakesync::delta
