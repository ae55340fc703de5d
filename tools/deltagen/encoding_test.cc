#include "deltagen/encoding.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "lakesync/parquet/encoding.h"

namespace lakesync::deltagen {
namespace {

// A decoder for the RLE / bit-packed hybrid written from Encodings.md, to check the encoder.
std::vector<uint32_t> DecodeHybrid(const Bytes& in, int bit_width, size_t count) {
  std::vector<uint32_t> out;
  size_t pos = 0;
  auto varint = [&] {
    uint64_t v = 0;
    int shift = 0;
    while (true) {
      const uint8_t b = in.at(pos++);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) break;
      shift += 7;
    }
    return v;
  };
  while (out.size() < count) {
    const uint64_t header = varint();
    if (header & 1) {
      const size_t values = (header >> 1) * 8;
      uint64_t acc = 0;
      int bits = 0;
      for (size_t i = 0; i < values; ++i) {
        while (bits < bit_width) {
          acc |= static_cast<uint64_t>(in.at(pos++)) << bits;
          bits += 8;
        }
        const uint32_t v =
            bit_width == 0 ? 0 : static_cast<uint32_t>(acc & ((1ULL << bit_width) - 1));
        acc >>= bit_width;
        bits -= bit_width;
        if (out.size() < count) out.push_back(v);
      }
    } else {
      const size_t run = header >> 1;
      uint32_t v = 0;
      for (int b = 0; b < (bit_width + 7) / 8; ++b)
        v |= static_cast<uint32_t>(in.at(pos++)) << (8 * b);
      for (size_t i = 0; i < run; ++i) out.push_back(v);
    }
  }
  EXPECT_EQ(pos, in.size()) << "trailing bytes";
  return out;
}

TEST(RleHybridTest, SpecBitPackedExample) {
  // Encodings.md: 0..7 with bit width 3 bit-pack to 10001000 11000110 11111010.
  const uint32_t values[] = {0, 1, 2, 3, 4, 5, 6, 7};
  Bytes out;
  EncodeRleHybrid(values, 8, 3, &out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0], 0x03);  // one group of 8, bit-packed
  EXPECT_EQ(out[1], 0x88);
  EXPECT_EQ(out[2], 0xC6);
  EXPECT_EQ(out[3], 0xFA);
}

TEST(RleHybridTest, LongRunBecomesRleRun) {
  std::vector<uint32_t> values(1000, 5);
  Bytes out;
  EncodeRleHybrid(values.data(), values.size(), 3, &out);
  // varint(1000 << 1) = 2 bytes, then the value in 1 byte.
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(DecodeHybrid(out, 3, values.size()), values);
}

TEST(RleHybridTest, WithLengthPrefix) {
  std::vector<int16_t> levels = {1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
  Bytes out;
  EncodeRleHybridWithLength(levels.data(), levels.size(), 1, &out);
  uint32_t len;
  std::memcpy(&len, out.data(), 4);
  EXPECT_EQ(len, out.size() - 4);
  Bytes body(out.begin() + 4, out.end());
  std::vector<uint32_t> expect(levels.begin(), levels.end());
  EXPECT_EQ(DecodeHybrid(body, 1, levels.size()), expect);
}

TEST(RleHybridTest, RandomMixesRoundTrip) {
  std::mt19937_64 rng(7);
  for (int bit_width : {0, 1, 2, 5, 8, 13, 20, 32}) {
    for (int trial = 0; trial < 20; ++trial) {
      const size_t n = rng() % 3000;
      std::vector<uint32_t> values;
      const uint64_t mask = bit_width == 32 ? 0xffffffffULL : ((1ULL << bit_width) - 1);
      while (values.size() < n) {
        const uint32_t v = static_cast<uint32_t>(rng() & mask);
        const size_t run = (rng() % 4 == 0) ? rng() % 40 : 1;
        for (size_t i = 0; i < run && values.size() < n; ++i) values.push_back(v);
      }
      Bytes out;
      EncodeRleHybrid(values.data(), values.size(), bit_width, &out);
      EXPECT_EQ(DecodeHybrid(out, bit_width, values.size()), values)
          << "bit_width " << bit_width << " n " << n;
    }
  }
}

TEST(PlainBooleansTest, LsbFirst) {
  const uint8_t values[] = {1, 0, 1, 1, 0, 0, 0, 0, 1};
  Bytes out;
  EncodePlainBooleans(values, 9, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0], 0x0D);
  EXPECT_EQ(out[1], 0x01);
}

TEST(FixedDictionaryTest, IndicesAreFirstSeenOrderAndStableAcrossGrowth) {
  FixedDictionary dict(8);
  for (uint64_t i = 0; i < 5000; ++i) EXPECT_EQ(dict.GetOrInsert(i * 7919), i);
  for (uint64_t i = 0; i < 5000; ++i) EXPECT_EQ(dict.GetOrInsert(i * 7919), i);
  EXPECT_EQ(dict.size(), 5000u);
  Bytes plain;
  dict.EncodePlain(&plain);
  ASSERT_EQ(plain.size(), 5000u * 8);
  uint64_t v;
  std::memcpy(&v, plain.data() + 8 * 3, 8);
  EXPECT_EQ(v, 3u * 7919);
}

