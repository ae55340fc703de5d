#include "lakesync/api/synced_table_json.h"

#include <simdjson.h>

#include <algorithm>
#include <set>

#include "lakesync/common/macros.h"

namespace lakesync::api {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

bool Running(sync::DetailedState s) {
  return s == sync::DetailedState::kProvisioningInitialSnapshot ||
         s == sync::DetailedState::kOnlineTriggeredUpdate ||
         s == sync::DetailedState::kOnlineContinuousUpdate;
}

// SyncedTablePipelineProgress of the run in flight (or the last one).
void WriteProgress(JsonWriter& w, std::string_view key, const sync::SyncedTableState& s) {
  const bool running = Running(s.state);
  if (!running && s.rows_done == 0 && !s.rows_total) return;
  w.Key(key).BeginObject();
  w.Member("synced_row_count", s.rows_done);
  if (s.rows_total) {
    w.Member("total_row_count", *s.rows_total);
    const double total = static_cast<double>(std::max<int64_t>(*s.rows_total, 1));
    const double done = static_cast<double>(std::min(s.rows_done, *s.rows_total));
    w.Key("sync_progress_completion").Double(running ? done / total : 1.0);
    if (running && s.rows_per_second > 0) {
      w.Key("estimated_completion_time_seconds")
          .Double(static_cast<double>(*s.rows_total - static_cast<int64_t>(done)) /
                  s.rows_per_second);
    }
  } else if (!running) {
    w.Key("sync_progress_completion").Double(1.0);
  }
  if (s.state == sync::DetailedState::kProvisioningInitialSnapshot) {
    w.Member("provisioning_phase", "PROVISIONING_PHASE_MAIN");
  }
  w.EndObject();
}

// The position fields every sub-status shares.
void WriteLastVersion(JsonWriter& w, const sync::SyncedTableState& s) {
  w.OptionalMember("last_processed_commit_version", s.last_processed_version);
  w.OptionalMember("timestamp", s.last_sync_end);
}

void WriteStatus(JsonWriter& w, const sync::SyncedTableState& s) {
  using sync::DetailedState;
  w.Key("data_synchronization_status").BeginObject();
  w.Member("detailed_state", sync::DetailedStateName(s.state));
  w.Member("message", s.message);
  if (!s.pipeline_id.empty()) w.Member("pipeline_id", s.pipeline_id);
  switch (s.state) {
    case DetailedState::kProvisioning:
    case DetailedState::kProvisioningInitialSnapshot:
      w.Key("provisioning_status").BeginObject();
      WriteProgress(w, "initial_pipeline_sync_progress", s);
      w.EndObject();
      break;
    case DetailedState::kOnlineContinuousUpdate:
      w.Key("continuous_update_status").BeginObject();
      WriteLastVersion(w, s);
      WriteProgress(w, "initial_pipeline_sync_progress", s);
      w.EndObject();
      break;
    case DetailedState::kOnlineNoPendingUpdate:
    case DetailedState::kOnlineTriggeredUpdate:
    case DetailedState::kOnline:
      if (s.spec.policy == sync::SchedulingPolicy::kContinuous) {
        w.Key("continuous_update_status").BeginObject();
        WriteLastVersion(w, s);
        w.EndObject();
      } else {
        w.Key("triggered_update_status").BeginObject();
        WriteLastVersion(w, s);
        WriteProgress(w, "triggered_update_progress", s);
        w.EndObject();
      }
      break;
    case DetailedState::kOnlinePipelineFailed:
    case DetailedState::kOfflineFailed:
      w.Key("failed_status").BeginObject();
      WriteLastVersion(w, s);
      w.EndObject();
      break;
    case DetailedState::kOffline:
      break;
  }
  if (s.last_processed_version) {
    w.Key("last_sync").BeginObject();
    w.Key("delta_table_sync_info").BeginObject();
    w.Member("delta_commit_version", *s.last_processed_version);
    w.EndObject();
    w.OptionalMember("sync_start_timestamp", s.last_sync_start);
    w.OptionalMember("sync_end_timestamp", s.last_sync_end);
    w.EndObject();
  }
  w.EndObject();
}

// Reads the members of one JSON object, refusing names nobody reads.
class Fields {
 public:
  Fields(object obj, std::string prefix) : obj_(obj), prefix_(std::move(prefix)) {}

