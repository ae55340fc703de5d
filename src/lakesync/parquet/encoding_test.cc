#include "lakesync/parquet/encoding.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace lakesync::parquet {
namespace {

// ---- Test-side encoders, written from Encodings.md.

class BitWriter {
 public:
  void Put(uint64_t v, int width) {
    for (int i = 0; i < width; ++i, ++bit_) {
      if (bit_ % 8 == 0) bytes_.push_back(0);
      if ((v >> i) & 1) bytes_.back() |= static_cast<char>(1 << (bit_ % 8));
    }
  }
  std::string Finish() { return bytes_; }

 private:
  std::string bytes_;
  uint64_t bit_ = 0;
};

void PutUleb(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

int BitsFor(uint64_t v) {
  int b = 0;
  while (v) {
    ++b;
    v >>= 1;
  }
  return b;
}

/// RLE/bit-packed hybrid: runs of >= 8 equal values as RLE, the rest bit-packed in groups of 8.
std::string EncodeHybrid(const std::vector<uint32_t>& v, int width) {
  std::string out;
  size_t i = 0;
  while (i < v.size()) {
    size_t run = 1;
    while (i + run < v.size() && v[i + run] == v[i]) ++run;
    if (run >= 8) {
      PutUleb(&out, run << 1);
      for (int b = 0; b < (width + 7) / 8; ++b) out.push_back(static_cast<char>(v[i] >> (8 * b)));
      i += run;
      continue;
    }
    // Bit-pack up to 8 groups, stopping before a long run.
    size_t end = i;
    while (end < v.size() && end - i < 64) {
      size_t r = 1;
      while (end + r < v.size() && v[end + r] == v[end]) ++r;
      if (r >= 8 && (end - i) % 8 == 0 && end > i) break;
      end += 1;
    }
    size_t count = end - i;
    size_t groups = (count + 7) / 8;
    PutUleb(&out, (groups << 1) | 1);
    BitWriter w;
    for (size_t k = 0; k < groups * 8; ++k)
      w.Put(i + k < v.size() && k < count ? v[i + k] : 0, width);
    out += w.Finish();
    i = end;
  }
  return out;
}

std::string EncodeDeltaBinaryPacked(const std::vector<int64_t>& v, uint64_t block = 128,
                                    uint64_t miniblocks = 4) {
  std::string out;
  PutUleb(&out, block);
  PutUleb(&out, miniblocks);
  PutUleb(&out, v.size());
  PutUleb(&out, ZigZag(v.empty() ? 0 : v[0]));
  const uint64_t per_mini = block / miniblocks;
  for (size_t i = 1; i < v.size(); i += block) {
    size_t end = std::min(v.size(), i + block);
    std::vector<uint64_t> deltas;
    for (size_t j = i; j < end; ++j) {
      deltas.push_back(static_cast<uint64_t>(v[j]) - static_cast<uint64_t>(v[j - 1]));
    }
    int64_t min_delta = static_cast<int64_t>(deltas[0]);
    for (uint64_t d : deltas) min_delta = std::min(min_delta, static_cast<int64_t>(d));
    PutUleb(&out, ZigZag(min_delta));
    std::vector<int> widths(miniblocks, 0);
    for (size_t m = 0; m < miniblocks; ++m) {
      for (size_t k = m * per_mini; k < std::min<size_t>(deltas.size(), (m + 1) * per_mini); ++k) {
        widths[m] = std::max(widths[m], BitsFor(deltas[k] - static_cast<uint64_t>(min_delta)));
      }
    }
    for (int w : widths) out.push_back(static_cast<char>(w));
    for (size_t m = 0; m < miniblocks && m * per_mini < deltas.size(); ++m) {
      BitWriter w;
      for (size_t k = m * per_mini; k < (m + 1) * per_mini; ++k) {
        w.Put(k < deltas.size() ? deltas[k] - static_cast<uint64_t>(min_delta) : 0, widths[m]);
      }
      out += w.Finish();
    }
  }
  return out;
}

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// ---- RLE / bit-packed hybrid

TEST(RleBitPackedDecoderTest, SpecExampleBitPackedRun) {
  // Encodings.md: values 0..7 with bit width 3 bit-pack LSB-first to 0x88 0xC6 0xFA.
  std::string data = {static_cast<char>(0x03), static_cast<char>(0x88), static_cast<char>(0xC6),
                      static_cast<char>(0xFA)};
  RleBitPackedDecoder dec(U8(data), data.size(), 3);
  uint32_t out[8];
  ASSERT_TRUE(dec.GetBatch(out, 8).ok());
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(out[i], i);
  EXPECT_TRUE(dec.GetBatch(out, 1).IsCorruption());
}

TEST(RleBitPackedDecoderTest, RleRunThenBitPacked) {
  std::string data;
  PutUleb(&data, 100 << 1);
  data.push_back(5);
  data += std::string{static_cast<char>(0x03), static_cast<char>(0x88), static_cast<char>(0xC6),
                      static_cast<char>(0xFA)};
  RleBitPackedDecoder dec(U8(data), data.size(), 3);
  std::vector<uint16_t> out(108);
  ASSERT_TRUE(dec.GetBatch(out.data(), 37).ok());
  ASSERT_TRUE(dec.GetBatch(out.data() + 37, 71).ok());
  for (int i = 0; i < 100; ++i) ASSERT_EQ(out[i], 5);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[100 + i], i);
}

TEST(RleBitPackedDecoderTest, RoundTripsEveryBitWidth) {
  std::mt19937_64 rng(7);
  for (int width = 0; width <= 32; ++width) {
    const uint64_t max = width == 0 ? 0 : (width == 32 ? 0xffffffffull : (1ull << width) - 1);
    std::vector<uint32_t> values;
    while (values.size() < 5000) {
      uint32_t v = static_cast<uint32_t>(max == 0 ? 0 : rng() % (max + 1));
      size_t repeat = rng() % 3 == 0 ? 1 + rng() % 40 : 1;
      for (size_t k = 0; k < repeat; ++k) values.push_back(v);
    }
    std::string data = EncodeHybrid(values, width);
    RleBitPackedDecoder dec(U8(data), data.size(), width);
    std::vector<uint32_t> out(values.size());
    size_t done = 0;
    while (done < values.size()) {
      size_t k = std::min(values.size() - done, static_cast<size_t>(1 + rng() % 300));
      ASSERT_TRUE(dec.GetBatch(out.data() + done, static_cast<int64_t>(k)).ok()) << width;
      done += k;
    }
    ASSERT_EQ(out, values) << "bit width " << width;
  }
}

TEST(RleBitPackedDecoderTest, RejectsBadInput) {
  uint32_t out[16];
  // Truncated header.
  std::string data = {static_cast<char>(0x80)};
  EXPECT_TRUE(RleBitPackedDecoder(U8(data), data.size(), 3).GetBatch(out, 1).IsCorruption());
  // RLE value wider than the bit width.
  data.clear();
  PutUleb(&data, 4 << 1);
  data.push_back(static_cast<char>(0x09));
  EXPECT_TRUE(RleBitPackedDecoder(U8(data), data.size(), 3).GetBatch(out, 4).IsCorruption());
  // Zero-length run would loop forever.
  data.clear();
  PutUleb(&data, 0);
  EXPECT_TRUE(RleBitPackedDecoder(U8(data), data.size(), 3).GetBatch(out, 1).IsCorruption());
  // Dictionary index out of range.
  data = EncodeHybrid({0, 1, 2, 7, 3, 1, 0, 2}, 3);
  Status st = RleBitPackedDecoder(U8(data), data.size(), 3).GetIndices(out, 8, 5);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_TRUE(RleBitPackedDecoder(U8(data), data.size(), 3).GetIndices(out, 8, 8).ok());
}

TEST(LegacyBitPackedTest, SpecExample) {
  // Encodings.md BIT_PACKED: 0..7 with bit width 3 pack MSB-first to 0x05 0x39 0x77.
  std::string data = {0x05, 0x39, 0x77};
  uint16_t out[8];
  size_t used = 0;
  ASSERT_TRUE(DecodeLegacyBitPacked(U8(data), data.size(), 3, 8, out, &used).ok());
  EXPECT_EQ(used, 3u);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(out[i], i);
  EXPECT_TRUE(DecodeLegacyBitPacked(U8(data), 2, 3, 8, out, &used).IsCorruption());
}

// ---- DELTA_BINARY_PACKED

TEST(DeltaBinaryPackedTest, SpecExampleConsecutive) {
  // 1..5: every delta is 1, so all bit widths are 0 and no miniblock bodies follow.
  std::string data = EncodeDeltaBinaryPacked({1, 2, 3, 4, 5});
  DeltaBinaryPackedDecoder dec;
  ASSERT_TRUE(dec.Init(U8(data), data.size()).ok());
  int32_t out[5];
  ASSERT_TRUE(dec.Decode(out, 5).ok());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i], i + 1);
  size_t used;
  ASSERT_TRUE(dec.SkipToEnd(&used).ok());
  EXPECT_EQ(used, data.size());
}

