#include "lakesync/parquet/compression.h"

#include <brotli/decode.h>
#include <lz4.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <limits>

#include "lakesync/parquet/metadata_codec.h"
#include "lakesync/parquet/snappy_decoder.h"

namespace lakesync::parquet {

namespace {

Status SizeMismatch(const char* codec, size_t got, size_t want) {
  return Status::Corruption("{} page decompressed to {} bytes, header says {}", codec, got, want);
}

Status DecompressGzip(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  if (in_size > std::numeric_limits<uInt>::max() || out_size > std::numeric_limits<uInt>::max()) {
    return Status::NotSupported("gzip page larger than 4 GiB");
  }
  z_stream zs;
  std::memset(&zs, 0, sizeof(zs));
  // 15 + 32: accept both zlib and gzip headers.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Status::Internal("zlib: inflateInit2 failed");
  zs.next_in = const_cast<Bytef*>(in);
  zs.avail_in = static_cast<uInt>(in_size);
  zs.next_out = out;
  zs.avail_out = static_cast<uInt>(out_size);
  int rc = Z_OK;
  size_t produced = 0;
  while (true) {
    rc = inflate(&zs, Z_FINISH);
    produced = out_size - zs.avail_out;
    if (rc == Z_STREAM_END && zs.avail_in > 0 && produced < out_size) {
      // Concatenated gzip members.
      if (inflateReset(&zs) != Z_OK) break;
      continue;
    }
    break;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    if (rc == Z_BUF_ERROR || rc == Z_OK) {
      if (produced == out_size) return SizeMismatch("gzip", out_size + 1, out_size);
      return Status::Corruption("gzip: truncated compressed data");
    }
    return Status::Corruption("gzip: invalid compressed data (zlib error {})", rc);
  }
  if (produced != out_size) return SizeMismatch("gzip", produced, out_size);
  return Status::OK();
}

Status DecompressZstd(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  size_t rc = ZSTD_decompress(out, out_size, in, in_size);
  if (ZSTD_isError(rc)) {
    return Status::Corruption("zstd: {}", ZSTD_getErrorName(rc));
  }
  if (rc != out_size) return SizeMismatch("zstd", rc, out_size);
  return Status::OK();
}

Status DecompressLz4Raw(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  if (in_size > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      out_size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::NotSupported("lz4 page larger than 2 GiB");
  }
  int rc = LZ4_decompress_safe(reinterpret_cast<const char*>(in), reinterpret_cast<char*>(out),
                               static_cast<int>(in_size), static_cast<int>(out_size));
  if (rc < 0) return Status::Corruption("lz4: invalid compressed data");
  if (static_cast<size_t>(rc) != out_size) return SizeMismatch("lz4", rc, out_size);
  return Status::OK();
}

uint32_t LoadBE32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// Hadoop's LZ4 codec: a sequence of [4-byte BE uncompressed size][4-byte BE compressed size]
// [LZ4 block] frames. False when the data does not parse as such.
bool TryLz4Hadoop(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  size_t ip = 0, op = 0;
  while (ip < in_size) {
    if (in_size - ip < 8) return false;
    uint32_t usize = LoadBE32(in + ip);
    uint32_t csize = LoadBE32(in + ip + 4);
    ip += 8;
    if (csize > in_size - ip || usize > out_size - op) return false;
    if (csize > static_cast<uint32_t>(std::numeric_limits<int>::max())) return false;
    int rc = LZ4_decompress_safe(reinterpret_cast<const char*>(in + ip),
                                 reinterpret_cast<char*>(out + op), static_cast<int>(csize),
                                 static_cast<int>(usize));
    if (rc < 0 || static_cast<uint32_t>(rc) != usize) return false;
    ip += csize;
    op += usize;
  }
  return op == out_size;
}

Status DecompressBrotli(const uint8_t* in, size_t in_size, uint8_t* out, size_t out_size) {
  size_t decoded = out_size;
  BrotliDecoderResult rc = BrotliDecoderDecompress(in_size, in, &decoded, out);
  if (rc != BROTLI_DECODER_RESULT_SUCCESS) {
    return Status::Corruption("brotli: invalid compressed data");
  }
  if (decoded != out_size) return SizeMismatch("brotli", decoded, out_size);
  return Status::OK();
}

}  // namespace

bool IsSupportedCodec(CompressionCodec codec) {
  switch (codec) {
    case CompressionCodec::UNCOMPRESSED:
    case CompressionCodec::SNAPPY:
    case CompressionCodec::GZIP:
    case CompressionCodec::ZSTD:
    case CompressionCodec::LZ4_RAW:
    case CompressionCodec::LZ4:
    case CompressionCodec::BROTLI:
      return true;
    default:
      return false;
  }
}

Status Decompress(CompressionCodec codec, const uint8_t* in, size_t in_size, uint8_t* out,
                  size_t out_size) {
  switch (codec) {
    case CompressionCodec::UNCOMPRESSED:
      if (in_size != out_size) return SizeMismatch("uncompressed", in_size, out_size);
      std::memcpy(out, in, in_size);
      return Status::OK();
    case CompressionCodec::SNAPPY:
      return SnappyDecompress(in, in_size, out, out_size);
    case CompressionCodec::GZIP:
      return DecompressGzip(in, in_size, out, out_size);
    case CompressionCodec::ZSTD:
      return DecompressZstd(in, in_size, out, out_size);
    case CompressionCodec::LZ4_RAW:
      return DecompressLz4Raw(in, in_size, out, out_size);
    case CompressionCodec::LZ4:
      if (TryLz4Hadoop(in, in_size, out, out_size)) return Status::OK();
      return DecompressLz4Raw(in, in_size, out, out_size);
    case CompressionCodec::BROTLI:
      return DecompressBrotli(in, in_size, out, out_size);
    default:
      return Status::NotSupported("unsupported codec {}", CodecName(codec));
  }
}

}  // namespace lakesync::parquet