  Result<std::optional<std::string>> String(const char* key) {
    element e;
    if (!Get(key, &e)) return std::optional<std::string>();
    std::string_view v;
    if (e.get(v) != simdjson::SUCCESS) return Bad(key, "a string");
    return std::optional<std::string>(std::string(v));
  }
  Result<std::optional<bool>> Bool(const char* key) {
    element e;
    if (!Get(key, &e)) return std::optional<bool>();
    bool v;
    if (e.get(v) != simdjson::SUCCESS) return Bad(key, "true or false");
    return std::optional<bool>(v);
  }
  Result<std::optional<std::vector<std::string>>> Strings(const char* key) {
    element e;
    if (!Get(key, &e)) return std::optional<std::vector<std::string>>();
    simdjson::dom::array arr;
    if (e.get(arr) != simdjson::SUCCESS) return Bad(key, "an array of strings");
    std::vector<std::string> out;
    for (element item : arr) {
      std::string_view v;
      if (item.get(v) != simdjson::SUCCESS) return Bad(key, "an array of strings");
      out.emplace_back(v);
    }
    return std::optional<std::vector<std::string>>(std::move(out));
  }
  Result<std::optional<object>> Object(const char* key) {
    element e;
    if (!Get(key, &e)) return std::optional<object>();
    object o;
    if (e.get(o) != simdjson::SUCCESS) return Bad(key, "an object");
    return std::optional<object>(o);
  }
  /// Marks `key` as known without reading it.
  void Ignore(const char* key) { known_.insert(key); }
  Status CheckNoOthers() const {
    for (auto [key, value] : obj_) {
      if (known_.count(std::string(key)) == 0) {
        return Status::InvalidArgument("unknown field {}{}", prefix_, key);
      }
    }
    return Status::OK();
  }
  std::string Path(const char* key) const { return prefix_ + key; }

 private:
  bool Get(const char* key, element* e) {
    known_.insert(key);
    return obj_.at_key(key).get(*e) == simdjson::SUCCESS && !e->is_null();
  }
  Status Bad(const char* key, std::string_view what) const {
    return Status::InvalidArgument("field {}{} must be {}", prefix_, key, what);
  }

  object obj_;
  std::string prefix_;
  std::set<std::string> known_;
};

Result<object> ParseObject(simdjson::dom::parser& parser, std::string_view body) {
  element doc;
  object obj;
  if (parser.parse(body.data(), body.size()).get(doc) != simdjson::SUCCESS ||
      doc.get(obj) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the request body is not a JSON object");
  }
  return obj;
}

}  // namespace

void WriteSyncedTable(JsonWriter& w, const sync::SyncedTableState& s, const TableLocation& where,
                      const config::Config& config) {
  w.BeginObject();
  w.Member("name", where.catalog + "." + s.spec.name);
  w.Member("database_instance_name", where.instance);
  w.Member("logical_database_name", where.database);
  w.Member("effective_database_instance_name", where.instance);
  w.Member("effective_logical_database_name", where.database);
  w.Key("spec").BeginObject();
  w.Member("source_table_full_name", config.SourceName(s.spec.source));
  w.Key("primary_key_columns").BeginArray();
  for (const auto& k : s.spec.primary_key) w.String(k);
  w.EndArray();
  w.OptionalMember("timeseries_key", s.spec.timeseries_key);
  w.Member("scheduling_policy", sync::SchedulingPolicyName(s.spec.policy));
  w.OptionalMember("schedule", s.spec.schedule);
  w.EndObject();
  WriteStatus(w, s);
  w.Member("unity_catalog_provisioning_state", "ACTIVE");
  w.EndObject();
}

