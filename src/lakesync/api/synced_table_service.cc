#include "lakesync/api/synced_table_service.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "lakesync/api/pipeline_json.h"
#include "lakesync/api/spec_update.h"
#include "lakesync/common/logging.h"
#include "lakesync/common/macros.h"
#include "lakesync/pg/connection.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/sync/pipeline_control.h"
#include "lakesync/sync/update_request.h"

namespace lakesync::api {
namespace {

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
// Databricks' ListUpdates pages; GetPipeline shows the newest few updates.
constexpr int kDefaultUpdatesPage = 25;
constexpr int kMaxUpdatesPage = 100;
constexpr int kLatestUpdates = 5;

TableLocation LocationOf(const config::SyncedTableTarget& t) {
  return {t.catalog, t.instance, t.database};
}

// How long a pipelines request waits for a row lock before answering 503: a run holds its
// table's row in the transaction that commits it, and that transaction may wait on a user's
// lock (a rename waiting for readers) for as long as the user keeps it.
constexpr std::string_view kRequestLockTimeout = "5s";

// A connection for one pipelines request, whose statements give up on a lock in time.
Result<std::unique_ptr<pg::Connection>> OpenForRequest(const std::string& conninfo) {
  LAKESYNC_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(conninfo));
  LAKESYNC_RETURN_NOT_OK(conn->Exec(fmt::format("SET lock_timeout = '{}'", kRequestLockTimeout)));
  return conn;
}

// `st` of a statement on `conn` for pipeline `pipeline_id`: a lock timeout becomes Unavailable
// (HTTP 503, retry later).
Status RetryLaterOnLockTimeout(const pg::Connection& conn, Status st,
                               const std::string& pipeline_id) {
  if (st.ok() || conn.last_sqlstate() != "55P03") return st;
  return Status::Unavailable(
      "pipeline {}: its synced table stayed locked for {} by a run that is committing; retry "
      "later",
      pipeline_id, kRequestLockTimeout);
}

}  // namespace

std::string SyncedTableService::Render(const sync::SyncedTableState& state,
                                       const TableLocation& where) const {
  JsonWriter w;
  WriteSyncedTable(w, state, where, config_);
  return w.Take();
}

void SyncedTableService::SyncInBackground(const config::SyncedTableTarget& target,
                                          bool full_refresh) {
  EnginePool* pool = &pool_;
  jobs_.Run([pool, target, full_refresh] {
    auto engine = pool->Acquire(target.instance, target.conninfo);
    if (!engine.ok()) {
      log::Error("background sync could not start",
                 {{"table", target.table}, {"error", engine.status()}});
      return;
    }
    auto run = engine->Check((*engine)->Sync(target.table, full_refresh));
    // The outcome is the table's state; a Conflict means another process runs it already.
    if (!run.ok() && !run.status().IsConflict()) {
      log::Warn("background sync failed", {{"table", target.table}, {"error", run.status()}});
    }
  });
}

