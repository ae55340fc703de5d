// The change data feed property over deltagen scenarios: many commits of updates, deletes and
// inserts (copy-on-write and merge-on-read with deletion vectors; column mapping none, name and
// id; partitioned or not; checkpoints between). For every version N, the change feed
// table_changes(0..N) applied to an empty multiset of rows equals the snapshot at N, and by
// user_id the latest row per key matches it too.
#include <gtest/gtest.h>

#include "deltagen/scenario.h"
#include "deltagen/test_util.h"
#include "lakesync/delta/table_rows_test_util.h"

namespace lakesync::deltagen {
namespace {

Scenario ManyCommits(Scenario s) {
  return s.Files(3)
      .Update(7, {SetExpr::Parse("score", "+1"), SetExpr::Parse("name", "renamed")})
      .Delete(11)
      .Insert(150, 2)
      .Update(5, {SetExpr::Parse("is_active", "!")}, 2)
      .Delete(13, 4)
      .Checkpoint()
      .Update(3, {SetExpr::Parse("age", "null")}, 1)
      .Insert(80)
      .Delete(2)
      .Update(17, {SetExpr::Parse("balance", "*2")})
      .Delete(19, 3)
      .Insert(40);
}

void Check(const Scenario& scenario, const std::string& what) {
  testing::TempDir dir;
  const std::string root = dir.Join("t");
  auto fs = std::make_shared<storage::LocalFileSystem>();
  auto table = scenario.Run(fs, root);
  ASSERT_TRUE(table.ok()) << what << ": " << table.status();
  const int checked = delta::ExpectChangesRebuildEverySnapshot(fs, root, what);
  EXPECT_EQ(checked, (*table)->version() + 1) << what;
}

TEST(ChangeFeedPropertyTest, CopyOnWrite) {
  Check(ManyCommits(Scenario::UserProfiles(600)), "copy-on-write");
}

TEST(ChangeFeedPropertyTest, DeletionVectors) {
  Check(ManyCommits(Scenario::UserProfiles(600).DeletionVectors(true)), "deletion vectors");
}

TEST(ChangeFeedPropertyTest, ColumnMappingByNameWithDeletionVectors) {
  Check(ManyCommits(
            Scenario::UserProfiles(600).ColumnMapping(ColumnMapping::kName).DeletionVectors(true)),
        "column mapping name + deletion vectors");
}

TEST(ChangeFeedPropertyTest, ColumnMappingByIdPartitioned) {
  Check(ManyCommits(
            Scenario::UserProfiles(300).ColumnMapping(ColumnMapping::kId).PartitionBy("country")),
        "column mapping id, partitioned");
}

TEST(ChangeFeedPropertyTest, PartitionedWithDeletionVectors) {
  Check(ManyCommits(Scenario::UserProfiles(300).PartitionBy("country").DeletionVectors(true)),
        "partitioned + deletion vectors");
}

}  // namespace
}  // namespace lakesync::deltagen
