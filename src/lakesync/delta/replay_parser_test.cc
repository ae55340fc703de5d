#include "lakesync/delta/replay_parser.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "lakesync/delta/log_parser.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/shared_tables.h"

namespace lakesync::delta {
namespace {

// `text` followed by the padding the parser may read.
struct Padded {
  explicit Padded(std::string text) : buffer(std::move(text)), size(buffer.size()) {
    buffer.append(ReplayPadding(), 'x');
  }
  std::string_view view() const { return std::string_view(buffer.data(), size); }
  std::string buffer;
  size_t size;
};

// "+key" for an add, "-key" for a remove; a DV's id follows a '|' (the key's NUL).
std::vector<std::string> Keys(const ReplayCommit& commit) {
  std::vector<std::string> out;
  for (const FileKey& file : commit.files) {
    std::string key(file.key);
    for (char& c : key) c = c == '\0' ? '|' : c;
    out.push_back((file.is_add ? "+" : "-") + key);
  }
  return out;
}

TEST(ReplayParserTest, ReadsAddsAndRemovesByKeyAndOtherActionsInFull) {
  const std::string add_line =
      R"({"add":{"path":"part-1.parquet","partitionValues":{},"size":10,"modificationTime":1,"dataChange":true,"stats":"{\"numRecords\":3,\"minValues\":{\"a\":\"x\\\"y\"}}"}})";
  const Padded log(
      R"({"commitInfo":{"timestamp":10,"operation":"WRITE","inCommitTimestamp":11}})"
      "\r\n"
      R"({"protocol":{"minReaderVersion":1,"minWriterVersion":2}})"
      "\n\n  " +
      add_line +
      "  \n"
      R"({"remove":{"path":"p=a%20b/old.parquet","deletionTimestamp":8,"dataChange":true}})"
      "\n"
      R"({"add":{"path":"p=c/f.parquet","deletionVector":{"storageType":"i","pathOrInlineDv":"wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L","sizeInBytes":40,"cardinality":6},"size":1,"modificationTime":1,"dataChange":true}})"
      "\n"
      R"({"remove":{"path":"esc\u0061ped.parquet","deletionVector":null}})"
      "\n"
      R"({"txn":{"appId":"app","version":42}})");
  ReplayCommit commit;
  ASSERT_TRUE(ParseCommitForReplay(log.view(), "00000000000000000003.json", &commit).ok());
  EXPECT_EQ(Keys(commit),
            (std::vector<std::string>{"+part-1.parquet", "-p=a b/old.parquet",
                                      "+p=c/f.parquet|iwi5b=000010000siXQKl0rr91000f55c8Xg0@@"
                                      "D72lkbi5=-{L",
                                      "-escaped.parquet"}));
  // An add keeps its exact line (trimmed) and its line number, for ParseAddLine.
  EXPECT_EQ(commit.files[0].line, add_line);
  EXPECT_EQ(commit.files[0].line_no, 4u);
  EXPECT_EQ(commit.files[0].hash, HashFileKey("part-1.parquet"));
  EXPECT_TRUE(commit.files[1].line.empty());
  auto add = ParseAddLine(commit.files[0].line, commit.files[0].line_no, "v3");
  ASSERT_TRUE(add.ok()) << add.status();
  EXPECT_EQ(add->stats, R"({"numRecords":3,"minValues":{"a":"x\"y"}})");
  ASSERT_EQ(commit.actions.size(), 3u);
  EXPECT_EQ(std::get<CommitInfo>(commit.actions[0]).in_commit_timestamp, 11);
  EXPECT_EQ(std::get<Protocol>(commit.actions[1]).min_writer_version, 2);
  EXPECT_EQ(std::get<SetTransaction>(commit.actions[2]).version, 42);
}

TEST(ReplayParserTest, PrettyPrintedActionsAreReadInFull) {
  const Padded log(
      "{\n  \"add\": {\n    \"path\": \"a.parquet\",\n    \"size\": 1,\n    "
      "\"modificationTime\": 1,\n    \"dataChange\": true,\n    \"partitionValues\": {}\n  }\n}\n"
      "{\"remove\": {\"path\": \"b.parquet\"}}\n");
  ReplayCommit commit;
  ASSERT_TRUE(ParseCommitForReplay(log.view(), "v0.json", &commit).ok());
  EXPECT_TRUE(commit.files.empty());
  ASSERT_EQ(commit.actions.size(), 2u);
  EXPECT_EQ(std::get<AddFile>(commit.actions[0]).path, "a.parquet");
  EXPECT_EQ(std::get<AddFile>(commit.actions[0]).size, 1);
  EXPECT_EQ(std::get<RemoveFile>(commit.actions[1]).path, "b.parquet");
}

