// End to end: the "10x rule" (a batch changing more than full_refresh_fraction of the table is
// applied as a snapshot) counts net changes, the rows the batch changes, not change-feed rows:
// an update's pre-image and a key changed twice count once.
#include <gtest/gtest.h>

#include "deltagen/scenario.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/sync/sync_engine.h"
#include "lakesync/testing/pg_test_env.h"
#include "table_assertions.h"

namespace lakesync::sync {
namespace {

TEST(FullRefreshRuleTest, CountsNetChangesNotPreimagesOrRepeatedKeys) {
  LAKESYNC_TEST_DATABASE(db);
  testing::TempDir dir;
  auto fs = std::make_shared<storage::LocalFileSystem>();
  auto table = deltagen::Scenario::UserProfiles(1'000).Files(2).Run(fs, dir.path() + "/up");
  ASSERT_TRUE(table.ok()) << table.status();
  auto engine = SyncEngine::Open(db->conninfo());
  ASSERT_TRUE(engine.ok()) << engine.status();
  SyncedTableSpec spec;
  spec.name = "gold.up";
  spec.source = dir.path() + "/up";
  spec.primary_key = {"user_id"};
  spec.full_refresh_fraction = 0.1;  // 100 of the 1,000 rows
  spec.full_refresh_min_changes = 0;
  ASSERT_TRUE((*engine)->Create(spec).ok());
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());

  // 66 rows (user_id % 15 == 0) updated twice: 264 change-feed rows (pre- and post-images),
  // 66 net changes.
  for (int i = 0; i < 2; ++i) {
    ASSERT_TRUE((*table)->Update({.every = 15}, {deltagen::SetExpr::Parse("score", "+1")}).ok());
  }
  auto run = (*engine)->Sync("gold.up");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->mode, "INCREMENTAL");
  EXPECT_EQ(run->rows_updated, 66);
  auto rows = (*table)->CurrentRows();
  ASSERT_TRUE(rows.ok());
  testing::ExpectTableEquals(**conn, "gold.up", *rows, "user_id");

  // 112 net changes (user_id % 9 == 1 deleted) pass the 100: a snapshot.
  ASSERT_TRUE((*table)->Delete({.every = 9, .offset = 1}).ok());
  run = (*engine)->Sync("gold.up");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->mode, "SNAPSHOT");
  rows = (*table)->CurrentRows();
  ASSERT_TRUE(rows.ok());
  testing::ExpectTableEquals(**conn, "gold.up", *rows, "user_id");
}

}  // namespace
}  // namespace lakesync::sync
