// Backend: where the synced-table commands act. DirectBackend works straight against the
// target databases (one --dsn, or every database the configuration's catalogs name);
// RestBackend goes through a daemon's REST API (--host). The commands print what either
// returns the same way.
// Thread-safety: none; one backend per command.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lakesync/api/spec_update.h"
#include "lakesync/cli/table_view.h"
#include "lakesync/common/result.h"
#include "lakesync/config/config.h"
#include "lakesync/sync/continuous_pipeline.h"
#include "lakesync/sync/sync_engine.h"

namespace lakesync::cli {

using ProgressFn = std::function<void(const sync::SyncProgress&)>;

struct CreateArgs {
  std::string name;
  std::string source;
  std::vector<std::string> primary_key;
  std::optional<std::string> timeseries_key;
  std::string policy = "TRIGGERED";
  std::optional<std::string> schedule;
  /// Most connections a snapshot load of the table opens (unset: the spec's default, 16).
  std::optional<int> max_connections;
  bool wait = true;  // for the initial load (daemon mode; direct mode always loads)
};

struct SyncResult {
  std::optional<sync::SyncRun> run;  // direct mode
  std::string update_id;             // daemon mode
  std::string update_state;          // daemon mode: QUEUED (no --wait), COMPLETED
  std::optional<TableView> table;    // daemon mode with --wait: the table afterwards
};

class Backend {
 public:
  virtual ~Backend() = default;
  /// Creates the synced table and (unless !wait in daemon mode) waits for its first load.
  virtual Result<TableView> Create(const CreateArgs& args, const ProgressFn& progress) = 0;
  virtual Result<TableView> Get(const std::string& name) = 0;
  virtual Result<std::vector<TableView>> List() = 0;
  virtual Result<TableView> Update(const std::string& name, const api::SpecChanges& changes) = 0;
  virtual Status Delete(const std::string& name, bool purge) = 0;
  /// One update; in daemon mode it is queued and, with `wait`, followed until it ends.
  virtual Result<SyncResult> Sync(const std::string& name, bool full_refresh, bool wait,
                                  const ProgressFn& progress) = 0;
  /// Runs the table's pipeline in this process until `stop` (direct mode only).
  virtual Status SyncContinuously(const std::string& name, bool full_refresh,
                                  const sync::ContinuousOptions& options,
                                  const std::atomic<bool>& stop) = 0;
};

/// Straight against one database.
std::unique_ptr<Backend> MakeDirectBackend(std::string dsn);
/// Straight against the databases of a configuration (names are catalog.schema.table).
std::unique_ptr<Backend> MakeConfigBackend(config::Config config);
/// Through a daemon's REST API.
Result<std::unique_ptr<Backend>> MakeRestBackend(const std::string& url, const std::string& token);

}  // namespace lakesync::cli
