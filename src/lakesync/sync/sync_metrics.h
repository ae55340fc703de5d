// The metrics lakesync records about synced tables (names, help texts and labels in one place;
// README "Metrics" lists them): rows and batches synced, errors, run durations, versions and
// lag behind the source, lease holdings. Every series carries labels database (the target
// database) and table ("schema.table").
// Thread-safety: every function may be called from any thread (metrics::Global is).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lakesync/common/metrics.h"
#include "lakesync/common/result.h"
#include "lakesync/sync/state_store.h"

namespace lakesync::sync {

metrics::Labels TableLabels(const std::string& database, const std::string& table);

/// Counts one run: rows by operation, a batch, its duration, or an error.
void RecordRunMetrics(const std::string& database, const std::string& table, const SyncRun& run,
                      const Status& outcome);

/// How far a synced table is behind its source.
struct SourceLag {
  int64_t source_version = -1;  // the source's latest version
  int64_t versions = 0;         // source_version - last processed version (>= 0)
  double seconds = 0;           // age of the oldest commit not applied yet; 0 when caught up
};

/// Lists the source's `_delta_log` after `last_processed` (one listing, no commit is read).
/// The commit time is the commit file's modification time (Delta's commit timestamp unless
/// in-commit timestamps are on, which this does not read).
Result<SourceLag> MeasureLag(const std::string& source, std::optional<int64_t> last_processed);

/// Sets the lag and version gauges.
void RecordLagMetrics(const std::string& database, const std::string& table,
                      std::optional<int64_t> last_processed, const SourceLag& lag);

/// Rows in the synced table after a run.
void RecordTargetRows(const std::string& database, const std::string& table, int64_t rows);

/// 1 while this process holds the table's lease, 0 after it lost or released it.
void RecordLeaseHeld(const std::string& database, const std::string& table, bool held);

/// Counts a lease event: "acquired", "released" or "lost".
void RecordLeaseEvent(const std::string& database, const std::string& table,
                      std::string_view event);

/// Drops the version, lag and row gauges of the table (it was deleted, or another daemon runs
/// and reports it now); counters stay, as Prometheus expects of them.
void ForgetTableMetrics(const std::string& database, const std::string& table);

}  // namespace lakesync::sync
