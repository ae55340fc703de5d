// The synced-table commands straight against PostgreSQL: one database (--dsn, names
// schema.table) or the databases of a configuration (names catalog.schema.table).
#include <fmt/format.h>

#include "lakesync/api/instance_limits.h"
#include "lakesync/cli/backend.h"
#include "lakesync/common/macros.h"
#include "lakesync/pg/connection.h"

namespace lakesync::cli {
namespace {

class DirectBackend : public Backend {
 public:
  DirectBackend(std::string dsn, std::optional<config::Config> config)
      : dsn_(std::move(dsn)), config_(std::move(config)) {}

  Result<TableView> Create(const CreateArgs& args, const ProgressFn& progress) override {
    LAKESYNC_ASSIGN_OR_RETURN(Target t, Resolve(args.name));
    sync::SyncedTableSpec spec;
    spec.name = t.table;
    spec.source = args.source;
    if (config_) {
      LAKESYNC_ASSIGN_OR_RETURN(spec.source, config_->ResolveSource(args.source));
    }
    spec.primary_key = args.primary_key;
    spec.timeseries_key = args.timeseries_key;
    LAKESYNC_ASSIGN_OR_RETURN(spec.policy, sync::ParseSchedulingPolicy(args.policy));
    spec.schedule = args.schedule;
    if (args.max_connections) spec.max_connections = *args.max_connections;
    LAKESYNC_ASSIGN_OR_RETURN(auto engine, OpenEngine(t));
    LAKESYNC_ASSIGN_OR_RETURN(sync::SyncedTableState state, engine->Register(spec));
    sync::SyncOptions options;
    options.on_progress = progress;
    // The first load's failure is the table's state (shown), not an error of the command.
    (void)engine->Sync(state.spec.name, options);
    LAKESYNC_ASSIGN_OR_RETURN(state, engine->Get(state.spec.name));
    return View(state, t);
  }

  Result<TableView> Get(const std::string& name) override {
    LAKESYNC_ASSIGN_OR_RETURN(Target t, Resolve(name));
    LAKESYNC_ASSIGN_OR_RETURN(auto engine, OpenEngine(t));
    LAKESYNC_ASSIGN_OR_RETURN(sync::SyncedTableState state, engine->Get(t.table));
    return View(state, t);
  }

  Result<std::vector<TableView>> List() override {
    std::vector<Target> targets;
    if (config_) {
      for (const auto& db : config_->Databases()) {
        targets.push_back(
            {db.conninfo, "", db.catalog, api::InstanceLimits(*config_, db.instance)});
      }
    } else {
      targets.push_back({dsn_, "", "", {}});
    }
    std::vector<TableView> out;
    for (const Target& t : targets) {
      LAKESYNC_ASSIGN_OR_RETURN(auto engine, OpenEngine(t));
      LAKESYNC_ASSIGN_OR_RETURN(auto states, engine->List());
      for (const auto& s : states) out.push_back(View(s, t));
    }
    return out;
  }

  Result<TableView> Update(const std::string& name, const api::SpecChanges& changes) override {
    LAKESYNC_ASSIGN_OR_RETURN(Target t, Resolve(name));
    LAKESYNC_ASSIGN_OR_RETURN(auto engine, OpenEngine(t));  // schema
    LAKESYNC_ASSIGN_OR_RETURN(sync::SyncedTableState current, engine->Get(t.table));
    LAKESYNC_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(t.conninfo));
    LAKESYNC_ASSIGN_OR_RETURN(sync::SyncedTableState state,
                              api::UpdateSyncedTable(*conn, current.spec.name, changes));
    return View(state, t);
  }

  Status Delete(const std::string& name, bool purge) override {
    LAKESYNC_ASSIGN_OR_RETURN(Target t, Resolve(name));
    LAKESYNC_ASSIGN_OR_RETURN(auto engine, OpenEngine(t));
    return engine->Delete(t.table, purge);
  }

  Result<SyncResult> Sync(const std::string& name, bool full_refresh, bool /*wait*/,
                          const ProgressFn& progress) override {
    LAKESYNC_ASSIGN_OR_RETURN(Target t, Resolve(name));
    LAKESYNC_ASSIGN_OR_RETURN(auto engine, OpenEngine(t));
    sync::SyncOptions options;
    options.full_refresh = full_refresh;
    options.on_progress = progress;
    SyncResult result;
    LAKESYNC_ASSIGN_OR_RETURN(result.run, engine->Sync(t.table, options));
    return result;
  }

  Status SyncContinuously(const std::string& name, bool full_refresh,
                          const sync::ContinuousOptions& options,
                          const std::atomic<bool>& stop) override {
    LAKESYNC_ASSIGN_OR_RETURN(Target t, Resolve(name));
    LAKESYNC_ASSIGN_OR_RETURN(auto engine, OpenEngine(t));
    if (full_refresh) LAKESYNC_RETURN_NOT_OK(engine->Sync(t.table, true).status());
    return sync::RunContinuous(*engine, t.table, stop, options);
  }

 private:
  struct Target {
    std::string conninfo;
    std::string table;    // schema.table in that database
    std::string catalog;  // empty with --dsn
    sync::Limits limits;  // the instance's, from the configuration; Limits{} with --dsn
    std::string Display(const std::string& stored) const {
      return catalog.empty() ? stored : catalog + "." + stored;
    }
  };

  // With a configuration, sources show as lakehouse catalog names where one covers them.
  TableView View(const sync::SyncedTableState& state, const Target& t) const {
    TableView v = ViewOf(state, t.Display(state.spec.name));
    if (config_) v.source = config_->SourceName(v.source);
    return v;
  }

  Result<Target> Resolve(const std::string& name) const {
    if (!config_) return Target{dsn_, name, "", {}};
    LAKESYNC_ASSIGN_OR_RETURN(config::SyncedTableTarget t, config_->ResolveSyncedTable(name));
    return Target{t.conninfo, t.table, t.catalog, api::InstanceLimits(*config_, t.instance)};
  }

  // An engine with the instance's limits: its loads keep within the configured cap.
  static Result<std::unique_ptr<sync::SyncEngine>> OpenEngine(const Target& t) {
    return sync::SyncEngine::Open(t.conninfo, t.limits);
  }

  std::string dsn_;
  std::optional<config::Config> config_;
};

}  // namespace

std::unique_ptr<Backend> MakeDirectBackend(std::string dsn) {
  return std::make_unique<DirectBackend>(std::move(dsn), std::nullopt);
}

std::unique_ptr<Backend> MakeConfigBackend(config::Config config) {
  return std::make_unique<DirectBackend>("", std::move(config));
}

}  // namespace lakesync::cli