TEST(DeltaBinaryPackedTest, RoundTripsRandomAndExtremeValues) {
  std::mt19937_64 rng(11);
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<int64_t> v;
    size_t n = 1 + rng() % 2000;
    for (size_t i = 0; i < n; ++i) {
      switch (rng() % 4) {
        case 0:
          v.push_back(static_cast<int64_t>(rng()));
          break;
        case 1:
          v.push_back(i % 2 ? std::numeric_limits<int64_t>::max()
                            : std::numeric_limits<int64_t>::min());
          break;
        default:
          v.push_back(static_cast<int64_t>(i) * 3 - 100 + static_cast<int64_t>(rng() % 5));
      }
    }
    uint64_t block = trial % 2 ? 128 : 256, mini = trial % 3 ? 4 : 8;
    std::string data = EncodeDeltaBinaryPacked(v, block, mini);
    data += "tail";
    DeltaBinaryPackedDecoder dec;
    ASSERT_TRUE(dec.Init(U8(data), data.size()).ok());
    ASSERT_EQ(dec.total_values(), static_cast<int64_t>(n));
    std::vector<int64_t> out(n);
    size_t done = 0;
    while (done < n) {
      size_t k = std::min(n - done, static_cast<size_t>(1 + rng() % 200));
      ASSERT_TRUE(dec.Decode(out.data() + done, static_cast<int64_t>(k)).ok());
      done += k;
    }
    ASSERT_EQ(out, v);
    size_t used;
    ASSERT_TRUE(dec.SkipToEnd(&used).ok());
    EXPECT_EQ(used, data.size() - 4);
  }
}

