// Exactly once under crashes: `lakesync sync` is SIGKILLed at random instants of snapshot and
// incremental runs, many times, with new commits in between; after a final run the target
// equals the source snapshot, row for row.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <random>
#include <thread>

#include "deltagen/scenario.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/pg_test_env.h"
#include "lakesync/testing/test_paths.h"
#include "table_assertions.h"

namespace lakesync {
namespace {

TEST(CrashTest, SyncKilledAtRandomPointsNeitherLosesNorRepeatsAChange) {
  LAKESYNC_TEST_DATABASE(db);
  testing::TempDir dir;
  auto table = deltagen::Scenario::UserProfiles(20'000).Files(4).Run(
      std::make_shared<storage::LocalFileSystem>(), dir.path() + "/up");
  ASSERT_TRUE(table.ok()) << table.status();
  const std::string source = dir.path() + "/up";
  const std::vector<std::string> dsn = {"--dsn", db->conninfo()};
  auto with_dsn = [&](std::vector<std::string> args) {
    args.insert(args.end(), dsn.begin(), dsn.end());
    return args;
  };

  // The first load, killed too: the synced table then exists without data.
  pid_t create =
      testing::SpawnLakesync(with_dsn({"create", "gold.up", "--source", source, "--primary-key",
                                       "user_id", "--policy", "TRIGGERED"}));
  ASSERT_GT(create, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  ::kill(create, SIGKILL);
  testing::WaitForExit(create);
  // Killed before it stored the spec: create it again. Killed after: `sync` finishes it.
  if (testing::WaitForExit(testing::SpawnLakesync(with_dsn({"get", "gold.up"}))) == 4) {
    ASSERT_EQ(testing::WaitForExit(testing::SpawnLakesync(
                  with_dsn({"create", "gold.up", "--source", source, "--primary-key", "user_id",
                            "--policy", "TRIGGERED"}))),
              0);
  }

  // How long an uninterrupted full refresh takes sets the window kills are drawn from.
  auto started = std::chrono::steady_clock::now();
  ASSERT_EQ(
      testing::WaitForExit(testing::SpawnLakesync(with_dsn({"sync", "gold.up", "--full-refresh"}))),
      0);
  const auto window = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started);

  std::mt19937 rng(::testing::UnitTest::GetInstance()->random_seed());
  int kills = 0;
  // Rounds go on until 20 runs were killed while running (a run may finish before its kill).
  for (int round = 0; kills < 20 && round < 80; ++round) {
    // New commits to apply: updates, deletes, inserts (incremental), every third round a
    // full refresh (snapshot path).
    ASSERT_TRUE(
        (*table)
            ->Update({.every = 97, .offset = round}, {deltagen::SetExpr::Parse("score", "+1")})
            .ok());
    if (round % 4 == 1) {
      ASSERT_TRUE((*table)->Delete({.every = 301, .offset = round}).ok());
    }
    if (round % 4 == 2) {
      ASSERT_TRUE((*table)->Insert(200).ok());
    }
    std::vector<std::string> args = {"sync", "gold.up"};
    if (round % 3 == 0) args.push_back("--full-refresh");
    pid_t pid = testing::SpawnLakesync(with_dsn(args));
    ASSERT_GT(pid, 0);
    // Incremental runs are shorter than the full refresh that measured the window.
    std::uniform_int_distribution<int64_t> delay(0, window.count() / (round % 3 == 0 ? 1 : 3));
    std::this_thread::sleep_for(std::chrono::microseconds(delay(rng)));
    ::kill(pid, SIGKILL);
    if (testing::WaitForExit(pid) == -1) ++kills;  // it was still running
  }
  EXPECT_GE(kills, 20) << "too few runs were killed while running";

  std::string out;
  ASSERT_EQ(testing::RunCommand(fmt::format("{}/lakesync sync gold.up --dsn '{}'",
                                            testing::BinaryDir(), db->conninfo()),
                                &out),
            0)
      << out;
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  auto rows = (*table)->CurrentRows();
  ASSERT_TRUE(rows.ok());
  testing::ExpectTableEquals(**conn, "gold.up", *rows, "user_id");
  auto version = testing::QueryRows(
      **conn, "SELECT last_processed_version, detailed_state FROM lakesync.synced_tables");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*(*version)[0][0], std::to_string((*table)->version()));
  EXPECT_EQ(*(*version)[0][1], "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE");
}

}  // namespace
}  // namespace lakesync
