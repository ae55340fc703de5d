// SyncEngine: creates, runs and removes synced tables in one PostgreSQL database. It is the
// one place that moves a synced table through its states: PROVISIONING -> initial snapshot ->
// ONLINE, each run (a snapshot for SNAPSHOT tables and full refreshes; the change data feed
// for TRIGGERED and CONTINUOUS ones) -> ONLINE_NO_PENDING_UPDATE or ONLINE_PIPELINE_FAILED with
// the error as message; a failed first load leaves OFFLINE_FAILED.
// Thread-safety: none; one engine per thread (it owns one connection).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/pg/connection.h"
#include "lakesync/sync/state_store.h"
#include "lakesync/sync/synced_table_spec.h"

namespace lakesync::sync {

class SyncEngine {
 public:
  /// Connects to the target database and creates the `lakesync` schema when missing.
  static Result<std::unique_ptr<SyncEngine>> Open(std::string conninfo);

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
  Result<SyncRun> Sync(const std::string& name, bool full_refresh = false);

  /// `name` may omit the schema (public) and quote parts, as in pg::QualifiedName::Parse.
  Result<SyncedTableState> Get(const std::string& name);
  Result<std::vector<SyncedTableState>> List();
  /// Forgets the synced table; `purge_data` also drops the PostgreSQL table.
  Status Delete(const std::string& name, bool purge_data);
  Result<std::vector<SyncRun>> Runs(const std::string& name, int limit = 20);

  const std::string& conninfo() const { return conninfo_; }

 private:
  SyncEngine(std::string conninfo, std::unique_ptr<pg::Connection> conn)
      : conninfo_(std::move(conninfo)), conn_(std::move(conn)), store_(*conn_) {}
  Result<SyncRun> RunSnapshot(const SyncedTableState& state);
  Status Fail(const SyncedTableState& state, const Status& error, SyncRun run);

  std::string conninfo_;
  std::unique_ptr<pg::Connection> conn_;
  StateStore store_;
};

/// OK when a table with this configuration can feed TRIGGERED/CONTINUOUS syncs; otherwise an
/// InvalidArgument that says how to enable the change data feed.
Status CheckChangeDataFeed(const std::string& source,
                           const std::map<std::string, std::string>& configuration);

}  // namespace lakesync::sync
