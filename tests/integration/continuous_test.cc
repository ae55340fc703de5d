// The CONTINUOUS pipeline as a user runs it: `lakesync sync NAME --continuous` keeps applying
// new commits of the source as they land, and exits cleanly on SIGTERM.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "deltagen/scenario.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/sync/sync_engine.h"
#include "lakesync/testing/pg_test_env.h"
#include "table_assertions.h"

namespace lakesync {
namespace {

TEST(ContinuousSyncTest, AppliesEachNewCommitWithinSecondsAndStopsOnSigterm) {
  LAKESYNC_TEST_DATABASE(db);
  testing::TempDir dir;
  auto table = deltagen::Scenario::UserProfiles(3'000).Files(2).Run(
      std::make_shared<storage::LocalFileSystem>(), dir.path() + "/up");
  ASSERT_TRUE(table.ok()) << table.status();
  auto engine = sync::SyncEngine::Open(db->conninfo());
  ASSERT_TRUE(engine.ok()) << engine.status();
  sync::SyncedTableSpec spec;
  spec.name = "gold.up";
  spec.source = dir.path() + "/up";
  spec.primary_key = {"user_id"};
  spec.policy = sync::SchedulingPolicy::kContinuous;
  ASSERT_TRUE((*engine)->Create(spec).ok());

  const pid_t pid = testing::SpawnLakesync(
      {"sync", "gold.up", "--continuous", "--interval-ms", "100", "--dsn", db->conninfo()});
  ASSERT_GT(pid, 0);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  // Waits (30 s at most) until the target has caught up with the source's latest version.
  auto caught_up = [&] {
    const std::string want = std::to_string((*table)->version());
    for (int i = 0; i < 300; ++i) {
      auto v =
          testing::QueryRows(**conn, "SELECT last_processed_version FROM lakesync.synced_tables");
      if (v.ok() && !v->empty() && (*v)[0][0] == want) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  };
  for (int round = 0; round < 3; ++round) {
    ASSERT_TRUE(
        (*table)
            ->Update({.every = 50, .offset = round}, {deltagen::SetExpr::Parse("score", "+1")})
            .ok());
    ASSERT_TRUE((*table)->Delete({.every = 400, .offset = round + 1}).ok());
    ASSERT_TRUE(caught_up()) << "round " << round << ": version " << (*table)->version()
                             << " did not reach PostgreSQL";
    auto rows = (*table)->CurrentRows();
    ASSERT_TRUE(rows.ok());
    testing::ExpectTableEquals(**conn, "gold.up", *rows, "user_id");
  }
  ::kill(pid, SIGTERM);
  EXPECT_EQ(testing::WaitForExit(pid), 0) << "SIGTERM ends the pipeline cleanly";
  auto state = (*engine)->Get("gold.up");
  ASSERT_TRUE(state.ok());
  EXPECT_TRUE(sync::IsOnline(state->state)) << sync::DetailedStateName(state->state);
}

}  // namespace
}  // namespace lakesync
