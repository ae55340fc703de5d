#include "lakesync/delta/variant.h"

#include <gtest/gtest.h>

namespace lakesync::delta {
namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out += static_cast<char>(b);
  return out;
}

TEST(VariantTest, ObjectsArraysAndPrimitives) {
  // Dictionary {"a", "bc"}: version 1, 1-byte offsets.
  const std::string metadata = Bytes({0x01, 2, 0, 1, 3, 'a', 'b', 'c'});
  // {"a": 5, "bc": ["x", true, null]}
  const std::string value =
      Bytes({0x02, 2, 0, 1, 0, 2, 11,                 // object header, 2 fields, ids, offsets
             0x0C, 5,                                 // int8 5
             0x03, 3, 0, 2, 3, 4, (1 << 2) | 1, 'x',  // array of 3: short string "x"
             0x04, 0x00});                            // true, null
  auto json = VariantToJson(metadata, value);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(*json, R"({"a":5,"bc":["x",true,null]})");

  // decimal4 12.34, date 1970-01-02
  EXPECT_EQ(*VariantToJson(metadata, Bytes({8 << 2, 2, 0xD2, 0x04, 0, 0})), "12.34");
  EXPECT_EQ(*VariantToJson(metadata, Bytes({11 << 2, 1, 0, 0, 0})), "\"1970-01-02\"");
}

TEST(VariantTest, MalformedBytesAreCorruption) {
  const std::string metadata = Bytes({0x01, 1, 0, 1, 'a'});
  EXPECT_TRUE(VariantToJson(metadata, "").status().IsCorruption());
  EXPECT_TRUE(VariantToJson(metadata, Bytes({0x02, 1, 7, 0, 1, 0})).status().IsCorruption());
  EXPECT_TRUE(VariantToJson(Bytes({0x02}), Bytes({0})).status().IsCorruption());
  const std::string value = Bytes({0x02, 1, 0, 0, 2, 0x0C, 5});
  ASSERT_TRUE(VariantToJson(metadata, value).ok());
  for (size_t cut = 0; cut < value.size(); ++cut) {
    EXPECT_FALSE(VariantToJson(metadata, value.substr(0, cut)).ok()) << cut;
  }
}

}  // namespace
}  // namespace lakesync::delta