Result<SyncedTableRequest> ParseSyncedTableRequest(std::string_view body) {
  simdjson::dom::parser parser;
  LAKESYNC_ASSIGN_OR_RETURN(object root, ParseObject(parser, body));
  SyncedTableRequest req;
  Fields top(root, "");
  LAKESYNC_ASSIGN_OR_RETURN(auto name, top.String("name"));
  req.name = name.value_or("");
  LAKESYNC_ASSIGN_OR_RETURN(req.database_instance_name, top.String("database_instance_name"));
  LAKESYNC_ASSIGN_OR_RETURN(req.logical_database_name, top.String("logical_database_name"));
  for (const char* output_only :
       {"data_synchronization_status", "effective_database_instance_name",
        "effective_logical_database_name", "unity_catalog_provisioning_state"}) {
    top.Ignore(output_only);
  }
  LAKESYNC_ASSIGN_OR_RETURN(auto spec, top.Object("spec"));
  LAKESYNC_RETURN_NOT_OK(top.CheckNoOthers());
  if (!spec) return req;
  Fields f(*spec, "spec.");
  LAKESYNC_ASSIGN_OR_RETURN(req.source_table_full_name, f.String("source_table_full_name"));
  LAKESYNC_ASSIGN_OR_RETURN(req.primary_key_columns, f.Strings("primary_key_columns"));
  LAKESYNC_ASSIGN_OR_RETURN(req.timeseries_key, f.String("timeseries_key"));
  LAKESYNC_ASSIGN_OR_RETURN(auto policy, f.String("scheduling_policy"));
  if (policy) {
    auto parsed = sync::ParseSchedulingPolicy(*policy);
    if (!parsed.ok()) {
      return Status::InvalidArgument(
          "field spec.scheduling_policy must be SNAPSHOT, TRIGGERED or CONTINUOUS, not '{}'",
          *policy);
    }
    req.scheduling_policy = *parsed;
  }
  LAKESYNC_ASSIGN_OR_RETURN(req.schedule, f.String("schedule"));
  LAKESYNC_ASSIGN_OR_RETURN(req.existing_pipeline_id, f.String("existing_pipeline_id"));
  LAKESYNC_ASSIGN_OR_RETURN(auto create_objects, f.Bool("create_database_objects_if_missing"));
  req.create_database_objects_if_missing = create_objects.value_or(false);
  // Where Databricks keeps a pipeline's checkpoints; lakesync keeps its state in PostgreSQL.
  LAKESYNC_ASSIGN_OR_RETURN(auto new_pipeline, f.Object("new_pipeline_spec"));
  if (new_pipeline) {
    req.new_pipeline_spec = true;
    Fields n(*new_pipeline, "spec.new_pipeline_spec.");
    LAKESYNC_RETURN_NOT_OK(n.String("storage_catalog").status());
    LAKESYNC_RETURN_NOT_OK(n.String("storage_schema").status());
    LAKESYNC_RETURN_NOT_OK(n.CheckNoOthers());
  }
  LAKESYNC_RETURN_NOT_OK(f.CheckNoOthers());
  return req;
}

Result<StartUpdateRequest> ParseStartUpdateRequest(std::string_view body) {
  StartUpdateRequest req;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return req;
  simdjson::dom::parser parser;
  LAKESYNC_ASSIGN_OR_RETURN(object root, ParseObject(parser, body));
  Fields f(root, "");
  LAKESYNC_ASSIGN_OR_RETURN(auto full, f.Bool("full_refresh"));
  req.full_refresh = full.value_or(false);
  LAKESYNC_ASSIGN_OR_RETURN(req.cause, f.String("cause"));
  LAKESYNC_ASSIGN_OR_RETURN(auto validate_only, f.Bool("validate_only"));
  if (validate_only.value_or(false)) {
    return Status::NotSupported("validate_only updates are not supported by lakesync");
  }
  // A synced table's pipeline has one table: a selection naming it is the whole update.
  LAKESYNC_ASSIGN_OR_RETURN(auto refresh, f.Strings("refresh_selection"));
  LAKESYNC_ASSIGN_OR_RETURN(auto full_selection, f.Strings("full_refresh_selection"));
  if (full_selection && !full_selection->empty()) req.full_refresh = true;
  LAKESYNC_RETURN_NOT_OK(f.CheckNoOthers());
  return req;
}

}  // namespace lakesync::api
