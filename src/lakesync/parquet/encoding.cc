#include "lakesync/parquet/encoding.h"

#include <algorithm>
#include <array>
#include <limits>

#include "lakesync/common/macros.h"

namespace lakesync::parquet {

namespace {

inline uint64_t LoadLE64(const uint8_t* p) {
  uint64_t v{};
  std::memcpy(&v, p, 8);
  return v;
}

// Loads up to 8 bytes at p (fewer when the buffer ends), zero-filling the rest.
inline uint64_t LoadLE64Partial(const uint8_t* p, size_t avail) {
  uint64_t v = 0;
  std::memcpy(&v, p, std::min<size_t>(avail, 8));
  return v;
}

// Each byte's 8 bits as 8 uint16_t (LSB first): one-bit levels (every optional flat column's
// definition levels) unpack 8 at a time with one 16-byte copy.
struct Expand1Table {
  uint16_t v[256][8];
  constexpr Expand1Table() : v() {
    for (int b = 0; b < 256; ++b) {
      for (int j = 0; j < 8; ++j) v[b][j] = static_cast<uint16_t>((b >> j) & 1);
    }
  }
};
constexpr Expand1Table kExpand1;

template <int kWidth, typename T>
void UnpackFixed(const uint8_t* in, size_t in_size, uint64_t bit, T* out, int64_t n) {
  if constexpr (kWidth == 0) {
    std::fill(out, out + n, T{0});
  } else if constexpr (kWidth == 1 && sizeof(T) == 2) {
    int64_t i = 0;
    for (; i < n && (bit & 7) != 0; ++i, ++bit) {
      out[i] = static_cast<T>(bit >> 3 < in_size ? (in[bit >> 3] >> (bit & 7)) & 1 : 0);
    }
    const size_t bytes_left = (bit >> 3) < in_size ? in_size - (bit >> 3) : 0;
    const int64_t whole = std::min<int64_t>((n - i) / 8, static_cast<int64_t>(bytes_left));
    if (whole > 0) {
      const uint8_t* p = in + (bit >> 3);
      for (int64_t g = 0; g < whole; ++g, i += 8) std::memcpy(out + i, kExpand1.v[p[g]], 16);
      bit += static_cast<uint64_t>(whole) * 8;
    }
    for (; i < n; ++i, ++bit) {
      out[i] = static_cast<T>(bit >> 3 < in_size ? (in[bit >> 3] >> (bit & 7)) & 1 : 0);
    }
  } else {
    constexpr uint64_t kMask = (uint64_t{1} << kWidth) - 1;
    int64_t i = 0;
    // Fast path: a full 8-byte load at the value's first byte stays inside the buffer.
    const uint64_t fast_limit_bit = in_size >= 8 ? (in_size - 8) * 8 : 0;
    if (in_size >= 8) {
      // Single values up to a byte boundary, then groups of 8 values (kWidth whole bytes)
      // whose loads and shifts are all compile-time constants.
      for (; i < n && (bit & 7) != 0 && bit <= fast_limit_bit; ++i) {
        out[i] = static_cast<T>((LoadLE64(in + (bit >> 3)) >> (bit & 7)) & kMask);
        bit += kWidth;
      }
      if ((bit & 7) == 0) {
        // The group's last load starts at byte (7 * kWidth) / 8 < kWidth.
        const uint64_t group_limit_bit = in_size >= 8 + kWidth ? (in_size - 8 - kWidth) * 8 : 0;
        for (; i + 8 <= n && bit <= group_limit_bit && in_size >= 8 + kWidth; i += 8) {
          const uint8_t* p = in + (bit >> 3);
          for (int j = 0; j < 8; ++j) {
            const int first = j * kWidth;
            out[i + j] = static_cast<T>((LoadLE64(p + (first >> 3)) >> (first & 7)) & kMask);
          }
          bit += 8 * kWidth;
        }
      }
      for (; i < n && bit <= fast_limit_bit; ++i) {
        out[i] = static_cast<T>((LoadLE64(in + (bit >> 3)) >> (bit & 7)) & kMask);
        bit += kWidth;
      }
    }
    for (; i < n; ++i) {
      size_t byte = bit >> 3;
      uint64_t w = byte < in_size ? LoadLE64Partial(in + byte, in_size - byte) : 0;
      out[i] = static_cast<T>((w >> (bit & 7)) & kMask);
      bit += kWidth;
    }
  }
}

template <typename T, size_t... I>
constexpr auto MakeUnpackTable(std::index_sequence<I...>) {
  using Fn = void (*)(const uint8_t*, size_t, uint64_t, T*, int64_t);
  return std::array<Fn, sizeof...(I)>{&UnpackFixed<static_cast<int>(I), T>...};
}

constexpr auto kUnpack32 = MakeUnpackTable<uint32_t>(std::make_index_sequence<33>{});
constexpr auto kUnpack16 = MakeUnpackTable<uint16_t>(std::make_index_sequence<17>{});

// Any width up to 64 (DELTA_BINARY_PACKED of INT64 may use all 64 bits).
void UnpackBits64(const uint8_t* in, size_t in_size, uint64_t bit, int width, uint64_t* out,
                  int64_t n) {
  if (width == 0) {
    std::fill(out, out + n, uint64_t{0});
    return;
  }
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  for (int64_t i = 0; i < n; ++i) {
    size_t byte = bit >> 3;
    unsigned shift = bit & 7;
    uint64_t lo = byte < in_size ? LoadLE64Partial(in + byte, in_size - byte) : 0;
    uint64_t v = lo >> shift;
    if (shift + width > 64 && byte + 8 < in_size) {
      v |= static_cast<uint64_t>(in[byte + 8]) << (64 - shift);
    }
    out[i] = v & mask;
    bit += width;
  }
}

inline int64_t ZigZag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}

}  // namespace

