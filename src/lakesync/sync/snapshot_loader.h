// Snapshot loader: copies one version of a Delta table into a PostgreSQL table. It is the
// path every initial load and full refresh takes: the rows go into a side table through
// COPY BINARY, the primary key is built after the load, and the side table replaces the
// target with renames, all in one transaction, so readers see the old rows until the new ones
// are complete and a failure at any point leaves the target as it was.
// Thread-safety: LoadSnapshot is reentrant; each call uses its own connection.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/pg/connection.h"

namespace lakesync::sync {

struct SnapshotLoadOptions {
  std::string source;                    // the Delta table: a local path (or URL)
  std::optional<int64_t> version;        // nullopt: the latest version
  std::string conninfo;                  // libpq connection string of the target database
  std::string target;                    // "[schema.]table"; the schema is created if missing
  std::vector<std::string> primary_key;  // key columns, at least one
  /// When set, of several rows with one key the one with the greatest value here is kept
  /// (instead of failing on duplicate keys).
  std::optional<std::string> timeseries_key;
  size_t copy_chunk_bytes = 8 << 20;  // COPY data sent per PutCopyData call
  /// Make the new table read-only for everyone but lakesync (read_only.h). REQUIRES:
  /// EnsureWriterRole ran on the database.
  bool read_only = false;
};

struct SnapshotLoadResult;
/// Runs inside the load's transaction just before it commits (e.g. to record the version
/// loaded, so rows and version commit together). An error rolls the whole load back.
using BeforeCommit = std::function<Status(pg::Connection&, const SnapshotLoadResult&)>;

struct SnapshotLoadResult {
  int64_t version = -1;               // the Delta version loaded
  int64_t rows_loaded = 0;            // rows now in the target table
  int64_t rows_skipped_null_key = 0;  // source rows left out because a key column was NULL
  int64_t rows_deduplicated = 0;      // older rows dropped by the timeseries key
  int64_t files_read = 0;             // data files scanned
  double seconds = 0;
};

/// Loads the snapshot. Errors: NotFound for a missing table, version or key column;
/// InvalidArgument for a key column of a nested type or a value PostgreSQL refuses (naming the
/// column and key); Conflict "PRIMARY_KEY_CONSTRAINT_VIOLATION ..." for duplicate keys;
/// Corruption for malformed source files; Unavailable when PostgreSQL cannot be reached.
Result<SnapshotLoadResult> LoadSnapshot(const SnapshotLoadOptions& options,
                                        const BeforeCommit& before_commit = {});

}  // namespace lakesync::sync
