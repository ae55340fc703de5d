// Process-wide malloc settings for programs that decode Parquet row groups into ColumnBatches.
// Each row group's batch is tens to hundreds of MB of large buffers that are freed just before
// the next row group allocates the same sizes again. glibc's defaults hand such buffers back to
// the kernel (munmap, heap trimming) and fault them in again, page by page, for every row group:
// a third of single-threaded decode time in bench/parquet_decode_bench. Keeping them in the
// heap is what DuckDB gets from jemalloc.
// Thread-safety: call once at startup, before other threads allocate.
#pragma once

namespace lakesync::parquet {

/// Serves buffers up to 32 MiB from the heap and keeps up to 1 GiB of freed heap for reuse.
/// A no-op where the C library has no mallopt.
void RetainBatchMemory();

}  // namespace lakesync::parquet
