// The configured connection cap of an instance (instances.NAME.max_connections) as a user
// checks it: while lakesync loads a table, pg_stat_activity never shows more lakesync
// connections than the cap, whether the load runs in the CLI's direct mode or in the API;
// and `create --max-connections` stores the synced table's own limit or fails clearly.
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

class ConnectionCapTest : public testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Six files, so that a load would gladly use many connections.
    auto table = deltagen::Scenario::UserProfiles(30'000).Files(6).RowGroupRows(2'000).Run(
        std::make_shared<storage::LocalFileSystem>(), dir_.path() + "/lake/gold/up");
    ASSERT_TRUE(table.ok()) << table.status();
  }

  // A configuration whose instance caps lakesync at `cap` connections and loads any table
  // over as many connections as allowed (one per byte of source data).
  std::string WriteConfig(int cap) {
    std::string text = testing::ApiConfigText(*db_, dir_.path() + "/lake");
    const std::string line = "max_connections = 4";
    text.replace(text.find(line), line.size(),
                 fmt::format("max_connections = {}\nload_bytes_per_connection = 1", cap));
    const std::string path = fmt::format("{}/cap{}.toml", dir_.path(), cap);
    std::ofstream(path) << text;
    return path;
  }

  // The line of `out` that holds a JSON object (warnings on stderr come with it).
  static std::string JsonLine(const std::string& out) {
    const size_t at = out.find("\n{");
    const size_t begin = out.starts_with("{") ? 0 : at == std::string::npos ? out.size() : at + 1;
    return out.substr(begin, out.find('\n', begin) - begin);
  }

  int Run(const std::string& args, std::string* out) { return testing::RunLakesync(args, out); }

  testing::TempDir dir_;
};

