// End to end: Delta tables (written by deltagen, and real ones from ../shared) copied into the
// fixture PostgreSQL by the snapshot loader and by the `lakesync copy` command; every row and
// value compared with the source.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "deltagen/column_builder.h"
#include "deltagen/delta_writer.h"
#include "deltagen/scenario.h"
#include "lakesync/parquet/file_reader.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/sync/snapshot_loader.h"
#include "lakesync/testing/pg_test_env.h"
#include "lakesync/testing/test_paths.h"
#include "table_assertions.h"

namespace lakesync {
namespace {

namespace fs = std::filesystem;
using testing::ExpectTableEquals;

sync::SnapshotLoadOptions LoadOptions(std::string source, const testing::TestDatabase& db,
                                      std::string target, std::string key) {
  sync::SnapshotLoadOptions options;
  options.source = std::move(source);
  options.conninfo = db.conninfo();
  options.target = std::move(target);
  options.primary_key = {std::move(key)};
  return options;
}
using testing::TempDir;

using testing::SharedDir;

TEST(SnapshotCopyTest, DeltagenUserProfilesRoundTripsEveryValueAndReloadsAfterChanges) {
  LAKESYNC_TEST_DATABASE(db);
  TempDir dir;
  auto local = std::make_shared<storage::LocalFileSystem>();
  auto table = deltagen::Scenario::UserProfiles(20'000).Files(3).RowGroupRows(4'000).Run(
      local, dir.path() + "/user_profiles");
  ASSERT_TRUE(table.ok()) << table.status();

  sync::SnapshotLoadOptions options =
      LoadOptions(dir.path() + "/user_profiles", *db, "gold.user_profiles", "user_id");
  auto loaded = sync::LoadSnapshot(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->version, 0);
  EXPECT_EQ(loaded->rows_loaded, 20'000);
  EXPECT_EQ(loaded->rows_skipped_null_key, 0);

  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  auto rows = (*table)->CurrentRows();
  ASSERT_TRUE(rows.ok()) << rows.status();
  ExpectTableEquals(**conn, "gold.user_profiles", *rows, "user_id");

  // The primary key exists on the target, and types are the documented mapping.
  auto types = testing::QueryRows(
      **conn,
      "SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY "
      "a.attnum) FROM pg_attribute a WHERE a.attrelid = 'gold.user_profiles'::regclass AND "
      "a.attnum > 0 AND NOT a.attisdropped");
  ASSERT_TRUE(types.ok());
  EXPECT_EQ(*(*types)[0][0],
            "user_id bigint, email text, name text, country text, age integer, score double "
            "precision, created_at timestamp with time zone, is_active boolean, balance "
            "numeric(12,2)");
  auto pk = testing::QueryRows(**conn,
                               "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE "
                               "conrelid = 'gold.user_profiles'::regclass AND contype = 'p'");
  ASSERT_TRUE(pk.ok());
  ASSERT_EQ(pk->size(), 1u);
  EXPECT_EQ(*(*pk)[0][0], "PRIMARY KEY (user_id)");

  // Change the source, copy again: the target now equals the new snapshot.
  ASSERT_TRUE(
      (*table)->Update({.every = 97, .offset = 3}, {deltagen::SetExpr::Parse("score", "+1")}).ok());
  ASSERT_TRUE((*table)->Delete({.every = 250, .offset = 0}).ok());
  ASSERT_TRUE((*table)->Insert(500).ok());
  auto reloaded = sync::LoadSnapshot(options);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->version, 3);
  auto new_rows = (*table)->CurrentRows();
  ASSERT_TRUE(new_rows.ok());
  ExpectTableEquals(**conn, "gold.user_profiles", *new_rows, "user_id");
  EXPECT_EQ(reloaded->rows_loaded, *(*table)->CountRows());

  // Loading an older version is time travel.
  options.version = 0;
  auto old = sync::LoadSnapshot(options);
  ASSERT_TRUE(old.ok()) << old.status();
  ExpectTableEquals(**conn, "gold.user_profiles", *rows, "user_id");
}

// A real table written by Spark (Delta's golden tables) against the rows Spark itself wrote
// out as the expected result.
TEST(SnapshotCopyTest, SparkPrimitivesTableEqualsSparksExpectedRows) {
  const std::string root =
      SharedDir() + "/delta-tables/delta-kernel-rs/unpacked/golden_data/data-reader-primitives";
  if (!fs::exists(root)) GTEST_SKIP() << "../shared is absent: " << root;
  LAKESYNC_TEST_DATABASE(db);

  sync::SnapshotLoadOptions options = LoadOptions(root + "/delta", *db, "primitives", "as_int");
  auto loaded = sync::LoadSnapshot(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();

  std::vector<ColumnBatch> expected;
  for (const auto& entry : fs::directory_iterator(root + "/expected")) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".parquet") || name.starts_with(".")) continue;
    auto file = storage::LocalFileSystem().OpenForRead(entry.path().string());
    ASSERT_TRUE(file.ok());
    auto reader = parquet::FileReader::Open(std::move(*file));
    ASSERT_TRUE(reader.ok()) << reader.status();
    for (int rg = 0; rg < (*reader)->num_row_groups(); ++rg) {
      auto batch = (*reader)->ReadRowGroup(rg);
      ASSERT_TRUE(batch.ok()) << batch.status();
      expected.push_back(std::move(*batch));
    }
  }
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  int64_t null_keys = 0;
  ExpectTableEquals(**conn, "primitives", expected, "as_int", &null_keys);
  EXPECT_GT(null_keys, 0) << "the golden table has a row of nulls";
  EXPECT_EQ(loaded->rows_skipped_null_key, null_keys);
}

