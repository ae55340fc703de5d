#include "lakesync/parquet/projection.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "lakesync/parquet/column_reader.h"
#include "lakesync/parquet/file_reader.h"
#include "lakesync/parquet/test_util.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/test_paths.h"

namespace lakesync::parquet {
namespace {

namespace fs = std::filesystem;
using ::lakesync::testing::SharedDir;

using testing::RecordingFile;

std::string DataFile(const std::string& table) {
  std::error_code ec;
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(SharedDir() + table, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("part-", 0) == 0 && e.path().extension() == ".parquet")
      files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files.empty() ? "" : files.back();
}

struct Opened {
  std::shared_ptr<RecordingFile> file;
  std::unique_ptr<FileReader> reader;
};

Opened OpenRecorded(const std::string& path, ReaderOptions options = {}) {
  storage::LocalFileSystem lfs;
  auto base = lfs.OpenForRead(path);
  if (!base.ok()) return {};
  Opened o;
  o.file = std::make_shared<RecordingFile>(std::move(base).value());
  auto reader = FileReader::Open(o.file, options);
  if (!reader.ok()) return {};
  o.reader = std::move(reader).value();
  o.file->TakeReads();  // the footer
  return o;
}

// Spark's five-row file with nested structs (numeric.ints.int16, varlen.utf8, ...).
constexpr char kNested[] =
    "/delta-tables/delta-kernel-rs/kernel/tests/data/parquet_row_group_skipping";
// Delta column mapping (id mode): field ids on every field, structs nested two deep.
constexpr char kFieldIds[] =
    "/delta-tables/delta-kernel-rs/unpacked/golden_data/table-with-columnmapping-mode-id/delta";

int LeafIndex(const FileReader& r, const std::string& dotted) {
  for (const LeafColumn& l : r.parquet_schema().leaves) {
    if (l.dotted_path == dotted) return l.index;
  }
  return -1;
}

TEST(ProjectionTest, NestedLeafByPathReadsAndDecodesOnlyItsChunk) {
  const std::string path = DataFile(kNested);
  if (SharedDir().empty() || path.empty()) GTEST_SKIP() << "no shared tables";
  Opened o = OpenRecorded(path);
  ASSERT_NE(o.reader, nullptr);
  auto p = o.reader->ProjectByPath({"numeric.ints.int16"});
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->columns.size(), 1u);
  EXPECT_EQ(p->columns[0].file_leaves,
            std::vector<int>{LeafIndex(*o.reader, "numeric.ints.int16")});
  auto batch = o.reader->ReadRowGroup(0, *p);
  ASSERT_TRUE(batch.ok()) << batch.status();

  // The one read is that leaf's column chunk.
  const auto reads = o.file->TakeReads();
  const int leaf = LeafIndex(*o.reader, "numeric.ints.int16");
  auto range = ColumnChunkRange(o.reader->metadata().row_groups[0].columns[leaf], o.file->size());
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].offset, range->offset);
  EXPECT_EQ(reads[0].length, range->length);

  // numeric: struct<ints: struct<int16>> with the values 1000..1004.
  ASSERT_EQ(batch->schema.size(), 1u);
  EXPECT_EQ(batch->schema[0].name, "numeric");
  const DataType& t = batch->schema[0].type;
  ASSERT_EQ(t.children.size(), 1u);
  EXPECT_EQ(t.children[0].name, "ints");
  ASSERT_EQ(t.children[0].type.children.size(), 1u);
  EXPECT_EQ(t.children[0].type.children[0].name, "int16");
  const ColumnVector& int16 = batch->columns[0].children()[0].children()[0];
  ASSERT_EQ(int16.length(), 5);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(int16.Value<int16_t>(i), 1000 + i);
}

