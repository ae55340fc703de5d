#include "lakesync/parquet/snappy_decoder.h"

#include <gtest/gtest.h>
#include <snappy.h>

#include <random>
#include <string>
#include <vector>

namespace lakesync::parquet {
namespace {

std::string Compress(const std::string& raw) {
  std::string out;
  snappy::Compress(raw.data(), raw.size(), &out);
  return out;
}

Status Decode(const std::string& block, std::string* out, size_t out_size) {
  out->assign(out_size, '\0');
  return SnappyDecompress(reinterpret_cast<const uint8_t*>(block.data()), block.size(),
                          reinterpret_cast<uint8_t*>(out->data()), out_size);
}

void ExpectRoundTrip(const std::string& raw) {
  std::string got;
  ASSERT_TRUE(Decode(Compress(raw), &got, raw.size()).ok()) << raw.size() << " bytes";
  EXPECT_EQ(got, raw);
}

// Inputs that exercise every element kind: short and long literals (1 to 4 length bytes),
// copies with 1-, 2- and 4-byte offsets, overlapping pattern copies with offsets 1..20, and
// elements ending at every distance from the end of the output.
TEST(SnappyDecoderTest, DecodesWhatLibsnappyWrites) {
  std::mt19937_64 rng(7);
  ExpectRoundTrip("");
  ExpectRoundTrip("a");
  for (size_t size : {15u, 16u, 17u, 63u, 64u, 65u, 127u, 1000u, 70000u, 300000u}) {
    std::string random(size, '\0');
    for (char& c : random) c = static_cast<char>(rng());
    ExpectRoundTrip(random);
    for (size_t period = 1; period <= 20; ++period) {
      std::string pattern(size, '\0');
      for (size_t i = 0; i < size; ++i) pattern[i] = static_cast<char>('a' + (i % period));
      ExpectRoundTrip(pattern);
    }
    // Runs of repeats mixed with random bytes, like little-endian integers in PLAIN pages.
    std::string mixed;
    while (mixed.size() < size) {
      if (rng() % 3 == 0) {
        mixed.append(rng() % 90 + 1, static_cast<char>(rng()));
      } else {
        uint64_t v = rng() % 100000;
        mixed.append(reinterpret_cast<const char*>(&v), 8);
      }
    }
    ExpectRoundTrip(mixed);
  }
  // Copies whose offset needs 4 bytes (more than 64 KiB back).
  std::string far(200000, '\0');
  for (char& c : far) c = static_cast<char>(rng());
  far += far.substr(0, 100000);
  ExpectRoundTrip(far);
}

TEST(SnappyDecoderTest, LengthPreambleMustMatchThePageSize) {
  const std::string block = Compress(std::string(100, 'x'));
  std::string got;
  Status st = Decode(block, &got, 99);
  EXPECT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_NE(st.message().find("header says 99"), std::string::npos) << st.ToString();
}

TEST(SnappyDecoderTest, MalformedBlocksAreCorruption) {
  std::string got;
  // Empty input: no preamble.
  EXPECT_TRUE(Decode("", &got, 0).IsCorruption());
  // Preamble longer than 5 bytes.
  EXPECT_TRUE(Decode(std::string("\xff\xff\xff\xff\xff\x01", 6), &got, 0).IsCorruption());
  // A copy before anything was written (offset outside the output).
  EXPECT_TRUE(Decode(std::string("\x04\x01\x01", 3), &got, 4).IsCorruption());
  // A literal of 4 bytes with only 2 present.
  EXPECT_TRUE(Decode(std::string("\x04\x0c"
                                 "ab",
                                 4),
                     &got, 4)
                  .IsCorruption());
  // Offset zero.
  EXPECT_TRUE(Decode(std::string("\x08\x00"
                                 "a\x11\x00",
                                 5),
                     &got, 8)
                  .IsCorruption());
  // Elements that produce less than the preamble says.
  EXPECT_TRUE(Decode(std::string("\x05\x00"
                                 "a",
                                 3),
                     &got, 5)
                  .IsCorruption());
  // A copy running past the end of the output.
  EXPECT_TRUE(Decode(std::string("\x03\x00"
                                 "a\x0d\x01",
                                 5),
                     &got, 3)
                  .IsCorruption());
}

TEST(SnappyDecoderTest, DamagedBlocksNeverCrash) {
  std::mt19937_64 rng(11);
  std::string raw;
  while (raw.size() < 5000) raw += "user" + std::to_string(rng() % 100000) + "@example.com";
  const std::string block = Compress(raw);
  std::string got;
  int corrupt = 0;
  for (int trial = 0; trial < 2000; ++trial) {
    std::string damaged = block;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) damaged[rng() % damaged.size()] ^= static_cast<char>(rng());
    if (rng() % 4 == 0) damaged.resize(rng() % damaged.size());
    Status st = Decode(damaged, &got, raw.size());
    if (!st.ok()) {
      EXPECT_TRUE(st.IsCorruption()) << st.ToString();
      ++corrupt;
    }
  }
  EXPECT_GT(corrupt, 0);
}

}  // namespace
}  // namespace lakesync::parquet
