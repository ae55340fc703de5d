#include "deltagen/compression.h"

#include <brotli/encode.h>
#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <string>

#include "lakesync/common/macros.h"

namespace lakesync::deltagen {

namespace {

Status GzipCompress(const uint8_t* input, size_t size, Bytes* out) {
  z_stream zs{};
  // 15 window bits + 16: write a gzip header and trailer, as Parquet's GZIP requires.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status::Internal("deflateInit2 failed");
  }
  const size_t old = out->size();
  const size_t bound = deflateBound(&zs, static_cast<uLong>(size)) + 32;
  out->resize(old + bound);
  zs.next_in = const_cast<Bytef*>(input);
  zs.avail_in = static_cast<uInt>(size);
  zs.next_out = out->data() + old;
  zs.avail_out = static_cast<uInt>(bound);
  const int rc = deflate(&zs, Z_FINISH);
  const size_t written = bound - zs.avail_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Status::Internal("deflate failed: {}", rc);
  out->resize(old + written);
  return Status::OK();
}

}  // namespace

Status Compress(parquet::CompressionCodec codec, const uint8_t* input, size_t size, Bytes* out) {
  using parquet::CompressionCodec;
  const size_t old = out->size();
  switch (codec) {
    case CompressionCodec::UNCOMPRESSED:
      AppendBytes(out, input, size);
      return Status::OK();
    case CompressionCodec::SNAPPY: {
      out->resize(old + snappy::MaxCompressedLength(size));
      size_t n = 0;
      snappy::RawCompress(reinterpret_cast<const char*>(input), size,
                          reinterpret_cast<char*>(out->data() + old), &n);
      out->resize(old + n);
      return Status::OK();
    }
    case CompressionCodec::ZSTD: {
      const size_t bound = ZSTD_compressBound(size);
      out->resize(old + bound);
      const size_t n = ZSTD_compress(out->data() + old, bound, input, size, 1);
      if (ZSTD_isError(n)) return Status::Internal("zstd: {}", ZSTD_getErrorName(n));
      out->resize(old + n);
      return Status::OK();
    }
    case CompressionCodec::GZIP:
      return GzipCompress(input, size, out);
    case CompressionCodec::LZ4_RAW: {
      const int bound = LZ4_compressBound(static_cast<int>(size));
      out->resize(old + bound);
      const int n = LZ4_compress_default(reinterpret_cast<const char*>(input),
                                         reinterpret_cast<char*>(out->data() + old),
                                         static_cast<int>(size), bound);
      if (n <= 0) return Status::Internal("lz4 compression failed");
      out->resize(old + n);
      return Status::OK();
    }
    case CompressionCodec::LZ4: {
      // Hadoop's framing: [4-byte BE uncompressed size][4-byte BE compressed size][LZ4 block]
      // per frame. Frames of at most 64 KiB, so larger pages carry several (as Hadoop's
      // block compressor writes them).
      constexpr size_t kFrame = 64 * 1024;
      size_t pos = 0;
      do {
        const size_t chunk = std::min(kFrame, size - pos);
        Bytes block;
        LAKESYNC_RETURN_NOT_OK(Compress(CompressionCodec::LZ4_RAW, input + pos, chunk, &block));
        for (uint32_t v : {static_cast<uint32_t>(chunk), static_cast<uint32_t>(block.size())}) {
          for (int shift = 24; shift >= 0; shift -= 8)
            out->push_back(static_cast<uint8_t>(v >> shift));
        }
        AppendBytes(out, block.data(), block.size());
        pos += chunk;
      } while (pos < size);
      return Status::OK();
    }
    case CompressionCodec::BROTLI: {
      size_t n = BrotliEncoderMaxCompressedSize(size);
      if (n == 0) n = size + 1024;
      out->resize(old + n);
      if (!BrotliEncoderCompress(5, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, size, input, &n,
                                 out->data() + old)) {
        return Status::Internal("brotli compression failed");
      }
      out->resize(old + n);
      return Status::OK();
    }
    default:
      return Status::NotSupported("codec {} is not supported by deltagen", static_cast<int>(codec));
  }
}

Status ParseCodec(std::string_view name, parquet::CompressionCodec* codec) {
  std::string s(name);
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  using parquet::CompressionCodec;
  if (s == "none" || s == "uncompressed") {
    *codec = CompressionCodec::UNCOMPRESSED;
  } else if (s == "snappy") {
    *codec = CompressionCodec::SNAPPY;
  } else if (s == "zstd") {
    *codec = CompressionCodec::ZSTD;
  } else if (s == "gzip") {
    *codec = CompressionCodec::GZIP;
  } else if (s == "lz4" || s == "lz4_raw") {
    *codec = CompressionCodec::LZ4_RAW;
  } else if (s == "lz4_hadoop") {
    *codec = CompressionCodec::LZ4;
  } else if (s == "brotli") {
    *codec = CompressionCodec::BROTLI;
  } else {
    return Status::InvalidArgument(
        "unknown codec '{}' (none, snappy, zstd, gzip, lz4, lz4_hadoop, brotli)", name);
  }
  return Status::OK();
}

}  // namespace lakesync::deltagen
