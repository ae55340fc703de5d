#include "lakesync/parquet/snappy_decoder.h"

#include <cstring>

namespace lakesync::parquet {

namespace {

// While this many bytes remain in the output, copies may store whole 16-byte blocks past their
// end: an element copies at most 64 bytes, the last store starting before its end.
constexpr size_t kSlack = 80;

inline void Copy16(uint8_t* dst, const uint8_t* src) { std::memcpy(dst, src, 16); }
inline void Copy8(uint8_t* dst, const uint8_t* src) { std::memcpy(dst, src, 8); }

inline uint32_t LoadLE(const uint8_t* p, int bytes) {
  uint32_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

}  // namespace

Status SnappyDecompress(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  const uint8_t* ip = in;
  const uint8_t* const ip_end = in + in_size;
  // Preamble: the uncompressed length as a varint of at most 5 bytes (32 bits).
  uint64_t length = 0;
  for (int shift = 0;; shift += 7) {
    if (ip == ip_end || shift > 28) return Status::Corruption("snappy: bad length preamble");
    const uint8_t b = *ip++;
    length |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) break;
  }
  if (length > UINT32_MAX) return Status::Corruption("snappy: bad length preamble");
  if (length != out_size) {
    return Status::Corruption("snappy page decompressed to {} bytes, header says {}", length,
                              out_size);
  }
  uint8_t* op = out;
  uint8_t* const op_end = out + out_size;
  while (ip < ip_end) {
    const uint8_t tag = *ip++;
    size_t len;
    if ((tag & 3) == 0) {  // literal
      len = (tag >> 2) + 1;
      if (len > 60) {
        const int extra = static_cast<int>(len - 60);  // 1..4 length bytes
        if (ip_end - ip < extra) return Status::Corruption("snappy: truncated literal length");
        len = static_cast<size_t>(LoadLE(ip, extra)) + 1;
        ip += extra;
      }
      const size_t in_left = static_cast<size_t>(ip_end - ip);
      const size_t out_left = static_cast<size_t>(op_end - op);
      if (len <= 16 && in_left >= 16 && out_left >= 16) {
        Copy16(op, ip);
      } else {
        if (len > in_left) return Status::Corruption("snappy: literal past the input");
        if (len > out_left) return Status::Corruption("snappy: literal past the output");
        std::memcpy(op, ip, len);
      }
      ip += len;
      op += len;
      continue;
    }
    size_t offset;
    switch (tag & 3) {
      case 1:
        if (ip == ip_end) return Status::Corruption("snappy: truncated copy");
        len = ((tag >> 2) & 7) + 4;
        offset = (static_cast<size_t>(tag >> 5) << 8) | *ip++;
        break;
      case 2:
        if (ip_end - ip < 2) return Status::Corruption("snappy: truncated copy");
        len = (tag >> 2) + 1;
        offset = LoadLE(ip, 2);
        ip += 2;
        break;
      default:
        if (ip_end - ip < 4) return Status::Corruption("snappy: truncated copy");
        len = (tag >> 2) + 1;
        offset = LoadLE(ip, 4);
        ip += 4;
        break;
    }
    if (offset == 0 || offset > static_cast<size_t>(op - out)) {
      return Status::Corruption("snappy: copy offset {} outside the output", offset);
    }
    const size_t out_left = static_cast<size_t>(op_end - op);
    if (len > out_left) return Status::Corruption("snappy: copy past the output");
    const uint8_t* src = op - offset;
    if (out_left >= kSlack && offset >= 16) {
      // Each block reads bytes at least 16 behind the write position: already written.
      for (size_t k = 0; k < len; k += 16) Copy16(op + k, src + k);
    } else if (out_left >= kSlack && offset >= 8) {
      for (size_t k = 0; k < len; k += 8) Copy8(op + k, src + k);
    } else if (out_left >= kSlack) {
      // An offset below 8 repeats a short pattern: build 16 bytes of it once, then store it at
      // steps of whole periods.
      uint8_t pattern[16];
      std::memcpy(pattern, src, 16);  // only the first `offset` bytes are the pattern
      for (size_t i = offset; i < 16; ++i) pattern[i] = pattern[i - offset];
      const size_t step = 16 - 16 % offset;
      for (size_t k = 0; k < len; k += step) Copy16(op + k, pattern);
    } else {
      // Short offsets repeat a pattern; near the end copy exactly.
      for (size_t k = 0; k < len; ++k) op[k] = src[k];
    }
    op += len;
  }
  if (op != op_end) {
    return Status::Corruption("snappy page decompressed to {} bytes, header says {}", op - out,
                              out_size);
  }
  return Status::OK();
}

}  // namespace lakesync::parquet