TEST(ReplayParserTest, MalformedLinesFailNamingFileAndLine) {
  const std::string good = R"({"add":{"path":"a.parquet","size":1}})";
  for (const std::string& bad : {
           std::string(R"({"add":{"path":"a.parquet","size":1}}})"),  // content after it
           std::string(R"({"add":{"path":"a.parquet","size":1})"),    // cut short
           std::string(R"({"add":{"path":"","size":1}})"),            // empty path
           std::string(R"({"add":{"size":1}})"),                      // no path
           std::string(R"({"remove":{"path":7}})"),                   // not a string
           std::string(R"({"remove":{"path":"a%zz"}})"),              // bad escape
           std::string(R"({"add":"x"})"),                             // not an object
       }) {
    const Padded log(good + "\n" + bad + "\n" + good);
    ReplayCommit commit;
    Status st = ParseCommitForReplay(log.view(), "00000000000000000007.json", &commit);
    EXPECT_TRUE(st.IsCorruption()) << bad << ": " << st;
    EXPECT_NE(st.message().find("00000000000000000007.json: line 2"), std::string::npos)
        << bad << ": " << st;
  }
}

// Every commit file of every shared table: the keys read for replay are the keys of the adds
// and removes LogParser reads in full, in order, and the other actions are the same ones.
TEST(ReplayParserTest, SharedCommitFilesGiveTheKeysOfAFullParse) {
  const std::string dir = testing::SharedTablesDir();
  if (dir.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
  storage::LocalFileSystem fs;
  int files = 0, keys = 0, full_failed = 0, both_failed = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    const std::string path = entry.path().string();
    if (!entry.is_regular_file() || entry.path().parent_path().filename() != "_delta_log" ||
        entry.path().extension() != ".json" || entry.path().stem().string().size() != 20) {
      continue;
    }
    auto text = fs.ReadFile(path);
    ASSERT_TRUE(text.ok()) << text.status();
    const Padded padded(*text);
    ReplayCommit commit;
    Status st = ParseCommitForReplay(padded.view(), path, &commit);
    auto full = ParseActions(*text, path, ParseOptions{.removes_as_keys = true});
    if (!full.ok()) {
      // A bad field of an add or remove is left for later (see the header); bad JSON is not.
      if (full.status().message().find("malformed JSON") != std::string::npos) {
        EXPECT_FALSE(st.ok()) << path;
      }
      ++full_failed;
      both_failed += st.ok() ? 0 : 1;
      continue;
    }
    ASSERT_TRUE(st.ok()) << path << ": " << st;
    std::vector<std::string> expected;
    size_t others = 0;
    for (const auto& action : *full) {
      if (const auto* add = std::get_if<AddFile>(&action)) {
        expected.push_back("+" + LogicalFileKey(add->path, add->deletion_vector));
      } else if (const auto* remove = std::get_if<RemoveFile>(&action)) {
        expected.push_back("-" + LogicalFileKey(remove->path, remove->deletion_vector));
      } else {
        ++others;
      }
    }
    std::vector<std::string> got;
    for (const FileKey& file : commit.files) {
      got.push_back((file.is_add ? "+" : "-") + std::string(file.key));
      EXPECT_EQ(file.hash, HashFileKey(file.key)) << path;
      if (file.is_add) {
        auto add = ParseAddLine(file.line, file.line_no, path);
        EXPECT_TRUE(add.ok()) << path << ": " << add.status();
      }
    }
    for (const auto& action : commit.actions) {
      if (const auto* add = std::get_if<AddFile>(&action)) {
        got.push_back("+" + LogicalFileKey(add->path, add->deletion_vector));
      } else if (const auto* remove = std::get_if<RemoveFile>(&action)) {
        got.push_back("-" + LogicalFileKey(remove->path, remove->deletion_vector));
      }
    }
    EXPECT_EQ(got, expected) << path;
    EXPECT_EQ(commit.actions.size() - (commit.files.empty() ? expected.size() : 0), others) << path;
    ++files;
    keys += static_cast<int>(expected.size());
  }
  EXPECT_GT(files, 500);
  EXPECT_GT(keys, 10000);
  std::cout << files << " commit files, " << keys << " adds and removes; " << full_failed
            << " files LogParser rejects, " << both_failed << " of them rejected here too\n";
}

}  // namespace
}  // namespace lakesync::delta
