// Change data feed over delta-kernel-rs's CDF tables, against the rows its cdf.rs tests state.
#include "lakesync/delta/change_scan.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <filesystem>

#include "lakesync/common/macros.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/delta/log_parser.h"
#include "lakesync/delta/table_rows_test_util.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/test_paths.h"

namespace lakesync::delta {
namespace {

std::string TableDir(const std::string& name) {
  auto path = std::filesystem::path(testing::SharedDir()) /
              "delta-tables/delta-kernel-rs/unpacked/data" / name;
  return std::filesystem::exists(path) ? path.string() : "";
}

std::string Text(const ColumnVector& col, int64_t row) {
  if (col.IsNull(row)) return "null";
  switch (col.type().id) {
    case TypeId::kInt32:
      return std::to_string(col.Value<int32_t>(row));
    case TypeId::kInt64:
      return std::to_string(col.Value<int64_t>(row));
    case TypeId::kFloat64:
      return fmt::format("{:.1f}", col.Value<double>(row));
    case TypeId::kString:
      return std::string(col.StringValue(row));
    default:
      return "?";
  }
}

// Rows as "col|col|...", sorted, for the named columns plus _change_type and _commit_version.
Result<std::vector<std::string>> Changes(const std::string& root, int64_t start,
                                         std::optional<int64_t> end,
                                         std::vector<std::string> columns) {
  auto fs = std::make_shared<storage::LocalFileSystem>();
  LAKESYNC_ASSIGN_OR_RETURN(auto snapshot, Snapshot::Open(fs, root, SnapshotOptions{end}));
  LAKESYNC_ASSIGN_OR_RETURN(auto scan,
                            ChangeScan::Make(*snapshot, start, ChangeScanOptions{columns}));
  LAKESYNC_ASSIGN_OR_RETURN(auto it, scan->Open());
  std::vector<std::string> rows;
  while (true) {
    LAKESYNC_ASSIGN_OR_RETURN(auto batch, it->Next());
    if (!batch) break;
    if (!(batch->schema == scan->schema())) return Status::Internal("schema differs");
    std::vector<uint32_t> selected;
    if (batch->selection) {
      selected = *batch->selection;
    } else {
      for (int64_t r = 0; r < batch->num_rows; ++r) selected.push_back(static_cast<uint32_t>(r));
    }
    for (uint32_t r : selected) {
      std::string line;
      for (size_t c = 0; c + 1 < batch->columns.size(); ++c) {  // all but _commit_timestamp
        line += (c ? "|" : "") + Text(batch->columns[c], r);
      }
      rows.push_back(std::move(line));
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(ChangeScanTest, DeletionVectorChangesBecomeRowChanges) {
  const std::string root = TableDir("cdf-table-with-dv");
  if (root.empty()) GTEST_SKIP() << "shared table cdf-table-with-dv not found";
  auto rows = Changes(root, 0, std::nullopt, {"value"});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, Sorted({"0|insert|0", "1|insert|0", "2|insert|0", "3|insert|0", "4|insert|0",
                           "5|insert|0", "6|insert|0", "7|insert|0", "8|insert|0", "9|insert|0",
                           "0|delete|1", "9|delete|1", "0|insert|2", "9|insert|2", "0|delete|3",
                           "1|delete|3", "4|delete|3", "5|delete|3", "1|insert|4", "4|insert|4",
                           "3|delete|5", "0|insert|5", "5|insert|5", "3|insert|6"}));
}

TEST(ChangeScanTest, ChangeDataFilesCarryUpdates) {
  const std::string root = TableDir("cdf-table");
  if (root.empty()) GTEST_SKIP() << "shared table cdf-table not found";
  auto rows = Changes(root, 0, std::nullopt, {"id", "name"});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, Sorted({"1|Steve|insert|0",
                           "2|Bob|insert|0",
                           "3|Dave|insert|0",
                           "4|Kate|insert|0",
                           "5|Emily|insert|0",
                           "6|Carl|insert|0",
                           "7|Dennis|insert|0",
                           "8|Claire|insert|0",
                           "9|Ada|insert|0",
                           "10|Borb|insert|0",
                           "3|Dave|update_postimage|1",
                           "3|Dave|update_preimage|1",
                           "4|Kate|update_postimage|1",
                           "4|Kate|update_preimage|1",
                           "2|Bob|update_postimage|1",
                           "2|Bob|update_preimage|1",
                           "7|Dennis|update_preimage|2",
                           "7|Dennis|update_postimage|2",
                           "5|Emily|update_preimage|2",
                           "5|Emily|update_postimage|2",
                           "6|Carl|update_preimage|2",
                           "6|Carl|update_postimage|2",
                           "7|Dennis|delete|3"}));
}

// delta-kernel-rs cdf_with_cdc_and_dvs: 25 versions mixing change data files, DV deletes and
// restores, merges and a large delete. (The blank comments are empty strings.)
TEST(ChangeScanTest, MixedChangeDataFilesAndDeletionVectors) {
  const std::string root = TableDir("cdf-table-with-cdc-and-dvs");
  if (root.empty()) GTEST_SKIP() << "shared table cdf-table-with-cdc-and-dvs not found";
  auto rows = Changes(root, 0, std::nullopt, {"id", "comment"});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, Sorted({"1|initial|insert|0",
                           "2|insert1|insert|1",
                           "3|insert1-delete1|insert|1",
                           "4|insert1-delete2|insert|1",
                           "5|insert1-delete2|insert|1",
                           "3|insert1-delete1|delete|2",
                           "3|insert1-delete1|insert|4",
                           "4|insert1-delete2|delete|5",
                           "5|insert1-delete2|delete|5",
                           "4|insert1-delete2|insert|7",
                           "5|insert2|insert|8",
                           "1|initial|update_preimage|9",
                           "1|update1|update_postimage|9",
                           "2|insert1|update_preimage|9",
                           "2|update1|update_postimage|9",
                           "3|insert1-delete1|update_preimage|9",
                           "3|update1|update_postimage|9",
                           "1|update1|delete|10",
                           "2|update1|update_preimage|12",
                           "2|update2|update_postimage|12",
                           "6|insert3|insert|14",
                           "7|insert3|insert|14",
                           "8|insert4|insert|15",
                           "9|insert4|insert|15",
                           "8|insert4|delete|16",
                           "7|insert3|delete|16",
                           "10|merge1-insert|insert|18",
                           "11|merge1-insert|insert|18",
                           "9|merge1-update|update_postimage|18",
                           "9|insert4|update_preimage|18",
                           "11|merge1-insert|update_preimage|20",
                           "11||update_postimage|20",
                           "12|merge2-insert|insert|22",
                           "11||delete|22",
                           "3|update1|delete|24",
                           "4|insert1-delete2|delete|24",
                           "5|insert2|delete|24",
                           "2|update2|delete|24",
                           "6|insert3|delete|24",
                           "9|merge1-update|delete|24",
                           "0|new|insert|25",
                           "1|after-large-delete|insert|25",
                           "2||insert|25"}));
}

TEST(ChangeScanTest, PartitionedTable) {
  const std::string root = TableDir("cdf-table-partitioned");
  if (root.empty()) GTEST_SKIP() << "shared table cdf-table-partitioned not found";
  auto rows = Changes(root, 0, 2, {"id", "text", "part"});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows,
            Sorted({"0|old|0|insert|0", "1|old|1|insert|0", "2|old|0|insert|0", "3|old|1|insert|0",
                    "4|old|0|insert|0", "5|old|1|insert|0", "3|old|1|delete|1",
                    "1|old|1|update_preimage|1", "1|new|1|update_postimage|1", "0|old|0|delete|2",
                    "2|old|0|delete|2", "4|old|0|delete|2"}));
}

TEST(ChangeScanTest, ColumnMappingNameMode) {
  for (const char* table : {"cdf-column-mapping-name-mode", "cdf-column-mapping-name-mode-3-7"}) {
    const std::string root = TableDir(table);
    if (root.empty()) GTEST_SKIP() << "shared table " << table << " not found";
    auto rows = Changes(root, 1, std::nullopt, {"id", "name", "value"});
    ASSERT_TRUE(rows.ok()) << table << ": " << rows.status();
    EXPECT_EQ(*rows, Sorted({"1|Alice|100.0|delete|4", "2|Bob|200.0|update_preimage|2",
                             "2|Bob|250.0|update_postimage|2", "4|David|400.0|insert|3"}))
        << table;
  }
}

TEST(ChangeScanTest, DeletesAndDataChangeFalse) {
  const std::string two = TableDir("cdf-table-delete-conditional-two-rows");
  const std::string no_change = TableDir("cdf-table-data-change");
  if (two.empty() || no_change.empty()) GTEST_SKIP() << "shared CDF tables not found";
  auto rows = Changes(two, 1, std::nullopt, {"id"});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, Sorted({"2|delete|1", "8|delete|1"}));
  // Version 1 only rewrites files (dataChange=false): no changes.
  auto none = Changes(no_change, 1, 1, {"id"});
  ASSERT_TRUE(none.ok()) << none.status();
  EXPECT_TRUE(none->empty());
}