TEST(ProjectionTest, PathsUnderOneFieldShareItsColumnInFileOrder) {
  const std::string path = DataFile(kNested);
  if (SharedDir().empty() || path.empty()) GTEST_SKIP() << "no shared tables";
  Opened o = OpenRecorded(path);
  ASSERT_NE(o.reader, nullptr);
  auto p = o.reader->ProjectByPath({"varlen.utf8", "numeric.ints.int8", "varlen.binary"});
  ASSERT_TRUE(p.ok()) << p.status();
  auto batch = o.reader->ReadRowGroup(0, *p);
  ASSERT_TRUE(batch.ok()) << batch.status();
  ASSERT_EQ(batch->schema.size(), 2u);
  EXPECT_EQ(batch->schema[0].name, "varlen");
  ASSERT_EQ(batch->schema[0].type.children.size(), 2u);
  EXPECT_EQ(batch->schema[0].type.children[0].name, "binary");  // the file's order
  EXPECT_EQ(batch->schema[0].type.children[1].name, "utf8");
  EXPECT_EQ(batch->columns[0].children()[1].StringValue(4), "e");
  EXPECT_EQ(batch->columns[1].children()[0].children()[0].Value<int8_t>(3), 3);
  // Nearby chunks are read in one request: from the first needed chunk to the last one's end.
  int64_t begin = o.file->size(), end = 0;
  for (const char* leaf : {"varlen.utf8", "numeric.ints.int8", "varlen.binary"}) {
    auto r = ColumnChunkRange(
        o.reader->metadata().row_groups[0].columns[LeafIndex(*o.reader, leaf)], o.file->size());
    ASSERT_TRUE(r.ok());
    begin = std::min(begin, r->offset);
    end = std::max(end, r->offset + r->length);
  }
  const auto reads = o.file->TakeReads();
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].offset, begin);
  EXPECT_EQ(reads[0].offset + reads[0].length, end);

  // A field and a path below it: the field whole.
  auto whole = o.reader->ProjectByPath({"numeric.ints", "numeric.ints.int8"});
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(whole->columns[0].node.field.type.children[0].type.children.size(), 4u);

  auto missing = o.reader->ProjectByPath({"numeric.ints.int128"});
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status();
  EXPECT_NE(missing.status().message().find("numeric.ints.int128"), std::string::npos);
  EXPECT_TRUE(o.reader->ProjectByPath({"numeric.ints.int16.x"}).status().IsNotFound());
}

TEST(ProjectionTest, NamesWithDotsMatchWhole) {
  const std::string path = DataFile(kNested);
  if (SharedDir().empty() || path.empty()) GTEST_SKIP() << "no shared tables";
  Opened o = OpenRecorded(path);
  ASSERT_NE(o.reader, nullptr);
  FileMetaData md = o.reader->metadata();
  for (SchemaElement& e : md.schema) {
    if (e.name == "varlen") e.name = "var.len";
  }
  auto schema = BuildSchema(md);
  ASSERT_TRUE(schema.ok());
  auto p = ProjectPaths(*schema, {"var.len.utf8"});
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->columns[0].node.field.name, "var.len");
  EXPECT_EQ(p->columns[0].node.children[0].field.name, "utf8");
}

TEST(ProjectionTest, NestedFieldByFieldIdFromColumnMapping) {
  const std::string path = DataFile(kFieldIds);
  if (SharedDir().empty() || path.empty()) GTEST_SKIP() << "no shared tables";
  Opened o = OpenRecorded(path);
  ASSERT_NE(o.reader, nullptr);
  // Field 16 is an int inside struct 15 inside struct 13.
  auto p = o.reader->ProjectByFieldId({16});
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->columns.size(), 1u);
  EXPECT_EQ(p->columns[0].node.field.field_id, 13);
  ASSERT_EQ(p->columns[0].node.children.size(), 1u);
  EXPECT_EQ(p->columns[0].node.children[0].field.field_id, 15);
  EXPECT_EQ(p->columns[0].node.children[0].children[0].field.field_id, 16);
  auto batch = o.reader->ReadRowGroup(0, *p);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(o.file->TakeReads().size(), 1u);
  // The same values as reading the whole struct.
  auto whole = o.reader->ReadRowGroup(0, std::vector<int>{p->columns[0].field});
  ASSERT_TRUE(whole.ok());
  const ColumnVector& a = batch->columns[0].children()[0].children()[0];
  const ColumnVector& b = whole->columns[0].children()[1].children()[0];
  ASSERT_EQ(a.length(), b.length());
  for (int64_t i = 0; i < a.length(); ++i) {
    ASSERT_EQ(a.IsNull(i), b.IsNull(i));
    if (!a.IsNull(i)) {
      EXPECT_EQ(a.Value<int32_t>(i), b.Value<int32_t>(i));
    }
  }
  // Fields inside list elements are not projected into (field 20): lists are read whole.
  EXPECT_TRUE(o.reader->ProjectByFieldId({20}).status().IsNotFound());
  EXPECT_TRUE(o.reader->ProjectByFieldId({999}).status().IsNotFound());
}

}  // namespace
}  // namespace lakesync::parquet
