// Parquet value and level encoders used by the deltagen Parquet writer: PLAIN pieces, the
// RLE / bit-packed hybrid (definition/repetition levels and dictionary indices), and the
// dictionary builders that map values to indices without a per-value allocation.
// Spec: apache/parquet-format Encodings.md.
// Thread-safety: none; each encoder is used by one thread.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#include "lakesync/common/data_type.h"
#include "lakesync/common/pod_vector.h"

namespace lakesync::deltagen {

using Bytes = PodVector<uint8_t>;

/// Appends `n` raw bytes.
inline void AppendBytes(Bytes* out, const void* data, size_t n) {
  const size_t old = out->size();
  out->resize(old + n);
  if (n > 0) std::memcpy(out->data() + old, data, n);
}

/// Appends a little-endian fixed-width value.
template <typename T>
inline void AppendLE(Bytes* out, T v) {
  AppendBytes(out, &v, sizeof(T));
}

/// Appends an unsigned LEB128 varint.
void AppendUleb128(Bytes* out, uint64_t v);

/// The number of bits needed to store `max_value` (0 for 0).
int BitWidth(uint64_t max_value);

/// RLE / bit-packed hybrid encoding of `n` values, each < 2^bit_width, without any length
/// prefix. Runs of 8 or more equal values become RLE runs; the rest are bit-packed in groups
/// of 8 (the last group padded with zeros).
template <typename T>
void EncodeRleHybrid(const T* values, size_t n, int bit_width, Bytes* out);

/// As EncodeRleHybrid, prefixed with its 4-byte little-endian length (data page v1 levels).
template <typename T>
void EncodeRleHybridWithLength(const T* values, size_t n, int bit_width, Bytes* out);

/// PLAIN booleans: bit-packed, least significant bit first.
void EncodePlainBooleans(const uint8_t* values, size_t n, Bytes* out);

/// DELTA_BINARY_PACKED of `n` 64-bit values (INT32 columns pass their values sign-extended):
/// blocks of 128 values in 4 miniblocks of 32, deltas with wrapping arithmetic.
void EncodeDeltaBinaryPacked(const int64_t* values, size_t n, Bytes* out);

/// DELTA_BYTE_ARRAY (incremental encoding): each value's prefix shared with the previous one
/// (DELTA_BINARY_PACKED lengths), then the suffixes as DELTA_LENGTH_BYTE_ARRAY.
void EncodeDeltaByteArray(const std::string_view* values, size_t n, Bytes* out);

/// IEEE binary16 bits of `f`, rounded to nearest even (FLOAT16 columns); NaN stays NaN.
uint16_t FloatToHalf(float f);

/// Hash used by the dictionary builders.
uint64_t HashBytes(const void* data, size_t n);
inline uint64_t HashU64(uint64_t v) {
  v ^= v >> 33;
  v *= 0xff51afd7ed558ccdULL;
  v ^= v >> 33;
  v *= 0xc4ceb9fe1a85ec53ULL;
  v ^= v >> 33;
  return v;
}

/// Dictionary of fixed-width values (4 or 8 bytes, compared bitwise: -0.0 and 0.0 differ, and
/// NaNs with equal bits are one entry). Open addressing; no allocation per value.
class FixedDictionary {
 public:
  explicit FixedDictionary(int width) : width_(width) { Reset(); }
  /// The index of `bits` (its low `width` bytes), inserting it when new.
  uint32_t GetOrInsert(uint64_t bits);
  size_t size() const { return keys_.size(); }
  /// Bytes of the PLAIN-encoded dictionary page.
  size_t plain_size() const { return keys_.size() * width_; }
  void EncodePlain(Bytes* out) const;
  void Reset();

 private:
  void Grow();
  int width_;
  PodVector<uint64_t> keys_;
  PodVector<uint32_t> slots_;  // index + 1; 0 = empty
  uint64_t mask_ = 0;
};

/// Dictionary of byte strings; keys are copied into one arena.
class BinaryDictionary {
 public:
  BinaryDictionary() { Reset(); }
  uint32_t GetOrInsert(std::string_view v);
  size_t size() const { return offsets_.size() - 1; }
  /// Bytes of the PLAIN-encoded dictionary page (4-byte length + bytes per entry).
  size_t plain_size() const { return arena_.size() + 4 * size(); }
  void EncodePlain(Bytes* out) const;
  /// Encodes entries as fixed-length values (FIXED_LEN_BYTE_ARRAY: no length prefix).
  void EncodePlainFixed(Bytes* out) const;
  std::string_view at(size_t i) const {
    return std::string_view(reinterpret_cast<const char*>(arena_.data()) + offsets_[i],
                            offsets_[i + 1] - offsets_[i]);
  }
  void Reset();

 private:
  void Grow();
  Bytes arena_;
  PodVector<uint32_t> offsets_;
  PodVector<uint64_t> hashes_;
  PodVector<uint32_t> slots_;
  uint64_t mask_ = 0;
};

}  // namespace lakesync::deltagen
