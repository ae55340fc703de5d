#include "lakesync/api/synced_table_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace lakesync::api {
namespace {

using ::testing::HasSubstr;

config::Config TestConfig() {
  auto config = config::Config::Parse(
      R"(
[instances.pg]
conninfo = "host=localhost"
[database_catalogs.lb]
instance = "pg"
database = "app"
[lakehouse_catalogs.lake]
root = "/data"
)",
      "t.toml", [](const std::string&) { return std::optional<std::string>(); });
  EXPECT_TRUE(config.ok()) << config.status();
  return std::move(config).value();
}

sync::SyncedTableState State(sync::DetailedState detailed) {
  sync::SyncedTableState s;
  s.spec.name = "gold.up";
  s.spec.source = "/data/gold/up";
  s.spec.primary_key = {"user_id"};
  s.spec.policy = sync::SchedulingPolicy::kTriggered;
  s.state = detailed;
  s.pipeline_id = "p-1";
  return s;
}

std::string Render(const sync::SyncedTableState& s) {
  JsonWriter w;
  WriteSyncedTable(w, s, {"lb", "pg", "app"}, TestConfig());
  return w.Take();
}

TEST(SyncedTableJsonTest, OnlineTableHasTriggeredStatusAndLastSync) {
  auto s = State(sync::DetailedState::kOnlineNoPendingUpdate);
  s.last_processed_version = 7;
  s.last_sync_start = "2026-01-01T00:00:00.000000Z";
  s.last_sync_end = "2026-01-01T00:00:01.000000Z";
  EXPECT_EQ(
      Render(s),
      R"({"name":"lb.gold.up","database_instance_name":"pg","logical_database_name":"app",)"
      R"("effective_database_instance_name":"pg","effective_logical_database_name":"app",)"
      R"("spec":{"source_table_full_name":"lake.gold.up","primary_key_columns":["user_id"],)"
      R"("scheduling_policy":"TRIGGERED"},)"
      R"("data_synchronization_status":{"detailed_state":"SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",)"
      R"("message":"","pipeline_id":"p-1","triggered_update_status":)"
      R"({"last_processed_commit_version":7,"timestamp":"2026-01-01T00:00:01.000000Z"},)"
      R"("last_sync":{"delta_table_sync_info":{"delta_commit_version":7},)"
      R"("sync_start_timestamp":"2026-01-01T00:00:00.000000Z",)"
      R"("sync_end_timestamp":"2026-01-01T00:00:01.000000Z"}},)"
      R"("unity_catalog_provisioning_state":"ACTIVE"})");
}

TEST(SyncedTableJsonTest, InitialSnapshotReportsProgress) {
  auto s = State(sync::DetailedState::kProvisioningInitialSnapshot);
  s.rows_done = 250;
  s.rows_total = 1000;
  s.rows_per_second = 50;
  EXPECT_THAT(Render(s), HasSubstr(R"("provisioning_status":{"initial_pipeline_sync_progress":)"
                                   R"({"synced_row_count":250,"total_row_count":1000,)"
                                   R"("sync_progress_completion":0.25,)"
                                   R"("estimated_completion_time_seconds":15,)"
                                   R"("provisioning_phase":"PROVISIONING_PHASE_MAIN"}})"));
}

TEST(SyncedTableJsonTest, FailedStatesReportFailedStatus) {
  auto s = State(sync::DetailedState::kOnlinePipelineFailed);
  s.message = "boom";
  s.last_processed_version = 3;
  const std::string json = Render(s);
  EXPECT_THAT(json, HasSubstr(R"("failed_status":{"last_processed_commit_version":3})"));
  EXPECT_THAT(json, HasSubstr(R"("message":"boom")"));
}

TEST(SyncedTableJsonTest, ParsesRequestsAndRefusesUnknownFields) {
  auto req = ParseSyncedTableRequest(
      R"({"name":"lb.gold.up","database_instance_name":"pg","spec":{"source_table_full_name":)"
      R"("lake.gold.up","primary_key_columns":["a","b"],"timeseries_key":"ts",)"
      R"("scheduling_policy":"SNAPSHOT","new_pipeline_spec":{"storage_catalog":"c"},)"
      R"("create_database_objects_if_missing":true},"data_synchronization_status":{}})");
  ASSERT_TRUE(req.ok()) << req.status();
  EXPECT_EQ(req->name, "lb.gold.up");
  EXPECT_EQ(req->database_instance_name, "pg");
  EXPECT_EQ(req->primary_key_columns, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(req->timeseries_key, "ts");
  EXPECT_EQ(req->scheduling_policy, sync::SchedulingPolicy::kSnapshot);
  EXPECT_TRUE(req->create_database_objects_if_missing);
  EXPECT_TRUE(req->new_pipeline_spec);

  EXPECT_EQ(ParseSyncedTableRequest(R"({"nam":"x"})").status().message(), "unknown field nam");
  EXPECT_EQ(ParseSyncedTableRequest(R"({"spec":{"new_pipeline_spec":{"x":1}}})").status().message(),
            "unknown field spec.new_pipeline_spec.x");
  EXPECT_EQ(ParseSyncedTableRequest(R"({"name":3})").status().message(),
            "field name must be a string");
  EXPECT_FALSE(ParseSyncedTableRequest("[1]").ok());

  auto update = ParseStartUpdateRequest(R"({"full_refresh":true,"cause":"API_CALL"})");
  ASSERT_TRUE(update.ok()) << update.status();
  EXPECT_TRUE(update->full_refresh);
  EXPECT_FALSE(ParseStartUpdateRequest("").value().full_refresh);
  EXPECT_TRUE(ParseStartUpdateRequest(R"({"validate_only":true})").status().IsNotSupported());
}

}  // namespace
}  // namespace lakesync::api
