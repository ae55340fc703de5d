#include "lakesync/sync/sync_engine.h"

#include <fmt/format.h>

#include "lakesync/common/macros.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/sync/incremental_sync.h"
#include "lakesync/sync/key_columns.h"
#include "lakesync/sync/read_only.h"
#include "lakesync/sync/snapshot_loader.h"

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

}  // namespace

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
  std::unique_ptr<SyncEngine> engine(new SyncEngine(std::move(conninfo), std::move(conn)));
  LAKESYNC_RETURN_NOT_OK(engine->store_.EnsureSchema());
  LAKESYNC_RETURN_NOT_OK(EnsureWriterRole(*engine->conn_));
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
  LAKESYNC_RETURN_NOT_OK(store_.Create(spec));
  return store_.Get(spec.name);
}

Result<SyncRun> SyncEngine::RunSnapshot(const SyncedTableState& state) {
  SnapshotLoadOptions options;
  options.source = state.spec.source;
  options.conninfo = conninfo_;
  options.target = state.spec.name;
  options.primary_key = state.spec.primary_key;
  options.timeseries_key = state.spec.timeseries_key;
  options.read_only = true;
  auto loaded = LoadSnapshot(options, [&](pg::Connection& conn, const SnapshotLoadResult& r) {
    return StateStore(conn).CommitVersion(state.spec.name, r.version, state.last_processed_version,
                                          r.rows_loaded);
  });
  LAKESYNC_RETURN_NOT_OK(loaded.status());
  SyncRun run;
  run.mode = "SNAPSHOT";
  run.to_version = loaded->version;
  run.rows_inserted = loaded->rows_loaded;
  run.rows_skipped = loaded->rows_skipped_null_key;
  run.seconds = loaded->seconds;
  return run;
}

Status SyncEngine::Fail(const SyncedTableState& state, const Status& error, SyncRun run) {
  run.error = error.ToString();
  const DetailedState failed = state.last_processed_version ? DetailedState::kOnlinePipelineFailed
                                                            : DetailedState::kOfflineFailed;
  // Recording the failure is best effort: the connection itself may be what failed.
  (void)store_.SetState(state.spec.name, failed, error.ToString());
  (void)store_.RecordRun(state.spec.name, run);
  return error;
}

Result<SyncRun> SyncEngine::Sync(const std::string& name, bool full_refresh) {
  LAKESYNC_ASSIGN_OR_RETURN(SyncedTableState state, Get(name));
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
        initial || full_refresh || state.spec.policy == SchedulingPolicy::kSnapshot;
    if (!snapshot_mode) {
      LAKESYNC_ASSIGN_OR_RETURN(auto snapshot, OpenLatest(state.spec.source));
      LAKESYNC_RETURN_NOT_OK(CheckChangeDataFeed(state.spec.source, snapshot->configuration()));
      LAKESYNC_ASSIGN_OR_RETURN(IncrementalResult inc, ApplyIncremental(*conn_, state, *snapshot));
      if (!inc.needs_full_refresh) {
        run = inc.run;
        return Status::OK();
      }
    }
    LAKESYNC_ASSIGN_OR_RETURN(run, RunSnapshot(state));
    return Status::OK();
  };
  Status st = attempt();
  if (!st.ok()) return Fail(state, st, run);
  LAKESYNC_RETURN_NOT_OK(
      store_.SetState(state.spec.name, DetailedState::kOnlineNoPendingUpdate, RunSummary(run)));
  LAKESYNC_RETURN_NOT_OK(store_.RecordRun(state.spec.name, run));
  return run;
}

Result<SyncedTableState> SyncEngine::Get(const std::string& name) {
  LAKESYNC_ASSIGN_OR_RETURN(pg::QualifiedName n, pg::QualifiedName::Parse(name));
  return store_.Get(n.ToString());
}

Result<std::vector<SyncedTableState>> SyncEngine::List() { return store_.List(); }

Status SyncEngine::Delete(const std::string& name, bool purge_data) {
  LAKESYNC_ASSIGN_OR_RETURN(SyncedTableState state, Get(name));
  if (purge_data) {
    LAKESYNC_ASSIGN_OR_RETURN(pg::QualifiedName target, pg::QualifiedName::Parse(state.spec.name));
    LAKESYNC_RETURN_NOT_OK(conn_->Exec(pg::DropTableSql(target)));
  }
  return store_.Delete(state.spec.name);
}

Result<std::vector<SyncRun>> SyncEngine::Runs(const std::string& name, int limit) {
  LAKESYNC_ASSIGN_OR_RETURN(SyncedTableState state, Get(name));
  return store_.Runs(state.spec.name, limit);
}

}  // namespace lakesync::sync
