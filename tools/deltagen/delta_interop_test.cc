// deltagen tables read back by lakesync's own Delta log replay (lakesync::delta::Snapshot):
// the two were written independently from PROTOCOL.md, so agreement checks both.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "deltagen/all_types.h"
#include "deltagen/scenario.h"
#include "deltagen/test_util.h"
#include "lakesync/delta/deletion_vector.h"
#include "lakesync/delta/snapshot.h"

namespace lakesync::deltagen {
namespace {

using testing::TempDir;

std::shared_ptr<storage::FileSystem> LocalFs() {
  return std::make_shared<storage::LocalFileSystem>();
}

// Expects the snapshot's files to be exactly the writer's, and every one to exist on disk.
void ExpectSameFiles(const delta::Snapshot& snap, const DeltaTableWriter& w) {
  std::set<std::string> mine, theirs;
  for (const auto& [path, add] : w.active_files()) {
    mine.insert(path);
  }
  for (const delta::AddFile& f : snap.files()) {
    EXPECT_TRUE(std::filesystem::exists(snap.ResolvePath(f.path))) << f.path;
    theirs.insert(f.path);
  }
  EXPECT_EQ(mine.size(), theirs.size());
  EXPECT_EQ(mine, theirs);  // paths here are plain ASCII: encoded == decoded
}

TEST(DeltaInteropTest, SnapshotReplaysJsonCommits) {
  TempDir dir;
  const std::string root = dir.Join("t");
  auto t = Scenario::UserProfiles(2000)
               .Files(3)
               .Update(10, {SetExpr::Parse("score", "+1")})
               .Delete(100)
               .Insert(300)
               .Run(LocalFs(), root);
  ASSERT_TRUE(t.ok()) << t.status();
  auto snap = delta::Snapshot::Open(LocalFs(), root);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->version(), 3);
  EXPECT_EQ((*snap)->GetConfig("delta.enableChangeDataFeed").value_or(""), "true");
  EXPECT_EQ((*snap)->schema().fields.size(), 9u);
  EXPECT_EQ((*snap)->protocol().min_writer_version, 4);
  ExpectSameFiles(**snap, (*t)->writer());
  int64_t records = 0;
  for (const delta::AddFile& f : (*snap)->files()) {
    auto n = f.NumRecords();
    ASSERT_TRUE(n.ok() && n->has_value());
    records += **n;
  }
  auto expected = (*t)->CountRows();
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(records, *expected);
}

TEST(DeltaInteropTest, SnapshotStartsFromClassicAndMultiPartCheckpoints) {
  for (int parts : {1, 3}) {
    TempDir dir;
    const std::string root = dir.Join("t");
    auto t = Scenario::UserProfiles(1500)
                 .Files(3)
                 .PartitionBy("country")
                 .Delete(7)
                 .Checkpoint(parts)
                 .Insert(100)
                 .Run(LocalFs(), root);
    ASSERT_TRUE(t.ok()) << t.status();
    auto snap = delta::Snapshot::Open(LocalFs(), root);
    ASSERT_TRUE(snap.ok()) << snap.status();
    EXPECT_EQ((*snap)->version(), 2);
    EXPECT_EQ((*snap)->checkpoint_version(), std::optional<int64_t>(1)) << "parts " << parts;
    ASSERT_EQ((*snap)->partition_columns().size(), 1u);
    EXPECT_EQ((*snap)->partition_columns()[0], "country");
    ExpectSameFiles(**snap, (*t)->writer());
  }
}

TEST(DeltaInteropTest, AllTypesWithEscapedPartitionPaths) {
  TempDir dir;
  const std::string root = dir.Join("at");
  AllTypesOptions o;
  o.rows = 200;
  o.partition_by = "s";  // quotes, tabs, newlines, non-ASCII: hive-escaped folders
  auto w = WriteAllTypesTable(LocalFs(), root, o);
  ASSERT_TRUE(w.ok()) << w.status();
  auto snap = delta::Snapshot::Open(LocalFs(), root);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->protocol().min_reader_version, 3);  // timestamp_ntz is a table feature
  EXPECT_EQ((*snap)->files().size(), (*w)->active_files().size());
  for (const delta::AddFile& f : (*snap)->files()) {
    EXPECT_TRUE(std::filesystem::exists((*snap)->ResolvePath(f.path))) << f.path;
  }
}

