#include "lakesync/cli/table_view.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "lakesync/api/json_writer.h"

namespace lakesync::cli {
namespace {

using simdjson::dom::element;

std::optional<std::string> OptString(element e, const char* pointer) {
  std::string_view v;
  if (e.at_pointer(pointer).get(v) != simdjson::SUCCESS) return std::nullopt;
  return std::string(v);
}

std::optional<int64_t> OptInt(element e, const char* pointer) {
  int64_t v;
  if (e.at_pointer(pointer).get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

std::optional<double> OptDouble(element e, const char* pointer) {
  double v;
  if (e.at_pointer(pointer).get(v) != simdjson::SUCCESS) return std::nullopt;
  return v;
}

}  // namespace

TableView ViewOf(const sync::SyncedTableState& s, std::string display_name) {
  TableView v;
  v.name = std::move(display_name);
  v.source = s.spec.source;
  v.primary_key = s.spec.primary_key;
  v.timeseries_key = s.spec.timeseries_key;
  v.policy = sync::SchedulingPolicyName(s.spec.policy);
  v.schedule = s.spec.schedule;
  v.max_connections = s.spec.max_connections;
  v.state = sync::DetailedStateName(s.state);
  v.message = s.message;
  v.pipeline_id = s.pipeline_id;
  v.last_version = s.last_processed_version;
  v.last_sync_start = s.last_sync_start;
  v.last_sync_end = s.last_sync_end;
  v.synced_row_count = s.synced_row_count;
  v.rows_done = s.rows_done;
  v.rows_total = s.rows_total;
  v.rows_per_second = s.rows_per_second;
  return v;
}

Result<TableView> ViewFromApiJson(std::string_view json) {
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    return Status::InvalidArgument("the API answered with something that is not JSON: {}", json);
  }
  TableView v;
  auto name = OptString(doc, "/name");
  if (!name) return Status::InvalidArgument("the API answered without a synced table: {}", json);
  v.name = *name;
  v.source = OptString(doc, "/spec/source_table_full_name").value_or("");
  simdjson::dom::array keys;
  if (doc.at_pointer("/spec/primary_key_columns").get(keys) == simdjson::SUCCESS) {
    for (element k : keys) {
      std::string_view key;
      if (k.get(key) == simdjson::SUCCESS) v.primary_key.emplace_back(key);
    }
  }
  v.timeseries_key = OptString(doc, "/spec/timeseries_key");
  v.policy = OptString(doc, "/spec/scheduling_policy").value_or("");
  v.schedule = OptString(doc, "/spec/schedule");
  v.state = OptString(doc, "/data_synchronization_status/detailed_state").value_or("");
  v.message = OptString(doc, "/data_synchronization_status/message").value_or("");
  v.pipeline_id = OptString(doc, "/data_synchronization_status/pipeline_id").value_or("");
  v.last_version = OptInt(
      doc, "/data_synchronization_status/last_sync/delta_table_sync_info/delta_commit_version");
  v.last_sync_start = OptString(doc, "/data_synchronization_status/last_sync/sync_start_timestamp");
  v.last_sync_end = OptString(doc, "/data_synchronization_status/last_sync/sync_end_timestamp");
  for (const char* progress :
       {"/data_synchronization_status/provisioning_status/initial_pipeline_sync_progress",
        "/data_synchronization_status/triggered_update_status/triggered_update_progress",
        "/data_synchronization_status/continuous_update_status/initial_pipeline_sync_progress"}) {
    element p;
    if (doc.at_pointer(progress).get(p) != simdjson::SUCCESS) continue;
    v.rows_done = OptInt(p, "/synced_row_count").value_or(0);
    v.rows_total = OptInt(p, "/total_row_count");
    auto eta = OptDouble(p, "/estimated_completion_time_seconds");
    if (eta && *eta > 0 && v.rows_total) {
      v.rows_per_second = static_cast<double>(*v.rows_total - v.rows_done) / *eta;
    }
  }
  return v;
}

bool IsProvisioning(std::string_view state) {
  return state.rfind("SYNCED_TABLE_PROVISIONING", 0) == 0;
}

bool IsOnlineState(std::string_view state) { return state.rfind("SYNCED_TABLE_ONLINE", 0) == 0; }

std::string ViewJson(const TableView& v) {
  api::JsonWriter w;
  w.BeginObject();
  w.Member("name", v.name).Member("source_table_full_name", v.source);
  w.Key("primary_key_columns").BeginArray();
  for (const auto& k : v.primary_key) w.String(k);
  w.EndArray();
  auto opt_string = [&](const char* key, const std::optional<std::string>& value) {
    w.Key(key);
    value ? w.String(*value) : w.Null();
  };
  auto opt_int = [&](const char* key, const std::optional<int64_t>& value) {
    w.Key(key);
    value ? w.Int(*value) : w.Null();
  };
  opt_string("timeseries_key", v.timeseries_key);
  w.Member("scheduling_policy", v.policy);
  opt_string("schedule", v.schedule);
  opt_int("max_connections", v.max_connections);
  w.Member("detailed_state", v.state).Member("message", v.message);
  w.Member("pipeline_id", v.pipeline_id);
  opt_int("last_processed_commit_version", v.last_version);
  opt_string("last_sync_start", v.last_sync_start);
  opt_string("last_sync_end", v.last_sync_end);
  opt_int("synced_row_count", v.synced_row_count);
  w.EndObject();
  return w.Take();
}

void PrintView(const TableView& v) {
  fmt::print("{}\n  source:          {}\n  primary key:     {}\n", v.name, v.source,
             fmt::join(v.primary_key, ", "));
  if (v.timeseries_key) fmt::print("  timeseries key:  {}\n", *v.timeseries_key);
  fmt::print("  policy:          {}\n", v.policy);
  if (v.schedule) fmt::print("  schedule:        {}\n", *v.schedule);
  if (v.max_connections) fmt::print("  max connections: {}\n", *v.max_connections);
  fmt::print("  state:           {}\n", v.state);
  if (!v.message.empty()) fmt::print("  message:         {}\n", v.message);
  if (!v.pipeline_id.empty()) fmt::print("  pipeline id:     {}\n", v.pipeline_id);
  fmt::print("  last version:    {}\n",
             v.last_version ? std::to_string(*v.last_version) : std::string("-"));
  if (v.synced_row_count) fmt::print("  rows:            {}\n", *v.synced_row_count);
  fmt::print("  last sync:       {} .. {}\n", v.last_sync_start.value_or("-"),
             v.last_sync_end.value_or("-"));
}

void PrintViews(const std::vector<TableView>& views, bool json) {
  if (json) {
    std::vector<std::string> items;
    for (const auto& v : views) items.push_back(ViewJson(v));
    fmt::print("[{}]\n", fmt::join(items, ","));
    return;
  }
  fmt::print("{:<40} {:<10} {:<40} {:>8} {:>12}\n", "NAME", "POLICY", "STATE", "VERSION", "ROWS");
  for (const auto& v : views) {
    fmt::print("{:<40} {:<10} {:<40} {:>8} {:>12}\n", v.name, v.policy, v.state,
               v.last_version ? std::to_string(*v.last_version) : std::string("-"),
               v.synced_row_count ? std::to_string(*v.synced_row_count) : std::string("-"));
  }
}

std::string RunJson(const sync::SyncRun& r) {
  api::JsonWriter w;
  w.BeginObject().Member("mode", r.mode);
  w.Key("from_version");
  r.from_version ? w.Int(*r.from_version) : w.Null();
  w.Key("to_version");
  r.to_version ? w.Int(*r.to_version) : w.Null();
  w.Member("rows_inserted", r.rows_inserted).Member("rows_updated", r.rows_updated);
  w.Member("rows_deleted", r.rows_deleted).Member("rows_skipped", r.rows_skipped);
  w.Key("seconds").Double(static_cast<double>(static_cast<int64_t>(r.seconds * 1000)) / 1000);
  w.Member("error", r.error).EndObject();
  return w.Take();
}

void PrintRun(const std::string& name, const sync::SyncRun& run) {
  fmt::print("{}: {} to version {}: {} inserted, {} updated, {} deleted", name,
             run.mode == "SNAPSHOT" ? "copied" : "applied changes", run.to_version.value_or(-1),
             run.rows_inserted, run.rows_updated, run.rows_deleted);
  if (run.rows_skipped) fmt::print(", {} rows with a NULL key skipped", run.rows_skipped);
  fmt::print(" in {:.2f}s\n", run.seconds);
}

}  // namespace lakesync::cli
