// One behaviour suite for every FileSystem: memory, local disk and S3 (s3rver on loopback).
// Each implementation must agree on ranges, sizes, listings (nested prefixes, many keys,
// start-after), missing and empty files, and on how an injected transient read failure looks.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include "lakesync/storage/fault_injection_file_system.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/storage/memory_file_system.h"
#include "lakesync/storage/s3_file_system.h"
#include "lakesync/testing/s3_server.h"

namespace lakesync::storage {
namespace {

std::string TestName() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "_" + info->name();
  for (char& c : name) {
    if (c == '/') c = '_';
  }
  return name;
}

struct MemoryEnv {
  static void SetUpSuite() {}
  static void TearDownSuite() {}
  static std::string SkipReason() { return ""; }
  std::shared_ptr<FileSystem> Make(int /*list_page_size*/) { return fs_; }
  std::string Root() { return "/mem/" + TestName(); }
  std::shared_ptr<FileSystem> fs_ = std::make_shared<MemoryFileSystem>();
};

struct LocalEnv {
  static void SetUpSuite() {}
  static void TearDownSuite() {}
  static std::string SkipReason() { return ""; }
  std::shared_ptr<FileSystem> Make(int /*list_page_size*/) {
    return std::make_shared<LocalFileSystem>();
  }
  std::string Root() {
    root_ = (std::filesystem::temp_directory_path() /
             ("lakesync_fs_suite_" + std::to_string(::getpid()) + "_" + TestName()))
                .string();
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    return root_;
  }
  ~LocalEnv() {
    if (!root_.empty()) std::filesystem::remove_all(root_);
  }
  std::string root_;
};

struct S3Env {
  static inline std::unique_ptr<testing::S3Server> server;
  static inline Status start_status;
  static void SetUpSuite() {
    auto s = testing::S3Server::Start({"lakesync"});
    if (s.ok()) {
      server = std::move(s).value();
    } else {
      start_status = s.status();
    }
  }
  static void TearDownSuite() { server.reset(); }
  static std::string SkipReason() {
    return start_status.IsNotFound() ? start_status.ToString() : "";
  }
  std::shared_ptr<FileSystem> Make(int list_page_size) {
    EXPECT_TRUE(server) << start_status;
    if (!server) return std::make_shared<MemoryFileSystem>();
    S3Options o = server->Options();
    o.list_page_size = list_page_size;
    auto fs = S3FileSystem::Make(o);
    EXPECT_TRUE(fs.ok()) << fs.status();
    return *fs;
  }
  std::string Root() { return "s3://lakesync/" + TestName(); }
};

template <typename Env>
class FileSystemTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Env::SetUpSuite(); }
  static void TearDownTestSuite() { Env::TearDownSuite(); }
  void SetUp() override {
    const std::string skip = Env::SkipReason();
    if (!skip.empty()) GTEST_SKIP() << skip;
    fs_ = env_.Make(1000);
    root_ = env_.Root();
  }
  std::string Path(std::string_view name) { return JoinPath(root_, name); }
  void Write(std::string_view name, std::string_view contents) {
    ASSERT_TRUE(fs_->CreateDirs(std::filesystem::path(Path(name)).parent_path().string()).ok());
    Status st = fs_->WriteFile(Path(name), contents);
    ASSERT_TRUE(st.ok()) << st;
  }
  std::vector<std::string> Names(const std::vector<FileInfo>& infos) {
    std::vector<std::string> out;
    for (const FileInfo& i : infos)
      out.push_back(std::string(BaseName(i.path)) + (i.is_dir ? "/" : ""));
    return out;
  }

  Env env_;
  std::shared_ptr<FileSystem> fs_;
  std::string root_;
};

using Envs = ::testing::Types<MemoryEnv, LocalEnv, S3Env>;
class EnvNames {
 public:
  template <typename T>
  static std::string GetName(int) {
    if (std::is_same_v<T, MemoryEnv>) return "Memory";
    if (std::is_same_v<T, LocalEnv>) return "Local";
    return "S3";
  }
};
TYPED_TEST_SUITE(FileSystemTest, Envs, EnvNames);

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

TYPED_TEST(FileSystemTest, WriteThenReadRangesBack) {
  this->Write("a.bin", "hello, lakesync");
  auto file = this->fs_->OpenForRead(this->Path("a.bin"));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file)->size(), 15);
  EXPECT_EQ((*file)->path(), this->Path("a.bin"));
  auto range = (*file)->ReadRange(7, 8);
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(std::string(range->begin(), range->end()), "lakesync");
  auto all = this->fs_->ReadFile(this->Path("a.bin"));
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, "hello, lakesync");
}

