// End to end: snapshot loads over several connections (parallel_copy.h through
// sync::LoadSnapshot) into the fixture PostgreSQL: the rows equal the source whatever the
// number of connections, decoders and chunk size; progress is reported; side tables never
// outlive a load, whether it failed or crashed before.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "deltagen/scenario.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/sync/snapshot_loader.h"
#include "lakesync/testing/pg_test_env.h"
#include "table_assertions.h"

namespace lakesync::sync {
namespace {

using testing::ExpectTableEquals;
using testing::TempDir;

class ParallelLoadTest : public testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Six files of three row groups: more work units than connections, several chunks each.
    auto table = deltagen::Scenario::UserProfiles(30'000).Files(6).RowGroupRows(2'000).Run(
        fs_, dir_.path() + "/up");
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = std::move(*table);
  }

  SnapshotLoadOptions Options() {
    SnapshotLoadOptions options;
    options.source = dir_.path() + "/up";
    options.conninfo = db_->conninfo();
    options.target = "gold.up";
    options.primary_key = {"user_id"};
    options.bytes_per_connection = 1;  // as many connections as allowed, small as the table is
    options.copy_chunk_bytes = 64 << 10;
    return options;
  }

  std::string Scalar(const std::string& sql) {
    auto rows = testing::QueryRows(*conn_, sql);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() && !rows->empty() ? (*rows)[0][0].value_or("NULL") : "";
  }

  void ExpectSourceEqualsTarget() {
    auto rows = table_->CurrentRows();
    ASSERT_TRUE(rows.ok()) << rows.status();
    ExpectTableEquals(*conn_, "gold.up", *rows, "user_id");
  }

  TempDir dir_;
  std::shared_ptr<storage::FileSystem> fs_ = std::make_shared<storage::LocalFileSystem>();
  std::unique_ptr<deltagen::UserProfilesTable> table_;
};

TEST_F(ParallelLoadTest, RowsOverFourConnectionsEqualTheSourceAndProgressCountsThemAll) {
  SnapshotLoadOptions options = Options();
  options.max_connections = 4;
  options.decoders = 2;
  std::vector<int64_t> progress;
  bool on_caller_thread = true;
  const std::thread::id caller = std::this_thread::get_id();
  options.on_rows = [&](int64_t rows) {
    on_caller_thread = on_caller_thread && std::this_thread::get_id() == caller;
    progress.push_back(rows);
  };
  auto loaded = LoadSnapshot(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->connections, 4);
  EXPECT_EQ(loaded->rows_loaded, 30'000);
  EXPECT_EQ(loaded->files_read, 6);
  ExpectSourceEqualsTarget();
  EXPECT_EQ(Scalar("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = "
                   "'gold.up'::regclass AND contype = 'p'"),
            "PRIMARY KEY (user_id)");
  EXPECT_EQ(Scalar("SELECT to_regclass('gold.up__lakesync_load') IS NULL"), "t");

  // Running totals, on the caller's thread, ending at every row.
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(on_caller_thread);
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  EXPECT_EQ(progress.back(), 30'000);

  // A reload after changes, over one connection this time, equals the new snapshot.
  ASSERT_TRUE(table_->Update({.every = 7}, {deltagen::SetExpr::Parse("score", "+1")}).ok());
  ASSERT_TRUE(table_->Delete({.every = 11, .offset = 3}).ok());
  options.max_connections = 1;
  auto reloaded = LoadSnapshot(options);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->connections, 1);
  ExpectSourceEqualsTarget();
}

TEST_F(ParallelLoadTest, UnloggedSideTableEndsUpALoggedTarget) {
  SnapshotLoadOptions options = Options();
  options.max_connections = 3;
  options.unlogged_load = true;
  auto loaded = LoadSnapshot(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ExpectSourceEqualsTarget();
  // 'p' (permanent): the table survives a crash of the server, unlike an unlogged one.
  EXPECT_EQ(Scalar("SELECT relpersistence FROM pg_class WHERE oid = 'gold.up'::regclass"), "p");
}

TEST_F(ParallelLoadTest, SideTableLeftByACrashedLoadIsDroppedByTheNextLoad) {
  SnapshotLoadOptions options = Options();
  options.max_connections = 4;
  ASSERT_TRUE(LoadSnapshot(options).ok());
  // What a load killed mid-COPY leaves: a committed side table holding some rows.
  ASSERT_TRUE(conn_
                  ->Exec("CREATE TABLE gold.up__lakesync_load AS SELECT * FROM gold.up "
                         "WHERE user_id % 2 = 0")
                  .ok());
  ASSERT_TRUE(table_->Insert(100).ok());
  auto loaded = LoadSnapshot(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->rows_loaded, 30'100);
  ExpectSourceEqualsTarget();
  EXPECT_EQ(Scalar("SELECT to_regclass('gold.up__lakesync_load') IS NULL"), "t");
}

TEST_F(ParallelLoadTest, FailedParallelLoadDropsItsSideTableAndKeepsTheOldRows) {
  SnapshotLoadOptions options = Options();
  options.max_connections = 4;
  ASSERT_TRUE(LoadSnapshot(options).ok());
  // Every connection's COPY commits, then the key cannot be built: duplicate keys.
  auto dup = deltagen::Scenario::UserProfiles(5'000).Files(4).Run(fs_, dir_.path() + "/dup");
  ASSERT_TRUE(dup.ok()) << dup.status();
  // Key on a column with few values: many rows per key.
  options.source = dir_.path() + "/dup";
  options.primary_key = {"country"};
  auto failed = LoadSnapshot(options);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(failed.status().IsConflict()) << failed.status();
  EXPECT_NE(failed.status().message().find("PRIMARY_KEY_CONSTRAINT_VIOLATION"), std::string::npos);
  EXPECT_EQ(Scalar("SELECT to_regclass('gold.up__lakesync_load') IS NULL"), "t");
  ExpectSourceEqualsTarget();
}

}  // namespace
}  // namespace lakesync::sync
