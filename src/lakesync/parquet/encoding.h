// Parquet value and level encodings (apache/parquet-format Encodings.md): the RLE/bit-packed
// hybrid (levels, dictionary indices, booleans), legacy BIT_PACKED levels, DELTA_BINARY_PACKED,
// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT, plus the value conversions
// Parquet needs (big-endian decimals, INT96 timestamps, half floats).
// Every decoder is bounds-checked: malformed input yields a Corruption Status, never a read past
// the buffer. Decoders work in batches and write straight into caller buffers.
// Thread-safety: a decoder object is used by one thread.
#pragma once

#include <cstdint>
#include <cstring>

#include "lakesync/common/data_type.h"
#include "lakesync/common/pod_vector.h"
#include "lakesync/common/status.h"

namespace lakesync::parquet {

/// Unpacks `n` values of `bit_width` bits (LSB-first, as the hybrid's bit-packed runs) starting
/// at bit `start_bit` of `in`. REQUIRES: in holds at least ceil((start_bit + n*bit_width)/8)
/// bytes; bit_width <= 32.
void UnpackBits32(const uint8_t* in, size_t in_size, uint64_t start_bit, int bit_width,
                  uint32_t* out, int64_t n);
void UnpackBits16(const uint8_t* in, size_t in_size, uint64_t start_bit, int bit_width,
                  uint16_t* out, int64_t n);

/// Reads an unsigned LEB128 varint; false when truncated or longer than 10 bytes.
bool ReadUleb128(const uint8_t** pos, const uint8_t* end, uint64_t* out);

/// The RLE / bit-packed hybrid (without the length prefix; the caller strips it).
class RleBitPackedDecoder {
 public:
  RleBitPackedDecoder() = default;
  RleBitPackedDecoder(const uint8_t* data, size_t size, int bit_width) {
    Reset(data, size, bit_width);
  }
  void Reset(const uint8_t* data, size_t size, int bit_width);

  /// Decodes exactly `n` values; Corruption when the data ends early.
  Status GetBatch(uint32_t* out, int64_t n);
  Status GetBatch(uint16_t* out, int64_t n);

  /// Decodes `n` values, each checked to be < `limit` (dictionary indices).
  Status GetIndices(uint32_t* out, int64_t n, uint32_t limit);

 private:
  template <typename T>
  Status GetBatchImpl(T* out, int64_t n);
  Status NextRun();

  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  int bit_width_ = 0;
  int64_t rle_left_ = 0;
  uint32_t rle_value_ = 0;
  int64_t packed_left_ = 0;
  const uint8_t* packed_base_ = nullptr;  // start of the current bit-packed run
  size_t packed_size_ = 0;
  uint64_t packed_bit_ = 0;  // next bit within the run
};

/// Decodes `n` levels in the deprecated BIT_PACKED encoding (MSB-first); `*consumed` = bytes.
Status DecodeLegacyBitPacked(const uint8_t* data, size_t size, int bit_width, int64_t n,
                             uint16_t* out, size_t* consumed);

/// DELTA_BINARY_PACKED for INT32 (T = int32_t) and INT64 (T = int64_t).
class DeltaBinaryPackedDecoder {
 public:
  /// Reads the header; `data` must stay valid while decoding.
  Status Init(const uint8_t* data, size_t size);
  int64_t total_values() const { return total_values_; }
  /// Decodes the next `n` values (n <= the values left).
  template <typename T>
  Status Decode(T* out, int64_t n);
  /// Bytes consumed once all values were decoded (padding of the last miniblock included).
  Status SkipToEnd(size_t* consumed);

 private:
  Status NextMiniblock();