TYPED_TEST(FileSystemTest, ReadRangesReturnsEveryRange) {
  const std::string data = RandomBytes(300000, 7);
  this->Write("big.bin", data);
  auto file = this->fs_->OpenForRead(this->Path("big.bin"));
  ASSERT_TRUE(file.ok()) << file.status();
  const std::vector<std::pair<int64_t, int64_t>> spans = {
      {0, 4}, {299999, 1}, {1000, 0}, {123456, 100000}, {5, 70000}};
  std::vector<std::string> bufs;
  for (const auto& s : spans) bufs.emplace_back(static_cast<size_t>(s.second), '\0');
  std::vector<ReadRequest> reqs;
  for (size_t i = 0; i < spans.size(); ++i) {
    reqs.push_back({spans[i].first, spans[i].second, reinterpret_cast<uint8_t*>(bufs[i].data())});
  }
  Status st = (*file)->ReadRanges(reqs);
  ASSERT_TRUE(st.ok()) << st;
  for (size_t i = 0; i < spans.size(); ++i) {
    EXPECT_EQ(bufs[i], data.substr(spans[i].first, spans[i].second)) << "range " << i;
  }
}

TYPED_TEST(FileSystemTest, ReadPastEndIsCorruptionNamingTheFile) {
  this->Write("short.bin", "abc");
  auto file = this->fs_->OpenForRead(this->Path("short.bin"));
  ASSERT_TRUE(file.ok()) << file.status();
  uint8_t buf[8];
  Status st = (*file)->ReadAt(1, 8, buf);
  EXPECT_TRUE(st.IsCorruption()) << st;
  EXPECT_NE(st.message().find("short.bin"), std::string::npos) << st;
}

TYPED_TEST(FileSystemTest, EmptyFileHasSizeZeroAndReadsNothing) {
  this->Write("empty", "");
  auto info = this->fs_->GetFileInfo(this->Path("empty"));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_TRUE(info->exists);
  EXPECT_FALSE(info->is_dir);
  EXPECT_EQ(info->size, 0);
  auto file = this->fs_->OpenForRead(this->Path("empty"));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ((*file)->size(), 0);
  EXPECT_TRUE((*file)->ReadAt(0, 0, nullptr).ok());
  EXPECT_EQ(*this->fs_->ReadFile(this->Path("empty")), "");
  auto listing = this->fs_->ListDir(this->root_);
  ASSERT_TRUE(listing.ok()) << listing.status();
  ASSERT_EQ(listing->size(), 1u);
  EXPECT_EQ((*listing)[0].size, 0);
}

TYPED_TEST(FileSystemTest, MissingIsDataForInfoAndListingAndNotFoundForOpen) {
  const std::string path = this->Path("absent.json");
  auto info = this->fs_->GetFileInfo(path);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_FALSE(info->exists);
  Status st = this->fs_->OpenForRead(path).status();
  EXPECT_TRUE(st.IsNotFound()) << st;
  EXPECT_NE(st.message().find("absent.json"), std::string::npos) << st;
  EXPECT_TRUE(this->fs_->ReadFile(path).status().IsNotFound());
  auto listing = this->fs_->ListDir(this->Path("no_such_dir"));
  ASSERT_TRUE(listing.ok()) << listing.status();
  EXPECT_TRUE(listing->empty());
}

TYPED_TEST(FileSystemTest, NestedPrefixesListOneLevelSorted) {
  this->Write("t/b/c/3", "333");
  this->Write("t/b/2", "22");
  this->Write("t/1", "1");
  this->Write("t/bb", "bb");
  this->Write("t/b-x/4", "4");
  auto top = this->fs_->ListDir(this->Path("t"));
  ASSERT_TRUE(top.ok()) << top.status();
  EXPECT_EQ(this->Names(*top), (std::vector<std::string>{"1", "b/", "b-x/", "bb"}));
  EXPECT_EQ((*top)[0].path, this->Path("t/1"));
  EXPECT_EQ((*top)[0].size, 1);
  EXPECT_EQ((*top)[3].size, 2);
  auto mid = this->fs_->ListDir(this->Path("t/b"));
  ASSERT_TRUE(mid.ok()) << mid.status();
  EXPECT_EQ(this->Names(*mid), (std::vector<std::string>{"2", "c/"}));
  auto dir = this->fs_->GetFileInfo(this->Path("t/b"));
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_TRUE(dir->exists);
  EXPECT_TRUE(dir->is_dir);
  auto leaf = this->fs_->GetFileInfo(this->Path("t/b/c/3"));
  ASSERT_TRUE(leaf.ok()) << leaf.status();
  EXPECT_TRUE(leaf->exists);
  EXPECT_FALSE(leaf->is_dir);
  EXPECT_EQ(leaf->size, 3);
  // A file's modification time is the same whether listed or looked up, and recent.
  auto in_listing = this->fs_->ListDir(this->Path("t/b/c"));
  ASSERT_TRUE(in_listing.ok() && in_listing->size() == 1u);
  EXPECT_EQ((*in_listing)[0].mtime_ms / 1000, leaf->mtime_ms / 1000);
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  EXPECT_LT(std::abs(now_ms - leaf->mtime_ms), 3600 * 1000);
}