TEST_F(ConnectionCapTest, DirectModeLoadNeverHoldsMoreConnectionsThanTheInstanceCap) {
  const std::string capped = " --config " + WriteConfig(3);
  std::string out;
  testing::PeakLakesyncConnections peak(db_->conninfo());
  // At level info the run's "sync finished" line says how many connections it held.
  ASSERT_EQ(Run("--log-level info create lb.gold.up --source lake.gold.up --primary-key user_id "
                "--policy SNAPSHOT --json" +
                    capped,
                &out),
            0)
      << out;
  const int under_cap = peak.Stop();
  JsonDoc created(JsonLine(out));
  EXPECT_EQ(created.Str("/detailed_state"), "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE") << out;
  // The table keeps its own limit of 16 (above the cap, which only clamps its loads); the load
  // held its engine's connection and the load's own at least (as the run reports them), and
  // the server never saw more lakesync connections than the cap.
  EXPECT_EQ(created.Int("/max_connections"), 16) << out;
  const int used = testing::RunConnections(out);
  EXPECT_GE(used, 2) << out;
  EXPECT_LE(used, 3) << out;
  EXPECT_LE(under_cap, 3);
  EXPECT_EQ(testing::CountRows(*conn_, "gold.up"), 30'000);

  // With room for more, the same full refresh uses more, still within the wider cap.
  testing::PeakLakesyncConnections wider(db_->conninfo());
  ASSERT_EQ(Run("--log-level info sync lb.gold.up --full-refresh --config " + WriteConfig(8), &out),
            0)
      << out;
  const int under_wider_cap = wider.Stop();
  const int used_wider = testing::RunConnections(out);
  EXPECT_GT(used_wider, 3) << out;
  EXPECT_LE(used_wider, 8) << out;
  EXPECT_LE(under_wider_cap, 8);
  EXPECT_EQ(testing::CountRows(*conn_, "gold.up"), 30'000);
}

TEST_F(ConnectionCapTest, ApiPoolAndItsLoadsShareTheInstanceCap) {
  testing::CapturedLogs captured;  // outlives the server
  auto config = config::Config::Load(WriteConfig(3));
  ASSERT_TRUE(config.ok()) << config.status();
  api::ApiServerOptions options;
  options.tokens = {"tok"};
  options.config = &*config;
  options.run_updates = true;
  auto server = api::ApiServer::Start(options);
  ASSERT_TRUE(server.ok()) << server.status();
  const std::string host =
      fmt::format(" --host http://127.0.0.1:{} --token tok", (*server)->port());

  std::string out;
  testing::PeakLakesyncConnections peak(db_->conninfo());
  ASSERT_EQ(
      Run("create lb.gold.up --source lake.gold.up --primary-key user_id --policy SNAPSHOT" + host,
          &out),
      0)
      << out;
  ASSERT_EQ(Run("sync lb.gold.up --full-refresh --wait" + host, &out), 0) << out;
  const int seen = peak.Stop();
  // Both loads (the initial one and the full refresh) report the connections they held: their
  // engine's, and extra ones where the API's engines (the CLI's requests lease them) left room
  // under the cap, so never more than the cap; nor did the server see more.
  const std::string logs = captured.Text();
  size_t finished = 0;
  for (size_t at = logs.find("sync finished"); at != std::string::npos;
       at = logs.find("sync finished", at + 1)) {
    const std::string line = logs.substr(at, logs.find('\n', at) - at);
    const int used = testing::RunConnections(line);
    EXPECT_GE(used, 1) << line;
    EXPECT_LE(used, 3) << line;
    ++finished;
  }
  EXPECT_EQ(finished, 2u) << logs;
  EXPECT_LE(seen, 3);
  EXPECT_EQ(testing::CountRows(*conn_, "gold.up"), 30'000);
  (*server)->Stop();
}

TEST_F(ConnectionCapTest, CreateMaxConnectionsIsStoredShownAndRefusedWhenTheServerCannotFitIt) {
  const std::string cfg = " --config " + WriteConfig(8);
  const std::string create = "create lb.gold.five --source lake.gold.up --primary-key user_id ";
  std::string out;
  ASSERT_EQ(Run(create + "--max-connections 5 --json" + cfg, &out), 0) << out;
  EXPECT_EQ(JsonDoc(JsonLine(out)).Int("/max_connections"), 5) << out;
  ASSERT_EQ(Run("get lb.gold.five" + cfg, &out), 0) << out;
  EXPECT_NE(out.find("max connections: 5\n"), std::string::npos) << out;

  // More than the server has: refused with the limit and how to raise it; nothing is stored.
  auto rows = testing::QueryRows(*conn_, "SELECT current_setting('max_connections')");
  ASSERT_TRUE(rows.ok()) << rows.status();
  const int server_max = std::stoi((*rows)[0][0].value_or("0"));
  const std::string too_many = std::to_string(server_max + 1);
  EXPECT_EQ(
      Run("create lb.gold.many --source lake.gold.up --primary-key user_id --max-connections " +
              too_many + cfg,
          &out),
      3)
      << out;
  EXPECT_NE(out.find("synced table gold.many"), std::string::npos) << out;
  EXPECT_NE(out.find("may use up to " + too_many + " connections"), std::string::npos) << out;
  EXPECT_NE(out.find("postgresql.conf"), std::string::npos) << out;
  EXPECT_EQ(Run("get lb.gold.many" + cfg, &out), 4) << out;

  EXPECT_EQ(Run(create + "--max-connections 0" + cfg, &out), 3) << out;
  EXPECT_NE(out.find("max_connections must be in [1, 10000]"), std::string::npos) << out;
  EXPECT_EQ(Run(create + "--max-connections lots" + cfg, &out), 2) << out;
  // The REST API's spec has no such field: daemon mode says so instead of dropping it.
  EXPECT_EQ(Run(create + "--max-connections 5 --host http://127.0.0.1:1 --token tok", &out), 3)
      << out;
  EXPECT_NE(out.find("--max-connections is not supported with --host"), std::string::npos) << out;
}

}  // namespace
}  // namespace lakesync
