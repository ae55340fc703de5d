// Databricks' pipelines API for a synced table's pipeline, as a client sees it over real HTTP:
// GET the pipeline (state, latest updates, spec), list its updates page by page in both
// directions, and stop it while an update is in flight: the update ends CANCELED, the target
// keeps its last good rows (incremental and full-refresh runs alike), a later update applies.
// A run is caught in flight deterministically: the test holds a lock the run needs.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "api_server_fixture.h"
#include "lakesync/pg/connection.h"
#include "lakesync/sync/sync_engine.h"

namespace lakesync {
namespace {

using testing::JsonDoc;
using testing::WaitUntil;

class PipelinesApiTest : public testing::ApiServerTest {
 protected:
  // Creates TRIGGERED synced table lb.gold.<name> of lake.gold.<name> and waits until it is
  // online; its pipeline id.
  std::string CreateOnline(const std::string& name) {
    auto created =
        client_->Post("/api/2.0/database/synced_tables",
                      CreateBody("lb.gold." + name, "lake.gold." + name), "application/json");
    EXPECT_TRUE(created && created->status == 200) << (created ? created->body : "no answer");
    if (!created) return "";
    WaitForState("lb.gold." + name, "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
    return JsonDoc(created->body).Str("/data_synchronization_status/pipeline_id").value_or("");
  }

  std::string StartUpdate(const std::string& pipeline_id, bool full_refresh = false) {
    auto res =
        client_->Post("/api/2.0/pipelines/" + pipeline_id + "/updates",
                      fmt::format(R"({{"full_refresh":{}}})", full_refresh), "application/json");
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
    return res ? JsonDoc(res->body).Str("/update_id").value_or("") : "";
  }

  // Polls the update until it reaches a final state; that state.
  std::string WaitForUpdate(const std::string& pipeline_id, const std::string& update_id) {
    std::string state;
    WaitUntil([&] {
      auto res = client_->Get("/api/2.0/pipelines/" + pipeline_id + "/updates/" + update_id);
      state = res ? JsonDoc(res->body).Str("/update/state").value_or("") : "";
      return state == "COMPLETED" || state == "FAILED" || state == "CANCELED";
    });
    return state;
  }

  JsonDoc GetPipeline(const std::string& pipeline_id) {
    auto res = client_->Get("/api/2.0/pipelines/" + pipeline_id);
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
    return JsonDoc(res ? res->body : "");
  }

  // Holds a SHARE lock on `table` (reads go on, writes and renames wait) until Release.
  void Block(const std::string& table) {
    auto conn = pg::Connection::Open(db_->conninfo());
    ASSERT_TRUE(conn.ok()) << conn.status();
    blocker_ = std::move(conn).value();
    ASSERT_TRUE(blocker_->Exec("BEGIN; LOCK TABLE " + table + " IN SHARE MODE").ok());
  }
  void Release() { ASSERT_TRUE(blocker_->Exec("COMMIT").ok()); }

  // True once a lakesync session of the test database waits for a lock: the run is in flight.
  bool RunWaitsOnLock() {
    auto r = conn_->Query(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
        "application_name = 'lakesync' AND wait_event_type = 'Lock'");
    return r.ok() && r->Get(0, 0) != "0";
  }

  // Stops the pipeline while its update waits on the lock; checks what a client sees then,
  // lets the run go on and returns the update's final state.
  std::string StopWhileBlocked(const std::string& pipeline_id, const std::string& update_id) {
    EXPECT_TRUE(WaitUntil([&] { return RunWaitsOnLock(); }));
    EXPECT_EQ(GetPipeline(pipeline_id).Str("/state"), "RUNNING");
    auto stop = client_->Post("/api/2.0/pipelines/" + pipeline_id + "/stop", "", "text/plain");
    EXPECT_TRUE(stop && stop->status == 200) << (stop ? stop->body : "no answer");
    // The run cannot give up while it waits: the pipeline is STOPPING, the update too.
    EXPECT_EQ(GetPipeline(pipeline_id).Str("/state"), "STOPPING");
    auto update = client_->Get("/api/2.0/pipelines/" + pipeline_id + "/updates/" + update_id);
    EXPECT_EQ(JsonDoc(update ? update->body : "").Str("/update/state"), "STOPPING");
    Release();
    return WaitForUpdate(pipeline_id, update_id);
  }

  std::unique_ptr<pg::Connection> blocker_;
};

TEST_F(PipelinesApiTest, GetShowsThePipelineItsUpdatesPagedBothWaysAndAFailure) {
  ASSERT_NE(MakeTable("p", 100), nullptr);
  const std::string id = CreateOnline("p");
  ASSERT_FALSE(id.empty());
  // The initial load lets go of the table just after the table is online.
  EXPECT_TRUE(WaitUntil([&] { return GetPipeline(id).Str("/state") == "IDLE"; }));
  JsonDoc fresh = GetPipeline(id);
  EXPECT_EQ(fresh.Str("/pipeline_id"), id);
  EXPECT_EQ(fresh.Str("/name"), "lb.gold.p");
  EXPECT_EQ(fresh.Str("/health"), "HEALTHY");
  EXPECT_EQ(fresh.Str("/spec/id"), id);
  EXPECT_EQ(fresh.Str("/spec/continuous"), "false");
  EXPECT_EQ(fresh.Size("/latest_updates"), 0u);

  std::vector<std::string> ids;  // oldest first
  for (int i = 0; i < 3; ++i) {
    ids.push_back(StartUpdate(id));
    ASSERT_EQ(WaitForUpdate(id, ids.back()), "COMPLETED");
  }
  JsonDoc after = GetPipeline(id);
  EXPECT_EQ(after.Str("/latest_updates/0/update_id"), ids[2]);
  EXPECT_EQ(after.Str("/latest_updates/0/state"), "COMPLETED");
  EXPECT_EQ(after.Str("/latest_updates/2/update_id"), ids[0]);
  EXPECT_TRUE(after.Str("/latest_updates/0/creation_time")->ends_with("Z"));

  auto page = [&](const std::string& query) {
    auto res = client_->Get("/api/2.0/pipelines/" + id + "/updates?" + query);
    EXPECT_TRUE(res && res->status == 200) << (res ? res->body : "no answer");
    return JsonDoc(res ? res->body : "");
  };
  JsonDoc first = page("max_results=2");
  ASSERT_EQ(first.Size("/updates"), 2u);
  EXPECT_EQ(first.Str("/updates/0/update_id"), ids[2]);
  EXPECT_EQ(first.Str("/updates/1/update_id"), ids[1]);
  EXPECT_EQ(first.Str("/updates/0/pipeline_id"), id);
  EXPECT_EQ(first.Str("/updates/0/state"), "COMPLETED");
  EXPECT_GT(first.Int("/updates/0/creation_time").value_or(0), 1700000000000);
  EXPECT_FALSE(first.Str("/prev_page_token"));
  ASSERT_TRUE(first.Str("/next_page_token"));
  JsonDoc second = page("max_results=2&page_token=" + *first.Str("/next_page_token"));
  ASSERT_EQ(second.Size("/updates"), 1u);
  EXPECT_EQ(second.Str("/updates/0/update_id"), ids[0]);
  EXPECT_FALSE(second.Str("/next_page_token"));
  ASSERT_TRUE(second.Str("/prev_page_token"));
  JsonDoc back = page("max_results=2&page_token=" + *second.Str("/prev_page_token"));
  ASSERT_EQ(back.Size("/updates"), 2u);
  EXPECT_EQ(back.Str("/updates/0/update_id"), ids[2]);
  EXPECT_EQ(back.Str("/updates/1/update_id"), ids[1]);
  EXPECT_TRUE(back.Str("/next_page_token"));
  EXPECT_FALSE(back.Str("/prev_page_token"));
  EXPECT_EQ(page("until_update_id=" + ids[1]).Size("/updates"), 2u);

  // A failed run makes the pipeline FAILED; a stop then leaves it IDLE, which is what the SDKs'
  // stop(...).wait() waits for.
  std::filesystem::rename(lake_ + "/gold/p", lake_ + "/gold/p_gone");
  ASSERT_EQ(WaitForUpdate(id, StartUpdate(id)), "FAILED");
  EXPECT_TRUE(WaitUntil([&] { return GetPipeline(id).Str("/state") == "FAILED"; }));
  JsonDoc failed = GetPipeline(id);
  EXPECT_EQ(failed.Str("/health"), "UNHEALTHY");
  EXPECT_NE(failed.Str("/cause").value_or("").find("gold/p"), std::string::npos);
  auto stop = client_->Post("/api/2.0/pipelines/" + id + "/stop", "", "text/plain");
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->status, 200) << stop->body;
  EXPECT_EQ(GetPipeline(id).Str("/state"), "IDLE");

