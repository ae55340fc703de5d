#include "lakesync/delta/snapshot.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "lakesync/delta/log_files.h"
#include "lakesync/storage/local_file_system.h"

namespace lakesync::delta {
namespace {

constexpr std::string_view kSchema =
    R"({\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},{\"name\":\"part\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]})";

std::string ProtocolLine(int reader = 1, int writer = 2, std::string features = "") {
  if (!features.empty()) {
    return fmt::format(
        R"({{"protocol":{{"minReaderVersion":{},"minWriterVersion":{},"readerFeatures":[{}],"writerFeatures":[{}]}}}})",
        reader, writer, features, features);
  }
  return fmt::format(R"({{"protocol":{{"minReaderVersion":{},"minWriterVersion":{}}}}})", reader,
                     writer);
}

std::string MetadataLine(std::string config = "") {
  return fmt::format(
      R"({{"metaData":{{"id":"t1","format":{{"provider":"parquet","options":{{}}}},"schemaString":"{}","partitionColumns":["part"],"configuration":{{{}}},"createdTime":1}}}})",
      kSchema, config);
}

std::string AddLine(std::string path, std::string dv = "") {
  return fmt::format(
      R"({{"add":{{"path":"{}","partitionValues":{{"part":"a"}},"size":10,"modificationTime":5,"dataChange":true,"stats":"{{\"numRecords\":3}}"{}}}}})",
      path, dv.empty() ? "" : ",\"deletionVector\":" + dv);
}

std::string RemoveLine(std::string path, std::string dv = "") {
  return fmt::format(R"({{"remove":{{"path":"{}","deletionTimestamp":7,"dataChange":true{}}}}})",
                     path, dv.empty() ? "" : ",\"deletionVector\":" + dv);
}

// A table directory under the test temp dir, removed at the end of the test.
class SnapshotTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* tmp = std::getenv("TMPDIR");
    root_ = std::filesystem::path(tmp ? tmp : "/tmp") /
            fmt::format("lakesync_snapshot_test_{}_{}", ::getpid(),
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_ / "_delta_log");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  void WriteCommit(int64_t version, const std::vector<std::string>& lines) {
    std::string contents;
    for (const auto& line : lines) contents += line + "\n";
    ASSERT_TRUE(
        fs_->WriteFile((root_ / "_delta_log" / CommitFileName(version)).string(), contents).ok());
  }

  Result<std::unique_ptr<Snapshot>> Open(std::optional<int64_t> version = std::nullopt) {
    return Snapshot::Open(fs_, root_.string(), SnapshotOptions{version});
  }

  std::shared_ptr<storage::FileSystem> fs_ = std::make_shared<storage::LocalFileSystem>();
  std::filesystem::path root_;
};

std::vector<std::string> Paths(const Snapshot& s) {
  std::vector<std::string> out;
  for (const auto& f : s.files()) out.push_back(f.path);
  return out;
}

TEST_F(SnapshotTest, ReplaysAddsAndRemoves) {
  WriteCommit(0, {ProtocolLine(), MetadataLine(), AddLine("a.parquet"), AddLine("b.parquet")});
  WriteCommit(1, {R"({"commitInfo":{"timestamp":123,"operation":"DELETE"}})",
                  RemoveLine("a.parquet"), AddLine("c%20d.parquet")});
  auto snap = Open();
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->version(), 1);
  EXPECT_EQ(Paths(**snap), (std::vector<std::string>{"b.parquet", "c d.parquet"}));
  ASSERT_EQ((*snap)->commits().size(), 2u);
  EXPECT_EQ((*snap)->commits()[1].commit_info->operation, "DELETE");
  EXPECT_EQ((*snap)->partition_columns(), std::vector<std::string>{"part"});
  EXPECT_EQ((*snap)->schema().fields.size(), 2u);
  EXPECT_EQ((*snap)->ResolvePath("c d.parquet"), (root_ / "c d.parquet").string());
}

