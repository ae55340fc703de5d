// The synced-table commands through a daemon's REST API (--host): the Databricks routes, names
// catalog.schema.table, and polling for what the daemon does in the background.
#include <fmt/format.h>
#include <simdjson.h>

#include <chrono>
#include <thread>

#include "lakesync/api/api_client.h"
#include "lakesync/api/json_writer.h"
#include "lakesync/cli/backend.h"
#include "lakesync/common/macros.h"

namespace lakesync::cli {
namespace {

constexpr auto kPollEvery = std::chrono::milliseconds(300);
constexpr char kTables[] = "/api/2.0/database/synced_tables";

sync::SyncProgress ProgressOf(const TableView& v) {
  sync::SyncProgress p;
  p.rows_done = v.rows_done;
  p.rows_total = v.rows_total.value_or(-1);
  p.rows_per_second = v.rows_per_second;
  return p;
}

Result<std::string> StringField(const std::string& json, const char* pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view v;
  if (parser.parse(json).get(doc) != simdjson::SUCCESS ||
      doc.at_pointer(pointer).get(v) != simdjson::SUCCESS) {
    return Status::Internal("the API answer has no {}: {}", pointer, json);
  }
  return std::string(v);
}

class RestBackend : public Backend {
 public:
  explicit RestBackend(std::unique_ptr<api::ApiClient> client) : client_(std::move(client)) {}

  Result<TableView> Create(const CreateArgs& args, const ProgressFn& progress) override {
    if (args.max_connections) {
      // Databricks' synced-table spec, which the API speaks, has no such field.
      return Status::NotSupported(
          "--max-connections is not supported with --host: the REST API's synced-table spec "
          "has no such field. Create the table in direct mode (--config or --dsn) to set it");
    }
    api::JsonWriter w;
    w.BeginObject().Member("name", args.name).Key("spec").BeginObject();
    w.Member("source_table_full_name", args.source);
    w.Key("primary_key_columns").BeginArray();
    for (const auto& k : args.primary_key) w.String(k);
    w.EndArray();
    w.OptionalMember("timeseries_key", args.timeseries_key);
    w.Member("scheduling_policy", args.policy);
    w.OptionalMember("schedule", args.schedule);
    w.Member("create_database_objects_if_missing", true);
    w.EndObject().EndObject();
    LAKESYNC_ASSIGN_OR_RETURN(std::string body, client_->Post(kTables, w.str()));
    LAKESYNC_ASSIGN_OR_RETURN(TableView view, ViewFromApiJson(body));
    if (!args.wait) return view;
    while (IsProvisioning(view.state)) {
      std::this_thread::sleep_for(kPollEvery);
      LAKESYNC_ASSIGN_OR_RETURN(view, Get(args.name));
      if (progress) progress(ProgressOf(view));
    }
    return view;
  }

  Result<TableView> Get(const std::string& name) override {
    LAKESYNC_ASSIGN_OR_RETURN(std::string body, client_->Get(TablePath(name)));
    return ViewFromApiJson(body);
  }

  Result<std::vector<TableView>> List() override {
    std::vector<TableView> out;
    std::string token;
    do {
      std::string path = std::string(kTables) + "?page_size=100";
      if (!token.empty()) path += "&page_token=" + api::UrlEncode(token);
      LAKESYNC_ASSIGN_OR_RETURN(std::string body, client_->Get(path));
      simdjson::dom::parser parser;
      simdjson::dom::element doc;
      if (parser.parse(body).get(doc) != simdjson::SUCCESS) {
        return Status::Internal("the API answered with something that is not JSON: {}", body);
      }
      simdjson::dom::array tables;
      if (doc["synced_tables"].get(tables) == simdjson::SUCCESS) {
        for (simdjson::dom::element t : tables) {
          LAKESYNC_ASSIGN_OR_RETURN(TableView view, ViewFromApiJson(simdjson::minify(t)));
          out.push_back(std::move(view));
        }
      }
      std::string_view next;
      token = doc["next_page_token"].get(next) == simdjson::SUCCESS ? std::string(next) : "";
    } while (!token.empty());
    return out;
  }