// A source with two rows for one key fails with Databricks' error name, and the target keeps
// its last good rows.
TEST(SnapshotCopyTest, DuplicateKeysFailAndKeepTheLastGoodTable) {
  LAKESYNC_TEST_DATABASE(db);
  TempDir dir;
  auto local = std::make_shared<storage::LocalFileSystem>();
  deltagen::DeltaTableOptions topts;
  topts.schema = {Field{"id", DataType::Primitive(TypeId::kInt64), true},
                  Field{"v", DataType::Primitive(TypeId::kString), true}};
  auto writer = deltagen::DeltaTableWriter::Create(local, dir.path() + "/t", topts);
  ASSERT_TRUE(writer.ok()) << writer.status();
  auto write = [&](std::vector<std::vector<deltagen::Value>> rows, bool replace) {
    auto batch = deltagen::BuildBatch(topts.schema, rows);
    ASSERT_TRUE(batch.ok()) << batch.status();
    auto add = (*writer)->WriteDataFile(*batch, {});
    ASSERT_TRUE(add.ok()) << add.status();
    deltagen::CommitSpec commit;
    if (replace) {
      for (const auto& [path, a] : (*writer)->active_files()) {
        commit.removes.push_back((*writer)->RemoveFor(a));
      }
    }
    commit.adds.push_back(*add);
    ASSERT_TRUE((*writer)->Commit(commit).ok());
  };
  using deltagen::Value;
  write({{Value::Int(1), Value::String("a")},
         {Value::Int(2), Value::String("b")},
         {Value::Null(), Value::String("no key")}},
        false);

  sync::SnapshotLoadOptions options = LoadOptions(dir.path() + "/t", *db, "t", "id");
  auto first = sync::LoadSnapshot(options);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->rows_loaded, 2);
  EXPECT_EQ(first->rows_skipped_null_key, 1);

  write({{Value::Int(1), Value::String("x")}, {Value::Int(1), Value::String("y")}}, true);
  auto second = sync::LoadSnapshot(options);
  ASSERT_FALSE(second.ok());
  EXPECT_TRUE(second.status().IsConflict()) << second.status();
  EXPECT_NE(second.status().message().find("PRIMARY_KEY_CONSTRAINT_VIOLATION"), std::string::npos)
      << second.status();
  EXPECT_NE(second.status().message().find("(id)=(1)"), std::string::npos) << second.status();

  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  auto rows = testing::QueryRows(**conn, "SELECT id::text, v FROM t ORDER BY id");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(*(*rows)[0][1], "a");
  EXPECT_EQ(*(*rows)[1][1], "b");
  auto leftovers = testing::QueryRows(
      **conn, "SELECT count(*)::text FROM pg_class WHERE relname LIKE 't\\_\\_lakesync%'");
  ASSERT_TRUE(leftovers.ok());
  EXPECT_EQ(*(*leftovers)[0][0], "0") << "a failed load leaves no side table behind";
}

