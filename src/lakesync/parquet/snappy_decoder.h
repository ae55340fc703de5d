// Snappy block decompression (google/snappy format_description.txt), written for Parquet pages:
// the output size is known up front (the page header's uncompressed size), so the decoder writes
// straight into the caller's buffer and copies with fixed-size 16-byte moves while it is more
// than 64 bytes from either end, falling back to exact copies near the ends. Debian's libsnappy
// spends most of its time in a memmove call per back-reference; this does not.
// Every length and offset is checked: malformed input is Corruption, never a read or write
// outside the two buffers.
// Thread-safety: a pure function.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lakesync/common/status.h"

namespace lakesync::parquet {

/// Decompresses the snappy block `in` into exactly `out_size` bytes at `out`; Corruption when
/// the block is malformed or its length preamble is not `out_size`.
Status SnappyDecompress(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size);

}  // namespace lakesync::parquet
