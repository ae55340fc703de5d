#include "lakesync/sync/sync_engine.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "lakesync/common/logging.h"
#include "lakesync/common/macros.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/sync/incremental_sync.h"
#include "lakesync/sync/key_columns.h"
#include "lakesync/sync/lease.h"
#include "lakesync/sync/pipeline_control.h"
#include "lakesync/sync/read_only.h"
#include "lakesync/sync/snapshot_loader.h"
#include "lakesync/sync/sync_metrics.h"
#include "lakesync/sync/update_request.h"

namespace lakesync::sync {
namespace {

Result<std::unique_ptr<delta::Snapshot>> OpenLatest(const std::string& source) {
  LAKESYNC_ASSIGN_OR_RETURN(auto fs, storage::FileSystemForPath(source));
  return delta::Snapshot::Open(fs, source);
}

std::string RunSummary(const SyncRun& run) {
  return fmt::format(
      "synced version {} ({}: {} inserted, {} updated, {} deleted{})", run.to_version.value_or(-1),
      run.mode == "SNAPSHOT" ? "full copy" : "changes", run.rows_inserted, run.rows_updated,
      run.rows_deleted,
      run.rows_skipped ? fmt::format(", {} rows with a NULL key skipped", run.rows_skipped) : "");
}

// Rows a snapshot of `snapshot` will hold (before NULL keys and duplicates are dropped), or -1
// when a file's statistics do not say.
int64_t EstimateRows(const delta::Snapshot& snapshot) {
  int64_t total = 0;
  for (const auto& f : snapshot.files()) {
    auto n = f.NumRecords();
    if (!n.ok() || !n->has_value()) return -1;
    total += **n - (f.deletion_vector ? f.deletion_vector->cardinality : 0);
  }
  return total;
}

// Reports progress to the caller at every step and to the state at most once a second.
class ProgressReporter {
 public:
  ProgressReporter(StateStore& store, std::string name, const SyncOptions& options,
                   int64_t rows_total)
      : store_(store), name_(std::move(name)), options_(options), rows_total_(rows_total) {}

  void Report(int64_t rows_done, bool final = false) {
    const auto now = std::chrono::steady_clock::now();
    const double seconds = std::chrono::duration<double>(now - started_).count();
    SyncProgress p{rows_done, final ? rows_done : rows_total_,
                   seconds > 0 ? static_cast<double>(rows_done) / seconds : 0};
    if (!std::isfinite(p.rows_per_second)) p.rows_per_second = 0;
    if (options_.on_progress) options_.on_progress(p);
    if (final || now - last_store_ >= std::chrono::seconds(1)) {
      last_store_ = now;
      // Progress is informational; a failure to record it must not fail the run.
      (void)store_.SetProgress(
          name_, p.rows_done,
          p.rows_total >= 0 ? std::optional<int64_t>(p.rows_total) : std::nullopt,
          p.rows_per_second);
    }
  }

 private:
  StateStore& store_;
  std::string name_;
  const SyncOptions& options_;
  int64_t rows_total_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_store_{};
};

}  // namespace

// Gives up a run whose pipeline was stopped after it began: asked when a snapshot's rows are
// copied (not while they are: the load's COPYs use the engine's connection), and in the
// transaction that would commit the run.
class RunStopCheck {
 public:
  explicit RunStopCheck(std::string table) : table_(std::move(table)) {}

  /// Conflict "canceled" once the pipeline was stopped. REQUIRES: `conn` is idle or in the
  /// run's commit transaction.
  Status Check(pg::Connection& conn) {
    LAKESYNC_ASSIGN_OR_RETURN(bool stopped, StoppedSinceRunBegan(conn, table_));
    if (!stopped) return Status::OK();
    canceled_ = true;
    return Status::Conflict(
        "update of {} canceled: its pipeline was stopped; nothing of this run was applied", table_);
  }
  bool canceled() const { return canceled_; }

 private:
  std::string table_;
  bool canceled_ = false;
};

Status CheckChangeDataFeed(const std::string& source,
                           const std::map<std::string, std::string>& configuration) {
  auto it = configuration.find("delta.enableChangeDataFeed");
  if (it != configuration.end() && (it->second == "true" || it->second == "TRUE")) {
    return Status::OK();
  }
  return Status::InvalidArgument(
      "the source table {} does not have the change data feed enabled, which TRIGGERED and "
      "CONTINUOUS sync need. Enable it with: ALTER TABLE <table> SET TBLPROPERTIES "
      "(delta.enableChangeDataFeed = true); or use the SNAPSHOT scheduling policy",
      source);
}

Result<std::unique_ptr<SyncEngine>> SyncEngine::Open(std::string conninfo) {
  LAKESYNC_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(conninfo));
  LAKESYNC_RETURN_NOT_OK(conn->SetApplicationName("lakesync"));
  LAKESYNC_RETURN_NOT_OK(conn->Exec("SET client_min_messages TO warning"));
  LAKESYNC_ASSIGN_OR_RETURN(auto db, conn->Query("SELECT current_database()"));
  std::string database(db.Get(0, 0));
  std::unique_ptr<SyncEngine> engine(new SyncEngine(std::move(conninfo), std::move(conn)));
  engine->database_ = std::move(database);
  LAKESYNC_RETURN_NOT_OK(engine->store_.EnsureSchema());
  LAKESYNC_RETURN_NOT_OK(EnsureWriterRole(*engine->conn_));
  return engine;
}

