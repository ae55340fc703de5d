#include "deltagen/encoding.h"

#include <algorithm>

namespace lakesync::deltagen {

void AppendUleb128(Bytes* out, uint64_t v) {
  uint8_t buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<uint8_t>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<uint8_t>(v);
  AppendBytes(out, buf, n);
}

int BitWidth(uint64_t max_value) {
  int w = 0;
  while (max_value != 0) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

namespace {

// Bit-packs `n` values (padded with zeros to a multiple of 8) as one bit-packed run.
template <typename T>
void AppendBitPackedRun(const T* v, size_t n, int bit_width, Bytes* out) {
  const size_t groups = (n + 7) / 8;
  AppendUleb128(out, (static_cast<uint64_t>(groups) << 1) | 1);
  const size_t old = out->size();
  out->resize(old + groups * bit_width);
  uint8_t* dst = out->data() + old;
  uint64_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < groups * 8; ++i) {
    const uint64_t value = i < n ? static_cast<uint64_t>(v[i]) : 0;
    acc |= value << bits;
    bits += bit_width;
    while (bits >= 8) {
      *dst++ = static_cast<uint8_t>(acc);
      acc >>= 8;
      bits -= 8;
    }
  }
}

template <typename T>
void AppendRleRun(T value, size_t count, int bit_width, Bytes* out) {
  AppendUleb128(out, static_cast<uint64_t>(count) << 1);
  const int value_bytes = (bit_width + 7) / 8;
  uint64_t x = static_cast<uint64_t>(value);
  for (int b = 0; b < value_bytes; ++b) {
    out->push_back(static_cast<uint8_t>(x));
    x >>= 8;
  }
}

}  // namespace

template <typename T>
void EncodeRleHybrid(const T* v, size_t n, int bit_width, Bytes* out) {
  size_t i = 0;
  size_t lit_start = 0;  // first value not yet written
  while (i < n) {
    size_t j = i + 1;
    while (j < n && v[j] == v[i]) ++j;
    size_t run = j - i;
    if (run < 8) {
      i = j;
      continue;
    }
    const size_t pending = i - lit_start;
    if (pending > 0) {
      // Bit-packed runs other than the last must hold a multiple of 8 values: borrow from
      // the run, or leave the run to the literals when too little of it would remain.
      const size_t pad = (8 - pending % 8) % 8;
      if (run - pad < 8) {
        i = j;
        continue;
      }
      AppendBitPackedRun(v + lit_start, pending + pad, bit_width, out);
      i += pad;
      run -= pad;
    }
    AppendRleRun(v[i], run, bit_width, out);
    i = j;
    lit_start = j;
  }
  if (lit_start < n) AppendBitPackedRun(v + lit_start, n - lit_start, bit_width, out);
}

template <typename T>
void EncodeRleHybridWithLength(const T* values, size_t n, int bit_width, Bytes* out) {
  const size_t len_pos = out->size();
  AppendLE<uint32_t>(out, 0);
  EncodeRleHybrid(values, n, bit_width, out);
  const uint32_t len = static_cast<uint32_t>(out->size() - len_pos - 4);
  std::memcpy(out->data() + len_pos, &len, 4);
}

template void EncodeRleHybrid<uint8_t>(const uint8_t*, size_t, int, Bytes*);
template void EncodeRleHybrid<int16_t>(const int16_t*, size_t, int, Bytes*);
template void EncodeRleHybrid<uint16_t>(const uint16_t*, size_t, int, Bytes*);
template void EncodeRleHybrid<uint32_t>(const uint32_t*, size_t, int, Bytes*);
template void EncodeRleHybridWithLength<uint8_t>(const uint8_t*, size_t, int, Bytes*);
template void EncodeRleHybridWithLength<int16_t>(const int16_t*, size_t, int, Bytes*);
template void EncodeRleHybridWithLength<uint32_t>(const uint32_t*, size_t, int, Bytes*);

void EncodePlainBooleans(const uint8_t* values, size_t n, Bytes* out) {
  if (n == 0) return;
  const size_t old = out->size();
  out->resize(old + (n + 7) / 8);
  uint8_t* dst = out->data() + old;
  std::memset(dst, 0, (n + 7) / 8);
  for (size_t i = 0; i < n; ++i) {
    if (values[i]) dst[i / 8] |= static_cast<uint8_t>(1u << (i % 8));
  }
}

uint64_t HashBytes(const void* data, size_t n) {
  const uint8_t* p = static_cast<const uint8_t*>(data);
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0x100000001b3ULL);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = HashU64(h ^ w);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  return HashU64(h ^ tail ^ (static_cast<uint64_t>(n) << 56));
}

