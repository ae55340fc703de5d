// Progress of a run as the API and the CLI's progress bar see it: callbacks while rows are
// sent, and rows_done / rows_total in the synced table's state.
#include <gtest/gtest.h>

#include <vector>

#include "daemon_test_util.h"

namespace lakesync {
namespace {

using SyncProgressTest = testing::SyncedTableTest;

TEST_F(SyncProgressTest, SnapshotReportsRowsDoneOfTheSourceRowCount) {
  sync::SyncedTableSpec spec;
  spec.name = "gold.up";
  spec.source = dir_.path() + "/up";
  spec.primary_key = {"user_id"};
  ASSERT_TRUE(engine_->Register(spec).ok());
  std::vector<sync::SyncProgress> seen;
  sync::SyncOptions options;
  options.on_progress = [&](const sync::SyncProgress& p) { seen.push_back(p); };
  auto run = engine_->Sync("gold.up", options);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_GE(seen.size(), 2u);
  EXPECT_EQ(seen.front().rows_done, 0);
  EXPECT_EQ(seen.front().rows_total, 2000) << "the total comes from the files' statistics";
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_GE(seen[i].rows_done, seen[i - 1].rows_done) << "progress never goes back";
  }
  EXPECT_EQ(seen.back().rows_done, 2000);
  EXPECT_EQ(seen.back().rows_total, 2000);
  auto state = engine_->Get("gold.up");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->rows_done, 2000);
  EXPECT_EQ(state->rows_total, 2000);
  EXPECT_GT(state->rows_per_second, 0);
}

TEST_F(SyncProgressTest, IncrementalRunEndsWithTheChangesItApplied) {
  CreateTable(sync::SchedulingPolicy::kTriggered);
  Commit(0);  // 50 updates, 7 deletes
  std::vector<sync::SyncProgress> seen;
  sync::SyncOptions options;
  options.on_progress = [&](const sync::SyncProgress& p) { seen.push_back(p); };
  auto run = engine_->Sync("gold.up", options);
  ASSERT_TRUE(run.ok()) << run.status();
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back().rows_done, 57);
  EXPECT_EQ(engine_->Get("gold.up")->rows_done, 57);
}

}  // namespace
}  // namespace lakesync