Result<std::string> SyncedTableService::Create(std::string_view body) {
  LAKESYNC_ASSIGN_OR_RETURN(SyncedTableRequest req, ParseSyncedTableRequest(body));
  if (req.name.empty()) return Status::InvalidArgument("field name is required");
  LAKESYNC_ASSIGN_OR_RETURN(config::SyncedTableTarget target, config_.ResolveSyncedTable(req.name));
  if (req.database_instance_name && *req.database_instance_name != target.instance) {
    return Status::InvalidArgument(
        "database_instance_name '{}' does not match instance '{}' of catalog {}",
        *req.database_instance_name, target.instance, target.catalog);
  }
  if (req.logical_database_name && *req.logical_database_name != target.database) {
    return Status::InvalidArgument(
        "logical_database_name '{}' does not match database '{}' of catalog {}",
        *req.logical_database_name, target.database, target.catalog);
  }
  if (!req.source_table_full_name) {
    return Status::InvalidArgument("field spec.source_table_full_name is required");
  }
  if (!req.primary_key_columns || req.primary_key_columns->empty()) {
    return Status::InvalidArgument("field spec.primary_key_columns is required");
  }
  sync::SyncedTableSpec spec;
  spec.name = target.table;
  LAKESYNC_ASSIGN_OR_RETURN(spec.source, config_.ResolveSource(*req.source_table_full_name));
  spec.primary_key = *req.primary_key_columns;
  spec.timeseries_key = req.timeseries_key;
  spec.policy = req.scheduling_policy.value_or(sync::SchedulingPolicy::kTriggered);
  spec.schedule = req.schedule;
  if (req.existing_pipeline_id && req.new_pipeline_spec) {
    return Status::InvalidArgument(
        "give at most one of spec.existing_pipeline_id and spec.new_pipeline_spec");
  }
  if (req.existing_pipeline_id) {
    // lakesync runs one pipeline per table; an existing one is only checked, as Databricks
    // checks it, so requests written for bin packing still work.
    LAKESYNC_ASSIGN_OR_RETURN(Found other, FindPipeline(*req.existing_pipeline_id));
    if (other.state.spec.policy != spec.policy) {
      return Status::InvalidArgument(
          "scheduling_policy {} does not match {} of existing pipeline {}",
          sync::SchedulingPolicyName(spec.policy),
          sync::SchedulingPolicyName(other.state.spec.policy), *req.existing_pipeline_id);
    }
  }
  LAKESYNC_ASSIGN_OR_RETURN(
      auto engine, AcquireCreatingDatabase(target, req.create_database_objects_if_missing));
  if (!req.create_database_objects_if_missing) {
    LAKESYNC_ASSIGN_OR_RETURN(pg::QualifiedName qn, pg::QualifiedName::Parse(target.table));
    auto conn = pg::Connection::Open(target.conninfo);
    if (!conn.ok()) return conn.status();
    LAKESYNC_ASSIGN_OR_RETURN(
        auto rows, (*conn)->Query("SELECT 1 FROM pg_namespace WHERE nspname = $1", {qn.schema}));
    if (rows.rows() == 0) {
      return Status::NotFound(
          "schema {} does not exist in database {} of instance {}; create it or set "
          "spec.create_database_objects_if_missing",
          qn.schema, target.database, target.instance);
    }
  }
  LAKESYNC_ASSIGN_OR_RETURN(sync::SyncedTableState state, engine.Check(engine->Register(spec)));
  log::Info("synced table created", {{"table", req.name}, {"pipeline_id", state.pipeline_id}});
  SyncInBackground(target, /*full_refresh=*/false);
  return Render(state, LocationOf(target));
}

Result<bool> SyncedTableService::DatabaseMissing(const config::SyncedTableTarget& target) {
  LAKESYNC_ASSIGN_OR_RETURN(std::string admin_conninfo,
                            config_.Conninfo(target.instance, "postgres"));
  LAKESYNC_ASSIGN_OR_RETURN(auto admin, pg::Connection::Open(admin_conninfo));
  LAKESYNC_ASSIGN_OR_RETURN(
      auto rows, admin->Query("SELECT 1 FROM pg_database WHERE datname = $1", {target.database}));
  return rows.rows() == 0;
}

Result<EnginePool::Lease> SyncedTableService::AcquireCreatingDatabase(
    const config::SyncedTableTarget& target, bool create_missing) {
  auto engine = pool_.Acquire(target.instance, target.conninfo);
  if (engine.ok()) return engine;
  auto missing = DatabaseMissing(target);
  if (!missing.ok() || !*missing) return engine.status();
  if (!create_missing) {
    return Status::NotFound(
        "database {} does not exist on instance {}; create it or set "
        "spec.create_database_objects_if_missing",
        target.database, target.instance);
  }
  LAKESYNC_ASSIGN_OR_RETURN(std::string admin_conninfo,
                            config_.Conninfo(target.instance, "postgres"));
  LAKESYNC_ASSIGN_OR_RETURN(auto admin, pg::Connection::Open(admin_conninfo));
  Status created = admin->Exec("CREATE DATABASE " + pg::QuoteIdent(target.database));
  // Another request may have created it meanwhile; the second Acquire tells.
  if (created.ok()) {
    log::Info("database created", {{"instance", target.instance}, {"database", target.database}});
  } else {
    log::Warn("CREATE DATABASE failed", {{"database", target.database}, {"error", created}});
  }
  return pool_.Acquire(target.instance, target.conninfo);
}

Result<EnginePool::Lease> SyncedTableService::AcquireExisting(
    const config::SyncedTableTarget& target, const std::string& name) {
  auto engine = pool_.Acquire(target.instance, target.conninfo);
  if (engine.ok() || !DatabaseMissing(target).value_or(false)) return engine;
  return Status::NotFound("synced table {} does not exist (database {} does not exist)", name,
                          target.database);
}

Result<std::string> SyncedTableService::Get(const std::string& name) {
  LAKESYNC_ASSIGN_OR_RETURN(config::SyncedTableTarget target, config_.ResolveSyncedTable(name));
  LAKESYNC_ASSIGN_OR_RETURN(auto engine, AcquireExisting(target, name));
  auto state = engine.Check(engine->Get(target.table));
  if (!state.ok()) {
    if (state.status().IsNotFound())
      return Status::NotFound("synced table {} does not exist", name);
    return state.status();
  }
  return Render(*state, LocationOf(target));
}

