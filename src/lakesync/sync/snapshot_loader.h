// Snapshot loader: copies one version of a Delta table into a PostgreSQL table. It is the
// path every initial load and full refresh takes: the rows go into a side table over several
// connections at once (COPY BINARY, parallel_copy.h), the primary key and the table's own
// indexes are built after the load, and the side table replaces the target with renames in
// the transaction that also records the version loaded, so readers see the old rows until
// the new ones are complete. The side table is committed empty before the parallel COPYs
// fill it (other connections cannot see an uncommitted table); it is not the target, so no
// reader sees its rows before the swap. A failure drops it; a crash leaves it behind and the
// next load of the same target drops it first. One load per target runs at a time (an
// advisory lock), so two loads never fill one side table.
// Thread-safety: LoadSnapshot is reentrant; each call uses its own connections and threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/pg/connection.h"
#include "lakesync/sync/limits.h"

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
  /// Make the new table read-only for everyone but lakesync (read_only.h). REQUIRES:
  /// EnsureWriterRole ran on the database.
  bool read_only = false;
  /// The load's first connection, borrowed (a SyncEngine's): not in a transaction, and used
  /// elsewhere only by on_rows and keep_going until LoadSnapshot returns. It plans, locks and
  /// swaps; it copies rows only when no other connection could be opened (on_rows is then
  /// called once, after the copy). Null: the load opens its own on conninfo.
  pg::Connection* connection = nullptr;

  /// Connections the load may use at once, its first one included (a synced table's
  /// max_connections). It uses fewer when the target has fewer to spare (limits.h) or the
  /// table is small (bytes_per_connection).
  int max_connections = 16;
  /// Source (Parquet) bytes per connection: a table smaller than this loads over one
  /// connection, a larger one over one more per this many bytes, up to max_connections.
  int64_t bytes_per_connection = int64_t{32} << 20;
  /// Threads reading and encoding data files, one file at a time each. Each holds one decoded
  /// row group in memory (about 100 bytes per row of user_profiles), so the default is one.
  int decoders = 1;
  /// Threads decoding the columns of one row group; 0 picks one per 4 connections, at most
  /// the machine's cores. They add speed without adding memory.
  int decode_threads = 0;
  /// Encoded COPY bytes per chunk handed from a decoder to a connection.
  size_t copy_chunk_bytes = size_t{1} << 20;
  /// Fill an UNLOGGED side table and make it logged (SET LOGGED) before the swap. Safe, since
  /// the side table is discarded after a crash anyway; whether it is faster depends on the
  /// server's WAL settings (bench/sync_bench.sh measures both).
  bool unlogged_load = false;
  /// maintenance_work_mem for building the primary key and indexes on the new rows (the
  /// server's memory, for one sort); empty keeps the server's setting.
  std::string index_build_memory = "256MB";
  /// Called with the total number of rows sent to PostgreSQL so far, for progress: on the
  /// thread that called LoadSnapshot, about every 200 ms while rows are loaded and once when
  /// the last are sent (see `connection`). The rows become visible only when the load commits.
  std::function<void(int64_t rows)> on_rows;
  /// Asked on the calling thread once the rows are copied, before the key is built and the
  /// tables swapped (every connection of the load, `connection` included, is idle then); an
  /// error ends the load with it and leaves the target as it was (a canceled run).
  std::function<Status()> keep_going;
  /// Capacity limits checked before the load (limits.h).
  Limits limits;
};
/// The name this struct is known by in the sync engine's plans.
using LoadSnapshotOptions = SnapshotLoadOptions;

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
  int connections = 0;                // connections the load held, its first one included
  int64_t estimated_bytes = 0;        // the size estimate the capacity check used
  std::vector<std::string> warnings;  // e.g. a table above Limits::warn_table_bytes
  double copy_seconds = 0;            // of `seconds`, filling the side table
  double seconds = 0;
};

/// Loads the snapshot. Errors: NotFound for a missing table, version or key column;
/// InvalidArgument for a key column of a nested type, a value PostgreSQL refuses (naming the
/// column and key) or data that would exceed the capacity limit; Conflict
/// "PRIMARY_KEY_CONSTRAINT_VIOLATION ..." for duplicate keys; Corruption for malformed source
/// files; Unavailable when PostgreSQL cannot be reached.
Result<SnapshotLoadResult> LoadSnapshot(const SnapshotLoadOptions& options,
                                        const BeforeCommit& before_commit = {});

}  // namespace lakesync::sync
