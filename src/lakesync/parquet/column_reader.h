// Column chunk reading: one leaf column of one row group, from its bytes in the file to its
// repetition/definition levels and its non-null values, decoded straight into ColumnVector
// buffers in the leaf's lakesync type. Record assembly (record_assembly.h) turns these into
// the final (possibly nested) columns.
// Thread-safety: functions without shared state; different chunks may be read concurrently.
#pragma once

#include <cstdint>
#include <string>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/pod_vector.h"
#include "lakesync/common/result.h"
#include "lakesync/common/status.h"
#include "lakesync/parquet/format.h"
#include "lakesync/parquet/schema.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::parquet {

/// The decoded content of one column chunk.
struct LeafData {
  int64_t num_entries = 0;  // level entries (rows, for a non-repeated column)
  PodVector<uint16_t> def;  // one per entry; empty when max_def == 0
  PodVector<uint16_t> rep;  // one per entry; empty when max_rep == 0
  ColumnVector values;      // the non-null values only, in the leaf's lakesync type
};

struct ByteRange {
  int64_t offset = 0;
  int64_t length = 0;
};

/// Where a column chunk's pages lie in a file of `file_size` bytes (dictionary page included);
/// Corruption when outside the file, NotSupported for encrypted or external chunks.
Result<ByteRange> ColumnChunkRange(const ColumnChunk& chunk, int64_t file_size);

/// Reads and decodes one column chunk. Errors carry "column <path>, page <n>" context; the
/// caller adds the file and row group.
/// `verify_checksums`: pages that carry a CRC32 are checked against it (Corruption on mismatch).
Status ReadColumnChunk(const storage::RandomAccessFile& file, const ColumnChunk& chunk,
                       const LeafColumn& leaf, LeafData* out, bool verify_checksums = true);

/// Decodes a column chunk already in memory (`data` holds the chunk's pages, starting at the
/// first page). Exposed for tests.
Status DecodeColumnChunk(const uint8_t* data, size_t size, const ColumnMetaData& meta,
                         const LeafColumn& leaf, LeafData* out, bool verify_checksums = true);

}  // namespace lakesync::parquet