  const uint8_t* begin_ = nullptr;
  const uint8_t* pos_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t block_size_ = 0;
  uint64_t miniblocks_per_block_ = 0;
  uint64_t values_per_miniblock_ = 0;
  int64_t total_values_ = 0;
  int64_t values_left_ = 0;  // not yet returned
  uint64_t last_value_ = 0;
  bool first_returned_ = false;
  // Current block.
  uint64_t min_delta_ = 0;
  uint8_t bit_widths_[256] = {};
  uint64_t miniblock_index_ = 0;  // within the block
  uint64_t miniblock_left_ = 0;   // values left in the current miniblock
  const uint8_t* miniblock_data_ = nullptr;
  uint64_t miniblock_bit_ = 0;
  int miniblock_width_ = 0;
  bool in_block_ = false;
  PodVector<uint64_t> scratch_;
};

/// Bytes of slack that CopyWithSlack may read past its source and write past its destination.
inline constexpr size_t kCopySlack = 16;

/// Copies `len` bytes in 16-byte steps (inlined fixed-size moves rather than a memcpy call per
/// short string); the last step may read and write up to kCopySlack - 1 bytes past the end.
/// Long values take memcpy. REQUIRES: both buffers have kCopySlack bytes after the range.
inline void CopyWithSlack(uint8_t* dst, const uint8_t* src, size_t len) {
  if (len > 64) {
    std::memcpy(dst, src, len);
    return;
  }
  for (size_t k = 0; k < len; k += 16) std::memcpy(dst + k, src + k, 16);
}

/// Byte arrays decoded into `offsets`/`bytes` (appended; offsets gets one entry per value, the
/// end offset of each value, so callers keep a leading 0).
struct ByteArrayOut {
  PodVector<uint32_t>* offsets;
  PodVector<uint8_t>* bytes;
};

/// PLAIN BYTE_ARRAY: `n` values; `*consumed` = bytes used.
Status DecodePlainByteArray(const uint8_t* data, size_t size, int64_t n, ByteArrayOut out,
                            size_t* consumed);
/// DELTA_LENGTH_BYTE_ARRAY: `n` values.
Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, int64_t n, ByteArrayOut out);
/// DELTA_BYTE_ARRAY (incremental): `n` values; for FIXED_LEN_BYTE_ARRAY the caller checks
/// every value is `type_length` long.
Status DecodeDeltaByteArray(const uint8_t* data, size_t size, int64_t n, ByteArrayOut out);
/// BYTE_STREAM_SPLIT: `n` values of `width` bytes each into `out` (n * width bytes).
Status DecodeByteStreamSplit(const uint8_t* data, size_t size, int64_t n, int width, uint8_t* out);
/// PLAIN BOOLEAN (bit-packed LSB-first) into one byte per value.
Status DecodePlainBoolean(const uint8_t* data, size_t size, int64_t n, uint8_t* out);

/// DecimalFromBigEndian for more than 16 bytes.
bool DecimalFromLongBigEndian(const uint8_t* data, size_t size, Int128* out);

/// A big-endian two's complement integer of 1..16 bytes (longer is accepted when the extra
/// leading bytes are sign extension) as a 128-bit integer; false when it does not fit.
/// Inline: called once per value of FIXED_LEN_BYTE_ARRAY and BYTE_ARRAY decimals.
inline bool DecimalFromBigEndian(const uint8_t* data, size_t size, Int128* out) {
  if (size == 0) {
    *out = 0;
    return true;
  }
  if (size > 16) return DecimalFromLongBigEndian(data, size, out);
  // Right-align in 16 sign-filled bytes, then read as two big-endian words.
  uint8_t buf[16];
  std::memset(buf, (data[0] & 0x80) ? 0xff : 0x00, 16);
  std::memcpy(buf + 16 - size, data, size);
  uint64_t hi, lo;
  std::memcpy(&hi, buf, 8);
  std::memcpy(&lo, buf + 8, 8);
  const UInt128 v = (static_cast<UInt128>(__builtin_bswap64(hi)) << 64) | __builtin_bswap64(lo);
  *out = static_cast<Int128>(v);
  return true;
}

/// Julian day of 1970-01-01.
inline constexpr int64_t kJulianEpochDay = 2440588;
/// INT96 (8 bytes nanos of day little-endian, 4 bytes Julian day) as microseconds since the
/// epoch. Microseconds, as Spark and Delta read these: nanoseconds since 1970 overflow 64 bits
/// after 2262, and writers store dates up to 9999-12-31 this way.
inline int64_t Int96ToMicros(const uint8_t* p) {
  uint64_t nanos_of_day;
  uint32_t julian_day;
  std::memcpy(&nanos_of_day, p, 8);
  std::memcpy(&julian_day, p + 8, 4);
  // Wrapping arithmetic: garbage in gives garbage out, never undefined behaviour.
  uint64_t days = static_cast<uint64_t>(static_cast<int64_t>(julian_day) - kJulianEpochDay);
  return static_cast<int64_t>(days * 86400000000ULL + nanos_of_day / 1000);
}

/// IEEE half (binary16, little-endian bits) to float.
float HalfToFloat(uint16_t h);

}  // namespace lakesync::parquet