  Result<TableView> Update(const std::string& name, const api::SpecChanges& changes) override {
    std::vector<std::string> mask;
    api::JsonWriter w;
    w.BeginObject().Member("name", name).Key("spec").BeginObject();
    if (changes.policy) {
      mask.push_back("spec.scheduling_policy");
      w.Member("scheduling_policy", sync::SchedulingPolicyName(*changes.policy));
    }
    if (changes.change_schedule) {
      mask.push_back("spec.schedule");
      w.OptionalMember("schedule", changes.schedule);
    }
    w.EndObject().EndObject();
    const std::string path =
        TablePath(name) + "?update_mask=" + api::UrlEncode(fmt::format("{}", fmt::join(mask, ",")));
    LAKESYNC_ASSIGN_OR_RETURN(std::string body, client_->Patch(path, w.str()));
    return ViewFromApiJson(body);
  }

  Status Delete(const std::string& name, bool purge) override {
    return client_->Delete(TablePath(name) + (purge ? "?purge_data=true" : "")).status();
  }

  Result<SyncResult> Sync(const std::string& name, bool full_refresh, bool wait,
                          const ProgressFn& progress) override {
    LAKESYNC_ASSIGN_OR_RETURN(TableView table, Get(name));
    if (table.pipeline_id.empty()) return Status::Internal("synced table {} has no pipeline", name);
    const std::string updates =
        "/api/2.0/pipelines/" + api::UrlEncode(table.pipeline_id) + "/updates";
    LAKESYNC_ASSIGN_OR_RETURN(
        std::string started,
        client_->Post(updates, full_refresh ? R"({"full_refresh":true})" : "{}"));
    SyncResult result;
    LAKESYNC_ASSIGN_OR_RETURN(result.update_id, StringField(started, "/update_id"));
    result.update_state = "QUEUED";
    if (!wait) return result;
    while (true) {
      LAKESYNC_ASSIGN_OR_RETURN(std::string info,
                                client_->Get(updates + "/" + api::UrlEncode(result.update_id)));
      LAKESYNC_ASSIGN_OR_RETURN(result.update_state, StringField(info, "/update/state"));
      if (result.update_state == "COMPLETED" || result.update_state == "FAILED" ||
          result.update_state == "CANCELED") {
        break;
      }
      // Until the update runs, the table still shows the previous run's progress.
      if (progress && result.update_state == "RUNNING") {
        LAKESYNC_ASSIGN_OR_RETURN(TableView now, Get(name));
        progress(ProgressOf(now));
      }
      std::this_thread::sleep_for(kPollEvery);
    }
    LAKESYNC_ASSIGN_OR_RETURN(result.table, Get(name));
    if (result.update_state != "COMPLETED") {
      // The run failed (or was cancelled); the table keeps its last good rows.
      return Status::IOError("update {} of {} {}: {}", result.update_id, name, result.update_state,
                             result.table->message);
    }
    return result;
  }

  Status SyncContinuously(const std::string&, bool, const sync::ContinuousOptions&,
                          const std::atomic<bool>&) override {
    return Status::NotSupported(
        "--continuous runs a pipeline in this process; a daemon runs CONTINUOUS tables itself: "
        "lakesync update NAME --policy CONTINUOUS --host ...");
  }

 private:
  static std::string TablePath(const std::string& name) {
    return std::string(kTables) + "/" + api::UrlEncode(name);
  }

  std::unique_ptr<api::ApiClient> client_;
};

}  // namespace

Result<std::unique_ptr<Backend>> MakeRestBackend(const std::string& url, const std::string& token) {
  LAKESYNC_ASSIGN_OR_RETURN(auto client, api::ApiClient::Make(url, token));
  return std::unique_ptr<Backend>(new RestBackend(std::move(client)));
}

}  // namespace lakesync::cli