TYPED_TEST(FileSystemTest, ListAfterSkipsEarlierNames) {
  for (const char* name : {"00002.json", "00000.json", "00001.json", "00010.checkpoint.parquet"}) {
    this->Write(std::string("log/") + name, "{}");
  }
  this->Write("log/_sidecars/x.parquet", "p");
  auto after = this->fs_->ListDirAfter(this->Path("log"), "00000.json");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(this->Names(*after),
            (std::vector<std::string>{"00001.json", "00002.json", "00010.checkpoint.parquet",
                                      "_sidecars/"}));
  auto all = this->fs_->ListDir(this->Path("log"));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 5u);
}

// More keys than one S3 LIST page holds (1000), so listings follow continuation tokens; a
// small page size makes every page a continuation.
TYPED_TEST(FileSystemTest, ManyKeysListCompletelyAcrossPages) {
  constexpr int kKeys = 1003;
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (int i = next++; i < kKeys; i = next++) {
      if (!this->fs_->WriteFile(this->Path(fmt::format("many/{:05}.json", i)), std::to_string(i))
               .ok()) {
        failed = true;
      }
    }
  };
  ASSERT_TRUE(this->fs_->CreateDirs(this->Path("many")).ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  ASSERT_FALSE(failed);
  for (int page_size : {1000, 97}) {
    auto fs = this->env_.Make(page_size);
    auto listing = fs->ListDir(this->Path("many"));
    ASSERT_TRUE(listing.ok()) << listing.status();
    ASSERT_EQ(listing->size(), static_cast<size_t>(kKeys)) << "page size " << page_size;
    for (int i = 0; i < kKeys; ++i) {
      ASSERT_EQ(BaseName((*listing)[i].path), fmt::format("{:05}.json", i));
      ASSERT_EQ((*listing)[i].size, static_cast<int64_t>(std::to_string(i).size()));
    }
    auto tail = fs->ListDirAfter(this->Path("many"), "00990.json");
    ASSERT_TRUE(tail.ok()) << tail.status();
    ASSERT_EQ(tail->size(), 12u);
    EXPECT_EQ(BaseName(tail->front().path), "00991.json");
  }
}

// A NUL would cut a POSIX path short and name another S3 key: refused everywhere, not truncated.
TYPED_TEST(FileSystemTest, PathWithNulByteIsInvalidArgument) {
  this->Write("real.parquet", "PAR1");
  const std::string bad = this->Path("real.parquet") + std::string(1, '\0') + "dv-id";
  EXPECT_TRUE(this->fs_->OpenForRead(bad).status().IsInvalidArgument());
  EXPECT_TRUE(this->fs_->GetFileInfo(bad).status().IsInvalidArgument());
  EXPECT_TRUE(this->fs_->ReadFile(bad).status().IsInvalidArgument());
  EXPECT_TRUE(this->fs_->ListDir(bad).status().IsInvalidArgument());
  EXPECT_TRUE(this->fs_->WriteFile(bad, "x").IsInvalidArgument());
}

TYPED_TEST(FileSystemTest, OverwriteReplacesAndDeleteRemoves) {
  this->Write("f", "first");
  this->Write("f", "second!");
  EXPECT_EQ(*this->fs_->ReadFile(this->Path("f")), "second!");
  ASSERT_TRUE(this->fs_->DeleteFile(this->Path("f")).ok());
  auto info = this->fs_->GetFileInfo(this->Path("f"));
  ASSERT_TRUE(info.ok());
  EXPECT_FALSE(info->exists);
}

TYPED_TEST(FileSystemTest, InjectedReadFaultIsRetryableAndTheRetrySucceeds) {
  this->Write("data.bin", "0123456789");
  FaultInjectionFileSystem faulty(this->fs_);
  auto file = faulty.OpenForRead(this->Path("data.bin"));
  ASSERT_TRUE(file.ok()) << file.status();
  faulty.FailNthRead(2);
  uint8_t buf[4];
  ASSERT_TRUE((*file)->ReadAt(0, 4, buf).ok());
  Status st = (*file)->ReadAt(4, 4, buf);
  EXPECT_TRUE(st.IsRetryable()) << st;
  EXPECT_NE(st.message().find("data.bin"), std::string::npos) << st;
  // The caller retries the same read: the fault was transient.
  st = (*file)->ReadAt(4, 4, buf);
  ASSERT_TRUE(st.ok()) << st;
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 4), "4567");
  EXPECT_EQ(faulty.injected_failures(), 1);
  // ReadRanges counts each range as a read.
  faulty.FailNthRead(2);
  uint8_t a[2], b[2];
  const ReadRequest reqs[] = {{0, 2, a}, {8, 2, b}};
  EXPECT_TRUE((*file)->ReadRanges(reqs).IsUnavailable());
  ASSERT_TRUE((*file)->ReadRanges(reqs).ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(b), 2), "89");
  EXPECT_EQ(faulty.reads(), 7);
}

}  // namespace
}  // namespace lakesync::storage
