#include "lakesync/storage/local_file_system.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace lakesync::storage {
namespace {

class LocalFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lakesync_fs_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "_" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  LocalFileSystem fs_;
};

TEST_F(LocalFileSystemTest, WriteThenReadRangesBack) {
  ASSERT_TRUE(fs_.CreateDirs(dir_.string()).ok());
  const std::string path = JoinPath(dir_.string(), "a.bin");
  ASSERT_TRUE(fs_.WriteFile(path, "hello, lakesync").ok());
  auto file = fs_.OpenForRead(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file)->size(), 15);
  auto range = (*file)->ReadRange(7, 8);
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(std::string(range->begin(), range->end()), "lakesync");
  EXPECT_EQ(*fs_.ReadFile(path), "hello, lakesync");
}

TEST_F(LocalFileSystemTest, ReadPastEndIsCorruptionNamingTheFile) {
  ASSERT_TRUE(fs_.CreateDirs(dir_.string()).ok());
  const std::string path = JoinPath(dir_.string(), "short.bin");
  ASSERT_TRUE(fs_.WriteFile(path, "abc").ok());
  auto file = fs_.OpenForRead(path);
  ASSERT_TRUE(file.ok());
  uint8_t buf[8];
  Status st = (*file)->ReadAt(1, 8, buf);
  EXPECT_TRUE(st.IsCorruption()) << st;
  EXPECT_NE(st.message().find("short.bin"), std::string::npos) << st;
}

TEST_F(LocalFileSystemTest, MissingFileIsDataForInfoAndNotFoundForOpen) {
  const std::string path = JoinPath(dir_.string(), "absent");
  auto info = fs_.GetFileInfo(path);
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->exists);
  EXPECT_TRUE(fs_.OpenForRead(path).status().IsNotFound());
  auto listing = fs_.ListDir(path);
  ASSERT_TRUE(listing.ok());
  EXPECT_TRUE(listing->empty());
}

TEST_F(LocalFileSystemTest, ListingIsSortedAndListAfterSkipsEarlierNames) {
  ASSERT_TRUE(fs_.CreateDirs(dir_.string()).ok());
  for (const char* name : {"00002.json", "00000.json", "00001.json"}) {
    ASSERT_TRUE(fs_.WriteFile(JoinPath(dir_.string(), name), "{}").ok());
  }
  auto all = fs_.ListDir(dir_.string());
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ(BaseName((*all)[0].path), "00000.json");
  EXPECT_EQ(BaseName((*all)[2].path), "00002.json");
  auto after = fs_.ListDirAfter(dir_.string(), "00000.json");
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ(BaseName((*after)[0].path), "00001.json");
}

TEST(PathTest, JoinAndBaseName) {
  EXPECT_EQ(JoinPath("a/", "/b"), "a/b");
  EXPECT_EQ(JoinPath("s3://bucket/t", "_delta_log"), "s3://bucket/t/_delta_log");
  EXPECT_EQ(BaseName("a/b/c.parquet"), "c.parquet");
  EXPECT_EQ(BaseName("a/b/"), "b");
}

TEST(FileSystemForPathTest, LocalPathsAndUnknownSchemes) {
  EXPECT_TRUE(FileSystemForPath("/tmp/x").ok());
  EXPECT_TRUE(FileSystemForPath("file:///tmp/x").ok());
  EXPECT_TRUE(FileSystemForPath("gs://bucket/x").status().IsNotSupported());
}

}  // namespace
}  // namespace lakesync::storage
