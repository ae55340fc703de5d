#include "deltagen/deletion_vector.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "deltagen/test_util.h"

namespace lakesync::deltagen {
namespace {

TEST(Z85Test, RfcExample) {
  // ZeroMQ RFC 32: these 8 bytes encode as "HelloWorld".
  const unsigned char bytes[] = {0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B};
  EXPECT_EQ(Z85Encode(std::string_view(reinterpret_cast<const char*>(bytes), 8)), "HelloWorld");
}

TEST(DeletionVectorTest, SerializedFormHasMagicAndBuckets) {
  const std::string empty = SerializeDeletionVector({});
  ASSERT_EQ(empty.size(), 12u);  // magic + zero buckets
  uint32_t magic;
  std::memcpy(&magic, empty.data(), 4);
  EXPECT_EQ(magic, 1681511377u);
  const std::string two = SerializeDeletionVector({1, 5, (uint64_t{1} << 32) + 3});
  uint64_t buckets;
  std::memcpy(&buckets, two.data() + 4, 8);
  EXPECT_EQ(buckets, 2u);
  uint32_t first_key;
  std::memcpy(&first_key, two.data() + 12, 4);
  EXPECT_EQ(first_key, 0u);
}

TEST(DeletionVectorTest, FileFramingAndDescriptor) {
  testing::TempDir dir;
  storage::LocalFileSystem fs;
  const std::string uuid(16, '\x11');
  auto d = WriteDeletionVectorFile(fs, dir.path(), {0, 2, 4}, uuid, "ab");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->storage_type, "u");
  EXPECT_EQ(d->path_or_inline_dv.substr(0, 2), "ab");
  EXPECT_EQ(d->path_or_inline_dv.size(), 22u);
  EXPECT_EQ(d->offset, 1);
  EXPECT_EQ(d->cardinality, 3);
  auto file =
      fs.ReadFile(dir.path() + "/ab/deletion_vector_11111111-1111-1111-1111-111111111111.bin");
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_EQ(file->size(), 1u + 4 + d->size_in_bytes + 4);
  EXPECT_EQ((*file)[0], 1);
  const auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>((*file)[at + i]);
    return v;
  };
  EXPECT_EQ(be32(1), static_cast<uint32_t>(d->size_in_bytes));
  const std::string data = file->substr(5, d->size_in_bytes);
  EXPECT_EQ(data, SerializeDeletionVector({0, 2, 4}));
  EXPECT_EQ(be32(5 + d->size_in_bytes),
            static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data.data()),
                                        static_cast<uInt>(data.size()))));
  EXPECT_EQ(d->ToJson().rfind(R"({"storageType":"u","pathOrInlineDv":"ab)", 0), 0u);
}

}  // namespace
}  // namespace lakesync::deltagen