TEST(DeltaInteropTest, DeletionVectorsMarkDeletedRowsByPosition) {
  TempDir dir;
  const std::string root = dir.Join("dv");
  {
    auto t =
        Scenario::UserProfiles(2000).Files(2).DeletionVectors(true).Delete(10).Checkpoint().Run(
            LocalFs(), root);
    ASSERT_TRUE(t.ok()) << t.status();
  }
  // A second DELETE from a reopened table extends the vectors.
  auto t = UserProfilesTable::Open(LocalFs(), root);
  ASSERT_TRUE(t.ok()) << t.status();
  ASSERT_TRUE((*t)->Delete({7, 0}).ok());
  auto snap = delta::Snapshot::Open(LocalFs(), root);
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ((*snap)->version(), 2);
  EXPECT_EQ((*snap)->protocol().min_reader_version, 3);
  ASSERT_EQ((*snap)->files().size(), 2u);
  int64_t live = 0;
  for (const delta::AddFile& f : (*snap)->files()) {
    ASSERT_TRUE(f.deletion_vector.has_value()) << f.path;
    storage::LocalFileSystem fs;
    auto deleted = delta::LoadDeletionVector(fs, *f.deletion_vector, root);
    ASSERT_TRUE(deleted.ok()) << deleted.status();
    EXPECT_EQ(static_cast<int64_t>(deleted->rows.size()), f.deletion_vector->cardinality);
    auto rows = testing::ReadRows((*snap)->ResolvePath(f.path));
    ASSERT_TRUE(rows.ok());
    std::set<uint64_t> gone(deleted->rows.begin(), deleted->rows.end());
    for (size_t pos = 0; pos < rows->size(); ++pos) {
      const int64_t id = (*rows)[pos][0].i;
      EXPECT_EQ(gone.count(pos) == 1, id % 10 == 0 || id % 7 == 0) << id;
      live += gone.count(pos) == 0;
    }
  }
  auto expected = (*t)->CountRows();
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(live, *expected);
  EXPECT_EQ(live, 2000 - 200 - (285 - 28));
}

TEST(DeltaInteropTest, ColumnMappingNamesIdsAndPhysicalFiles) {
  for (ColumnMapping mode : {ColumnMapping::kName, ColumnMapping::kId}) {
    for (bool ntz : {false, true}) {
      TempDir dir;
      const std::string root = dir.Join("cm");
      AllTypesOptions o;
      o.rows = 120;
      o.with_ntz = ntz;
      o.partition_by = "i8";
      o.column_mapping = mode;
      auto w = WriteAllTypesTable(LocalFs(), root, o);
      ASSERT_TRUE(w.ok()) << w.status();
      auto snap = delta::Snapshot::Open(LocalFs(), root);
      ASSERT_TRUE(snap.ok()) << snap.status();
      EXPECT_EQ((*snap)->column_mapping_mode(), mode == ColumnMapping::kName
                                                    ? delta::ColumnMappingMode::kName
                                                    : delta::ColumnMappingMode::kId);
      EXPECT_EQ((*snap)->protocol().min_reader_version, ntz ? 3 : 2);
      const delta::TableSchema& schema = (*snap)->schema();
      ASSERT_EQ(schema.fields.size(), AllTypesSchema(ntz).size());
      EXPECT_EQ(schema.fields[0].name, "id");
      EXPECT_EQ(schema.metas[0].id, 1);
      EXPECT_EQ(schema.metas[0].physical_name.rfind("col-", 0), 0u);
      // Data files use the physical names and the ids as Parquet field ids.
      ASSERT_FALSE((*snap)->files().empty());
      const delta::AddFile& f = (*snap)->files()[0];
      const int part = schema.FieldIndex("i8");
      ASSERT_GE(part, 0);
      ASSERT_EQ(f.partition_values.size(), 1u);
      auto reader = testing::OpenParquet((*snap)->ResolvePath(f.path));
      ASSERT_TRUE(reader.ok()) << reader.status();
      const auto& file_fields = (*reader)->schema();
      ASSERT_EQ(file_fields.size(), schema.fields.size() - 1);
      size_t k = 0;
      for (size_t i = 0; i < schema.fields.size(); ++i) {
        if (static_cast<int>(i) == part) continue;
        EXPECT_EQ(file_fields[k].name, schema.metas[i].physical_name);
        EXPECT_EQ(file_fields[k].field_id, schema.metas[i].id);
        ++k;
      }
      // Nested struct fields are mapped too.
      const int st = schema.FieldIndex("st");
      ASSERT_GE(st, 0);
      ASSERT_EQ(schema.metas[st].children.size(), 2u);
      EXPECT_EQ(schema.metas[st].children[0].physical_name.rfind("col-", 0), 0u);
    }
  }
}

}  // namespace
}  // namespace lakesync::deltagen