// ---- FixedDictionary

void FixedDictionary::Reset() {
  keys_.clear();
  slots_.assign(1024, 0);
  mask_ = slots_.size() - 1;
}

void FixedDictionary::Grow() {
  slots_.assign(slots_.size() * 2, 0);
  mask_ = slots_.size() - 1;
  for (size_t k = 0; k < keys_.size(); ++k) {
    uint64_t pos = HashU64(keys_[k]) & mask_;
    while (slots_[pos] != 0) pos = (pos + 1) & mask_;
    slots_[pos] = static_cast<uint32_t>(k + 1);
  }
}

uint32_t FixedDictionary::GetOrInsert(uint64_t bits) {
  uint64_t pos = HashU64(bits) & mask_;
  while (true) {
    const uint32_t s = slots_[pos];
    if (s == 0) break;
    if (keys_[s - 1] == bits) return s - 1;
    pos = (pos + 1) & mask_;
  }
  const uint32_t index = static_cast<uint32_t>(keys_.size());
  keys_.push_back(bits);
  slots_[pos] = index + 1;
  if (keys_.size() * 2 > slots_.size()) Grow();
  return index;
}

void FixedDictionary::EncodePlain(Bytes* out) const {
  for (uint64_t k : keys_) AppendBytes(out, &k, width_);
}

// ---- BinaryDictionary

void BinaryDictionary::Reset() {
  arena_.clear();
  offsets_.assign(1, 0);
  hashes_.clear();
  slots_.assign(1024, 0);
  mask_ = slots_.size() - 1;
}

void BinaryDictionary::Grow() {
  slots_.assign(slots_.size() * 2, 0);
  mask_ = slots_.size() - 1;
  for (size_t k = 0; k < hashes_.size(); ++k) {
    uint64_t pos = hashes_[k] & mask_;
    while (slots_[pos] != 0) pos = (pos + 1) & mask_;
    slots_[pos] = static_cast<uint32_t>(k + 1);
  }
}

uint32_t BinaryDictionary::GetOrInsert(std::string_view v) {
  const uint64_t h = HashBytes(v.data(), v.size());
  uint64_t pos = h & mask_;
  while (true) {
    const uint32_t s = slots_[pos];
    if (s == 0) break;
    if (hashes_[s - 1] == h && at(s - 1) == v) return s - 1;
    pos = (pos + 1) & mask_;
  }
  const uint32_t index = static_cast<uint32_t>(hashes_.size());
  AppendBytes(&arena_, v.data(), v.size());
  offsets_.push_back(static_cast<uint32_t>(arena_.size()));
  hashes_.push_back(h);
  slots_[pos] = index + 1;
  if (hashes_.size() * 2 > slots_.size()) Grow();
  return index;
}

void BinaryDictionary::EncodePlain(Bytes* out) const {
  out->reserve(out->size() + plain_size());
  for (size_t i = 0; i < size(); ++i) {
    const std::string_view v = at(i);
    AppendLE<uint32_t>(out, static_cast<uint32_t>(v.size()));
    AppendBytes(out, v.data(), v.size());
  }
}

void BinaryDictionary::EncodePlainFixed(Bytes* out) const {
  AppendBytes(out, arena_.data(), arena_.size());
}

