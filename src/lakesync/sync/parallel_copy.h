// ParallelCopy: streams every row of a Delta scan into one PostgreSQL table over several
// connections at once, the bulk path of snapshot loads. Decoder threads read the data files
// (each takes the next file not yet taken) and encode COPY BINARY chunks of whole rows into a
// fixed pool of buffers; sender threads each own one connection and one COPY and send
// whichever chunk is ready. Decoding thus overlaps PostgreSQL's ingest, every connection is
// kept busy whatever file it came from, and memory stays bounded: the buffer pool plus one
// decoded row group per decoder.
// Each connection's COPY is its own transaction, committed when the stream ends; the caller
// makes the rows visible (or drops them) afterwards.
// Thread-safety: CopyScan starts and joins its own threads; it borrows the connections, which
// must not be used elsewhere until it returns. on_rows is called on the caller's thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/delta/scan.h"
#include "lakesync/pg/connection.h"
#include "lakesync/pg/ddl.h"

namespace lakesync::sync {

struct ParallelCopyOptions {
  /// Rows with a NULL in one of these columns are left out and counted.
  std::vector<std::string> primary_key;
  /// Threads reading and encoding data files (at most one per file).
  int decoders = 1;
  /// Encoded bytes per chunk handed to a sender; a chunk ends at a row boundary, so it may be
  /// larger by up to one slice of rows.
  size_t chunk_bytes = size_t{1} << 20;
  /// Chunks buffered per connection: enough for a sender to find work ready when it is done
  /// with one, few enough that memory stays small.
  int chunks_per_connection = 2;
  /// Bytes per libpq call: larger calls make libpq grow its output buffer to match.
  size_t send_bytes = size_t{256} << 10;
  /// Called on the calling thread with the total number of rows handed to PostgreSQL so far,
  /// when it changed: every progress_interval while the copy runs, and once at its end.
  std::function<void(int64_t rows_sent)> on_rows;
  std::chrono::milliseconds progress_interval{200};
};

struct ParallelCopyResult {
  int64_t rows_copied = 0;            // rows the server stored (sum over the COPYs)
  int64_t rows_skipped_null_key = 0;  // rows left out for a NULL key
};

/// Copies the rows of every file of `scan` into `table` (columns `fields`, in the scan's
/// schema), one COPY per connection. REQUIRES: the table exists and is committed; each
/// connection is idle (no transaction or COPY open) and outlives the call.
/// Errors: the first error any thread met (a decode error names the file, an encode error the
/// column and key, a server error comes from the COPY); every COPY still open is aborted, but
/// COPYs that had already ended keep their rows, so on error the table must be discarded.
Result<ParallelCopyResult> CopyScan(const delta::Scan& scan,
                                    const std::vector<pg::Connection*>& connections,
                                    const pg::QualifiedName& table,
                                    const std::vector<Field>& fields,
                                    const ParallelCopyOptions& options);

}  // namespace lakesync::sync