void UnpackBits32(const uint8_t* in, size_t in_size, uint64_t start_bit, int bit_width,
                  uint32_t* out, int64_t n) {
  kUnpack32[bit_width](in, in_size, start_bit, out, n);
}

void UnpackBits16(const uint8_t* in, size_t in_size, uint64_t start_bit, int bit_width,
                  uint16_t* out, int64_t n) {
  kUnpack16[bit_width](in, in_size, start_bit, out, n);
}

bool ReadUleb128(const uint8_t** pos, const uint8_t* end, uint64_t* out) {
  uint64_t result = 0;
  const uint8_t* p = *pos;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= end) return false;
    uint8_t b = *p++;
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *pos = p;
      *out = result;
      return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// RLE / bit-packed hybrid

void RleBitPackedDecoder::Reset(const uint8_t* data, size_t size, int bit_width) {
  pos_ = data;
  end_ = data + size;
  bit_width_ = bit_width;
  rle_left_ = 0;
  packed_left_ = 0;
}

Status RleBitPackedDecoder::NextRun() {
  uint64_t header{};
  if (!ReadUleb128(&pos_, end_, &header)) {
    return Status::Corruption("RLE/bit-packed data ends early (run header)");
  }
  const size_t avail = static_cast<size_t>(end_ - pos_);
  if (header & 1) {
    uint64_t groups = header >> 1;
    if (groups == 0 || groups > (uint64_t{1} << 32)) {
      return Status::Corruption("bad bit-packed run of {} groups", groups);
    }
    uint64_t count = groups * 8;
    uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);
    if (bytes > avail) {
      // The last run of a page may be cut short; keep the values whose bits are present.
      bytes = avail;
      count = bit_width_ == 0 ? count : avail * 8 / static_cast<uint64_t>(bit_width_);
      if (count == 0) return Status::Corruption("bit-packed run past the end of the data");
    }
    packed_base_ = pos_;
    packed_size_ = bytes;
    packed_bit_ = 0;
    packed_left_ = static_cast<int64_t>(count);
    pos_ += bytes;
  } else {
    uint64_t count = header >> 1;
    if (count == 0 || count > (uint64_t{1} << 40)) {
      return Status::Corruption("bad RLE run length {}", count);
    }
    size_t nbytes = static_cast<size_t>(bit_width_ + 7) / 8;
    if (nbytes > avail) return Status::Corruption("RLE run value past the end of the data");
    uint32_t v = 0;
    for (size_t i = 0; i < nbytes; ++i) v |= static_cast<uint32_t>(pos_[i]) << (8 * i);
    pos_ += nbytes;
    if (bit_width_ < 32 && (v >> bit_width_) != 0) {
      return Status::Corruption("RLE run value {} wider than {} bits", v, bit_width_);
    }
    rle_value_ = v;
    rle_left_ = static_cast<int64_t>(count);
  }
  return Status::OK();
}

