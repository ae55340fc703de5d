// Page compression for the deltagen Parquet writer (the codecs Parquet names, each through its
// reference library). Thread-safety: stateless functions.
#pragma once

#include <string_view>

#include "deltagen/encoding.h"
#include "lakesync/common/status.h"
#include "lakesync/parquet/format.h"

namespace lakesync::deltagen {

/// Appends `input` compressed with `codec` to `out` (UNCOMPRESSED copies it).
/// GZIP writes a gzip member; LZ4_RAW a raw LZ4 block; LZ4 Hadoop-framed LZ4 blocks.
Status Compress(parquet::CompressionCodec codec, const uint8_t* input, size_t size, Bytes* out);

/// Parses "none", "uncompressed", "snappy", "zstd", "gzip", "lz4" (LZ4_RAW), "lz4_raw",
/// "lz4_hadoop" (the deprecated LZ4 codec), "brotli" (case-insensitive).
Status ParseCodec(std::string_view name, parquet::CompressionCodec* codec);

}  // namespace lakesync::deltagen