TEST(FixedDictionaryTest, FourByteWidthEncodesLowBytes) {
  FixedDictionary dict(4);
  dict.GetOrInsert(0x01020304);
  Bytes plain;
  dict.EncodePlain(&plain);
  ASSERT_EQ(plain.size(), 4u);
  EXPECT_EQ(plain[0], 0x04);
}

TEST(BinaryDictionaryTest, DeduplicatesAndEncodesWithLengths) {
  BinaryDictionary dict;
  EXPECT_EQ(dict.GetOrInsert("US"), 0u);
  EXPECT_EQ(dict.GetOrInsert("DE"), 1u);
  EXPECT_EQ(dict.GetOrInsert("US"), 0u);
  EXPECT_EQ(dict.GetOrInsert(""), 2u);
  EXPECT_EQ(dict.size(), 3u);
  for (int i = 0; i < 10000; ++i) dict.GetOrInsert("k" + std::to_string(i));
  EXPECT_EQ(dict.GetOrInsert("DE"), 1u);
  EXPECT_EQ(dict.at(3), "k0");
  Bytes plain;
  BinaryDictionary small;
  small.GetOrInsert("ab");
  small.GetOrInsert("c");
  small.EncodePlain(&plain);
  const Bytes expect = {2, 0, 0, 0, 'a', 'b', 1, 0, 0, 0, 'c'};
  EXPECT_EQ(plain, expect);
  EXPECT_EQ(small.plain_size(), expect.size());
}

}  // namespace
}  // namespace lakesync::deltagen

namespace lakesync::deltagen {
namespace {

// The lakesync reader's decoders are the independent check of these encoders.
TEST(DeltaBinaryPackedTest, RoundTripsThroughTheReaderIncludingExtremes) {
  std::mt19937_64 rng(5);
  for (size_t n : {0u, 1u, 2u, 33u, 128u, 129u, 1000u}) {
    std::vector<int64_t> v(n);
    for (size_t i = 0; i < n; ++i) {
      v[i] = i % 97 == 5   ? INT64_MIN
             : i % 89 == 7 ? INT64_MAX
                           : static_cast<int64_t>(rng()) >> (rng() % 64);
    }
    Bytes out;
    EncodeDeltaBinaryPacked(v.data(), n, &out);
    parquet::DeltaBinaryPackedDecoder dec;
    ASSERT_TRUE(dec.Init(out.data(), out.size()).ok());
    ASSERT_EQ(dec.total_values(), static_cast<int64_t>(n));
    std::vector<int64_t> back(n);
    ASSERT_TRUE(dec.Decode(back.data(), static_cast<int64_t>(n)).ok()) << n;
    EXPECT_EQ(back, v) << n;
    size_t consumed = 0;
    ASSERT_TRUE(dec.SkipToEnd(&consumed).ok());
    EXPECT_EQ(consumed, out.size()) << n;
  }
}

TEST(DeltaByteArrayTest, SharedPrefixesRoundTripThroughTheReader) {
  const std::vector<std::string> values = {
      "", "apple", "applesauce", "apply", "", "b", std::string("\0\xff", 2), "caf\xc3\xa9"};
  std::vector<std::string_view> views(values.begin(), values.end());
  Bytes out;
  EncodeDeltaByteArray(views.data(), views.size(), &out);
  PodVector<uint32_t> offsets;
  PodVector<uint8_t> bytes;
  ASSERT_TRUE(parquet::DecodeDeltaByteArray(out.data(), out.size(),
                                            static_cast<int64_t>(values.size()),
                                            parquet::ByteArrayOut{&offsets, &bytes})
                  .ok());
  ASSERT_EQ(offsets.size(), values.size());
  uint32_t begin = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(bytes.data()) + begin, offsets[i] - begin),
              values[i]);
    begin = offsets[i];
  }
}

TEST(FloatToHalfTest, ExactValuesRoundingAndSpecials) {
  EXPECT_EQ(FloatToHalf(0.0f), 0x0000);
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(FloatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);             // rounds up to infinity
  EXPECT_EQ(FloatToHalf(5.9604644775390625e-08f), 1);   // smallest subnormal
  EXPECT_EQ(FloatToHalf(2.98023223876953125e-08f), 0);  // half of it: ties to even (0)
  EXPECT_EQ(FloatToHalf(1.0f + 1.0f / 2048), 0x3c00);   // tie between 1 and 1+2^-10: even
  EXPECT_EQ(FloatToHalf(1.0f + 3.0f / 2048), 0x3c02);   // tie: rounds up to even
  EXPECT_EQ(FloatToHalf(std::numeric_limits<float>::infinity()), 0x7c00);
  const uint16_t nan = FloatToHalf(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
  // Every finite half converts back to itself.
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;
    EXPECT_EQ(FloatToHalf(parquet::HalfToFloat(static_cast<uint16_t>(h))), h) << h;
  }
}

}  // namespace
}  // namespace lakesync::deltagen