template <typename T>
Status RleBitPackedDecoder::GetBatchImpl(T* out, int64_t n) {
  while (n > 0) {
    if (rle_left_ > 0) {
      int64_t k = std::min(n, rle_left_);
      std::fill(out, out + k, static_cast<T>(rle_value_));
      out += k;
      n -= k;
      rle_left_ -= k;
    } else if (packed_left_ > 0) {
      int64_t k = std::min(n, packed_left_);
      if constexpr (sizeof(T) == 2) {
        UnpackBits16(packed_base_, packed_size_, packed_bit_, bit_width_, out, k);
      } else {
        UnpackBits32(packed_base_, packed_size_, packed_bit_, bit_width_, out, k);
      }
      packed_bit_ += static_cast<uint64_t>(k) * static_cast<uint64_t>(bit_width_);
      out += k;
      n -= k;
      packed_left_ -= k;
    } else {
      LAKESYNC_RETURN_NOT_OK(NextRun());
    }
  }
  return Status::OK();
}

Status RleBitPackedDecoder::GetBatch(uint32_t* out, int64_t n) {
  if (bit_width_ < 0 || bit_width_ > 32) {
    return Status::Corruption("bit width {} out of range", bit_width_);
  }
  return GetBatchImpl(out, n);
}

Status RleBitPackedDecoder::GetBatch(uint16_t* out, int64_t n) {
  if (bit_width_ < 0 || bit_width_ > 16) {
    return Status::Corruption("level bit width {} out of range", bit_width_);
  }
  return GetBatchImpl(out, n);
}

Status RleBitPackedDecoder::GetIndices(uint32_t* out, int64_t n, uint32_t limit) {
  LAKESYNC_RETURN_NOT_OK(GetBatch(out, n));
  uint32_t max = 0;
  for (int64_t i = 0; i < n; ++i) max = std::max(max, out[i]);
  if (n > 0 && max >= limit) {
    return Status::Corruption("dictionary index {} out of range (dictionary has {} values)", max,
                              limit);
  }
  return Status::OK();
}

