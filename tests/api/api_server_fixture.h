// ApiServerTest: a real ApiServer (running updates itself, no Scheduler) on loopback over a
// fresh test database, with a client holding its token and helpers to make deltagen tables
// and wait for a synced table's state. Shared by the REST API test files.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <memory>
#include <string>

#include "api_test_util.h"
#include "deltagen/scenario.h"
#include "lakesync/api/api_server.h"
#include "lakesync/storage/local_file_system.h"
#include "table_assertions.h"

namespace lakesync::testing {

class ApiServerTest : public DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    lake_ = dir_.path() + "/lake";
    // Catalog "fresh" names a database that does not exist yet.
    fresh_db_ = db_->name() + "_fresh";
    auto config = config::Config::Parse(
        ApiConfigText(*db_, lake_) +
            fmt::format("[database_catalogs.fresh]\ninstance = \"pg\"\ndatabase = \"{}\"\n",
                        fresh_db_),
        "test.toml");
    ASSERT_TRUE(config.ok()) << config.status();
    config_ = std::make_unique<config::Config>(std::move(config).value());
    api::ApiServerOptions options;
    options.tokens = {"tok"};
    options.config = config_.get();
    options.run_updates = true;  // no Scheduler here
    auto server = api::ApiServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_bearer_token_auth("tok");
    client_->set_read_timeout(60, 0);
  }

  // user_profiles rows at lake/gold/<name>, with the change data feed.
  std::unique_ptr<deltagen::UserProfilesTable> MakeTable(const std::string& name, int64_t rows) {
    auto table = deltagen::Scenario::UserProfiles(rows).Files(2).Run(
        std::make_shared<storage::LocalFileSystem>(), lake_ + "/gold/" + name);
    EXPECT_TRUE(table.ok()) << table.status();
    return table.ok() ? std::move(table).value() : nullptr;
  }

  std::string CreateBody(const std::string& name, const std::string& source,
                         const std::string& extra = "") {
    return fmt::format(
        R"({{"name":"{}","spec":{{"source_table_full_name":"{}","primary_key_columns":["user_id"],)"
        R"("scheduling_policy":"TRIGGERED","create_database_objects_if_missing":true{}}}}})",
        name, source, extra);
  }

  // GET the synced table until its state is `state`; the last answer.
  JsonDoc WaitForState(const std::string& name, const std::string& state) {
    std::string body;
    WaitUntil([&] {
      auto res = client_->Get("/api/2.0/database/synced_tables/" + name);
      if (!res || res->status != 200) return false;
      body = res->body;
      return JsonDoc(body).Str("/data_synchronization_status/detailed_state") == state;
    });
    return JsonDoc(body);
  }

  int64_t Count(const std::string& table) { return CountRows(*conn_, table); }

  void TearDown() override {
    client_.reset();
    server_.reset();
    if (conn_) (void)conn_->Exec("DROP DATABASE IF EXISTS " + fresh_db_ + " WITH (FORCE)");
  }

  testing::TempDir dir_;
  std::string lake_;
  std::string fresh_db_;
  std::unique_ptr<config::Config> config_;
  std::unique_ptr<api::ApiServer> server_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace lakesync::testing
