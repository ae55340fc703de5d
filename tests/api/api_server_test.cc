// The REST API as a client sees it: real HTTP on loopback, a real PostgreSQL database and
// deltagen Delta tables; create -> PROVISIONING -> ONLINE in the background, get, list with
// pages, updates with and without full refresh, PATCH, delete with purge, auth and errors.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "api_server_fixture.h"

namespace lakesync {
namespace {

using testing::ApiServerTest;
using testing::JsonDoc;
using testing::WaitUntil;

TEST_F(ApiServerTest, CreateLoadsInBackgroundThenGetUpdateDelete) {
  auto table = MakeTable("up", 3000);
  ASSERT_NE(table, nullptr);
  auto created = client_->Post("/api/2.0/database/synced_tables",
                               CreateBody("lb.gold.up", "lake.gold.up"), "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  JsonDoc c(created->body);
  EXPECT_EQ(c.Str("/name"), "lb.gold.up");
  EXPECT_EQ(c.Str("/database_instance_name"), "pg");
  EXPECT_EQ(c.Str("/logical_database_name"), db_->name());
  EXPECT_EQ(c.Str("/spec/source_table_full_name"), "lake.gold.up");
  EXPECT_EQ(c.Str("/spec/primary_key_columns/0"), "user_id");
  // The answer comes before the load: the table is still provisioning.
  EXPECT_EQ(
      c.Str("/data_synchronization_status/detailed_state")->rfind("SYNCED_TABLE_PROVISIONING", 0),
      0u)
      << created->body;
  const std::string pipeline_id = c.Str("/data_synchronization_status/pipeline_id").value_or("");
  ASSERT_FALSE(pipeline_id.empty()) << created->body;

  JsonDoc online = WaitForState("lb.gold.up", "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
  EXPECT_EQ(
      online.Int(
          "/data_synchronization_status/last_sync/delta_table_sync_info/delta_commit_version"),
      0);
  EXPECT_EQ(
      online.Int(
          "/data_synchronization_status/triggered_update_status/last_processed_commit_version"),
      0);
  EXPECT_TRUE(online.Str("/data_synchronization_status/last_sync/sync_end_timestamp"));
  EXPECT_EQ(Count("gold.up"), 3000);

  auto again = client_->Post("/api/2.0/database/synced_tables",
                             CreateBody("lb.gold.up", "lake.gold.up"), "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409);
  EXPECT_EQ(JsonDoc(again->body).Str("/error_code"), "RESOURCE_ALREADY_EXISTS");

  // Changes in the source, then an update through the pipelines API.
  ASSERT_TRUE(table->Delete({.every = 10}).ok());
  auto update =
      client_->Post("/api/2.0/pipelines/" + pipeline_id + "/updates", "{}", "application/json");
  ASSERT_TRUE(update);
  ASSERT_EQ(update->status, 200) << update->body;
  const std::string update_id = JsonDoc(update->body).Str("/update_id").value_or("");
  ASSERT_FALSE(update_id.empty()) << update->body;
  std::string update_body;
  EXPECT_TRUE(WaitUntil([&] {
    auto res = client_->Get("/api/2.0/pipelines/" + pipeline_id + "/updates/" + update_id);
    update_body = res ? res->body : "";
    return JsonDoc(update_body).Str("/update/state") == "COMPLETED";
  })) << update_body;
  EXPECT_EQ(JsonDoc(update_body).Str("/update/full_refresh"), "false");
  EXPECT_EQ(Count("gold.up"), 2700);
  EXPECT_EQ(
      WaitForState("lb.gold.up", "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE")
          .Int("/data_synchronization_status/last_sync/delta_table_sync_info/delta_commit_version"),
      1);

  auto full = client_->Post("/api/2.0/pipelines/" + pipeline_id + "/updates",
                            R"({"full_refresh":true})", "application/json");
  ASSERT_TRUE(full);
  ASSERT_EQ(full->status, 200) << full->body;
  const std::string full_id = JsonDoc(full->body).Str("/update_id").value_or("");
  EXPECT_TRUE(WaitUntil([&] {
    auto res = client_->Get("/api/2.0/pipelines/" + pipeline_id + "/updates/" + full_id);
    return res && JsonDoc(res->body).Str("/update/state") == "COMPLETED";
  }));
  EXPECT_EQ(Count("gold.up"), 2700);

  // PATCH: the policy can change in place; the key cannot.
  auto patched = client_->Patch(
      "/api/2.0/database/synced_tables/lb.gold.up?update_mask=spec.scheduling_policy",
      R"({"name":"lb.gold.up","spec":{"scheduling_policy":"SNAPSHOT"}})", "application/json");
  ASSERT_TRUE(patched);
  ASSERT_EQ(patched->status, 200) << patched->body;
  EXPECT_EQ(JsonDoc(patched->body).Str("/spec/scheduling_policy"), "SNAPSHOT");
  auto rekey = client_->Patch(
      "/api/2.0/database/synced_tables/lb.gold.up?update_mask=spec.primary_key_columns",
      R"({"spec":{"primary_key_columns":["email"]}})", "application/json");
  ASSERT_TRUE(rekey);
  EXPECT_EQ(rekey->status, 400);
  EXPECT_NE(JsonDoc(rekey->body).Str("/message")->find("rebuild"), std::string::npos);

  auto deleted = client_->Delete("/api/2.0/database/synced_tables/lb.gold.up?purge_data=true");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->status, 200) << deleted->body;
  EXPECT_EQ(Count("gold.up"), -1) << "purge_data drops the PostgreSQL table";
  auto gone = client_->Get("/api/2.0/database/synced_tables/lb.gold.up");
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 404);
  EXPECT_EQ(JsonDoc(gone->body).Str("/error_code"), "RESOURCE_DOES_NOT_EXIST");
  auto no_pipeline =
      client_->Post("/api/2.0/pipelines/" + pipeline_id + "/updates", "{}", "application/json");
  ASSERT_TRUE(no_pipeline);
  EXPECT_EQ(no_pipeline->status, 404);
}

TEST_F(ApiServerTest, ListsPageByPage) {
  ASSERT_NE(MakeTable("a", 10), nullptr);
  for (const char* name : {"t1", "t2", "t3"}) {
    auto res = client_->Post("/api/2.0/database/synced_tables",
                             CreateBody(fmt::format("lb.gold.{}", name), "lake.gold.a"),
                             "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
  }
  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    std::string path = "/api/2.0/database/instances/pg/synced_tables?page_size=2";
    if (!token.empty()) path += "&page_token=" + token;
    auto res = client_->Get(path);
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << res->body;
    JsonDoc page(res->body);
    for (size_t i = 0; i < page.Size("/synced_tables"); ++i) {
      names.push_back(*page.Str(fmt::format("/synced_tables/{}/name", i)));
    }
    token = page.Str("/next_page_token").value_or("");
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 2);
  EXPECT_EQ(names, (std::vector<std::string>{"lb.gold.t1", "lb.gold.t2", "lb.gold.t3"}));

  auto unknown = client_->Get("/api/2.0/database/instances/nope/synced_tables");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  for (const char* name : {"t1", "t2", "t3"}) {
    WaitForState(fmt::format("lb.gold.{}", name), "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
  }
}

TEST_F(ApiServerTest, AuthenticationAndErrorsInDatabricksShape) {
  httplib::Client anonymous("127.0.0.1", server_->port());
  auto no_token = anonymous.Get("/api/2.0/database/synced_tables/lb.gold.x");
  ASSERT_TRUE(no_token);
  EXPECT_EQ(no_token->status, 401);
  EXPECT_EQ(JsonDoc(no_token->body).Str("/error_code"), "UNAUTHENTICATED");
  anonymous.set_bearer_token_auth("wrong");
  auto bad_token = anonymous.Get("/api/2.0/database/synced_tables/lb.gold.x");
  ASSERT_TRUE(bad_token);
  EXPECT_EQ(bad_token->status, 403);
  EXPECT_EQ(JsonDoc(bad_token->body).Str("/error_code"), "PERMISSION_DENIED");
  auto metrics = anonymous.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  auto health = anonymous.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->body, "ok\n");

  struct Case {
    std::string body;
    int status;
    std::string code;
    std::string message_part;
  } cases[] = {
      {"not json", 400, "INVALID_PARAMETER_VALUE", "not a JSON object"},
      {R"({"name":"lb.gold.x","spec":{"source_table_full_name":"lake.gold.x","primary_key_columns":["id"],"bogus":1}})",
       400, "INVALID_PARAMETER_VALUE", "unknown field spec.bogus"},
      {R"({"name":"lb.gold.x","spec":{"source_table_full_name":"lake.gold.x","primary_key_columns":"id"}})",
       400, "INVALID_PARAMETER_VALUE", "spec.primary_key_columns must be an array"},
      {R"({"name":"lb.gold.x","spec":{"source_table_full_name":"lake.gold.x"}})", 400,
       "INVALID_PARAMETER_VALUE", "primary_key_columns is required"},
      {R"({"name":"gold.x","spec":{"source_table_full_name":"lake.gold.x","primary_key_columns":["id"]}})",
       400, "INVALID_PARAMETER_VALUE", "catalog.schema.table"},
      {R"({"name":"other.gold.x","spec":{"source_table_full_name":"lake.gold.x","primary_key_columns":["id"]}})",
       404, "RESOURCE_DOES_NOT_EXIST", "not a database catalog"},
      {R"({"name":"lb.gold.x","database_instance_name":"other","spec":{"source_table_full_name":"lake.gold.x","primary_key_columns":["id"]}})",
       400, "INVALID_PARAMETER_VALUE", "does not match"},
      {R"({"name":"lb.gold.x","spec":{"source_table_full_name":"lake.gold.missing","primary_key_columns":["id"],"create_database_objects_if_missing":true}})",
       404, "RESOURCE_DOES_NOT_EXIST", "gold/missing"},
      {R"({"name":"lb.nosuchschema.x","spec":{"source_table_full_name":"lake.gold.x","primary_key_columns":["id"]}})",
       404, "RESOURCE_DOES_NOT_EXIST", "create_database_objects_if_missing"},
      {R"({"name":"lb.gold.x","spec":{"source_table_full_name":"lake.gold.x","primary_key_columns":["id"],"scheduling_policy":"HOURLY"}})",
       400, "INVALID_PARAMETER_VALUE", "SNAPSHOT, TRIGGERED or CONTINUOUS"},
      {R"({"name":"lb.gold.x","spec":{"source_table_full_name":"lake.gold.x","primary_key_columns":["id"],"existing_pipeline_id":"p","new_pipeline_spec":{}}})",
       400, "INVALID_PARAMETER_VALUE", "at most one of spec.existing_pipeline_id"},
  };
  for (const Case& c : cases) {
    auto res = client_->Post("/api/2.0/database/synced_tables", c.body, "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, c.status) << c.body << " -> " << res->body;
    JsonDoc doc(res->body);
    EXPECT_EQ(doc.Str("/error_code"), c.code) << res->body;
    EXPECT_NE(doc.Str("/message").value_or("").find(c.message_part), std::string::npos)
        << c.body << " -> " << res->body;
  }
  auto no_route = client_->Get("/api/2.0/nothing/here");
  ASSERT_TRUE(no_route);
  EXPECT_EQ(no_route->status, 404);
  EXPECT_EQ(JsonDoc(no_route->body).Str("/error_code"), "ENDPOINT_NOT_FOUND");
  auto no_mask =
      client_->Patch("/api/2.0/database/synced_tables/lb.gold.x", "{}", "application/json");
  ASSERT_TRUE(no_mask);
  EXPECT_EQ(no_mask->status, 400);
  auto bad_page = client_->Get("/api/2.0/database/instances/pg/synced_tables?page_size=x");
  ASSERT_TRUE(bad_page);
  EXPECT_EQ(bad_page->status, 400);
}

TEST_F(ApiServerTest, PooledConnectionThatDiedIsReplaced) {
  ASSERT_NE(MakeTable("a", 10), nullptr);
  auto created = client_->Post("/api/2.0/database/synced_tables",
                               CreateBody("lb.gold.a", "lake.gold.a"), "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  WaitForState("lb.gold.a", "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
  // Every connection lakesync holds to the database dies (a restart or a failover would do
  // the same); the server answers 503 at most once, then serves from a new connection.
  auto admin = pg::Connection::Open(db_->admin_conninfo());
  ASSERT_TRUE(admin.ok()) << admin.status();
  ASSERT_TRUE(
      (*admin)
          ->Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                 db_->name() + "' AND pid <> pg_backend_pid()")
          .ok());
  auto first = client_->Get("/api/2.0/database/synced_tables/lb.gold.a");
  ASSERT_TRUE(first);
  if (first->status != 200) {
    EXPECT_EQ(first->status, 503) << first->body;
    EXPECT_EQ(JsonDoc(first->body).Str("/error_code"), "TEMPORARILY_UNAVAILABLE");
  }
  auto second = client_->Get("/api/2.0/database/synced_tables/lb.gold.a");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200) << second->body;
}

TEST_F(ApiServerTest, CreatesTheLogicalDatabaseWhenAsked) {
  ASSERT_NE(MakeTable("a", 10), nullptr);
  const std::string body = R"({"name":"fresh.gold.a","spec":{"source_table_full_name":)"
                           R"("lake.gold.a","primary_key_columns":["user_id"]}})";
  auto absent = client_->Get("/api/2.0/database/synced_tables/fresh.gold.a");
  ASSERT_TRUE(absent);
  EXPECT_EQ(absent->status, 404) << absent->body;
  auto refused = client_->Post("/api/2.0/database/synced_tables", body, "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 404) << refused->body;
  EXPECT_NE(refused->body.find("create_database_objects_if_missing"), std::string::npos)
      << refused->body;
  auto created = client_->Post("/api/2.0/database/synced_tables",
                               CreateBody("fresh.gold.a", "lake.gold.a"), "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 200) << created->body;
  EXPECT_EQ(JsonDoc(created->body).Str("/logical_database_name"), fresh_db_);
  WaitForState("fresh.gold.a", "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
  auto conninfo = testing::ConninfoWithDatabase(db_->admin_conninfo(), fresh_db_);
  ASSERT_TRUE(conninfo.ok()) << conninfo.status();
  auto fresh = pg::Connection::Open(*conninfo);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  EXPECT_EQ(testing::CountRows(**fresh, "gold.a"), 10);
}

}  // namespace
}  // namespace lakesync
