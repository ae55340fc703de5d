// Scans of particular real Delta tables in $LAKESYNC_SHARED_DIR/delta-tables: partition values,
// deletion vectors, variants, type widening, missing files, time travel. (Every table at every
// version, row counts and expected rows: shared_tables_test.cc.)
#include "lakesync/delta/scan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "lakesync/common/macros.h"
#include "lakesync/common/value_text.h"
#include "lakesync/delta/column_convert.h"
#include "lakesync/delta/partition_values.h"
#include "lakesync/delta/table_rows_test_util.h"
#include "lakesync/parquet/file_reader.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/shared_tables.h"

namespace lakesync::delta {
namespace {

using testing::Has;
using testing::LoadManifest;
using testing::SharedTablesDir;

TEST(ScanSharedTablesTest, PartitionedTableFillsPartitionColumns) {
  const std::string dir = SharedTablesDir();
  if (dir.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  auto fs = std::make_shared<storage::LocalFileSystem>();
  auto snap = Snapshot::Open(fs, dir + "/delta-kernel-rs/kernel/tests/data/basic_partitioned");
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_FALSE((*snap)->partition_columns().empty());
  const std::string part = (*snap)->partition_columns()[0];
  auto result = ScanAll(**snap, true, ScanOptions{{part}});
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_GT(result->rows, 0);
  // One file has a null partition value (partitionValues {"letter": null}); the rest are set.
  EXPECT_GT(std::count(result->rendered.begin(), result->rendered.end(), "'a'"), 0);
  EXPECT_GT(std::count(result->rendered.begin(), result->rendered.end(), "null"), 0);

  auto bad = Scan::Make(**snap, ScanOptions{{"no_such_column"}});
  EXPECT_TRUE(bad.status().IsInvalidArgument());
}

TEST(ScanSharedTablesTest, DeletionVectorRowsAreDropped) {
  const std::string dir = SharedTablesDir();
  if (dir.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  auto fs = std::make_shared<storage::LocalFileSystem>();
  // delta-kernel-rs's table-with-dv-small: values 0..9, rows 0 and 9 deleted by the DV.
  auto snap = Snapshot::Open(fs, dir + "/delta-kernel-rs/kernel/tests/data/table-with-dv-small");
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_TRUE((*snap)->files().at(0).deletion_vector.has_value());
  auto result = ScanAll(**snap, true);
  ASSERT_TRUE(result.ok()) << result.status();
  std::sort(result->rendered.begin(), result->rendered.end());
  EXPECT_EQ(result->rendered, (std::vector<std::string>{"1", "2", "3", "4", "5", "6", "7", "8"}));
}

TEST(ScanSharedTablesTest, VariantsReadAsJson) {
  const std::string dir = SharedTablesDir();
  if (dir.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  auto fs = std::make_shared<storage::LocalFileSystem>();
  // Written by Spark as parse_json(format_string('{"key": %s}', id)) for id in 0..99.
  auto snap = Snapshot::Open(fs, dir + "/delta-kernel-rs/unpacked/data/unshredded-variant");
  ASSERT_TRUE(snap.ok()) << snap.status();
  auto result = ScanAll(**snap, true, ScanOptions{{"id", "v", "array_of_variants"}});
  ASSERT_TRUE(result.ok()) << result.status();
  ASSERT_GT(result->rows, 0);
  for (const auto& line : result->rendered) {
    const std::string id = line.substr(0, line.find('|'));
    EXPECT_EQ(line, fmt::format("{0}|'{{\"key\":{0}}}'|['{{\"key\":{0}}}',null,'{{\"key\":{0}}}',"
                                "null,'{{\"key\":{0}}}']",
                                id));
  }
}

TEST(ScanSharedTablesTest, MissingDataFileIsNamed) {
  const std::string dir = SharedTablesDir();
  if (dir.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  auto fs = std::make_shared<storage::LocalFileSystem>();
  // A log-only fixture: the log lists 4 files that are not on disk.
  auto snap =
      Snapshot::Open(fs, dir + "/delta-kernel-rs/kernel/tests/data/app-txn-with-last-updated");
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_FALSE((*snap)->files().empty());
  auto result = ScanAll(**snap, false);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().code(), StatusCode::kInternal);
  EXPECT_NE(result.status().message().find((*snap)->files()[0].path), std::string::npos)
      << result.status();
}

// delta-kernel-rs type-widening: one file written before every column was widened (byte, int,
// float, decimal, date), one after; both read as the current types.
TEST(ScanSharedTablesTest, TypeWideningReadsOldFilesAsNewTypes) {
  const std::string dir = SharedTablesDir();
  if (dir.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  auto fs = std::make_shared<storage::LocalFileSystem>();
  auto snap = Snapshot::Open(fs, dir + "/delta-kernel-rs/kernel/tests/data/type-widening");
  ASSERT_TRUE(snap.ok()) << snap.status();
  auto result = ScanAll(**snap, true);
  ASSERT_TRUE(result.ok()) << result.status();
  std::sort(result->rendered.begin(), result->rendered.end());
  EXPECT_EQ(result->rendered,
            (std::vector<std::string>{
                "1|2|3.4000000953674316|5|6|7|123.45|67.89000|1.0|2.0|3.0|4.0|1725840000000000",
                "9223372036854775807|9223372036854775807|1.234567890123|1.234567890123|"
                "1.234567890123|1.234567890123|12345678901234.56|12345678901.23456|123.4|12345.6|"
                "1234567890.1|123456789012345678.9|1725885296123456"}));
}

TEST(ScanSharedTablesTest, TimeTravelScansOlderVersion) {
  const std::string dir = SharedTablesDir();
  if (dir.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  auto fs = std::make_shared<storage::LocalFileSystem>();
  const std::string root = dir + "/delta-kernel-rs/kernel/tests/data/basic_partitioned";
  auto latest = Snapshot::Open(fs, root);
  auto first = Snapshot::Open(fs, root, SnapshotOptions{0});
  ASSERT_TRUE(latest.ok() && first.ok());
  EXPECT_LT((*first)->files().size(), (*latest)->files().size());
  auto old_rows = ScanAll(**first, false);
  auto new_rows = ScanAll(**latest, false);
  ASSERT_TRUE(old_rows.ok()) << old_rows.status();
  ASSERT_TRUE(new_rows.ok()) << new_rows.status();
  EXPECT_LT(old_rows->rows, new_rows->rows);
}

}  // namespace
}  // namespace lakesync::delta
