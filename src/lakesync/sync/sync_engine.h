// SyncEngine: creates, runs and removes synced tables in one PostgreSQL database. It is the
// one place that moves a synced table through its states: PROVISIONING -> initial snapshot ->
// ONLINE, each run (a snapshot for SNAPSHOT tables and full refreshes; the change data feed
// for TRIGGERED and CONTINUOUS ones) -> ONLINE_NO_PENDING_UPDATE or ONLINE_PIPELINE_FAILED with
// the error as message; a failed first load leaves OFFLINE_FAILED. A run whose pipeline is
// stopped meanwhile (pipeline_control.h) rolls back and ends as Conflict "canceled", the table
// keeping its rows and, for a CONTINUOUS one, showing SYNCED_TABLE_ONLINE. A run holds the
// table's run lock (a session advisory lock), so two processes never sync one table at once,
// claims the update requests queued for it (update_request.h), reports progress, and records
// metrics (sync_metrics.h).
// Thread-safety: none; one engine per thread (it owns one connection).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/pg/connection.h"
#include "lakesync/sync/limits.h"
#include "lakesync/sync/state_store.h"
#include "lakesync/sync/synced_table_spec.h"

namespace lakesync::sync {

class RunStopCheck;  // sync_engine.cc: gives up a run whose pipeline was stopped

/// How far a run is.
struct SyncProgress {
  int64_t rows_done = 0;
  int64_t rows_total = -1;  // -1 when unknown
  double rows_per_second = 0;
};

struct SyncOptions {
  bool full_refresh = false;
  /// Called on the syncing thread as rows are sent (about every 200 ms during snapshot loads),
  /// and once at the end of every run.
  std::function<void(const SyncProgress&)> on_progress;
  /// When set, the run commits only while this daemon holds the table's lease (lease.h); a run
  /// that lost it rolls back with Conflict "lease lost".
  std::string lease_holder;
};

class SyncEngine {
 public:
  /// Connects to the target database and creates the `lakesync` schema when missing.
  static Result<std::unique_ptr<SyncEngine>> Open(std::string conninfo);
  /// As Open, with `limits` set; with a budget, the engine's connection holds one of its slots
  /// for as long as the engine lives. Unavailable when every slot is taken.
  static Result<std::unique_ptr<SyncEngine>> Open(std::string conninfo, const Limits& limits);

  /// Validates the spec against its source (it exists; key columns exist; TRIGGERED and
  /// CONTINUOUS need the change data feed), stores it and runs the initial snapshot. The
  /// returned state says how the first load went (a failed load is a state, not an error);
  /// errors are for specs refused before anything was stored.
  Result<SyncedTableState> Create(const SyncedTableSpec& spec);
  /// Create's checks and storing, without the initial snapshot: the table stays PROVISIONING
  /// until the first Sync loads it (the REST API runs that in the background).
  Result<SyncedTableState> Register(const SyncedTableSpec& spec);
  /// Runs one update of the synced table: incremental when possible, a snapshot when the policy
  /// is SNAPSHOT, `full_refresh` is set, or the batch is too large. A failure is recorded in
  /// the state (and run history) and returned.
  /// The run also claims and settles the update requests queued for the table (a request for
  /// a full refresh makes it one). Conflict "a sync of X is running" when another process
  /// (or engine) is syncing the table; then nothing is recorded.
  Result<SyncRun> Sync(const std::string& name, const SyncOptions& options);
  Result<SyncRun> Sync(const std::string& name, bool full_refresh = false) {
    SyncOptions options;
    options.full_refresh = full_refresh;
    return Sync(name, options);
  }

  /// `name` may omit the schema (public) and quote parts, as in pg::QualifiedName::Parse.
  Result<SyncedTableState> Get(const std::string& name);
  /// The synced table with this pipeline id. NotFound when there is none.
  Result<SyncedTableState> GetByPipelineId(const std::string& pipeline_id);
  Result<std::vector<SyncedTableState>> List();
  /// Forgets the synced table; `purge_data` also drops the PostgreSQL table.
  Status Delete(const std::string& name, bool purge_data);
  Result<std::vector<SyncRun>> Runs(const std::string& name, int limit = 20);

  const std::string& conninfo() const { return conninfo_; }
  /// The target's connection and capacity limits, checked at creation and before each run.
  void set_limits(const Limits& limits) { limits_ = limits; }
  /// The budget slot the engine's connection holds, given back when the engine dies.
  void HoldSlot(BudgetSlots slot) { slot_ = std::move(slot); }
  /// The lease holder every Sync of this engine commits under when its options name none
  /// (the daemon's id for the engines of its workers, so RunContinuous's runs are fenced too).
  void set_lease_holder(std::string holder) { lease_holder_ = std::move(holder); }
  /// The target database's name (the `database` label of metrics).
  const std::string& database() const { return database_; }

 private:
  SyncEngine(std::string conninfo, std::unique_ptr<pg::Connection> conn)
      : conninfo_(std::move(conninfo)), conn_(std::move(conn)), store_(*conn_) {}
  Result<SyncRun> RunLocked(const SyncedTableState& state, const SyncOptions& options,
                            RunStopCheck& stop);
  Result<SyncRun> RunSnapshot(const SyncedTableState& state, const SyncOptions& options,
                              RunStopCheck& stop);
  Status Fail(const SyncedTableState& state, const Status& error, SyncRun run,
              const SyncOptions& options);
  /// Records a run given up because its pipeline was stopped: the target keeps its rows.
  Status Cancel(const SyncedTableState& state, const Status& error, SyncRun run);

  std::string conninfo_;
  std::string database_;
  std::string lease_holder_;
  BudgetSlots slot_;  // outlives conn_: given back once the connection is closed
  std::unique_ptr<pg::Connection> conn_;
  StateStore store_;
  Limits limits_;
};

/// OK when a table with this configuration can feed TRIGGERED/CONTINUOUS syncs; otherwise an
/// InvalidArgument that says how to enable the change data feed.
Status CheckChangeDataFeed(const std::string& source,
                           const std::map<std::string, std::string>& configuration);

}  // namespace lakesync::sync