Status DecodeLegacyBitPacked(const uint8_t* data, size_t size, int bit_width, int64_t n,
                             uint16_t* out, size_t* consumed) {
  if (bit_width < 0 || bit_width > 16) return Status::Corruption("bad level bit width");
  uint64_t bits = static_cast<uint64_t>(n) * static_cast<uint64_t>(bit_width);
  uint64_t bytes = (bits + 7) / 8;
  if (bytes > size) return Status::Corruption("BIT_PACKED levels past the end of the page");
  uint64_t bit = 0;
  for (int64_t i = 0; i < n; ++i) {
    uint32_t v = 0;
    for (int b = 0; b < bit_width; ++b, ++bit) {
      v = (v << 1) | ((data[bit >> 3] >> (7 - (bit & 7))) & 1);
    }
    out[i] = static_cast<uint16_t>(v);
  }
  *consumed = bytes;
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// DELTA_BINARY_PACKED

Status DeltaBinaryPackedDecoder::Init(const uint8_t* data, size_t size) {
  begin_ = pos_ = data;
  end_ = data + size;
  uint64_t total = 0, first = 0;
  if (!ReadUleb128(&pos_, end_, &block_size_) ||
      !ReadUleb128(&pos_, end_, &miniblocks_per_block_) || !ReadUleb128(&pos_, end_, &total) ||
      !ReadUleb128(&pos_, end_, &first)) {
    return Status::Corruption("DELTA_BINARY_PACKED header truncated");
  }
  if (block_size_ == 0 || block_size_ > (1u << 20) || miniblocks_per_block_ == 0 ||
      miniblocks_per_block_ > 256 || block_size_ % miniblocks_per_block_ != 0 ||
      (block_size_ / miniblocks_per_block_) % 8 != 0) {
    return Status::Corruption("DELTA_BINARY_PACKED header invalid (block {} miniblocks {})",
                              block_size_, miniblocks_per_block_);
  }
  if (total > (uint64_t{1} << 40)) {
    return Status::Corruption("DELTA_BINARY_PACKED value count {} too large", total);
  }
  values_per_miniblock_ = block_size_ / miniblocks_per_block_;
  total_values_ = static_cast<int64_t>(total);
  values_left_ = total_values_;
  last_value_ = static_cast<uint64_t>(ZigZag(first));
  first_returned_ = false;
  in_block_ = false;
  miniblock_left_ = 0;
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::NextMiniblock() {
  if (!in_block_ || miniblock_index_ >= miniblocks_per_block_) {
    uint64_t md{};
    if (!ReadUleb128(&pos_, end_, &md)) {
      return Status::Corruption("DELTA_BINARY_PACKED block header truncated");
    }
    min_delta_ = static_cast<uint64_t>(ZigZag(md));
    if (static_cast<uint64_t>(end_ - pos_) < miniblocks_per_block_) {
      return Status::Corruption("DELTA_BINARY_PACKED bit widths truncated");
    }
    std::memcpy(bit_widths_, pos_, miniblocks_per_block_);
    pos_ += miniblocks_per_block_;
    miniblock_index_ = 0;
    in_block_ = true;
  }
  int width = bit_widths_[miniblock_index_++];
  if (width > 64) return Status::Corruption("DELTA_BINARY_PACKED bit width {} > 64", width);
  uint64_t bytes = values_per_miniblock_ * static_cast<uint64_t>(width) / 8;
  uint64_t avail = static_cast<uint64_t>(end_ - pos_);
  uint64_t needed_values =
      std::min<uint64_t>(values_per_miniblock_, static_cast<uint64_t>(values_left_));
  if ((needed_values * static_cast<uint64_t>(width) + 7) / 8 > avail) {
    return Status::Corruption("DELTA_BINARY_PACKED miniblock truncated");
  }
  bytes = std::min(bytes, avail);
  miniblock_data_ = pos_;
  miniblock_bit_ = 0;
  miniblock_width_ = width;
  miniblock_left_ = values_per_miniblock_;
  pos_ += bytes;
  scratch_.resize(values_per_miniblock_);
  // Unpack the whole miniblock at once; `bytes` bounds the reads.
  UnpackBits64(miniblock_data_, bytes, 0, width, scratch_.data(),
               static_cast<int64_t>(values_per_miniblock_));
  return Status::OK();
}

template <typename T>
Status DeltaBinaryPackedDecoder::Decode(T* out, int64_t n) {
  if (n > values_left_) {
    return Status::Corruption("DELTA_BINARY_PACKED has {} values, {} requested", values_left_, n);
  }
  int64_t i = 0;
  if (n > 0 && !first_returned_) {
    out[i++] = static_cast<T>(last_value_);
    first_returned_ = true;
    --values_left_;
  }
  while (i < n) {
    if (miniblock_left_ == 0) LAKESYNC_RETURN_NOT_OK(NextMiniblock());
    int64_t k = std::min<int64_t>(n - i, static_cast<int64_t>(miniblock_left_));
    const uint64_t* d = scratch_.data() + (values_per_miniblock_ - miniblock_left_);
    uint64_t v = last_value_;
    const uint64_t md = min_delta_;
    for (int64_t j = 0; j < k; ++j) {
      v += md + d[j];
      out[i + j] = static_cast<T>(v);
    }
    last_value_ = v;
    i += k;
    miniblock_left_ -= static_cast<uint64_t>(k);
    values_left_ -= k;
  }
  return Status::OK();
}

template Status DeltaBinaryPackedDecoder::Decode<int32_t>(int32_t* out, int64_t n);
template Status DeltaBinaryPackedDecoder::Decode<int64_t>(int64_t* out, int64_t n);
template Status DeltaBinaryPackedDecoder::Decode<uint64_t>(uint64_t* out, int64_t n);

Status DeltaBinaryPackedDecoder::SkipToEnd(size_t* consumed) {
  PodVector<int64_t> tmp;
  while (values_left_ > 0) {
    int64_t k = std::min<int64_t>(values_left_, 4096);
    tmp.resize(k);
    LAKESYNC_RETURN_NOT_OK(Decode(tmp.data(), k));
  }
  *consumed = static_cast<size_t>(pos_ - begin_);
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Byte arrays

namespace {

Status AppendCheckedSize(const PodVector<uint8_t>& bytes, uint64_t extra) {
  if (bytes.size() + extra > std::numeric_limits<uint32_t>::max()) {
    return Status::NotSupported("more than 4 GiB of byte-array data in one column chunk");
  }
  return Status::OK();
}

}  // namespace

Status DecodePlainByteArray(const uint8_t* data, size_t size, int64_t n, ByteArrayOut out,
                            size_t* consumed) {
  // Pass 1: validate lengths and total.
  size_t pos = 0;
  uint64_t total = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (size - pos < 4) return Status::Corruption("PLAIN byte array length truncated");
    uint32_t len{};
    std::memcpy(&len, data + pos, 4);
    pos += 4;
    if (len > size - pos) return Status::Corruption("PLAIN byte array value truncated");
    pos += len;
    total += len;
  }
  LAKESYNC_RETURN_NOT_OK(AppendCheckedSize(*out.bytes, total));
  // Pass 2: copy.
  size_t off_base = out.offsets->size();
  out.offsets->resize(off_base + static_cast<size_t>(n));
  uint32_t* offs = out.offsets->data() + off_base;
  size_t byte_base = out.bytes->size();
  // Slack for CopyWithSlack, cut off again below (PodVector's shrink keeps the memory).
  out.bytes->resize(byte_base + total + kCopySlack);
  uint8_t* dst = out.bytes->data() + byte_base;
  uint32_t cur = static_cast<uint32_t>(byte_base);
  pos = 0;
  int64_t i = 0;
  // While the source has slack after the value, copy in 16-byte steps.
  for (; i < n; ++i) {
    uint32_t len{};
    std::memcpy(&len, data + pos, 4);
    if (size - pos - 4 < len + kCopySlack) break;
    pos += 4;
    CopyWithSlack(dst, data + pos, len);
    dst += len;
    pos += len;
    cur += len;
    offs[i] = cur;
  }
  for (; i < n; ++i) {
    uint32_t len{};
    std::memcpy(&len, data + pos, 4);
    pos += 4;
    if (len != 0) std::memcpy(dst, data + pos, len);
    dst += len;
    pos += len;
    cur += len;
    offs[i] = cur;
  }
  out.bytes->resize(byte_base + total);
  *consumed = pos;
  return Status::OK();
}

namespace {

Status DecodeLengths(const uint8_t* data, size_t size, int64_t n, PodVector<int32_t>* lengths,
                     size_t* consumed) {
  DeltaBinaryPackedDecoder dec;
  LAKESYNC_RETURN_NOT_OK(dec.Init(data, size));
  if (dec.total_values() < n) {
    return Status::Corruption("DELTA lengths hold {} values, page needs {}", dec.total_values(), n);
  }
  lengths->resize(static_cast<size_t>(n));
  LAKESYNC_RETURN_NOT_OK(dec.Decode(lengths->data(), n));
  return dec.SkipToEnd(consumed);
}

}  // namespace

Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, int64_t n, ByteArrayOut out) {
  PodVector<int32_t> lengths;
  size_t pos{};
  LAKESYNC_RETURN_NOT_OK(DecodeLengths(data, size, n, &lengths, &pos));
  uint64_t total = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (lengths[i] < 0) return Status::Corruption("negative byte array length");
    total += static_cast<uint64_t>(lengths[i]);
  }
  if (total > size - pos) return Status::Corruption("DELTA_LENGTH_BYTE_ARRAY data truncated");
  LAKESYNC_RETURN_NOT_OK(AppendCheckedSize(*out.bytes, total));
  size_t byte_base = out.bytes->size();
  out.bytes->resize(byte_base + total);
  std::memcpy(out.bytes->data() + byte_base, data + pos, total);
  size_t off_base = out.offsets->size();
  out.offsets->resize(off_base + static_cast<size_t>(n));
  uint32_t* offs = out.offsets->data() + off_base;
  uint32_t cur = static_cast<uint32_t>(byte_base);
  for (int64_t i = 0; i < n; ++i) {
    cur += static_cast<uint32_t>(lengths[i]);
    offs[i] = cur;
  }
  return Status::OK();
}