TEST(SnapshotCopyTest, RefusesToReplaceATableLakesyncDidNotCreate) {
  LAKESYNC_TEST_DATABASE(db);
  TempDir dir;
  auto local = std::make_shared<storage::LocalFileSystem>();
  ASSERT_TRUE(deltagen::Scenario::UserProfiles(100).Files(1).Run(local, dir.path() + "/up").ok());
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)
                  ->Exec("CREATE TABLE user_profiles (note text); "
                         "INSERT INTO user_profiles VALUES ('mine')")
                  .ok());
  sync::SnapshotLoadOptions options =
      LoadOptions(dir.path() + "/up", *db, "user_profiles", "user_id");
  auto result = sync::LoadSnapshot(options);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsInvalidArgument()) << result.status();
  auto rows = testing::QueryRows(**conn, "SELECT note FROM user_profiles");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(*(*rows)[0][0], "mine");
}

TEST(SnapshotCopyTest, UnknownKeyColumnAndMissingTableAreClearErrors) {
  LAKESYNC_TEST_DATABASE(db);
  TempDir dir;
  auto local = std::make_shared<storage::LocalFileSystem>();
  ASSERT_TRUE(deltagen::Scenario::UserProfiles(10).Files(1).Run(local, dir.path() + "/up").ok());
  sync::SnapshotLoadOptions options = LoadOptions(dir.path() + "/up", *db, "up", "id");
  auto bad_key = sync::LoadSnapshot(options);
  EXPECT_TRUE(bad_key.status().IsNotFound()) << bad_key.status();
  EXPECT_NE(bad_key.status().message().find("'id'"), std::string::npos);
  EXPECT_NE(bad_key.status().message().find("user_id"), std::string::npos)
      << "the message lists the columns there are";

  options.primary_key = {"user_id"};
  options.source = dir.path() + "/nothing_here";
  auto missing = sync::LoadSnapshot(options);
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status();
}

// The command line, as a user runs it: exit codes and the summary line.
TEST(CopyCommandTest, CopiesAndReportsWithDocumentedExitCodes) {
  LAKESYNC_TEST_DATABASE(db);
  const std::string bin_dir = testing::BinaryDir();
  TempDir dir;
  auto local = std::make_shared<storage::LocalFileSystem>();
  ASSERT_TRUE(deltagen::Scenario::UserProfiles(1000).Files(2).Run(local, dir.path() + "/up").ok());

  auto run = [&](const std::string& args, std::string* output) {
    return testing::RunCommand(fmt::format("{}/lakesync copy {}", bin_dir, args), output);
  };
  const std::string dsn = "'" + db->conninfo() + "'";
  std::string out;
  EXPECT_EQ(run(fmt::format("--source {}/up --dsn {} --table demo.up --primary-key user_id",
                            dir.path(), dsn),
                &out),
            0)
      << out;
  EXPECT_NE(out.find("copied 1000 rows"), std::string::npos) << out;

  out.clear();
  EXPECT_EQ(run(fmt::format("--source {}/absent --dsn {} --table demo.up --primary-key user_id",
                            dir.path(), dsn),
                &out),
            4)
      << out;
  EXPECT_NE(out.find("absent"), std::string::npos) << out;

  out.clear();
  EXPECT_EQ(run("--source x", &out), 2) << out;

  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  auto count = testing::QueryRows(**conn, "SELECT count(*)::text FROM demo.up");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*(*count)[0][0], "1000");
}

}  // namespace
}  // namespace lakesync
