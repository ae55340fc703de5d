// The synced-table commands as a user runs them, in both modes: straight against the
// databases the configuration's catalogs name (--config), and through a daemon's REST API
// (--host with --token), with the documented exit codes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "api_test_util.h"
#include "deltagen/scenario.h"
#include "lakesync/api/api_server.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/test_paths.h"
#include "table_assertions.h"

namespace lakesync {
namespace {

using testing::JsonDoc;

class CliModesTest : public testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto table = deltagen::Scenario::UserProfiles(2'000).Files(2).Run(
        std::make_shared<storage::LocalFileSystem>(), dir_.path() + "/lake/gold/up");
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = std::move(table).value();
    config_path_ = dir_.path() + "/lakesync.toml";
    std::ofstream(config_path_) << testing::ApiConfigText(*db_, dir_.path() + "/lake");
  }

  int Run(const std::string& args, std::string* out) { return testing::RunLakesync(args, out); }

  int64_t Count(const std::string& table) { return testing::CountRows(*conn_, table); }

  testing::TempDir dir_;
  std::unique_ptr<deltagen::UserProfilesTable> table_;
  std::string config_path_;
};

TEST_F(CliModesTest, DirectModeResolvesNamesThroughCatalogs) {
  const std::string cfg = " --config " + config_path_;
  std::string out;
  ASSERT_EQ(Run("create lb.gold.up --source lake.gold.up --primary-key user_id" + cfg, &out), 0)
      << out;
  EXPECT_NE(out.find("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE"), std::string::npos) << out;
  EXPECT_EQ(Count("gold.up"), 2000);

  ASSERT_EQ(Run("get lb.gold.up --json" + cfg, &out), 0) << out;
  JsonDoc got(out);
  EXPECT_EQ(got.Str("/name"), "lb.gold.up");
  EXPECT_EQ(got.Str("/source_table_full_name"), "lake.gold.up");
  EXPECT_EQ(got.Int("/synced_row_count"), 2000);
  EXPECT_FALSE(got.Str("/pipeline_id").value_or("").empty());

  ASSERT_TRUE(table_->Delete({.every = 100}).ok());
  ASSERT_EQ(Run("sync lb.gold.up --json" + cfg, &out), 0) << out;
  EXPECT_EQ(JsonDoc(out).Str("/mode"), "INCREMENTAL") << out;
  EXPECT_EQ(JsonDoc(out).Int("/rows_deleted"), 20) << out;

  ASSERT_EQ(Run("update lb.gold.up --policy SNAPSHOT --schedule 'every 5m'" + cfg, &out), 0) << out;
  EXPECT_NE(out.find("policy:          SNAPSHOT"), std::string::npos) << out;
  EXPECT_NE(out.find("schedule:        every 5m"), std::string::npos) << out;
  EXPECT_EQ(Run("update lb.gold.up" + cfg, &out), 3) << "nothing to change: " << out;

  ASSERT_EQ(Run("list" + cfg, &out), 0) << out;
  EXPECT_NE(out.find("lb.gold.up"), std::string::npos) << out;
  // The same table through --dsn, named as PostgreSQL names it.
  ASSERT_EQ(Run(fmt::format("get gold.up --dsn '{}'", db_->conninfo()), &out), 0) << out;

  EXPECT_EQ(Run("get lb.gold.nope" + cfg, &out), 4) << out;
  EXPECT_EQ(Run("get other.gold.up" + cfg, &out), 4) << out;
  EXPECT_EQ(Run("get gold.up" + cfg, &out), 3) << "not three parts: " << out;
  ASSERT_EQ(Run("delete lb.gold.up --purge" + cfg, &out), 0) << out;
  EXPECT_EQ(Count("gold.up"), -1);
  EXPECT_EQ(Run("get lb.gold.up", &out), 2) << "no target is a usage error: " << out;
}