// The replay reads commits in windows (up to 2,048 files or 16 MiB) on several threads and
// applies them in order; adds borrow their lines from a window's buffers until it ends. Here
// 70 KB commits make windows of about 240 files and a short last one: every commit applies, in
// order, the adds that outlive their window keep their whole line, and each commit's time is
// its file's modification time (the log is listed by name; the time comes from the read).
TEST_F(SnapshotTest, ReplayAcrossWindowsAppliesEveryCommitInOrderWithItsFileTime) {
  const std::string big_stats(70'000, 'x');
  auto add = [&](const std::string& path) {
    return fmt::format(
        R"({{"add":{{"path":"{}","partitionValues":{{"part":"a"}},"size":10,"modificationTime":5,"dataChange":true,"tags":{{"pad":"{}"}}}}}})",
        path, big_stats);
  };
  WriteCommit(0, {ProtocolLine(), MetadataLine(), add("f0.parquet")});
  std::vector<std::string> expected;
  for (int64_t v = 1; v < 600; ++v) {
    std::vector<std::string> lines = {add(fmt::format("f{}.parquet", v)),
                                      RemoveLine(fmt::format("f{}.parquet", v - 1))};
    if (v % 50 == 0) {
      lines.push_back(AddLine(fmt::format("keep{:03}.parquet", v)));
      expected.push_back(fmt::format("keep{:03}.parquet", v));
    }
    WriteCommit(v, lines);
  }
  expected.insert(expected.begin(), "f599.parquet");  // files are listed by path
  for (int64_t v = 0; v < 600; ++v) {
    const timespec t = {static_cast<time_t>(1'000'000'000 + v), 0};
    const timespec times[2] = {t, t};
    const std::string path = (root_ / "_delta_log" / CommitFileName(v)).string();
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  }
  auto snap = Open();
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->version(), 599);
  EXPECT_EQ(Paths(**snap), expected);
  ASSERT_TRUE((*snap)->files().front().tags.contains("pad"));
  EXPECT_EQ((*snap)->files().front().tags.at("pad").size(), big_stats.size());
  ASSERT_EQ((*snap)->commits().size(), 600u);
  for (int64_t v = 0; v < 600; ++v) {
    EXPECT_EQ((*snap)->commits()[v].version, v);
    EXPECT_EQ((*snap)->commits()[v].timestamp_ms, (1'000'000'000 + v) * 1000) << v;
  }
}

TEST_F(SnapshotTest, TimeTravelToEarlierVersion) {
  WriteCommit(0, {ProtocolLine(), MetadataLine(), AddLine("a.parquet")});
  WriteCommit(1, {RemoveLine("a.parquet"), AddLine("b.parquet")});
  EXPECT_EQ(*Snapshot::LatestVersion(*fs_, root_.string()), 1);
  EXPECT_TRUE(Snapshot::LatestVersion(*fs_, (root_ / "nope").string()).status().IsNotFound());
  auto snap = Open(0);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->version(), 0);
  EXPECT_EQ(Paths(**snap), std::vector<std::string>{"a.parquet"});
  auto missing = Open(5);
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status();
}

TEST_F(SnapshotTest, RemoveAndReAddInOneCommitKeepsFile) {
  WriteCommit(0, {ProtocolLine(), MetadataLine(), AddLine("a.parquet")});
  WriteCommit(1, {AddLine("a.parquet"), RemoveLine("a.parquet")});
  auto snap = Open();
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(Paths(**snap), std::vector<std::string>{"a.parquet"});
}

TEST_F(SnapshotTest, DeletionVectorIsPartOfTheFileKey) {
  const std::string dv1 =
      R"({"storageType":"u","pathOrInlineDv":"ab^-aqEH.-t@S}K{vb[*k^","offset":1,"sizeInBytes":40,"cardinality":2})";
  const std::string dv2 =
      R"({"storageType":"u","pathOrInlineDv":"ab^-aqEH.-t@S}K{vb[*k^","offset":9,"sizeInBytes":40,"cardinality":3})";
  WriteCommit(0,
              {ProtocolLine(3, 7, R"("deletionVectors")"), MetadataLine(), AddLine("a.parquet")});
  WriteCommit(1, {RemoveLine("a.parquet"), AddLine("a.parquet", dv1)});
  WriteCommit(2, {RemoveLine("a.parquet", dv1), AddLine("a.parquet", dv2)});
  auto snap = Open();
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_EQ((*snap)->files().size(), 1u);
  ASSERT_TRUE((*snap)->files()[0].deletion_vector.has_value());
  EXPECT_EQ((*snap)->files()[0].deletion_vector->cardinality, 3);
  EXPECT_EQ((*snap)->files()[0].deletion_vector->UniqueId(), "uab^-aqEH.-t@S}K{vb[*k^@9");
}

TEST_F(SnapshotTest, LatestProtocolAndMetadataWin) {
  WriteCommit(0, {ProtocolLine(), MetadataLine()});
  WriteCommit(1, {ProtocolLine(1, 4), MetadataLine(R"("delta.enableChangeDataFeed":"true")")});
  auto snap = Open();
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->protocol().min_writer_version, 4);
  EXPECT_EQ((*snap)->GetConfig("delta.enableChangeDataFeed"), "true");
  EXPECT_EQ((*snap)->GetConfig("delta.appendOnly"), std::nullopt);
}

TEST_F(SnapshotTest, TransactionsAndDomainsReconcile) {
  WriteCommit(0, {ProtocolLine(), MetadataLine(), R"({"txn":{"appId":"app","version":3}})",
                  R"({"domainMetadata":{"domain":"d1","configuration":"{}","removed":false}})",
                  R"({"domainMetadata":{"domain":"d2","configuration":"x","removed":false}})"});
  WriteCommit(1, {R"({"txn":{"appId":"app","version":4,"lastUpdated":9}})",
                  R"({"domainMetadata":{"domain":"d1","configuration":"{}","removed":true}})"});
  auto snap = Open();
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_EQ((*snap)->transactions().count("app"), 1u);
  EXPECT_EQ((*snap)->transactions().at("app").version, 4);
  EXPECT_EQ((*snap)->domains().size(), 1u);
  EXPECT_EQ((*snap)->domains().count("d2"), 1u);
}

TEST_F(SnapshotTest, GapInVersionsIsCorruption) {
  WriteCommit(0, {ProtocolLine(), MetadataLine()});
  WriteCommit(2, {AddLine("a.parquet")});
  auto snap = Open();
  ASSERT_TRUE(snap.status().IsCorruption()) << snap.status();
  EXPECT_NE(snap.status().message().find("version 1"), std::string::npos) << snap.status();
}

TEST_F(SnapshotTest, EmptyLogIsNotADeltaTable) {
  auto snap = Open();
  ASSERT_TRUE(snap.status().IsNotFound()) << snap.status();
  EXPECT_NE(snap.status().message().find("not a Delta table"), std::string::npos);
  auto none = Snapshot::Open(fs_, (root_ / "nope").string());
  EXPECT_TRUE(none.status().IsNotFound()) << none.status();
}

TEST_F(SnapshotTest, UnsupportedReaderFeatureIsNamed) {
  WriteCommit(0, {ProtocolLine(3, 7, R"("columnMapping","fancyNewThing")"), MetadataLine()});
  auto snap = Open();
  ASSERT_TRUE(snap.status().IsNotSupported()) << snap.status();
  EXPECT_NE(snap.status().message().find("fancyNewThing"), std::string::npos);
}

TEST_F(SnapshotTest, ReaderVersionTooNew) {
  WriteCommit(0, {ProtocolLine(4, 7), MetadataLine()});
  EXPECT_TRUE(Open().status().IsNotSupported());
}

TEST_F(SnapshotTest, MissingMetadataIsCorruption) {
  WriteCommit(0, {ProtocolLine(), AddLine("a.parquet")});
  EXPECT_TRUE(Open().status().IsCorruption());
}

TEST_F(SnapshotTest, MalformedCommitNamesFileAndLine) {
  WriteCommit(0, {ProtocolLine(), MetadataLine()});
  WriteCommit(1, {AddLine("a.parquet"), R"({"add":{"path":"b.parquet",)"});
  auto snap = Open();
  ASSERT_TRUE(snap.status().IsCorruption()) << snap.status();
  EXPECT_NE(snap.status().message().find("00000000000000000001.json: line 2"), std::string::npos)
      << snap.status();
}

// Replay reads adds by key and only the live ones in full: a bad field of a live add still
// fails the load, naming the commit file and line; one of an add removed later is never read.
TEST_F(SnapshotTest, BadFieldOfLiveAddNamesFileAndLine) {
  WriteCommit(0, {ProtocolLine(), MetadataLine(), AddLine("a.parquet")});
  WriteCommit(1, {R"({"commitInfo":{"timestamp":1}})",
                  R"({"add":{"path":"b.parquet","partitionValues":{},"size":"big",)"
                  R"("modificationTime":1,"dataChange":true}})"});
  auto snap = Open();
  ASSERT_TRUE(snap.status().IsCorruption()) << snap.status();
  EXPECT_NE(snap.status().message().find("00000000000000000001.json: line 2"), std::string::npos)
      << snap.status();
  EXPECT_NE(snap.status().message().find("add.size"), std::string::npos) << snap.status();

  WriteCommit(2, {RemoveLine("b.parquet")});
  auto later = Open();
  ASSERT_TRUE(later.ok()) << later.status();
  EXPECT_EQ(Paths(**later), std::vector<std::string>{"a.parquet"});
  ASSERT_EQ((*later)->files().size(), 1u);
  const AddFile& a = (*later)->files()[0];  // read in full from its kept line
  EXPECT_EQ(a.size, 10);
  EXPECT_EQ(a.modification_time, 5);
  EXPECT_EQ(a.stats, std::optional<std::string>(R"({"numRecords":3})"));
}

TEST_F(SnapshotTest, ColumnMappingModeNeedsProtocolSupport) {
  WriteCommit(0, {ProtocolLine(1, 2), MetadataLine(R"("delta.columnMapping.mode":"name")")});
  auto plain = Open();
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ((*plain)->column_mapping_mode(), ColumnMappingMode::kNone);
  WriteCommit(1, {ProtocolLine(2, 5)});
  auto mapped = Open();
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ((*mapped)->column_mapping_mode(), ColumnMappingMode::kName);
}

TEST(LogFilesTest, ParsesNames) {
  auto commit = ParseLogFileName("00000000000000000010.json");
  EXPECT_EQ(commit.kind, LogFileKind::kCommit);
  EXPECT_EQ(commit.version, 10);
  auto classic = ParseLogFileName("00000000000000000010.checkpoint.parquet");
  EXPECT_EQ(classic.kind, LogFileKind::kClassicCheckpoint);
  auto multi = ParseLogFileName("00000000000000000010.checkpoint.0000000002.0000000003.parquet");
  EXPECT_EQ(multi.kind, LogFileKind::kMultiPartCheckpoint);
  EXPECT_EQ(multi.part, 2);
  EXPECT_EQ(multi.num_parts, 3);
  auto v2 =
      ParseLogFileName("00000000000000000010.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json");
  EXPECT_EQ(v2.kind, LogFileKind::kUuidCheckpoint);
  EXPECT_FALSE(v2.parquet);
  auto compacted = ParseLogFileName("00000000000000000004.00000000000000000006.compacted.json");
  EXPECT_EQ(compacted.kind, LogFileKind::kCompaction);
  EXPECT_EQ(compacted.end_version, 6);
  EXPECT_EQ(ParseLogFileName("._00000000000000000000.json").kind, LogFileKind::kOther);
  EXPECT_EQ(ParseLogFileName("0000000000000000000.json").kind, LogFileKind::kOther);
  EXPECT_EQ(ParseLogFileName("00000000000000000001.json.tmp").kind, LogFileKind::kOther);
}

TEST(LogFilesTest, IncompleteMultiPartCheckpointIsIgnored) {
  std::vector<storage::FileInfo> entries = {
      {"/t/_delta_log/00000000000000000005.checkpoint.0000000001.0000000002.parquet", true},
      {"/t/_delta_log/00000000000000000006.checkpoint.0000000001.0000000002.parquet", true},
      {"/t/_delta_log/00000000000000000006.checkpoint.0000000002.0000000002.parquet", true},
      {"/t/_delta_log/00000000000000000006.json", true},
  };
  auto listing = ClassifyLogListing(entries);
  EXPECT_EQ(listing.checkpoints.count(5), 0u);
  ASSERT_EQ(listing.checkpoints.count(6), 1u);
  EXPECT_EQ(listing.checkpoints.at(6).parts.size(), 2u);
  EXPECT_EQ(listing.commits.size(), 1u);
}

}  // namespace
}  // namespace lakesync::delta