Result<std::unique_ptr<SyncEngine>> SyncEngine::Open(std::string conninfo, const Limits& limits) {
  BudgetSlots slot;
  if (limits.budget) {
    slot = BudgetSlots(limits.budget, limits.budget->TakeUpToReclaiming(1));
    if (slot.count() == 0) {
      return Status::Unavailable(
          "all {} connections lakesync may hold on this database instance are in use in this "
          "process (max_connections of the instance in lakesync's configuration); retry later "
          "or raise it",
          limits.budget->cap());
    }
  }
  LAKESYNC_ASSIGN_OR_RETURN(auto engine, Open(std::move(conninfo)));
  engine->set_limits(limits);
  engine->HoldSlot(std::move(slot));
  return engine;
}

Result<SyncedTableState> SyncEngine::Create(const SyncedTableSpec& spec) {
  LAKESYNC_ASSIGN_OR_RETURN(SyncedTableState state, Register(spec));
  // The first load's failure is the synced table's state (OFFLINE_FAILED), not an error here.
  (void)Sync(state.spec.name);
  return store_.Get(state.spec.name);
}

Result<SyncedTableState> SyncEngine::Register(const SyncedTableSpec& requested) {
  SyncedTableSpec spec = requested;
  LAKESYNC_RETURN_NOT_OK(ValidateSpec(spec));
  LAKESYNC_ASSIGN_OR_RETURN(pg::QualifiedName target, pg::QualifiedName::Parse(spec.name));
  spec.name = target.ToString();
  LAKESYNC_ASSIGN_OR_RETURN(auto snapshot, OpenLatest(spec.source));
  LAKESYNC_RETURN_NOT_OK(CheckKeyFields(snapshot->schema().fields, spec.primary_key));
  if (spec.policy != SchedulingPolicy::kSnapshot) {
    LAKESYNC_RETURN_NOT_OK(CheckChangeDataFeed(spec.source, snapshot->configuration()));
  }
  LAKESYNC_RETURN_NOT_OK(CheckCreateLimits(*conn_, limits_, spec, *snapshot).status());
  LAKESYNC_RETURN_NOT_OK(store_.Create(spec));
  return store_.Get(spec.name);
}

Result<SyncRun> SyncEngine::RunSnapshot(const SyncedTableState& state,
                                        const SyncOptions& sync_options, RunStopCheck& stop) {
  // The version is pinned so that the estimate of rows (for progress) is of what is loaded.
  LAKESYNC_ASSIGN_OR_RETURN(auto snapshot, OpenLatest(state.spec.source));
  ProgressReporter progress(store_, state.spec.name, sync_options, EstimateRows(*snapshot));
  progress.Report(0);
  SnapshotLoadOptions options;
  options.source = state.spec.source;
  options.version = snapshot->version();
  options.conninfo = conninfo_;
  options.target = state.spec.name;
  options.primary_key = state.spec.primary_key;
  options.timeseries_key = state.spec.timeseries_key;
  options.read_only = true;
  options.max_connections = state.spec.max_connections;
  options.bytes_per_connection = limits_.bytes_per_load_connection;
  // The engine's own connection is the load's first: a run holds no connection beyond the
  // engine's except the load's extra ones, which the limits bound.
  options.connection = conn_.get();
  options.limits = limits_;
  options.on_rows = [&progress](int64_t rows) { progress.Report(rows); };
  options.keep_going = [&] { return stop.Check(*conn_); };
  snapshot.reset();
  auto loaded = LoadSnapshot(options, [&](pg::Connection& conn, const SnapshotLoadResult& r) {
    LAKESYNC_RETURN_NOT_OK(stop.Check(conn));
    if (!sync_options.lease_holder.empty()) {
      LAKESYNC_RETURN_NOT_OK(SetFenceHolder(conn, sync_options.lease_holder, /*local=*/true));
    }
    return StateStore(conn).CommitVersion(state.spec.name, r.version, state.last_processed_version,
                                          r.rows_loaded);
  });
  LAKESYNC_RETURN_NOT_OK(loaded.status());
  progress.Report(loaded->rows_loaded, /*final=*/true);
  SyncRun run;
  run.mode = "SNAPSHOT";
  run.to_version = loaded->version;
  run.rows_inserted = loaded->rows_loaded;
  run.rows_skipped = loaded->rows_skipped_null_key;
  run.seconds = loaded->seconds;
  run.connections = loaded->connections;
  return run;
}