namespace {

uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

// Packs `n` values of `width` bits (0..64), least significant bit first.
void AppendPacked(const uint64_t* v, size_t n, int width, Bytes* out) {
  UInt128 acc = 0;
  int bits = 0;
  for (size_t i = 0; i < n; ++i) {
    acc |= static_cast<UInt128>(v[i]) << bits;
    bits += width;
    while (bits >= 8) {
      out->push_back(static_cast<uint8_t>(acc));
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out->push_back(static_cast<uint8_t>(acc));
}

}  // namespace

void EncodeDeltaBinaryPacked(const int64_t* v, size_t n, Bytes* out) {
  constexpr size_t kBlock = 128, kMiniblocks = 4, kPerMiniblock = kBlock / kMiniblocks;
  AppendUleb128(out, kBlock);
  AppendUleb128(out, kMiniblocks);
  AppendUleb128(out, n);
  AppendUleb128(out, ZigZag(n > 0 ? v[0] : 0));
  uint64_t deltas[kBlock];
  for (size_t i = 1; i < n; i += kBlock) {
    const size_t count = std::min(kBlock, n - i);
    int64_t min_delta = 0;
    for (size_t j = 0; j < count; ++j) {
      deltas[j] = static_cast<uint64_t>(v[i + j]) - static_cast<uint64_t>(v[i + j - 1]);
      const int64_t d = static_cast<int64_t>(deltas[j]);
      if (j == 0 || d < min_delta) min_delta = d;
    }
    AppendUleb128(out, ZigZag(min_delta));
    // Relative to the minimum, padded with zeros to whole miniblocks.
    for (size_t j = 0; j < kBlock; ++j) {
      deltas[j] = j < count ? deltas[j] - static_cast<uint64_t>(min_delta) : 0;
    }
    const size_t used = (count + kPerMiniblock - 1) / kPerMiniblock;
    uint8_t widths[kMiniblocks] = {};
    for (size_t m = 0; m < used; ++m) {
      uint64_t max = 0;
      for (size_t j = 0; j < kPerMiniblock; ++j) max = std::max(max, deltas[m * kPerMiniblock + j]);
      widths[m] = static_cast<uint8_t>(BitWidth(max));
    }
    AppendBytes(out, widths, kMiniblocks);
    for (size_t m = 0; m < used; ++m) {
      AppendPacked(deltas + m * kPerMiniblock, kPerMiniblock, widths[m], out);
    }
  }
}

void EncodeDeltaByteArray(const std::string_view* values, size_t n, Bytes* out) {
  PodVector<int64_t> prefixes(n), suffixes(n);
  std::string_view previous;
  for (size_t i = 0; i < n; ++i) {
    const std::string_view s = values[i];
    size_t p = 0;
    while (p < s.size() && p < previous.size() && s[p] == previous[p]) ++p;
    prefixes[i] = static_cast<int64_t>(p);
    suffixes[i] = static_cast<int64_t>(s.size() - p);
    previous = s;
  }
  EncodeDeltaBinaryPacked(prefixes.data(), n, out);
  EncodeDeltaBinaryPacked(suffixes.data(), n, out);
  for (size_t i = 0; i < n; ++i) {
    AppendBytes(out, values[i].data() + prefixes[i], static_cast<size_t>(suffixes[i]));
  }
}

uint16_t FloatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t exp = (x >> 23) & 0xff;
  uint32_t mant = x & 0x7fffff;
  if (exp == 0xff) return sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >> 13) : 0);
  const int32_t e = static_cast<int32_t>(exp) - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;  // too large: infinity
  uint32_t half, rem, halfway;
  if (e <= 0) {  // a subnormal half (or zero)
    if (e < -10) return sign;
    mant |= 0x800000;
    const int shift = 14 - e;
    half = mant >> shift;
    rem = mant & ((1u << shift) - 1);
    halfway = 1u << (shift - 1);
  } else {
    half = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
    rem = mant & 0x1fff;
    halfway = 0x1000;
  }
  // Round to nearest even; a carry into the exponent is the correct next value (or infinity).
  if (rem > halfway || (rem == halfway && (half & 1))) ++half;
  return static_cast<uint16_t>(sign | half);
}

}  // namespace lakesync::deltagen
