// SyncedTableService: what each REST route does, free of HTTP: requests in (parsed path and
// query parameters, the body), the JSON body of the answer out, or a Status the server turns
// into a Databricks error. Names are resolved through the configuration's catalogs; each
// database is reached through the EnginePool; slow work (initial snapshots) runs as a
// BackgroundJob.
// Thread-safety: every member may be called from any thread (the server calls them from its
// worker threads).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lakesync/api/background_jobs.h"
#include "lakesync/api/engine_pool.h"
#include "lakesync/api/synced_table_json.h"
#include "lakesync/common/result.h"
#include "lakesync/config/config.h"

namespace lakesync::api {

class SyncedTableService {
 public:
  /// `run_updates`: also run requested updates in this process (for an API without a
  /// Scheduler; `lakesync serve` leaves them to its Scheduler). Borrowed objects must outlive
  /// the service.
  SyncedTableService(const config::Config& config, EnginePool& pool, BackgroundJobs& jobs,
                     bool run_updates)
      : config_(config), pool_(pool), jobs_(jobs), run_updates_(run_updates) {}

  /// POST /api/2.0/database/synced_tables
  Result<std::string> Create(std::string_view body);
  /// GET /api/2.0/database/synced_tables/{name}
  Result<std::string> Get(const std::string& name);
  /// DELETE /api/2.0/database/synced_tables/{name}[?purge_data=true]
  Result<std::string> Delete(const std::string& name, bool purge_data);
  /// PATCH /api/2.0/database/synced_tables/{name}?update_mask=a,b
  Result<std::string> Update(const std::string& name, std::string_view update_mask,
                             std::string_view body);
  /// GET /api/2.0/database/instances/{instance}/synced_tables; an empty `instance` lists
  /// every instance (GET /api/2.0/database/synced_tables, lakesync's addition).
  Result<std::string> List(const std::string& instance, const std::string& page_token,
                           int page_size);
  /// POST /api/2.0/pipelines/{pipeline_id}/updates -> {"update_id": "..."}
  Result<std::string> StartUpdate(const std::string& pipeline_id, std::string_view body);
  /// GET /api/2.0/pipelines/{pipeline_id}/updates/{update_id} -> {"update": {...}}
  Result<std::string> GetUpdate(const std::string& pipeline_id, const std::string& update_id);
  /// GET /api/2.0/pipelines/{pipeline_id} -> GetPipelineResponse
  Result<std::string> GetPipeline(const std::string& pipeline_id);
  /// GET /api/2.0/pipelines/{pipeline_id}/updates?max_results=&page_token=&until_update_id=
  /// -> ListUpdatesResponse, newest first; max_results 0 = the default page (25, at most 100).
  Result<std::string> ListUpdates(const std::string& pipeline_id, int max_results,
                                  const std::string& page_token,
                                  const std::string& until_update_id);
  /// POST /api/2.0/pipelines/{pipeline_id}/stop -> {} (sync/pipeline_control.h)
  Result<std::string> Stop(const std::string& pipeline_id);

 private:
  struct Found {
    sync::SyncedTableState state;
    TableLocation where;
    std::string conninfo;
  };
  Result<Found> FindPipeline(const std::string& pipeline_id);
  /// True when the target's database does not exist on its instance (asked of the instance's
  /// maintenance database, not read from a connection error's text).
  Result<bool> DatabaseMissing(const config::SyncedTableTarget& target);
  /// An engine on the target's database; NotFound naming synced table `name` when the
  /// database does not exist.
  Result<EnginePool::Lease> AcquireExisting(const config::SyncedTableTarget& target,
                                            const std::string& name);
  /// An engine on the target's database; when that database does not exist, it is created
  /// first if `create_missing` (Databricks' create_database_objects_if_missing), else NotFound.
  Result<EnginePool::Lease> AcquireCreatingDatabase(const config::SyncedTableTarget& target,
                                                    bool create_missing);
  std::string Render(const sync::SyncedTableState& state, const TableLocation& where) const;
  /// Loads (or updates) `table` in the background; a run already going elsewhere is fine.
  void SyncInBackground(const config::SyncedTableTarget& target, bool full_refresh);

  const config::Config& config_;
  EnginePool& pool_;
  BackgroundJobs& jobs_;
  const bool run_updates_;
};

}  // namespace lakesync::api