Result<std::string> SyncedTableService::Delete(const std::string& name, bool purge_data) {
  LAKESYNC_ASSIGN_OR_RETURN(config::SyncedTableTarget target, config_.ResolveSyncedTable(name));
  LAKESYNC_ASSIGN_OR_RETURN(auto engine, AcquireExisting(target, name));
  Status st = engine.Check(engine->Delete(target.table, purge_data));
  if (st.IsNotFound()) return Status::NotFound("synced table {} does not exist", name);
  LAKESYNC_RETURN_NOT_OK(st);
  log::Info("synced table deleted", {{"table", name}, {"purge_data", purge_data}});
  return std::string("{}");
}

Result<std::string> SyncedTableService::Update(const std::string& name,
                                               std::string_view update_mask,
                                               std::string_view body) {
  LAKESYNC_ASSIGN_OR_RETURN(SyncedTableRequest req, ParseSyncedTableRequest(body));
  LAKESYNC_ASSIGN_OR_RETURN(SpecChanges changes, ChangesFromMask(update_mask, req));
  LAKESYNC_ASSIGN_OR_RETURN(config::SyncedTableTarget target, config_.ResolveSyncedTable(name));
  LAKESYNC_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(target.conninfo));
  auto state = UpdateSyncedTable(*conn, target.table, changes);
  if (!state.ok()) {
    if (state.status().IsNotFound())
      return Status::NotFound("synced table {} does not exist", name);
    return state.status();
  }
  log::Info("synced table updated", {{"table", name}, {"update_mask", update_mask}});
  return Render(*state, LocationOf(target));
}

Result<std::string> SyncedTableService::List(const std::string& instance,
                                             const std::string& page_token, int page_size) {
  if (page_size < 0) return Status::InvalidArgument("page_size must not be negative");
  if (page_size == 0) page_size = kDefaultPageSize;
  page_size = std::min(page_size, kMaxPageSize);
  if (!instance.empty() && config_.instances().count(instance) == 0) {
    return Status::NotFound("database instance {} does not exist", instance);
  }
  std::vector<std::pair<std::string, std::string>> rendered;  // full name -> JSON
  for (const config::SyncedTableTarget& db : config_.Databases()) {
    if (!instance.empty() && db.instance != instance) continue;
    auto engine = pool_.Acquire(db.instance, db.conninfo);
    if (!engine.ok()) {
      // A catalog whose database is not created yet holds no synced tables.
      if (DatabaseMissing(db).value_or(false)) continue;
      return engine.status();
    }
    LAKESYNC_ASSIGN_OR_RETURN(auto states, engine->Check((*engine)->List()));
    for (const auto& s : states) {
      rendered.emplace_back(db.catalog + "." + s.spec.name, Render(s, LocationOf(db)));
    }
  }
  std::sort(rendered.begin(), rendered.end());
  // The page token is the last name of the previous page: pages stay right when tables come
  // and go between requests.
  auto it = page_token.empty() ? rendered.begin()
                               : std::upper_bound(rendered.begin(), rendered.end(), page_token,
                                                  [](const std::string& token, const auto& entry) {
                                                    return token < entry.first;
                                                  });
  std::string out = "{\"synced_tables\":[";
  int n = 0;
  for (; it != rendered.end() && n < page_size; ++it, ++n) {
    if (n > 0) out += ',';
    out += it->second;
  }
  out += ']';
  if (it != rendered.end() && n > 0) {
    JsonWriter token;
    token.String(std::prev(it)->first);
    out += ",\"next_page_token\":" + token.str();
  }
  out += '}';
  return out;
}

Result<SyncedTableService::Found> SyncedTableService::FindPipeline(const std::string& pipeline_id) {
  Status first_error;
  // One wait for a connection slot for the whole search, not one per database: a client asking
  // for a pipeline's status gets an answer (or 503) within the pool's wait.
  const auto deadline = std::chrono::steady_clock::now() + pool_.wait();
  for (const config::SyncedTableTarget& db : config_.Databases()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto engine =
        pool_.Acquire(db.instance, db.conninfo, std::max(left, std::chrono::milliseconds(0)));
    if (!engine.ok()) {
      if (first_error.ok() && !DatabaseMissing(db).value_or(false)) first_error = engine.status();
      continue;
    }
    auto state = engine->Check((*engine)->GetByPipelineId(pipeline_id));
    if (state.ok()) return Found{std::move(state).value(), LocationOf(db), db.conninfo};
    if (!state.status().IsNotFound() && first_error.ok()) first_error = state.status();
  }
  if (!first_error.ok()) return first_error;
  return Status::NotFound("pipeline {} does not exist", pipeline_id);
}