TEST_F(CliModesTest, DaemonModeGoesThroughTheApi) {
  auto config = config::Config::Load(config_path_);
  ASSERT_TRUE(config.ok()) << config.status();
  api::ApiServerOptions options;
  options.tokens = {"tok"};
  options.config = &*config;
  options.run_updates = true;  // the daemon's Scheduler is not part of this test
  auto server = api::ApiServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string host =
      fmt::format(" --host http://127.0.0.1:{} --token tok", (*server)->port());

  std::string out;
  ASSERT_EQ(Run("create lb.gold.up --source lake.gold.up --primary-key user_id" + host, &out), 0)
      << out;
  EXPECT_NE(out.find("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE"), std::string::npos) << out;
  EXPECT_EQ(Count("gold.up"), 2000);
  EXPECT_EQ(Run("create lb.gold.up --source lake.gold.up --primary-key user_id" + host, &out), 7)
      << out;

  ASSERT_EQ(Run("get lb.gold.up --json" + host, &out), 0) << out;
  JsonDoc got(out);
  EXPECT_EQ(got.Str("/detailed_state"), "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
  EXPECT_EQ(got.Str("/source_table_full_name"), "lake.gold.up");
  EXPECT_EQ(got.Int("/last_processed_commit_version"), 0);

  ASSERT_TRUE(table_->Delete({.every = 100}).ok());
  ASSERT_EQ(Run("sync lb.gold.up --wait --json" + host, &out), 0) << out;
  EXPECT_EQ(JsonDoc(out).Str("/state"), "COMPLETED") << out;
  EXPECT_EQ(JsonDoc(out).Int("/synced_table/last_processed_commit_version"), 1) << out;
  EXPECT_EQ(Count("gold.up"), 1980);
  ASSERT_EQ(Run("sync lb.gold.up --full-refresh --wait" + host, &out), 0) << out;
  EXPECT_NE(out.find("COMPLETED"), std::string::npos) << out;
  ASSERT_EQ(Run("sync lb.gold.up" + host, &out), 0) << out;
  EXPECT_NE(out.find("queued"), std::string::npos) << out;

  ASSERT_EQ(Run("update lb.gold.up --policy SNAPSHOT --json" + host, &out), 0) << out;
  EXPECT_EQ(JsonDoc(out).Str("/scheduling_policy"), "SNAPSHOT") << out;
  ASSERT_EQ(Run("list --json" + host, &out), 0) << out;
  EXPECT_EQ(JsonDoc(out).Str("/0/name"), "lb.gold.up") << out;

  EXPECT_EQ(Run("get lb.gold.up --token wrong" +
                    fmt::format(" --host http://127.0.0.1:{}", (*server)->port()),
                &out),
            3)
      << out;
  EXPECT_NE(out.find("PERMISSION_DENIED"), std::string::npos) << out;
  EXPECT_EQ(Run("get lb.gold.up --host http://127.0.0.1:1 --token tok", &out), 6) << out;
  EXPECT_EQ(Run("sync lb.gold.up --continuous" + host, &out), 3) << out;

  ASSERT_EQ(Run("delete lb.gold.up --purge" + host, &out), 0) << out;
  EXPECT_EQ(Count("gold.up"), -1);
  EXPECT_EQ(Run("get lb.gold.up" + host, &out), 4) << out;
  (*server)->Stop();
}

TEST_F(CliModesTest, ServeRefusesWhatCannotWork) {
  std::string out;
  // No tokens, and not on loopback: refused.
  const std::string open_config = dir_.path() + "/open.toml";
  std::string text = testing::ApiConfigText(*db_, dir_.path() + "/lake");
  const std::string tokens = "tokens = [\"tok\"]";
  text.replace(text.find(tokens), tokens.size(), "tokens = []");
  std::ofstream(open_config) << text;
  EXPECT_EQ(Run("serve --config " + open_config + " --listen 0.0.0.0:0", &out), 3) << out;
  EXPECT_NE(out.find("refusing to serve without authentication"), std::string::npos) << out;
  // A typo in the file names file, line and key.
  const std::string typo = dir_.path() + "/typo.toml";
  std::ofstream(typo) << "[api]\nlisten = \"127.0.0.1:0\"\ntoken = [\"x\"]\n";
  EXPECT_EQ(Run("serve --config " + typo, &out), 3) << out;
  EXPECT_NE(out.find(typo + ":3: api.token: unknown key"), std::string::npos) << out;
  EXPECT_EQ(Run("serve --config " + dir_.path() + "/missing.toml", &out), 4) << out;
}

}  // namespace
}  // namespace lakesync