  auto bad_token = client_->Get("/api/2.0/pipelines/" + id + "/updates?page_token=zzz");
  ASSERT_TRUE(bad_token);
  EXPECT_EQ(bad_token->status, 400) << bad_token->body;
  const std::string unknown = "00000000-0000-0000-0000-000000000000";
  for (std::string path : {"", "/updates", "/stop"}) {
    auto res = path == "/stop"
                   ? client_->Post("/api/2.0/pipelines/" + unknown + path, "", "text/plain")
                   : client_->Get("/api/2.0/pipelines/" + unknown + path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path << " -> " << res->body;
    EXPECT_EQ(JsonDoc(res->body).Str("/error_code"), "RESOURCE_DOES_NOT_EXIST") << res->body;
  }
}

TEST_F(PipelinesApiTest, StopCancelsAnIncrementalUpdateInFlightAndTheTargetKeepsItsRows) {
  auto table = MakeTable("inc", 2000);
  ASSERT_NE(table, nullptr);
  const std::string id = CreateOnline("inc");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(table->Delete({.every = 10}).ok());  // version 1: 200 rows fewer

  Block("gold.inc");
  const std::string update_id = StartUpdate(id);
  EXPECT_EQ(StopWhileBlocked(id, update_id), "CANCELED");
  EXPECT_TRUE(WaitUntil([&] { return GetPipeline(id).Str("/state") == "IDLE"; }));
  EXPECT_EQ(Count("gold.inc"), 2000) << "nothing of the canceled run is applied";
  JsonDoc t = WaitForState("lb.gold.inc", "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
  EXPECT_EQ(t.Int("/data_synchronization_status/last_sync/delta_table_sync_info/"
                  "delta_commit_version"),
            0);
  EXPECT_NE(t.Str("/data_synchronization_status/message")->find("canceled"), std::string::npos);

  // A stopped pipeline starts again with the next update.
  EXPECT_EQ(WaitForUpdate(id, StartUpdate(id)), "COMPLETED");
  EXPECT_EQ(Count("gold.inc"), 1800);
}

TEST_F(PipelinesApiTest, StopCancelsAFullRefreshInFlightAndDropsItsSideTable) {
  auto table = MakeTable("full", 2000);
  ASSERT_NE(table, nullptr);
  const std::string id = CreateOnline("full");
  ASSERT_FALSE(id.empty());
  ASSERT_TRUE(table->Delete({.every = 10}).ok());

  Block("gold.full");  // the swap's rename waits
  const std::string update_id = StartUpdate(id, /*full_refresh=*/true);
  // While the swap waits, holding the read-only guard function its triggers use, a fresh engine
  // still opens (the API's requests open one whenever the load took the pool's idle ones).
  ASSERT_TRUE(WaitUntil([&] { return RunWaitsOnLock(); }));
  auto fresh = sync::SyncEngine::Open(db_->conninfo());
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  fresh->reset();
  EXPECT_EQ(StopWhileBlocked(id, update_id), "CANCELED");
  EXPECT_TRUE(WaitUntil([&] { return GetPipeline(id).Str("/state") == "IDLE"; }));
  EXPECT_EQ(Count("gold.full"), 2000);
  auto side = conn_->Query("SELECT count(*) FROM pg_class WHERE relname LIKE 'full__lakesync%'");
  ASSERT_TRUE(side.ok()) << side.status();
  EXPECT_EQ(side->Get(0, 0), "0") << "the canceled load's side table is dropped";

  EXPECT_EQ(WaitForUpdate(id, StartUpdate(id, /*full_refresh=*/true)), "COMPLETED");
  EXPECT_EQ(Count("gold.full"), 1800);
}

}  // namespace
}  // namespace lakesync
