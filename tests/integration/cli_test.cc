// The synced-table commands as a user runs them against a database (direct mode):
// create, get, list, sync, delete, with text and --json output and documented exit codes.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "deltagen/scenario.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/pg_test_env.h"
#include "lakesync/testing/test_paths.h"
#include "table_assertions.h"

namespace lakesync {
namespace {

TEST(SyncedTableCommandsTest, CreateGetListSyncDeleteInDirectMode) {
  LAKESYNC_TEST_DATABASE(db);
  testing::TempDir dir;
  auto table = deltagen::Scenario::UserProfiles(2'000).Files(2).Run(
      std::make_shared<storage::LocalFileSystem>(), dir.path() + "/up");
  ASSERT_TRUE(table.ok()) << table.status();

  const std::string bin = testing::BinaryDir() + "/lakesync";
  const std::string dsn = "--dsn '" + db->conninfo() + "'";
  auto run = [&](const std::string& args, std::string* out) {
    out->clear();
    return testing::RunCommand(fmt::format("{} {} {}", bin, args, dsn), out);
  };
  std::string out;
  ASSERT_EQ(
      run(fmt::format("create gold.up --source {}/up --primary-key user_id", dir.path()), &out), 0)
      << out;
  EXPECT_NE(out.find("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE"), std::string::npos) << out;

  EXPECT_EQ(run("create gold.up --source /nowhere --primary-key user_id", &out), 4) << out;
  EXPECT_EQ(
      run(fmt::format("create gold.up --source {}/up --primary-key user_id", dir.path()), &out), 7)
      << "a second create of the same name is a conflict: " << out;
  EXPECT_EQ(run(fmt::format("create gold.x --source {}/up --primary-key nope", dir.path()), &out),
            4)
      << out;

  ASSERT_TRUE((*table)->Update({.every = 10}, {deltagen::SetExpr::Parse("age", "+1")}).ok());
  ASSERT_TRUE((*table)->Delete({.every = 100, .offset = 5}).ok());
  ASSERT_EQ(run("sync gold.up --json", &out), 0) << out;
  EXPECT_NE(out.find(R"("mode":"INCREMENTAL")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("rows_updated":200)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("rows_deleted":20)"), std::string::npos) << out;

  ASSERT_EQ(run("get gold.up --json", &out), 0) << out;
  EXPECT_NE(out.find(R"("last_processed_commit_version":2)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("synced_row_count":1980)"), std::string::npos) << out;

  ASSERT_EQ(run("list", &out), 0) << out;
  EXPECT_NE(out.find("gold.up"), std::string::npos) << out;
  EXPECT_NE(out.find("TRIGGERED"), std::string::npos) << out;

  ASSERT_EQ(run("sync gold.up --full-refresh", &out), 0) << out;
  EXPECT_NE(out.find("copied to version 2: 1980 inserted"), std::string::npos) << out;

  EXPECT_EQ(run("get gold.nope", &out), 4) << out;
  ASSERT_EQ(run("delete gold.up --purge", &out), 0) << out;
  ASSERT_EQ(run("list --json", &out), 0) << out;
  EXPECT_EQ(out, "[]\n");
  EXPECT_EQ(run("sync", &out), 2) << "missing argument is a usage error: " << out;
}

}  // namespace
}  // namespace lakesync
