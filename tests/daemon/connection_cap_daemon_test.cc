// `lakesync serve` within its instance's connection cap, as an operator checks it in
// pg_stat_activity: the daemon's control connection, its API's pooled connections, the
// pipeline that runs a requested full refresh and that load's extra connections together
// never exceed the configured max_connections.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "api_test_util.h"
#include "daemon_test_util.h"
#include "deltagen/scenario.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/test_paths.h"

namespace lakesync {
namespace {

class DaemonConnectionCapTest : public testing::DatabaseTest {
 protected:
  void TearDown() override {
    daemon_.reset();  // before the database is dropped
    DatabaseTest::TearDown();
  }

  int Run(const std::string& args, std::string* out) { return testing::RunLakesync(args, out); }

  testing::TempDir dir_;
  std::unique_ptr<testing::ServeProcess> daemon_;
};

TEST_F(DaemonConnectionCapTest, ServeRunsARequestedFullRefreshWithinTheInstanceCap) {
  // Six files, loaded over as many connections as allowed (one per byte of source data).
  auto table = deltagen::Scenario::UserProfiles(30'000).Files(6).RowGroupRows(2'000).Run(
      std::make_shared<storage::LocalFileSystem>(), dir_.path() + "/lake/gold/up");
  ASSERT_TRUE(table.ok()) << table.status();
  std::string text = testing::ApiConfigText(*db_, dir_.path() + "/lake");
  const std::string line = "max_connections = 4";
  text.replace(text.find(line), line.size(), "max_connections = 3\nload_bytes_per_connection = 1");
  const std::string config = dir_.path() + "/lakesync.toml";
  std::ofstream(config) << text << "\n[daemon]\nlease_ttl_ms = 3000\npoll_interval_ms = 100\n";

  std::string out;
  ASSERT_EQ(Run("create lb.gold.up --source lake.gold.up --primary-key user_id --policy SNAPSHOT "
                "--config " +
                    config,
                &out),
            0)
      << out;
  daemon_ = std::make_unique<testing::ServeProcess>(std::vector<std::string>{"--config", config},
                                                    dir_.path() + "/daemon.log");
  ASSERT_GT(daemon_->pid(), 0) << daemon_->Logs();

  testing::PeakLakesyncConnections peak(db_->conninfo());
  ASSERT_EQ(Run(fmt::format("sync lb.gold.up --full-refresh --wait --host http://127.0.0.1:{} "
                            "--token tok",
                            daemon_->port()),
                &out),
            0)
      << out << daemon_->Logs();
  const int seen = peak.Stop();
  EXPECT_NE(out.find("COMPLETED"), std::string::npos) << out;
  // The run reports the connections its load held: its engine's, and extra ones only where
  // the daemon's control connection and the API's engines (the --wait polls lease them) left
  // room under the cap. The server never saw more lakesync connections than the cap.
  const int used = testing::RunConnections(daemon_->Logs());
  EXPECT_GE(used, 1) << daemon_->Logs();
  EXPECT_LE(used, 2) << "the control connection leaves at most two\n" << daemon_->Logs();
  EXPECT_LE(seen, 3) << daemon_->Logs();
  EXPECT_EQ(testing::CountRows(*conn_, "gold.up"), 30'000);
}

}  // namespace
}  // namespace lakesync