Result<std::string> SyncedTableService::StartUpdate(const std::string& pipeline_id,
                                                    std::string_view body) {
  LAKESYNC_ASSIGN_OR_RETURN(StartUpdateRequest req, ParseStartUpdateRequest(body));
  LAKESYNC_ASSIGN_OR_RETURN(Found found, FindPipeline(pipeline_id));
  LAKESYNC_ASSIGN_OR_RETURN(auto conn, OpenForRequest(found.conninfo));
  auto requested = sync::RequestUpdate(*conn, found.state.spec.name, req.full_refresh);
  LAKESYNC_RETURN_NOT_OK(RetryLaterOnLockTimeout(*conn, requested.status(), pipeline_id));
  const std::string update_id = std::move(requested).value();
  log::Info(
      "update requested",
      {{"pipeline_id", pipeline_id}, {"update_id", update_id}, {"full_refresh", req.full_refresh}});
  if (run_updates_) {
    SyncInBackground({found.where.catalog, found.where.instance, found.where.database,
                      found.state.spec.name, found.conninfo},
                     req.full_refresh);
  }
  JsonWriter w;
  w.BeginObject().Member("update_id", update_id).EndObject();
  return w.Take();
}

Result<std::string> SyncedTableService::GetUpdate(const std::string& pipeline_id,
                                                  const std::string& update_id) {
  LAKESYNC_ASSIGN_OR_RETURN(Found found, FindPipeline(pipeline_id));
  LAKESYNC_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(found.conninfo));
  auto update = sync::GetUpdate(*conn, update_id);
  if (!update.ok() || update->name != found.state.spec.name) {
    if (update.ok() || update.status().IsNotFound()) {
      return Status::NotFound("update {} of pipeline {} does not exist", update_id, pipeline_id);
    }
    return update.status();
  }
  JsonWriter w;
  w.BeginObject().Key("update");
  WriteUpdateInfo(w, pipeline_id, *update);
  w.EndObject();
  return w.Take();
}

}  // namespace lakesync::api

namespace lakesync::api {

Result<std::string> SyncedTableService::GetPipeline(const std::string& pipeline_id) {
  LAKESYNC_ASSIGN_OR_RETURN(Found found, FindPipeline(pipeline_id));
  LAKESYNC_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(found.conninfo));
  const std::string& table = found.state.spec.name;
  LAKESYNC_ASSIGN_OR_RETURN(sync::PipelineStatus status, sync::GetPipelineStatus(*conn, table));
  LAKESYNC_ASSIGN_OR_RETURN(auto latest, sync::ListUpdates(*conn, table, kLatestUpdates));
  return PipelineJson(found.state, found.where.catalog + "." + table, status, latest);
}

Result<std::string> SyncedTableService::ListUpdates(const std::string& pipeline_id, int max_results,
                                                    const std::string& page_token,
                                                    const std::string& until_update_id) {
  if (max_results < 0) return Status::InvalidArgument("max_results must be a positive number");
  if (max_results == 0) max_results = kDefaultUpdatesPage;
  max_results = std::min(max_results, kMaxUpdatesPage);
  LAKESYNC_ASSIGN_OR_RETURN(Found found, FindPipeline(pipeline_id));
  LAKESYNC_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(found.conninfo));
  LAKESYNC_ASSIGN_OR_RETURN(
      sync::UpdatePage page,
      sync::ListUpdatePage(*conn, found.state.spec.name, max_results, page_token, until_update_id));
  return UpdatePageJson(pipeline_id, page);
}

Result<std::string> SyncedTableService::Stop(const std::string& pipeline_id) {
  LAKESYNC_ASSIGN_OR_RETURN(Found found, FindPipeline(pipeline_id));
  LAKESYNC_ASSIGN_OR_RETURN(auto conn, OpenForRequest(found.conninfo));
  LAKESYNC_RETURN_NOT_OK(RetryLaterOnLockTimeout(
      *conn, sync::StopPipeline(*conn, found.state.spec.name), pipeline_id));
  log::Info("pipeline stopped", {{"pipeline_id", pipeline_id}, {"table", found.state.spec.name}});
  return std::string("{}");
}

}  // namespace lakesync::api