TEST(DeltaBinaryPackedTest, Int32WrapsAround) {
  std::vector<int64_t> v = {std::numeric_limits<int32_t>::max(),
                            std::numeric_limits<int32_t>::min(), 0, -1,
                            std::numeric_limits<int32_t>::max()};
  std::string data = EncodeDeltaBinaryPacked(v);
  DeltaBinaryPackedDecoder dec;
  ASSERT_TRUE(dec.Init(U8(data), data.size()).ok());
  int32_t out[5];
  ASSERT_TRUE(dec.Decode(out, 5).ok());
  for (int i = 0; i < 5; ++i) EXPECT_EQ(out[i], static_cast<int32_t>(v[i]));
}

TEST(DeltaBinaryPackedTest, RejectsBadInput) {
  DeltaBinaryPackedDecoder dec;
  std::string data;
  PutUleb(&data, 100);  // block size not a multiple of 8 per miniblock
  PutUleb(&data, 3);
  PutUleb(&data, 10);
  PutUleb(&data, 0);
  EXPECT_TRUE(dec.Init(U8(data), data.size()).IsCorruption());
  std::vector<int64_t> v(300);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i * i);
  std::string good = EncodeDeltaBinaryPacked(v);
  for (size_t cut = 0; cut < good.size(); cut += 7) {
    DeltaBinaryPackedDecoder d;
    std::vector<int64_t> out(v.size());
    Status st = d.Init(U8(good), cut);
    if (st.ok()) st = d.Decode(out.data(), static_cast<int64_t>(out.size()));
    // Cutting only the padding of the last miniblock loses no value.
    if (st.ok()) {
      EXPECT_EQ(out, v) << cut;
    } else {
      EXPECT_TRUE(st.IsCorruption()) << cut;
    }
  }
}

// ---- Byte arrays

