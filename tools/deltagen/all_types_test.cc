#include "deltagen/all_types.h"

#include <gtest/gtest.h>

#include <map>

#include "deltagen/test_util.h"

namespace lakesync::deltagen {
namespace {

using testing::ReadRows;
using testing::TempDir;

TEST(AllTypesTest, DataFilesHoldTheGeneratedRows) {
  for (const char* partition : {"", "dt"}) {
    TempDir dir;
    const std::string root = dir.Join("at");
    AllTypesOptions o;
    o.rows = 300;
    o.files = 2;
    o.partition_by = partition;
    o.parquet.page_size = 2048;
    auto w = WriteAllTypesTable(std::make_shared<storage::LocalFileSystem>(), root, o);
    ASSERT_TRUE(w.ok()) << w.status();
    const auto schema = AllTypesSchema(true);
    int part_col = -1;
    for (size_t c = 0; c < schema.size(); ++c) {
      if (schema[c].name == o.partition_by) part_col = static_cast<int>(c);
    }
    std::map<int64_t, std::vector<Value>> read;
    for (const auto& [path, add] : (*w)->active_files()) {
      auto rows = ReadRows(root + "/" + path);
      ASSERT_TRUE(rows.ok()) << path << ": " << rows.status();
      for (auto& row : *rows) read[row[0].i] = row;
    }
    ASSERT_EQ(read.size(), 300u);
    for (int64_t id = 1; id <= 300; ++id) {
      std::vector<Value> expected = AllTypesRow(id, o.seed, true);
      if (part_col >= 0) expected.erase(expected.begin() + part_col);
      testing::ExpectRowsEqual({expected}, {read[id]});
    }
  }
}

TEST(AllTypesTest, RowOneHoldsExtremesAndRowTwoNulls) {
  const auto one = AllTypesRow(1, 7, true);
  const auto two = AllTypesRow(2, 7, true);
  EXPECT_EQ(one[2].i, -128);
  EXPECT_EQ(one[5].i, std::numeric_limits<int64_t>::max());
  for (size_t c = 1; c < two.size(); ++c) EXPECT_TRUE(two[c].is_null()) << c;
}

}  // namespace
}  // namespace lakesync::deltagen