TEST(ChangeScanTest, VersionRangeAndErrors) {
  const std::string root = TableDir("cdf-table-simple");
  if (root.empty()) GTEST_SKIP() << "shared table cdf-table-simple not found";
  auto first = Changes(root, 0, 0, {"id"});
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->size(), 10u);
  for (const auto& row : *first) EXPECT_TRUE(row.ends_with("|insert|0")) << row;

  auto fs = std::make_shared<storage::LocalFileSystem>();
  auto snapshot = Snapshot::Open(fs, root, SnapshotOptions{0});
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE(ChangeScan::Make(**snapshot, 1).status().IsInvalidArgument());
  EXPECT_TRUE(ChangeScan::Make(**snapshot, -1).status().IsInvalidArgument());
  auto commits = ReadCommits(*fs, root, 0, 5);
  EXPECT_TRUE(commits.status().IsNotFound()) << commits.status();
}

}  // namespace
}  // namespace lakesync::delta

namespace lakesync::delta {
namespace {

Result<std::vector<std::string>> AllChanges(const std::string& root, int64_t start) {
  return Changes(root, start, std::nullopt, {});
}

TEST(ChangeFeedErrorsTest, CdfNotEnabledAtAVersionIsNamed) {
  // A table whose change data feed is switched on at version 1 and off again at version 3.
  const char* tmp = std::getenv("TMPDIR");
  const std::filesystem::path root =
      std::filesystem::path(tmp ? tmp : "/tmp") / fmt::format("lakesync_cdf_off_{}", ::getpid());
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "_delta_log");
  const std::string schema =
      R"({\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]})";
  auto metadata = [&](bool cdf) {
    return fmt::format(
        R"({{"metaData":{{"id":"t","format":{{"provider":"parquet","options":{{}}}},"schemaString":"{}","partitionColumns":[],"configuration":{{"delta.enableChangeDataFeed":"{}"}}}}}})",
        schema, cdf ? "true" : "false");
  };
  auto write = [&](int64_t v, const std::string& lines) {
    storage::LocalFileSystem fs;
    ASSERT_TRUE(fs.WriteFile((root / "_delta_log" / CommitFileName(v)).string(), lines).ok());
  };
  write(0, R"({"protocol":{"minReaderVersion":1,"minWriterVersion":4}})"
           "\n" +
               metadata(false));
  write(1, metadata(true));
  write(2, R"({"commitInfo":{"operation":"WRITE"}})");
  write(3, metadata(false));
  auto fs = std::make_shared<storage::LocalFileSystem>();
  auto check = [&](int64_t start, std::optional<int64_t> end, int64_t bad_version) {
    auto snapshot = Snapshot::Open(fs, root.string(), SnapshotOptions{end});
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    auto scan = ChangeScan::Make(**snapshot, start);
    ASSERT_TRUE(scan.status().IsInvalidArgument()) << start << ": " << scan.status();
    const std::string& message = scan.status().message();
    EXPECT_NE(message.find(fmt::format("not enabled at version {}", bad_version)),
              std::string::npos)
        << message;
    EXPECT_NE(message.find(fmt::format("ALTER TABLE delta.`{}` SET TBLPROPERTIES "
                                       "(delta.enableChangeDataFeed = true)",
                                       root.string())),
              std::string::npos)
        << message;
  };
  check(0, 2, 0);             // the end snapshot has it on; version 0 did not
  check(1, std::nullopt, 3);  // switched off again at the end
  auto snapshot = Snapshot::Open(fs, root.string(), SnapshotOptions{2});
  ASSERT_TRUE(snapshot.ok());
  EXPECT_TRUE(ChangeScan::Make(**snapshot, 1).ok());  // on throughout 1..2
  std::filesystem::remove_all(root);
}

TEST(ChangeFeedErrorsTest, TruncatedLogSaysFullRefresh) {
  // checkpoint-cdf-table keeps a checkpoint at version 3 and only commits 4 and 5.
  const std::string root =
      testing::SharedDir() + "/delta-tables/delta-rs/crates/test/tests/data/checkpoint-cdf-table";
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "shared table checkpoint-cdf-table not found";
  auto changes = AllChanges(root, 1);
  ASSERT_TRUE(changes.status().IsNotFound()) << changes.status();
  EXPECT_NE(changes.status().message().find("version 1"), std::string::npos) << changes.status();
  EXPECT_NE(changes.status().message().find("full refresh"), std::string::npos) << changes.status();
  auto later = AllChanges(root, 4);
  EXPECT_TRUE(later.ok()) << later.status();
}

TEST(ChangeFeedErrorsTest, VacuumedChangeFileIsNamed) {
  TableCopy t("delta-kernel-rs/unpacked/data/cdf-table");
  if (!t.ok()) GTEST_SKIP() << "shared table cdf-table not found";
  // Remove every change data file of version 1.
  storage::LocalFileSystem fs;
  auto contents = fs.ReadFile(t.log(CommitFileName(1)).string());
  ASSERT_TRUE(contents.ok());
  auto actions = ParseActions(*contents, "1.json");
  ASSERT_TRUE(actions.ok());
  std::string removed;
  for (const auto& a : *actions) {
    if (const auto* cdc = std::get_if<AddCDCFile>(&a)) {
      removed = cdc->path;
      std::filesystem::remove(std::filesystem::path(t.root()) / cdc->path);
    }
  }
  ASSERT_FALSE(removed.empty());
  EXPECT_TRUE(AllChanges(t.root(), 2).ok());
  auto changes = AllChanges(t.root(), 0);
  ASSERT_TRUE(changes.status().IsNotFound()) << changes.status();
  const std::string& message = changes.status().message();
  EXPECT_NE(message.find("version 1"), std::string::npos) << message;
  EXPECT_NE(message.find("_change_data/"), std::string::npos) << message;
  EXPECT_NE(message.find("full refresh"), std::string::npos) << message;
}

}  // namespace
}  // namespace lakesync::delta