TEST(ByteArrayDecodingTest, DeltaLengthAndDeltaByteArray) {
  const std::vector<std::string> values = {"axis", "axle", "babble", "babyhood", "", "baby"};
  // DELTA_LENGTH_BYTE_ARRAY: lengths then concatenated bytes.
  std::vector<int64_t> lengths;
  std::string concat;
  for (const auto& s : values) {
    lengths.push_back(static_cast<int64_t>(s.size()));
    concat += s;
  }
  std::string dlba = EncodeDeltaBinaryPacked(lengths) + concat;
  PodVector<uint32_t> offsets = {0};
  PodVector<uint8_t> bytes;
  ASSERT_TRUE(DecodeDeltaLengthByteArray(U8(dlba), dlba.size(), 6, {&offsets, &bytes}).ok());
  ASSERT_EQ(offsets.size(), 7u);
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(std::string(bytes.begin() + offsets[i], bytes.begin() + offsets[i + 1]), values[i]);
  }
  // DELTA_BYTE_ARRAY: prefix lengths, then suffixes as DELTA_LENGTH_BYTE_ARRAY.
  std::vector<int64_t> prefixes, suffix_lengths;
  std::string suffixes, prev;
  for (const auto& s : values) {
    size_t p = 0;
    while (p < s.size() && p < prev.size() && s[p] == prev[p]) ++p;
    prefixes.push_back(static_cast<int64_t>(p));
    suffix_lengths.push_back(static_cast<int64_t>(s.size() - p));
    suffixes += s.substr(p);
    prev = s;
  }
  std::string dba =
      EncodeDeltaBinaryPacked(prefixes) + EncodeDeltaBinaryPacked(suffix_lengths) + suffixes;
  offsets = {0};
  bytes.clear();
  ASSERT_TRUE(DecodeDeltaByteArray(U8(dba), dba.size(), 6, {&offsets, &bytes}).ok());
  for (size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(std::string(bytes.begin() + offsets[i], bytes.begin() + offsets[i + 1]), values[i]);
  }
  // A prefix longer than the previous value is corrupt.
  std::string bad = EncodeDeltaBinaryPacked({0, 9}) + EncodeDeltaBinaryPacked({1, 1}) + "ab";
  offsets = {0};
  EXPECT_TRUE(DecodeDeltaByteArray(U8(bad), bad.size(), 2, {&offsets, &bytes}).IsCorruption());
  // Truncated data.
  offsets = {0};
  EXPECT_TRUE(
      DecodeDeltaLengthByteArray(U8(dlba), dlba.size() - 1, 6, {&offsets, &bytes}).IsCorruption());
}

TEST(ByteArrayDecodingTest, PlainByteArrayBounds) {
  std::string data;
  for (const char* s : {"hello", "", "parquet"}) {
    uint32_t len = static_cast<uint32_t>(std::strlen(s));
    data.append(reinterpret_cast<const char*>(&len), 4);
    data += s;
  }
  PodVector<uint32_t> offsets = {0};
  PodVector<uint8_t> bytes;
  size_t used;
  ASSERT_TRUE(DecodePlainByteArray(U8(data), data.size(), 3, {&offsets, &bytes}, &used).ok());
  EXPECT_EQ(used, data.size());
  EXPECT_EQ(offsets[3], 12u);
  offsets = {0};
  EXPECT_TRUE(
      DecodePlainByteArray(U8(data), data.size() - 1, 3, {&offsets, &bytes}, &used).IsCorruption());
  EXPECT_TRUE(
      DecodePlainByteArray(U8(data), data.size(), 4, {&offsets, &bytes}, &used).IsCorruption());
}

TEST(ByteStreamSplitTest, Floats) {
  const std::vector<float> values = {1.5f, -2.25f, 3.0e10f, 0.0f, -0.0f};
  const size_t n = values.size();
  std::string data(n * 4, '\0');
  for (size_t i = 0; i < n; ++i) {
    uint8_t b[4];
    std::memcpy(b, &values[i], 4);
    for (size_t j = 0; j < 4; ++j) data[j * n + i] = static_cast<char>(b[j]);
  }
  std::vector<float> out(n);
  ASSERT_TRUE(DecodeByteStreamSplit(U8(data), data.size(), static_cast<int64_t>(n), 4,
                                    reinterpret_cast<uint8_t*>(out.data()))
                  .ok());
  for (size_t i = 0; i < n; ++i) EXPECT_EQ(std::memcmp(&out[i], &values[i], 4), 0);
  EXPECT_TRUE(DecodeByteStreamSplit(U8(data), data.size() - 1, static_cast<int64_t>(n), 4,
                                    reinterpret_cast<uint8_t*>(out.data()))
                  .IsCorruption());
}

// ---- Conversions

Int128 Dec(const std::vector<uint8_t>& be) {
  Int128 v = 12345;
  EXPECT_TRUE(DecimalFromBigEndian(be.data(), be.size(), &v));
  return v;
}

