// Time travel by timestamp (file times and in-commit timestamps) and log compaction files,
// on copies of real tables from $LAKESYNC_SHARED_DIR/delta-tables that the tests may alter.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>

#include "lakesync/delta/change_scan.h"
#include "lakesync/delta/commit_timestamps.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/delta/log_parser.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/delta/table_rows_test_util.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/test_paths.h"

namespace lakesync::delta {
namespace {

namespace fsys = std::filesystem;

std::shared_ptr<storage::FileSystem> Local() {
  return std::make_shared<storage::LocalFileSystem>();
}

Result<int64_t> VersionAt(const TableCopy& t, int64_t ms) {
  auto snapshot = Snapshot::Open(Local(), t.root(), SnapshotOptions{std::nullopt, ms});
  if (!snapshot.ok()) return snapshot.status();
  return (*snapshot)->version();
}

TEST(TimeTravelTest, TimestampPicksLatestCommitAtOrBeforeIt) {
  TableCopy t("delta-kernel-rs/unpacked/data/cdf-table");  // versions 0..3, no in-commit times
  if (!t.ok()) GTEST_SKIP() << "shared table cdf-table not found";
  const int64_t t0 = 1'700'000'000'000;
  for (int64_t v = 0; v <= 3; ++v) t.SetCommitTime(v, t0 + v * 10'000);
  EXPECT_EQ(*VersionAt(t, t0), 0);
  EXPECT_EQ(*VersionAt(t, t0 + 9'999), 0);
  EXPECT_EQ(*VersionAt(t, t0 + 10'000), 1);
  EXPECT_EQ(*VersionAt(t, t0 + 25'000), 2);
  EXPECT_EQ(*VersionAt(t, t0 + 30'000), 3);

  auto before = VersionAt(t, t0 - 1);
  ASSERT_TRUE(before.status().IsInvalidArgument()) << before.status();
  EXPECT_NE(before.status().message().find("before the earliest available commit"),
            std::string::npos)
      << before.status();
  EXPECT_NE(before.status().message().find("2023-11-14T22:13:20.000Z"), std::string::npos)
      << before.status();
  auto after = VersionAt(t, t0 + 30'001);
  ASSERT_TRUE(after.status().IsInvalidArgument()) << after.status();
  EXPECT_NE(after.status().message().find("after the latest commit"), std::string::npos)
      << after.status();
  EXPECT_NE(after.status().message().find("version 3"), std::string::npos) << after.status();

  // A file time that goes backwards counts as 1 ms after the previous commit's.
  t.SetCommitTime(2, t0 + 5'000);
  EXPECT_EQ(*VersionAt(t, t0 + 10'000), 1);
  EXPECT_EQ(*VersionAt(t, t0 + 10'001), 2);

  EXPECT_TRUE(
      Snapshot::Open(Local(), t.root(), SnapshotOptions{1, t0}).status().IsInvalidArgument());
}

// Versions 0 and 1 without in-commit timestamps (file times count), then the feature is
// enabled at version 2 (delta.inCommitTimestampEnablementVersion) and versions 2..4 carry
// commitInfo.inCommitTimestamp, while their file times say something else entirely.
TEST(TimeTravelTest, InCommitTimestampsWinOverFileTimes) {
  TableCopy t("delta-kernel-rs/unpacked/data/cdf-table");
  if (!t.ok()) GTEST_SKIP() << "shared table cdf-table not found";
  const int64_t t0 = 1'700'000'000'000;
  const std::string schema =
      R"({\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]})";
  auto metadata = [&](std::string config) {
    return fmt::format(
        R"({{"metaData":{{"id":"t","format":{{"provider":"parquet","options":{{}}}},"schemaString":"{}","partitionColumns":[],"configuration":{{{}}}}}}})",
        schema, config);
  };
  auto ict = [](int64_t ms) {
    return fmt::format(R"({{"commitInfo":{{"inCommitTimestamp":{},"operation":"WRITE"}}}})", ms);
  };
  storage::LocalFileSystem fs;
  for (const auto& e : std::filesystem::directory_iterator(t.root() + "/_delta_log")) {
    std::filesystem::remove(e.path());
  }
  auto write = [&](int64_t v, const std::string& text) {
    ASSERT_TRUE(fs.WriteFile(t.log(CommitFileName(v)).string(), text).ok());
  };
  write(
      0,
      R"({"protocol":{"minReaderVersion":1,"minWriterVersion":7,"writerFeatures":["inCommitTimestamp"]}})"
      "\n" +
          metadata(""));
  write(1, R"({"commitInfo":{"operation":"WRITE"}})");
  write(
      2,
      ict(t0 + 100'000) + "\n" +
          metadata(
              R"("delta.enableInCommitTimestamps":"true","delta.inCommitTimestampEnablementVersion":"2","delta.inCommitTimestampEnablementTimestamp":")" +
              std::to_string(t0 + 100'000) + "\""));
  write(3, ict(t0 + 200'000));
  write(4, ict(t0 + 300'000));
  t.SetCommitTime(0, t0);
  t.SetCommitTime(1, t0 + 50'000);
  for (int64_t v = 2; v <= 4; ++v) t.SetCommitTime(v, t0 + 1'000'000'000);  // ignored
  EXPECT_EQ(*VersionAt(t, t0 + 49'999), 0);
  EXPECT_EQ(*VersionAt(t, t0 + 99'999), 1);
  EXPECT_EQ(*VersionAt(t, t0 + 100'000), 2);
  EXPECT_EQ(*VersionAt(t, t0 + 250'000), 3);
  EXPECT_EQ(*VersionAt(t, t0 + 300'000), 4);
  auto after = VersionAt(t, t0 + 300'001);
  EXPECT_TRUE(after.status().IsInvalidArgument()) << after.status();
}

TEST(TimeTravelTest, ParsesTimestamps) {
  EXPECT_EQ(*ParseTimestampMs("1700000000000"), 1'700'000'000'000);
  EXPECT_EQ(*ParseTimestampMs("2023-11-14T22:13:20Z"), 1'700'000'000'000);
  EXPECT_EQ(*ParseTimestampMs("2023-11-14 23:13:20.5+01:00"), 1'700'000'000'500);
  EXPECT_EQ(*ParseTimestampMs("1970-01-02"), 86'400'000);
  EXPECT_TRUE(ParseTimestampMs("yesterday").status().IsInvalidArgument());
  EXPECT_EQ(FormatTimestampMs(1'700'000'000'500), "2023-11-14T22:13:20.500Z");
}

std::set<std::string> FileKeys(const Snapshot& s) {
  std::set<std::string> keys;
  for (const auto& f : s.files()) keys.insert(LogicalFileKey(f.path, f.deletion_vector));
  return keys;
}

// compacted-log-files-table has compactions 0..5, 6..10 and 6..15 beside its 26 commits.
TEST(TimeTravelTest, LogCompactionFilesStandForTheirCommits) {
  TableCopy with("delta-kernel-rs/unpacked/data/compacted-log-files-table");
  if (!with.ok()) GTEST_SKIP() << "shared table compacted-log-files-table not found";
  ASSERT_TRUE(fsys::exists(with.log("00000000000000000006.00000000000000000015.compacted.json")));
  // Every version reads the same with and without the compaction files.
  std::vector<std::set<std::string>> expected;
  {
    TableCopy without("delta-kernel-rs/unpacked/data/compacted-log-files-table");
    for (const auto& e : fsys::directory_iterator(without.root() + "/_delta_log")) {
      if (e.path().string().ends_with(".compacted.json")) fsys::remove(e.path());
    }
    for (int64_t v = 0; v <= 25; ++v) {
      auto s = Snapshot::Open(Local(), without.root(), SnapshotOptions{v});
      ASSERT_TRUE(s.ok()) << v << ": " << s.status();
      expected.push_back(FileKeys(**s));
    }
  }
  for (int64_t v = 0; v <= 25; ++v) {
    auto s = Snapshot::Open(Local(), with.root(), SnapshotOptions{v});
    ASSERT_TRUE(s.ok()) << v << ": " << s.status();
    EXPECT_EQ(FileKeys(**s), expected[v]) << "version " << v;
  }
  // The compactions are what the replay reads: without commits 6..15 the versions they
  // cover exactly (15, and later ones) still build; version 12 (inside 6..15, past 6..10)
  // cannot, as no compaction ends there.
  for (int64_t v = 6; v <= 15; ++v) fsys::remove(with.log(CommitFileName(v)));
  auto at15 = Snapshot::Open(Local(), with.root(), SnapshotOptions{15});
  ASSERT_TRUE(at15.ok()) << at15.status();
  EXPECT_EQ(FileKeys(**at15), expected[15]);
  auto at10 = Snapshot::Open(Local(), with.root(), SnapshotOptions{10});
  ASSERT_TRUE(at10.ok()) << at10.status();
  EXPECT_EQ(FileKeys(**at10), expected[10]);
  auto at12 = Snapshot::Open(Local(), with.root(), SnapshotOptions{12});
  EXPECT_FALSE(at12.ok());
  auto latest = Snapshot::Open(Local(), with.root());
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(FileKeys(**latest), expected[25]);
}

}  // namespace
}  // namespace lakesync::delta
