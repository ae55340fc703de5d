// Decoding on several threads: columns of a row group (ReadRowGroup) and whole row groups
// (ReadRowGroups) give exactly the single-threaded results, in order, and read no more than
// the projected row groups ahead of the consumer.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "lakesync/parquet/buffer_file.h"
#include "lakesync/parquet/file_reader.h"
#include "lakesync/parquet/test_util.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/test_paths.h"

namespace lakesync::parquet {
namespace {

namespace fs = std::filesystem;
using ::lakesync::testing::SharedDir;
using testing::JsonRows;
using testing::RecordingFile;

std::unique_ptr<FileReader> OpenBytes(std::shared_ptr<storage::RandomAccessFile> file,
                                      int threads) {
  ReaderOptions options;
  options.num_threads = threads;
  auto reader = FileReader::Open(std::move(file), options);
  EXPECT_TRUE(reader.ok()) << reader.status();
  return reader.ok() ? std::move(reader).value() : nullptr;
}

std::vector<std::vector<std::string>> ReadAll(FileReader& reader, const Projection& projection,
                                              std::vector<int>* order = nullptr) {
  std::vector<int> groups(static_cast<size_t>(reader.num_row_groups()));
  for (size_t g = 0; g < groups.size(); ++g) groups[g] = static_cast<int>(g);
  std::vector<std::vector<std::string>> out;
  Status st = reader.ReadRowGroups(groups, projection, [&](int g, ColumnBatch batch) {
    if (order) order->push_back(g);
    out.push_back(JsonRows(batch));
    return Status::OK();
  });
  EXPECT_TRUE(st.ok()) << st;
  return out;
}

TEST(ParallelReadTest, RowGroupsOnSeveralThreadsMatchOneThreadInOrder) {
  const std::string bytes = testing::ManyRowGroupFile();
  if (bytes.empty()) GTEST_SKIP() << "no shared tables";
  auto one = OpenBytes(std::make_shared<BufferFile>("merged.parquet", bytes), 1);
  auto three = OpenBytes(std::make_shared<BufferFile>("merged.parquet", bytes), 3);
  ASSERT_TRUE(one && three);
  ASSERT_GE(one->num_row_groups(), 4);
  std::vector<int> all(one->schema().size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  const Projection projection = ProjectFields(one->parquet_schema(), all);
  std::vector<int> order;
  const auto expected = ReadAll(*one, projection);
  const auto actual = ReadAll(*three, projection, &order);
  EXPECT_EQ(actual, expected);
  std::vector<int> in_order(order.size());
  for (size_t i = 0; i < order.size(); ++i) in_order[i] = static_cast<int>(i);
  EXPECT_EQ(order, in_order);
  int64_t rows = 0;
  for (const auto& g : actual) rows += static_cast<int64_t>(g.size());
  EXPECT_EQ(rows, one->num_rows());

  // A subset, out of file order, comes back in the order asked.
  std::vector<int> asked = {3, 0, 2};
  std::vector<int> got;
  ASSERT_TRUE(three
                  ->ReadRowGroups(asked, projection,
                                  [&](int g, ColumnBatch) {
                                    got.push_back(g);
                                    return Status::OK();
                                  })
                  .ok());
  EXPECT_EQ(got, asked);
}

TEST(ParallelReadTest, ConsumerErrorStopsTheReadAndIsReturned) {
  const std::string bytes = testing::ManyRowGroupFile();
  if (bytes.empty()) GTEST_SKIP() << "no shared tables";
  auto reader = OpenBytes(std::make_shared<BufferFile>("merged.parquet", bytes), 3);
  ASSERT_TRUE(reader);
  std::vector<int> groups(static_cast<size_t>(reader->num_row_groups()));
  for (size_t g = 0; g < groups.size(); ++g) groups[g] = static_cast<int>(g);
  int calls = 0;
  Status st = reader->ReadRowGroups(
      groups, ProjectFields(reader->parquet_schema(), {0}),
      [&](int, ColumnBatch) { return ++calls == 2 ? Status::Conflict("enough") : Status::OK(); });
  EXPECT_TRUE(st.IsConflict()) << st;
  EXPECT_EQ(calls, 2);
  // A damaged row group surfaces as its error, naming it.
  std::string damaged = bytes;
  const auto& chunk = reader->metadata().row_groups[2].columns[0];
  for (int i = 0; i < 8; ++i) damaged[chunk.meta_data->data_page_offset + i] = '\xff';
  auto bad = OpenBytes(std::make_shared<BufferFile>("damaged.parquet", damaged), 3);
  ASSERT_TRUE(bad);
  st = bad->ReadRowGroups(groups, ProjectFields(bad->parquet_schema(), {0}),
                          [](int, ColumnBatch) { return Status::OK(); });
  EXPECT_TRUE(st.IsCorruption()) << st;
  EXPECT_NE(st.message().find("row group 2"), std::string::npos) << st;
}

// Each row group's reads, by which row group's chunks they fall in.
int RowGroupOf(const FileMetaData& md, const ByteRange& read) {
  for (size_t g = 0; g < md.row_groups.size(); ++g) {
    for (const ColumnChunk& c : md.row_groups[g].columns) {
      auto r = ColumnChunkRange(c, INT64_MAX);
      if (r.ok() && read.offset >= r->offset && read.offset < r->offset + r->length) {
        return static_cast<int>(g);
      }
    }
  }
  return -1;
}

TEST(ParallelReadTest, MemoryIsBoundedByProjectedRowGroupsAhead) {
  const std::string bytes = testing::ManyRowGroupFile();
  if (bytes.empty()) GTEST_SKIP() << "no shared tables";
  constexpr int kThreads = 2;
  auto file =
      std::make_shared<RecordingFile>(std::make_shared<BufferFile>("merged.parquet", bytes));
  auto reader = OpenBytes(file, kThreads);
  ASSERT_TRUE(reader);
  file->TakeReads();  // the footer
  auto projection = reader->ProjectByPath({"name"});
  ASSERT_TRUE(projection.ok());
  const int leaf = projection->columns[0].file_leaves[0];
  std::vector<int> groups(static_cast<size_t>(reader->num_row_groups()));
  for (size_t g = 0; g < groups.size(); ++g) groups[g] = static_cast<int>(g);
  int64_t bytes_read = 0, projected = 0;
  Status st = reader->ReadRowGroups(groups, *projection, [&](int g, ColumnBatch batch) {
    // A slow first consumer gives the workers every chance to run ahead (they must not).
    if (g == 0) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    // Nothing beyond kThreads row groups past this one has been read.
    for (const ByteRange& r : file->TakeReads()) {
      EXPECT_LE(RowGroupOf(reader->metadata(), r), g + kThreads) << "while consuming " << g;
      bytes_read += r.length;
    }
    EXPECT_EQ(batch.columns.size(), 1u);
    return Status::OK();
  });
  ASSERT_TRUE(st.ok()) << st;
  for (const ByteRange& r : file->TakeReads()) bytes_read += r.length;
  // Only the projected column's chunks were read: never the file.
  for (const RowGroup& rg : reader->metadata().row_groups) {
    projected += ColumnChunkRange(rg.columns[leaf], file->size())->length;
  }
  EXPECT_EQ(bytes_read, projected);
  EXPECT_LT(projected, file->size() / 2);
}

TEST(ParallelReadTest, ColumnsOnSeveralThreadsMatchOneThreadOnEverySharedFile) {
  const fs::path root = fs::path(SharedDir()) / "delta-tables";
  std::error_code ec;
  if (SharedDir().empty() || !fs::is_directory(root, ec)) GTEST_SKIP() << "no shared tables";
  storage::LocalFileSystem lfs;
  int compared = 0;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    const std::string name = it->path().filename().string();
    if (it->path().extension() != ".parquet" || name.rfind("._", 0) == 0) continue;
    auto f = lfs.OpenForRead(it->path().string());
    if (!f.ok()) continue;
    std::shared_ptr<storage::RandomAccessFile> file(std::move(f).value());
    ReaderOptions one_thread, four_threads;
    four_threads.num_threads = 4;
    auto a = FileReader::Open(file, one_thread);
    auto b = FileReader::Open(file, four_threads);
    if (!a.ok() || !b.ok()) continue;
    for (int g = 0; g < (*a)->num_row_groups(); ++g) {
      if ((*a)->metadata().row_groups[g].num_rows > 100'000) continue;  // seconds, no news
      auto x = (*a)->ReadRowGroup(g);
      auto y = (*b)->ReadRowGroup(g);
      ASSERT_EQ(x.ok(), y.ok()) << it->path();
      if (!x.ok()) continue;
      EXPECT_EQ(JsonRows(*x), JsonRows(*y)) << it->path() << " row group " << g;
      ++compared;
    }
  }
  EXPECT_GT(compared, 1000);
}

}  // namespace
}  // namespace lakesync::parquet
