// StateStore: each synced table's spec and state, kept in the target database (schema
// `lakesync`) so it survives restarts and is visible to every lakesync process serving that
// database. The last processed Delta version is written in the same transaction as the rows
// it stands for (see CommitVersion), which is what makes every sync exactly once. EnsureSchema
// also brings databases created by earlier versions up to date (columns added in place).
// Thread-safety: none; a StateStore borrows one Connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/pg/connection.h"
#include "lakesync/sync/detailed_state.h"
#include "lakesync/sync/synced_table_spec.h"

namespace lakesync::sync {

struct SyncedTableState {
  SyncedTableSpec spec;
  std::string pipeline_id;  // a UUID given at creation; stable, unique
  DetailedState state = DetailedState::kProvisioning;
  std::string message;
  std::optional<int64_t> last_processed_version;
  std::optional<std::string> last_sync_start;  // ISO-8601 UTC, as PostgreSQL prints it
  std::optional<std::string> last_sync_end;
  int64_t synced_row_count = 0;  // rows in the target after the last run
  std::string created_at;
  /// Progress of the run in flight (or of the last run): rows written so far of rows_total
  /// (nullopt when unknown), at rows_per_second. Updated about once a second while it runs.
  int64_t rows_done = 0;
  std::optional<int64_t> rows_total;
  double rows_per_second = 0;
  /// When the pipeline was stopped (pipeline_control.h), ISO-8601 UTC; cleared when an update
  /// is requested. While set, no continuous run and no automatic initial load.
  std::optional<std::string> stop_requested_at;
};

/// One run of a pipeline, for the run history.
struct SyncRun {
  std::string mode;  // "SNAPSHOT" or "INCREMENTAL"
  std::optional<int64_t> from_version;
  std::optional<int64_t> to_version;
  int64_t rows_inserted = 0;
  int64_t rows_updated = 0;
  int64_t rows_deleted = 0;
  int64_t rows_skipped = 0;  // NULL keys
  double seconds = 0;
  int connections = 1;  // connections the run held at once: its engine's and its load's extra
  std::string error;    // empty on success
};

class StateStore {
 public:
  /// `conn` must outlive the store.
  explicit StateStore(pg::Connection& conn) : conn_(conn) {}

  /// Creates schema `lakesync` and its tables when missing (safe when several processes race).
  Status EnsureSchema();
  /// Stores a new synced table in state PROVISIONING. Conflict when the name is taken.
  Status Create(const SyncedTableSpec& spec);
  /// The synced table named `name` ("schema.table"). NotFound when there is none.
  Result<SyncedTableState> Get(const std::string& name);
  /// The synced table whose pipeline id is `pipeline_id`. NotFound when there is none.
  Result<SyncedTableState> FindByPipelineId(const std::string& pipeline_id);
  /// Every synced table, by name.
  Result<std::vector<SyncedTableState>> List();
  /// Removes the synced table's state and run history (the PostgreSQL table is not touched).
  Status Delete(const std::string& name);

  /// Changes what can change without a rebuild: the scheduling policy, schedule and the full
  /// refresh thresholds (of the table named spec.name). NotFound when there is none.
  Status UpdateSpec(const SyncedTableSpec& spec);

  /// Sets the state and message; `started` also stamps last_sync_start.
  Status SetState(const std::string& name, DetailedState state, const std::string& message,
                  bool started = false);
  /// Records `version` as processed and the target's row count, and stamps last_sync_end.
  /// Call it inside the transaction that wrote the rows. `expected_previous` guards against a
  /// second process having moved the version meanwhile (Conflict). When the session (or
  /// transaction) names a lease holder (lease.h: SetFenceHolder), the table's lease must be
  /// held by it and unexpired, and is locked until the transaction ends, so a daemon that
  /// lost its lease never commits (Conflict "lease lost").
  Status CommitVersion(const std::string& name, int64_t version,
                       std::optional<int64_t> expected_previous, int64_t row_count);
  /// Sets the state a run ended in. A CONTINUOUS table whose pipeline was stopped meanwhile
  /// gets SYNCED_TABLE_ONLINE and a message saying so instead of ONLINE_NO_PENDING_UPDATE.
  Status SetEndState(const std::string& name, DetailedState state, const std::string& message);
  /// Records the progress of the run in flight.
  Status SetProgress(const std::string& name, int64_t rows_done, std::optional<int64_t> rows_total,
                     double rows_per_second);
  /// Appends to the run history.
  Status RecordRun(const std::string& name, const SyncRun& run);
  /// The most recent runs first.
  Result<std::vector<SyncRun>> Runs(const std::string& name, int limit = 20);

 private:
  pg::Connection& conn_;
};

}  // namespace lakesync::sync