Status DecodeDeltaByteArray(const uint8_t* data, size_t size, int64_t n, ByteArrayOut out) {
  PodVector<int32_t> prefixes;
  size_t pos{};
  LAKESYNC_RETURN_NOT_OK(DecodeLengths(data, size, n, &prefixes, &pos));
  PodVector<int32_t> suffixes;
  size_t pos2;
  LAKESYNC_RETURN_NOT_OK(DecodeLengths(data + pos, size - pos, n, &suffixes, &pos2));
  pos += pos2;
  uint64_t suffix_total = 0, total = 0, prev_len = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (prefixes[i] < 0 || suffixes[i] < 0) return Status::Corruption("negative DELTA length");
    if (static_cast<uint64_t>(prefixes[i]) > prev_len) {
      return Status::Corruption("DELTA_BYTE_ARRAY prefix {} longer than previous value {}",
                                prefixes[i], prev_len);
    }
    suffix_total += static_cast<uint64_t>(suffixes[i]);
    prev_len = static_cast<uint64_t>(prefixes[i]) + static_cast<uint64_t>(suffixes[i]);
    total += prev_len;
  }
  if (suffix_total > size - pos) return Status::Corruption("DELTA_BYTE_ARRAY data truncated");
  LAKESYNC_RETURN_NOT_OK(AppendCheckedSize(*out.bytes, total));
  size_t byte_base = out.bytes->size();
  out.bytes->resize(byte_base + total);
  uint8_t* base = out.bytes->data();
  size_t off_base = out.offsets->size();
  out.offsets->resize(off_base + static_cast<size_t>(n));
  uint32_t* offs = out.offsets->data() + off_base;
  size_t cur = byte_base, prev_start = byte_base;
  const uint8_t* src = data + pos;
  for (int64_t i = 0; i < n; ++i) {
    size_t p = static_cast<size_t>(prefixes[i]), s = static_cast<size_t>(suffixes[i]);
    std::memmove(base + cur, base + prev_start, p);
    std::memcpy(base + cur + p, src, s);
    src += s;
    prev_start = cur;
    cur += p + s;
    offs[i] = static_cast<uint32_t>(cur);
  }
  return Status::OK();
}

