// Page decompression for the Parquet codecs lakesync reads: SNAPPY, GZIP, ZSTD, LZ4_RAW,
// LZ4 (Hadoop framing, with a raw-block fallback) and BROTLI. LZO and unknown codecs are
// NotSupported; malformed compressed data is Corruption.
// Thread-safety: free functions; safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>

#include "lakesync/common/status.h"
#include "lakesync/parquet/format.h"

namespace lakesync::parquet {

/// Decompresses `in` into exactly `out_size` bytes at `out` (the page's uncompressed size).
Status Decompress(CompressionCodec codec, const uint8_t* in, size_t in_size, uint8_t* out,
                  size_t out_size);

/// True for codecs Decompress handles (UNCOMPRESSED included).
bool IsSupportedCodec(CompressionCodec codec);

}  // namespace lakesync::parquet