Status SyncEngine::Fail(const SyncedTableState& state, const Status& error, SyncRun run,
                        const SyncOptions& options) {
  run.error = error.ToString();
  // A daemon that lost the lease leaves the state to the one that runs the table now.
  if (!options.lease_holder.empty()) {
    auto held = HoldsLease(*conn_, state.spec.name, options.lease_holder);
    if (held.ok() && !*held) return error;
  }
  const DetailedState failed = state.last_processed_version ? DetailedState::kOnlinePipelineFailed
                                                            : DetailedState::kOfflineFailed;
  // Recording the failure is best effort: the connection itself may be what failed.
  (void)store_.SetState(state.spec.name, failed, error.ToString());
  (void)store_.RecordRun(state.spec.name, run);
  return error;
}

Status SyncEngine::Cancel(const SyncedTableState& state, const Status& error, SyncRun run) {
  run.error = error.ToString();
  // A CONTINUOUS table becomes SYNCED_TABLE_ONLINE (SetEndState); best effort, as in Fail.
  if (state.last_processed_version) {
    (void)store_.SetEndState(
        state.spec.name, DetailedState::kOnlineNoPendingUpdate,
        fmt::format("update canceled: the pipeline was stopped; the table keeps version {}",
                    *state.last_processed_version));
  } else {
    (void)store_.SetEndState(
        state.spec.name, DetailedState::kProvisioning,
        "initial load canceled: the pipeline was stopped; start an update to load the table");
  }
  (void)store_.RecordRun(state.spec.name, run);
  return error;
}

Result<SyncRun> SyncEngine::Sync(const std::string& name, const SyncOptions& requested) {
  SyncOptions options = requested;
  if (options.lease_holder.empty()) options.lease_holder = lease_holder_;
  LAKESYNC_ASSIGN_OR_RETURN(SyncedTableState state, Get(name));
  const std::string& table = state.spec.name;
  // The run lock: a session advisory lock keyed by the table, so it goes away with a process
  // that dies. Two tables whose names hash alike share a lock, which only serializes them.
  LAKESYNC_ASSIGN_OR_RETURN(
      auto locked,
      conn_->Query("SELECT pg_try_advisory_lock(hashtext('lakesync.run'), hashtext($1))", {table}));
  if (locked.Get(0, 0) != "t") {
    return Status::Conflict(
        "a sync of {} is running (in another lakesync process); try again "
        "when it has finished",
        table);
  }
  struct Unlock {
    pg::Connection& conn;
    const std::string& table;
    ~Unlock() {
      (void)conn.Query("SELECT pg_advisory_unlock(hashtext('lakesync.run'), hashtext($1))",
                       {table});
    }
  } unlock{*conn_, table};
  struct ClearFence {
    pg::Connection* conn;
    ~ClearFence() {
      if (conn != nullptr) (void)SetFenceHolder(*conn, "");
    }
  } clear_fence{nullptr};
  if (!options.lease_holder.empty()) {
    LAKESYNC_RETURN_NOT_OK(SetFenceHolder(*conn_, options.lease_holder));
    clear_fence.conn = conn_.get();
  }
  // Read again under the lock: a run that ended just before it moved the version.
  LAKESYNC_ASSIGN_OR_RETURN(state, store_.Get(table));
  LAKESYNC_ASSIGN_OR_RETURN(ClaimedUpdates claimed, ClaimUpdates(*conn_, table));
  SyncOptions run_options = options;
  run_options.full_refresh = options.full_refresh || claimed.full_refresh;
  log::Info("sync started", {{"database", database_},
                             {"table", table},
                             {"pipeline_id", state.pipeline_id},
                             {"full_refresh", run_options.full_refresh},
                             {"from_version", state.last_processed_version.value_or(-1)}});
  const auto started = std::chrono::steady_clock::now();
  RunStopCheck stop(table);
  Result<SyncRun> run = RunLocked(state, run_options, stop);
  SyncRun measured = run.ok() ? *run : SyncRun{};
  if (!run.ok()) {
    measured.mode =
        run_options.full_refresh || !state.last_processed_version ? "SNAPSHOT" : "INCREMENTAL";
    measured.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  }
  RecordRunMetrics(database_, table, measured, run.status());
  if (run.ok()) {
    log::Info("sync finished", {{"database", database_},
                                {"table", table},
                                {"mode", run->mode},
                                {"to_version", run->to_version.value_or(-1)},
                                {"inserted", run->rows_inserted},
                                {"updated", run->rows_updated},
                                {"deleted", run->rows_deleted},
                                {"connections", run->connections},
                                {"seconds", run->seconds}});
  } else if (stop.canceled()) {
    log::Info("sync canceled: pipeline stopped", {{"database", database_}, {"table", table}});
  } else {
    log::Error("sync failed", {{"database", database_}, {"table", table}, {"error", run.status()}});
  }
  // Logged first: a client that sees its update end finds the run's line.
  (void)FinishUpdates(*conn_, claimed, run.status(), run.ok() ? RunSummary(*run) : "",
                      stop.canceled());
  return run;
}

