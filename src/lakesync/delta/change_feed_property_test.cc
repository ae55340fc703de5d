// The change data feed property over every CDF table in $LAKESYNC_SHARED_DIR/delta-tables:
// from the first version with the feed on, the rows before it plus table_changes(S..N) equal
// the snapshot at N, for every N. (deltagen's scenarios get the same check in
// tools/deltagen/change_feed_property_test.cc.)
#include <gtest/gtest.h>

#include <iostream>

#include "lakesync/delta/table_rows_test_util.h"
#include "lakesync/testing/shared_tables.h"

namespace lakesync::delta {
namespace {

// Hand-assembled fixtures (delta-kernel-rs cdf-table-simple, cdf-table-update-ops) commit
// change data files with no add or remove: their changes are not in the table, so the property
// cannot hold for them by construction.
bool HasHandMadeChangeData(storage::FileSystem& fs, const std::string& root) {
  auto latest = Snapshot::LatestVersion(fs, root);
  if (!latest.ok()) return false;
  auto commits = ReadCommits(fs, root, 0, *latest);
  if (!commits.ok()) return false;
  for (const auto& commit : *commits) {
    bool cdc = false, data = false;
    for (const auto& action : commit.actions) {
      cdc = cdc || std::holds_alternative<AddCDCFile>(action);
      data = data || std::holds_alternative<AddFile>(action) ||
             std::holds_alternative<RemoveFile>(action);
    }
    if (cdc && !data) return true;
  }
  return false;
}

TEST(ChangeFeedPropertyTest, EveryCdfTableRebuildsEverySnapshot) {
  const std::string dir = testing::SharedTablesDir();
  if (dir.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  auto fs = std::make_shared<storage::LocalFileSystem>();
  int tables = 0, versions = 0;
  for (const auto& row : testing::LoadManifest(dir)) {
    if (row.at("cdf_enabled") != "true") continue;
    // Log-only fixtures (their data or change files are absent) cannot be read.
    if (testing::Has(row.at("refs_missing"), "missing") &&
        !testing::Has(row.at("refs_missing"), "add 0/")) {
      continue;
    }
    const std::string& name = row.at("path");
    if (HasHandMadeChangeData(*fs, dir + "/" + name)) {
      std::cout << "  skipped (change data files without data changes): " << name << "\n";
      continue;
    }
    const int checked = ExpectChangesRebuildEverySnapshot(fs, dir + "/" + name, name);
    EXPECT_GT(checked, 0) << name;
    ++tables;
    versions += checked;
  }
  std::cout << "CDF tables: " << tables << ", versions rebuilt from their changes: " << versions
            << "\n";
  EXPECT_GE(tables, 15);
}

}  // namespace
}  // namespace lakesync::delta
