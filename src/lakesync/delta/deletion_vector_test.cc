#include "lakesync/delta/deletion_vector.h"

#include <gtest/gtest.h>

namespace lakesync::delta {
namespace {

// The examples of PROTOCOL.md "Deletion Vector Descriptor Schema".
TEST(DeletionVectorTest, RelativePathFromUuid) {
  DeletionVectorDescriptor dv;
  dv.storage_type = "u";
  dv.path_or_inline_dv = "ab^-aqEH.-t@S}K{vb[*k^";
  dv.offset = 4;
  auto path = DeletionVectorPath(dv, "s3://mytable");
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_EQ(*path, "s3://mytable/ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
  EXPECT_EQ(dv.UniqueId(), "uab^-aqEH.-t@S}K{vb[*k^@4");
}

TEST(DeletionVectorTest, InlineBitmapDecodes) {
  auto bytes = Z85Decode("wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L");
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_EQ(bytes->size(), 40u);
  auto rows = ParseDeletionVector(*bytes);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->rows, (std::vector<uint64_t>{3, 4, 7, 11, 18, 29}));
  auto selection = rows->Selection(0, 8);
  ASSERT_TRUE(selection.has_value());
  EXPECT_EQ(*selection, (std::vector<uint32_t>{0, 1, 2, 5, 6}));
  EXPECT_FALSE(rows->Selection(30, 100).has_value());
  EXPECT_EQ(*rows->Selection(10, 3), (std::vector<uint32_t>{0, 2}));
}

// A 34-byte DV (delta-kernel-rs cdf-table-with-dv, version 5): row 3 only. Its last Z85 group
// holds the final 2 bytes.
TEST(DeletionVectorTest, UnalignedInlineBitmapDecodes) {
  auto bytes = Z85Decode("^Bg9^0rr910000000000iXQKl0rr91000005c8Xg##093", 34);
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  ASSERT_EQ(bytes->size(), 34u);
  auto rows = ParseDeletionVector(*bytes);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->rows, std::vector<uint64_t>{3});
}

TEST(DeletionVectorTest, MalformedInputIsCorruption) {
  EXPECT_TRUE(Z85Decode("abc").status().IsCorruption());
  EXPECT_TRUE(Z85Decode("abc d").status().IsCorruption());
  EXPECT_TRUE(ParseDeletionVector("xxxx").status().IsCorruption());
  auto bytes = Z85Decode("wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L");
  ASSERT_TRUE(bytes.ok());
  for (size_t cut = 0; cut < bytes->size(); ++cut) {
    EXPECT_FALSE(ParseDeletionVector(bytes->substr(0, cut)).ok()) << cut;
  }
}

}  // namespace
}  // namespace lakesync::delta