Result<SyncRun> SyncEngine::RunLocked(const SyncedTableState& state, const SyncOptions& options,
                                      RunStopCheck& stop) {
  const bool initial = !state.last_processed_version.has_value();
  const DetailedState running = initial ? DetailedState::kProvisioningInitialSnapshot
                                        : (state.spec.policy == SchedulingPolicy::kContinuous
                                               ? DetailedState::kOnlineContinuousUpdate
                                               : DetailedState::kOnlineTriggeredUpdate);
  LAKESYNC_RETURN_NOT_OK(store_.SetState(state.spec.name, running, "", /*started=*/true));

  SyncRun run;
  run.from_version = state.last_processed_version ? *state.last_processed_version + 1 : 0;
  auto attempt = [&]() -> Status {
    const bool snapshot_mode =
        initial || options.full_refresh || state.spec.policy == SchedulingPolicy::kSnapshot;
    if (!snapshot_mode) {
      LAKESYNC_ASSIGN_OR_RETURN(auto snapshot, OpenLatest(state.spec.source));
      // No check of the latest version's change data feed here: the change scan checks every
      // version of the range and names the one where the feed was switched off.
      LAKESYNC_ASSIGN_OR_RETURN(
          IncrementalResult inc,
          ApplyIncremental(*conn_, state, *snapshot, limits_, [&] { return stop.Check(*conn_); }));
      if (!inc.needs_full_refresh) {
        run = inc.run;
        ProgressReporter(store_, state.spec.name, options, -1)
            .Report(run.rows_inserted + run.rows_updated + run.rows_deleted, /*final=*/true);
        RecordTargetRows(database_, state.spec.name, inc.row_count);
        return Status::OK();
      }
    }
    LAKESYNC_ASSIGN_OR_RETURN(run, RunSnapshot(state, options, stop));
    RecordTargetRows(database_, state.spec.name, run.rows_inserted);
    return Status::OK();
  };
  Status st = attempt();
  if (!st.ok()) return stop.canceled() ? Cancel(state, st, run) : Fail(state, st, run, options);
  LAKESYNC_RETURN_NOT_OK(
      store_.SetEndState(state.spec.name, DetailedState::kOnlineNoPendingUpdate, RunSummary(run)));
  LAKESYNC_RETURN_NOT_OK(store_.RecordRun(state.spec.name, run));
  return run;
}

Result<SyncedTableState> SyncEngine::Get(const std::string& name) {
  LAKESYNC_ASSIGN_OR_RETURN(pg::QualifiedName n, pg::QualifiedName::Parse(name));
  return store_.Get(n.ToString());
}

Result<SyncedTableState> SyncEngine::GetByPipelineId(const std::string& pipeline_id) {
  return store_.FindByPipelineId(pipeline_id);
}

Result<std::vector<SyncedTableState>> SyncEngine::List() { return store_.List(); }

Status SyncEngine::Delete(const std::string& name, bool purge_data) {
  LAKESYNC_ASSIGN_OR_RETURN(SyncedTableState state, Get(name));
  if (purge_data) {
    LAKESYNC_ASSIGN_OR_RETURN(pg::QualifiedName target, pg::QualifiedName::Parse(state.spec.name));
    LAKESYNC_RETURN_NOT_OK(conn_->Exec(pg::DropTableSql(target)));
  }
  LAKESYNC_RETURN_NOT_OK(store_.Delete(state.spec.name));
  ForgetTableMetrics(database_, state.spec.name);
  return Status::OK();
}

Result<std::vector<SyncRun>> SyncEngine::Runs(const std::string& name, int limit) {
  LAKESYNC_ASSIGN_OR_RETURN(SyncedTableState state, Get(name));
  return store_.Runs(state.spec.name, limit);
}

}  // namespace lakesync::sync