TEST(DecimalTest, BigEndianTwosComplement) {
  EXPECT_TRUE(Dec({0x00}) == 0);
  EXPECT_TRUE(Dec({0xff}) == -1);
  EXPECT_TRUE(Dec({0x01, 0x00}) == 256);
  EXPECT_TRUE(Dec({0xff, 0x00}) == -256);
  EXPECT_TRUE(Dec({0x00, 0x00, 0x30, 0x39}) == 12345);
  EXPECT_TRUE(Dec({0xff, 0xff, 0xcf, 0xc7}) == -12345);
  // 10^38 - 1 (the largest decimal(38)) in 16 bytes.
  Int128 max38 = 1;
  for (int i = 0; i < 38; ++i) max38 *= 10;
  max38 -= 1;
  std::vector<uint8_t> be(16);
  for (int i = 0; i < 16; ++i) be[15 - i] = static_cast<uint8_t>(max38 >> (8 * i));
  EXPECT_TRUE(Dec(be) == max38);
  // Longer than 16 bytes is fine when the extra bytes are sign extension.
  std::vector<uint8_t> wide(20, 0xff);
  wide[19] = 0xfe;
  EXPECT_TRUE(Dec(wide) == -2);
  std::vector<uint8_t> too_wide(17, 0);
  too_wide[0] = 1;
  Int128 v;
  EXPECT_FALSE(DecimalFromBigEndian(too_wide.data(), too_wide.size(), &v));
  // Sign extension that changes the sign of the kept bytes does not fit either.
  std::vector<uint8_t> flipped(17, 0);
  flipped[1] = 0x80;
  EXPECT_FALSE(DecimalFromBigEndian(flipped.data(), flipped.size(), &v));
}

TEST(Int96Test, JulianDayAndNanosOfDayAsMicros) {
  auto make = [](uint64_t nanos, uint32_t day) {
    std::vector<uint8_t> b(12);
    std::memcpy(b.data(), &nanos, 8);
    std::memcpy(b.data() + 8, &day, 4);
    return b;
  };
  EXPECT_EQ(Int96ToMicros(make(0, 2440588).data()), 0);
  EXPECT_EQ(Int96ToMicros(make(1999, 2440589).data()), 86400000000LL + 1);
  EXPECT_EQ(Int96ToMicros(make(0, 2440587).data()), -86400000000LL);
  // 2020-01-01 08:09:10.001 = Julian day 2458850, 29350001000000 ns into the day.
  EXPECT_EQ(Int96ToMicros(make(29350001000000ULL, 2458850).data()), 1577866150001000LL);
  // 9999-12-31 (Julian day 5373484), past where nanoseconds since 1970 fit in 64 bits.
  EXPECT_EQ(Int96ToMicros(make(0, 5373484).data()), 253402214400000000LL);
}

TEST(HalfFloatTest, Conversions) {
  EXPECT_EQ(HalfToFloat(0x3C00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xC000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x7BFF), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(HalfToFloat(0x0000), 0.0f);
  EXPECT_TRUE(std::signbit(HalfToFloat(0x8000)));
  EXPECT_TRUE(std::isinf(HalfToFloat(0x7C00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7E00)));
}

}  // namespace
}  // namespace lakesync::parquet

namespace lakesync::parquet {
namespace {

// The `width` bits of `in` from bit `start` (LSB first); bits past the end read as 0.
uint32_t ReferenceBits(const std::vector<uint8_t>& in, uint64_t start, int width) {
  uint32_t v = 0;
  for (int i = 0; i < width; ++i) {
    const uint64_t b = start + static_cast<uint64_t>(i);
    if (b / 8 < in.size() && ((in[b / 8] >> (b % 8)) & 1)) v |= uint32_t{1} << i;
  }
  return v;
}

// Every width, from every start bit within a byte, for counts that end inside, at and past the
// buffer's end (the values past it read as 0): the byte-aligned group and table paths must
// agree with bit-by-bit unpacking.
TEST(UnpackBitsTest, MatchesBitByBitAtEveryWidthAndOffset) {
  std::mt19937 rng(3);
  for (size_t size : {0u, 1u, 7u, 8u, 9u, 33u, 200u}) {
    std::vector<uint8_t> in(size);
    for (uint8_t& b : in) b = static_cast<uint8_t>(rng());
    for (int width = 0; width <= 32; ++width) {
      for (uint64_t start = 0; start < 19; ++start) {
        const int64_t n = width == 0 ? 40 : static_cast<int64_t>(size * 8 / width + 3);
        auto check = [&](const auto& out) {
          for (int64_t i = 0; i < n; ++i) {
            const uint64_t bit = start + static_cast<uint64_t>(i) * static_cast<uint64_t>(width);
            ASSERT_EQ(out[i], ReferenceBits(in, bit, width))
                << "size " << size << " width " << width << " start " << start << " i " << i;
          }
        };
        std::vector<uint32_t> out32(static_cast<size_t>(n));
        UnpackBits32(in.data(), in.size(), start, width, out32.data(), n);
        check(out32);
        if (width > 16) continue;
        std::vector<uint16_t> out16(static_cast<size_t>(n));
        UnpackBits16(in.data(), in.size(), start, width, out16.data(), n);
        check(out16);
      }
    }
  }
}

}  // namespace
}  // namespace lakesync::parquet