Status DecodeByteStreamSplit(const uint8_t* data, size_t size, int64_t n, int width, uint8_t* out) {
  uint64_t need = static_cast<uint64_t>(n) * static_cast<uint64_t>(width);
  if (need > size) return Status::Corruption("BYTE_STREAM_SPLIT data truncated");
  const size_t un = static_cast<size_t>(n);
  for (int j = 0; j < width; ++j) {
    const uint8_t* stream = data + static_cast<size_t>(j) * un;
    for (size_t i = 0; i < un; ++i) out[i * static_cast<size_t>(width) + j] = stream[i];
  }
  return Status::OK();
}

Status DecodePlainBoolean(const uint8_t* data, size_t size, int64_t n, uint8_t* out) {
  if ((static_cast<uint64_t>(n) + 7) / 8 > size) {
    return Status::Corruption("PLAIN boolean data truncated");
  }
  for (int64_t i = 0; i < n; ++i) out[i] = (data[i >> 3] >> (i & 7)) & 1;
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// Conversions

bool DecimalFromLongBigEndian(const uint8_t* data, size_t size, Int128* out) {
  const bool negative = (data[0] & 0x80) != 0;
  if (size > 16) {
    const uint8_t fill = negative ? 0xff : 0x00;
    for (size_t i = 0; i < size - 16; ++i) {
      if (data[i] != fill) return false;
    }
    // The kept 16 bytes must carry the same sign.
    if (((data[size - 16] & 0x80) != 0) != negative) return false;
    data += size - 16;
    size = 16;
  }
  UInt128 v = negative ? ~static_cast<UInt128>(0) : 0;
  for (size_t i = 0; i < size; ++i) v = (v << 8) | data[i];
  *out = static_cast<Int128>(v);
  return true;
}

float HalfToFloat(uint16_t h) {
  uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ff;
  uint32_t bits{};
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {
      // Subnormal: normalise.
      int e = -1;
      do {
        ++e;
        mant <<= 1;
      } while ((mant & 0x400) == 0);
      mant &= 0x3ff;
      bits = sign | (static_cast<uint32_t>(127 - 15 - e) << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

}  // namespace lakesync::parquet
