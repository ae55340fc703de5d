#include "lakesync/parquet/column_reader.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <limits>

#include "lakesync/common/macros.h"
#include "lakesync/parquet/compression.h"
#include "lakesync/parquet/encoding.h"
#include "lakesync/parquet/metadata_codec.h"

namespace lakesync::parquet {

namespace {

constexpr int64_t kMaxPageBytes = int64_t{1} << 30;
// Level entries a page may claim beyond what its bytes could hold bit-packed; RLE can encode
// more, but real writers cap pages far below this. Guards allocations against garbage headers.
constexpr int64_t kMaxExtraPageEntries = int64_t{1} << 24;

int BitWidth(uint32_t v) { return v == 0 ? 0 : 32 - __builtin_clz(v); }

int PhysicalWidth(const LeafColumn& leaf) {
  switch (leaf.physical_type) {
    case Type::BOOLEAN:
      return 1;
    case Type::INT32:
    case Type::FLOAT:
      return 4;
    case Type::INT64:
    case Type::DOUBLE:
      return 8;
    case Type::INT96:
      return 12;
    case Type::FIXED_LEN_BYTE_ARRAY:
      return leaf.type_length;
    case Type::BYTE_ARRAY:
      return 0;
  }
  return 0;
}

/// Decoded values in their physical form: fixed-width bytes, or offsets + bytes.
struct Dense {
  PodVector<uint8_t> fixed;
  PodVector<uint32_t> offsets;  // byte arrays: a leading 0, then each value's end
  PodVector<uint8_t> bytes;
  int64_t count = 0;
};

template <typename T>
void GatherFixed(const uint8_t* dict, const uint32_t* idx, int64_t n, uint8_t* out) {
  const T* d = reinterpret_cast<const T*>(dict);
  T* o = reinterpret_cast<T*>(out);
  for (int64_t i = 0; i < n; ++i) o[i] = d[idx[i]];
}

struct Bytes12 {
  uint8_t b[12];
};
struct Bytes16 {
  uint8_t b[16];
};

class ChunkDecoder {
 public:
  ChunkDecoder(const ColumnMetaData& meta, const LeafColumn& leaf, LeafData* out,
               bool verify_checksums)
      : meta_(meta),
        leaf_(leaf),
        out_(out),
        width_(PhysicalWidth(leaf)),
        verify_checksums_(verify_checksums) {
    if (leaf.physical_type == Type::BYTE_ARRAY) {
      values_.offsets.push_back(0);
    }
  }

  Status Run(const uint8_t* data, size_t size);

 private:
  Status Page(const PageHeader& h, const uint8_t* body, size_t csize);
  Status DecompressInto(const uint8_t* in, size_t in_size, size_t out_size, const uint8_t** out);
  Status DictionaryPage(const PageHeader& h, const uint8_t* body, size_t csize);
  Status DataPageV1(const PageHeader& h, const uint8_t* body, size_t csize);
  Status DataPageV2(const PageHeader& h, const uint8_t* body, size_t csize);
  Status CheckEntries(int64_t n, int64_t page_bytes);
  /// PLAIN fixed-width values filling a whole compressed section: decompresses them straight
  /// into the output. `*done` is false when the page does not qualify.
  Status TryDirectPlain(Encoding enc, const uint8_t* in, size_t in_size, size_t out_size, int64_t n,
                        bool* done);
  /// Grows the byte-array buffer for `extra` more bytes, extrapolating from the entries seen so
  /// far so a chunk's pages append without repeated reallocation.
  void ReserveBytes(uint64_t extra, int64_t page_entries);
  Status DecodeLevelsV1(Encoding enc, int max_level, const uint8_t* data, size_t size, int64_t n,
                        uint16_t* out, size_t* consumed);
  int64_t CountNonNull(int64_t start, int64_t n) const;
  Status DecodeValues(Encoding enc, const uint8_t* data, size_t size, int64_t n);
  Status AppendPlain(const uint8_t* data, size_t size, int64_t n, Dense* dst);
  Status Gather(const uint32_t* idx, int64_t n);
  Status Finish();

  const ColumnMetaData& meta_;
  const LeafColumn& leaf_;
  LeafData* out_;
  const int width_;
  const bool verify_checksums_;
  Dense values_;
  Dense dict_;
  bool has_dict_ = false;
  PodVector<uint8_t> page_buf_;
  PodVector<uint32_t> idx_;
  int64_t entries_ = 0;
  int64_t page_entries_ = 0;  // entries of the data page being decoded
};

Status ChunkDecoder::Run(const uint8_t* data, size_t size) {
  if (meta_.num_values < 0) return Status::Corruption("negative num_values in column metadata");
  // Size the output once, so pages append without reallocating (and re-faulting) buffers.
  // Only when the metadata is plausible for the chunk's size: a garbage count must not
  // allocate; growth then is geometric as usual.
  const int64_t expect = meta_.num_values;
  const int64_t plausible = static_cast<int64_t>(size) * 8 + kMaxExtraPageEntries;
  if (expect <= plausible && expect <= (int64_t{1} << 31)) {
    const size_t n = static_cast<size_t>(expect);
    if (leaf_.max_def > 0) out_->def.reserve(n);
    if (leaf_.max_rep > 0) out_->rep.reserve(n);
    if (leaf_.physical_type == Type::BYTE_ARRAY) {
      values_.offsets.reserve(n + 1);
      const int64_t raw = std::min<int64_t>(meta_.total_uncompressed_size, int64_t{1} << 31);
      if (raw > 0) values_.bytes.reserve(static_cast<size_t>(raw));
    } else if (width_ > 0) {
      // Room for every entry, so spreading nulls later does not reallocate either.
      values_.fixed.reserve(n * static_cast<size_t>(width_));
    }
  }
  size_t pos = 0;
  int page = 0;
  while (entries_ < meta_.num_values && pos < size) {
    size_t header_size = 0;
    auto header = ParsePageHeader(data + pos, size - pos, &header_size);
    if (!header.ok()) {
      return header.status().WithContext(fmt::format("page {}: bad page header", page));
    }
    pos += header_size;
    const PageHeader& h = *header;
    if (h.compressed_page_size < 0 || h.uncompressed_page_size < 0 ||
        h.uncompressed_page_size > kMaxPageBytes) {
      return Status::Corruption("page {}: invalid page sizes {} / {}", page, h.compressed_page_size,
                                h.uncompressed_page_size);
    }
    if (static_cast<size_t>(h.compressed_page_size) > size - pos) {
      return Status::Corruption("page {}: {} bytes extend past the column chunk", page,
                                h.compressed_page_size);
    }
    const uint8_t* body = data + pos;
    pos += static_cast<size_t>(h.compressed_page_size);
    if (verify_checksums_ && h.crc) {
      // CRC32 (as zlib computes it) of the page bytes as stored, header excluded.
      uLong crc = crc32(0L, Z_NULL, 0);
      size_t left = static_cast<size_t>(h.compressed_page_size);
      for (const uint8_t* p = body; left > 0;) {
        uInt k = static_cast<uInt>(std::min<size_t>(left, 1u << 30));
        crc = crc32(crc, p, k);
        p += k;
        left -= k;
      }
      if (static_cast<uint32_t>(crc) != static_cast<uint32_t>(*h.crc)) {
        return Status::Corruption("page {}: CRC mismatch (stored {:08x}, computed {:08x})", page,
                                  static_cast<uint32_t>(*h.crc), static_cast<uint32_t>(crc));
      }
    }
    Status st = Page(h, body, static_cast<size_t>(h.compressed_page_size));
    if (!st.ok()) return st.WithContext(fmt::format("page {}", page));
    ++page;
  }
  if (entries_ != meta_.num_values) {
    return Status::Corruption("column chunk holds {} values in {} pages, metadata says {}",
                              entries_, page, meta_.num_values);
  }
  return Finish();
}

Status ChunkDecoder::Page(const PageHeader& h, const uint8_t* body, size_t csize) {
  switch (h.type) {
    case PageType::DICTIONARY_PAGE:
      return DictionaryPage(h, body, csize);
    case PageType::DATA_PAGE:
      return DataPageV1(h, body, csize);
    case PageType::DATA_PAGE_V2:
      return DataPageV2(h, body, csize);
    default:
      return Status::OK();  // index pages and unknown page types carry no values
  }
}

Status ChunkDecoder::DecompressInto(const uint8_t* in, size_t in_size, size_t out_size,
                                    const uint8_t** out) {
  if (meta_.codec == CompressionCodec::UNCOMPRESSED) {
    if (in_size != out_size) {
      return Status::Corruption("uncompressed page of {} bytes, header says {}", in_size, out_size);
    }
    *out = in;
    return Status::OK();
  }
  page_buf_.resize(out_size);
  LAKESYNC_RETURN_NOT_OK(Decompress(meta_.codec, in, in_size, page_buf_.data(), out_size));
  *out = page_buf_.data();
  return Status::OK();
}

Status ChunkDecoder::DictionaryPage(const PageHeader& h, const uint8_t* body, size_t csize) {
  if (!h.dictionary_page_header) {
    return Status::Corruption("DICTIONARY_PAGE without dictionary_page_header");
  }
  const DictionaryPageHeader& dh = *h.dictionary_page_header;
  if (dh.encoding != Encoding::PLAIN && dh.encoding != Encoding::PLAIN_DICTIONARY) {
    return Status::NotSupported("dictionary page encoding {}", EncodingName(dh.encoding));
  }
  if (dh.num_values < 0) return Status::Corruption("negative dictionary size");
  const uint8_t* p;
  const size_t usize = static_cast<size_t>(h.uncompressed_page_size);
  LAKESYNC_RETURN_NOT_OK(DecompressInto(body, csize, usize, &p));
  dict_ = Dense{};
  if (leaf_.physical_type == Type::BYTE_ARRAY) dict_.offsets.push_back(0);
  LAKESYNC_RETURN_NOT_OK(AppendPlain(p, usize, dh.num_values, &dict_));
  // Readable slack after the last value for Gather's CopyWithSlack.
  if (leaf_.physical_type == Type::BYTE_ARRAY) {
    dict_.bytes.resize(dict_.bytes.size() + kCopySlack);
  }
  has_dict_ = true;
  return Status::OK();
}

Status ChunkDecoder::CheckEntries(int64_t n, int64_t page_bytes) {
  if (n < 0) return Status::Corruption("negative value count {}", n);
  if (n > meta_.num_values - entries_) {
    return Status::Corruption("pages hold more values than the column metadata's {}",
                              meta_.num_values);
  }
  if (n > page_bytes * 8 + kMaxExtraPageEntries) {
    return Status::Corruption("page claims {} values in {} bytes", n, page_bytes);
  }
  return Status::OK();
}

Status ChunkDecoder::TryDirectPlain(Encoding enc, const uint8_t* in, size_t in_size,
                                    size_t out_size, int64_t n, bool* done) {
  *done = false;
  if (enc != Encoding::PLAIN || meta_.codec == CompressionCodec::UNCOMPRESSED || width_ <= 0 ||
      leaf_.physical_type == Type::BOOLEAN) {
    return Status::OK();
  }
  const uint64_t bytes = static_cast<uint64_t>(n) * static_cast<uint64_t>(width_);
  if (bytes != out_size) return Status::OK();  // trailing bytes: take the general path
  const size_t base = values_.fixed.size();
  values_.fixed.resize(base + out_size);
  Status st = Decompress(meta_.codec, in, in_size, values_.fixed.data() + base, out_size);
  if (!st.ok()) {
    values_.fixed.resize(base);
    return st;
  }
  values_.count += n;
  *done = true;
  return Status::OK();
}

void ChunkDecoder::ReserveBytes(uint64_t extra, int64_t page_entries) {
  PodVector<uint8_t>& bytes = values_.bytes;
  const uint64_t need = bytes.size() + extra;
  if (need <= bytes.capacity() || need > std::numeric_limits<uint32_t>::max()) return;
  uint64_t target = need;
  const int64_t seen = entries_ + page_entries;
  if (seen > 0 && seen < meta_.num_values) {
    // Average so far times the entries still to come, plus an eighth for slack.
    long double per_entry = static_cast<long double>(need) / static_cast<long double>(seen);
    long double est = per_entry * static_cast<long double>(meta_.num_values) * 1.125L;
    target = std::max<uint64_t>(need, static_cast<uint64_t>(std::min<long double>(
                                          est, std::numeric_limits<uint32_t>::max())));
  }
  target = std::max<uint64_t>(
      target, std::min<uint64_t>(2 * bytes.capacity(), std::numeric_limits<uint32_t>::max()));
  bytes.reserve(static_cast<size_t>(std::max(target, need)));
}

Status ChunkDecoder::DecodeLevelsV1(Encoding enc, int max_level, const uint8_t* data, size_t size,
                                    int64_t n, uint16_t* out, size_t* consumed) {
  const int bw = BitWidth(static_cast<uint32_t>(max_level));
  if (enc == Encoding::RLE) {
    if (size < 4) return Status::Corruption("level data truncated");
    uint32_t len{};
    std::memcpy(&len, data, 4);
    if (len > size - 4) return Status::Corruption("level length {} past the page end", len);
    RleBitPackedDecoder dec(data + 4, len, bw);
    LAKESYNC_RETURN_NOT_OK(dec.GetBatch(out, n));
    *consumed = 4 + len;
  } else if (enc == Encoding::BIT_PACKED) {
    LAKESYNC_RETURN_NOT_OK(DecodeLegacyBitPacked(data, size, bw, n, out, consumed));
  } else {
    return Status::NotSupported("level encoding {}", EncodingName(enc));
  }
  // Decoded values fit in `bw` bits; only widths that can exceed the maximum need the check.
  if ((1 << bw) - 1 <= max_level) return Status::OK();
  uint16_t max = 0;
  for (int64_t i = 0; i < n; ++i) max = std::max(max, out[i]);
  if (max > max_level) return Status::Corruption("level {} above the maximum {}", max, max_level);
  return Status::OK();
}

int64_t ChunkDecoder::CountNonNull(int64_t start, int64_t n) const {
  if (leaf_.max_def == 0) return n;
  const uint16_t* d = out_->def.data() + start;
  const uint16_t max = static_cast<uint16_t>(leaf_.max_def);
  int64_t c = 0;
  for (int64_t i = 0; i < n; ++i) c += d[i] == max;
  return c;
}

Status ChunkDecoder::DataPageV1(const PageHeader& h, const uint8_t* body, size_t csize) {
  if (!h.data_page_header) return Status::Corruption("DATA_PAGE without data_page_header");
  const DataPageHeader& dh = *h.data_page_header;
  const int64_t n = dh.num_values;
  const size_t usize = static_cast<size_t>(h.uncompressed_page_size);
  LAKESYNC_RETURN_NOT_OK(CheckEntries(n, static_cast<int64_t>(usize)));
  if (leaf_.max_rep == 0 && leaf_.max_def == 0) {
    bool done = false;
    LAKESYNC_RETURN_NOT_OK(TryDirectPlain(dh.encoding, body, csize, usize, n, &done));
    if (done) {
      entries_ += n;
      return Status::OK();
    }
  }
  const uint8_t* p;
  LAKESYNC_RETURN_NOT_OK(DecompressInto(body, csize, usize, &p));
  size_t pos = 0;
  if (leaf_.max_rep > 0) {
    out_->rep.resize(static_cast<size_t>(entries_ + n));
    size_t used = 0;
    LAKESYNC_RETURN_NOT_OK(DecodeLevelsV1(dh.repetition_level_encoding, leaf_.max_rep, p + pos,
                                          usize - pos, n, out_->rep.data() + entries_, &used));
    pos += used;
  }
  if (leaf_.max_def > 0) {
    out_->def.resize(static_cast<size_t>(entries_ + n));
    size_t used = 0;
    LAKESYNC_RETURN_NOT_OK(DecodeLevelsV1(dh.definition_level_encoding, leaf_.max_def, p + pos,
                                          usize - pos, n, out_->def.data() + entries_, &used));
    pos += used;
  }
  const int64_t non_null = CountNonNull(entries_, n);
  page_entries_ = n;
  LAKESYNC_RETURN_NOT_OK(DecodeValues(dh.encoding, p + pos, usize - pos, non_null));
  entries_ += n;
  return Status::OK();
}

Status ChunkDecoder::DataPageV2(const PageHeader& h, const uint8_t* body, size_t csize) {
  if (!h.data_page_header_v2) {
    return Status::Corruption("DATA_PAGE_V2 without data_page_header_v2");
  }
  const DataPageHeaderV2& dh = *h.data_page_header_v2;
  const int64_t n = dh.num_values;
  const size_t usize = static_cast<size_t>(h.uncompressed_page_size);
  LAKESYNC_RETURN_NOT_OK(CheckEntries(n, static_cast<int64_t>(usize)));
  const int64_t rl = dh.repetition_levels_byte_length, dl = dh.definition_levels_byte_length;
  if (rl < 0 || dl < 0 || static_cast<uint64_t>(rl + dl) > csize ||
      static_cast<uint64_t>(rl + dl) > usize) {
    return Status::Corruption("level lengths {} + {} exceed the page", rl, dl);
  }
  if (leaf_.max_rep > 0) {
    out_->rep.resize(static_cast<size_t>(entries_ + n));
    const int bw = BitWidth(static_cast<uint32_t>(leaf_.max_rep));
    RleBitPackedDecoder dec(body, static_cast<size_t>(rl), bw);
    uint16_t* r = out_->rep.data() + entries_;
    LAKESYNC_RETURN_NOT_OK(dec.GetBatch(r, n));
    for (int64_t i = 0; (1 << bw) - 1 > leaf_.max_rep && i < n; ++i) {
      if (r[i] > leaf_.max_rep) return Status::Corruption("repetition level above the maximum");
    }
  }
  if (leaf_.max_def > 0) {
    out_->def.resize(static_cast<size_t>(entries_ + n));
    const int bw = BitWidth(static_cast<uint32_t>(leaf_.max_def));
    RleBitPackedDecoder dec(body + rl, static_cast<size_t>(dl), bw);
    uint16_t* d = out_->def.data() + entries_;
    LAKESYNC_RETURN_NOT_OK(dec.GetBatch(d, n));
    for (int64_t i = 0; (1 << bw) - 1 > leaf_.max_def && i < n; ++i) {
      if (d[i] > leaf_.max_def) return Status::Corruption("definition level above the maximum");
    }
  }
  const uint8_t* vbody = body + rl + dl;
  const size_t vcsize = csize - static_cast<size_t>(rl + dl);
  const size_t vusize = usize - static_cast<size_t>(rl + dl);
  const uint8_t* p = vbody;
  size_t psize = vcsize;
  const bool compressed = dh.compressed() && meta_.codec != CompressionCodec::UNCOMPRESSED;
  if (compressed && leaf_.max_def == 0) {
    bool done = false;
    LAKESYNC_RETURN_NOT_OK(TryDirectPlain(dh.encoding, vbody, vcsize, vusize, n, &done));
    if (done) {
      entries_ += n;
      return Status::OK();
    }
  }
  if (compressed) {
    page_buf_.resize(vusize);
    LAKESYNC_RETURN_NOT_OK(Decompress(meta_.codec, vbody, vcsize, page_buf_.data(), vusize));
    p = page_buf_.data();
    psize = vusize;
  }
  const int64_t non_null = CountNonNull(entries_, n);
  page_entries_ = n;
  LAKESYNC_RETURN_NOT_OK(DecodeValues(dh.encoding, p, psize, non_null));
  entries_ += n;
  return Status::OK();
}

Status ChunkDecoder::AppendPlain(const uint8_t* data, size_t size, int64_t n, Dense* dst) {
  switch (leaf_.physical_type) {
    case Type::BOOLEAN: {
      size_t base = dst->fixed.size();
      if ((static_cast<uint64_t>(n) + 7) / 8 > size) {
        return Status::Corruption("PLAIN boolean data truncated");
      }
      dst->fixed.resize(base + static_cast<size_t>(n));
      LAKESYNC_RETURN_NOT_OK(DecodePlainBoolean(data, size, n, dst->fixed.data() + base));
      break;
    }
    case Type::BYTE_ARRAY: {
      size_t used{};
      if (dst == &values_) ReserveBytes(size, page_entries_);
      LAKESYNC_RETURN_NOT_OK(
          DecodePlainByteArray(data, size, n, ByteArrayOut{&dst->offsets, &dst->bytes}, &used));
      break;
    }
    default: {
      const uint64_t w = static_cast<uint64_t>(width_);
      if (w > 0 && static_cast<uint64_t>(n) > size / w) {
        return Status::Corruption("PLAIN data holds {} bytes, {} values of {} bytes expected", size,
                                  n, w);
      }
      size_t base = dst->fixed.size();
      size_t bytes = static_cast<size_t>(n) * w;
      dst->fixed.resize(base + bytes);
      if (bytes > 0) std::memcpy(dst->fixed.data() + base, data, bytes);
      break;
    }
  }
  dst->count += n;
  return Status::OK();
}

Status ChunkDecoder::Gather(const uint32_t* idx, int64_t n) {
  if (leaf_.physical_type == Type::BYTE_ARRAY) {
    const uint32_t* doff = dict_.offsets.data();
    uint64_t total = 0;
    for (int64_t i = 0; i < n; ++i) total += doff[idx[i] + 1] - doff[idx[i]];
    if (values_.bytes.size() + total > std::numeric_limits<uint32_t>::max()) {
      return Status::NotSupported("more than 4 GiB of byte-array data in one column chunk");
    }
    ReserveBytes(total + kCopySlack, page_entries_);
    size_t byte_base = values_.bytes.size();
    // Slack for CopyWithSlack (the dictionary has its own, see DictionaryPage), cut off below.
    values_.bytes.resize(byte_base + total + kCopySlack);
    size_t off_base = values_.offsets.size();
    values_.offsets.resize(off_base + static_cast<size_t>(n));
    uint8_t* dst = values_.bytes.data();
    uint32_t* offs = values_.offsets.data() + off_base;
    const uint8_t* src = dict_.bytes.data();
    uint32_t cur = static_cast<uint32_t>(byte_base);
    for (int64_t i = 0; i < n; ++i) {
      uint32_t b = doff[idx[i]], len = doff[idx[i] + 1] - b;
      CopyWithSlack(dst + cur, src + b, len);
      cur += len;
      offs[i] = cur;
    }
    values_.bytes.resize(byte_base + total);
  } else {
    const size_t w = static_cast<size_t>(width_);
    size_t base = values_.fixed.size();
    values_.fixed.resize(base + static_cast<size_t>(n) * w);
    uint8_t* out = values_.fixed.data() + base;
    const uint8_t* d = dict_.fixed.data();
    switch (w) {
      case 1:
        GatherFixed<uint8_t>(d, idx, n, out);
        break;
      case 2:
        GatherFixed<uint16_t>(d, idx, n, out);
        break;
      case 4:
        GatherFixed<uint32_t>(d, idx, n, out);
        break;
      case 8:
        GatherFixed<uint64_t>(d, idx, n, out);
        break;
      case 12:
        GatherFixed<Bytes12>(d, idx, n, out);
        break;
      case 16:
        GatherFixed<Bytes16>(d, idx, n, out);
        break;
      default:
        for (int64_t i = 0; i < n; ++i) std::memcpy(out + i * w, d + idx[i] * w, w);
    }
  }
  values_.count += n;
  return Status::OK();
}

Status ChunkDecoder::DecodeValues(Encoding enc, const uint8_t* data, size_t size, int64_t n) {
  const Type pt = leaf_.physical_type;
  switch (enc) {
    case Encoding::PLAIN:
      return AppendPlain(data, size, n, &values_);
    case Encoding::PLAIN_DICTIONARY:
    case Encoding::RLE_DICTIONARY: {
      if (!has_dict_) return Status::Corruption("dictionary-encoded page without a dictionary");
      if (n == 0) return Status::OK();
      if (size < 1) return Status::Corruption("dictionary indices truncated");
      const int bw = data[0];
      if (bw > 32) return Status::Corruption("dictionary index bit width {}", bw);
      RleBitPackedDecoder dec(data + 1, size - 1, bw);
      idx_.resize(static_cast<size_t>(n));
      LAKESYNC_RETURN_NOT_OK(
          dec.GetIndices(idx_.data(), n,
                         static_cast<uint32_t>(std::min<int64_t>(
                             dict_.count, std::numeric_limits<uint32_t>::max()))));
      return Gather(idx_.data(), n);
    }
    case Encoding::RLE: {
      if (pt != Type::BOOLEAN) return Status::NotSupported("RLE encoding for {}", TypeName(pt));
      if (size < 4) return Status::Corruption("RLE boolean data truncated");
      uint32_t len{};
      std::memcpy(&len, data, 4);
      if (len > size - 4) return Status::Corruption("RLE boolean length past the page end");
      RleBitPackedDecoder dec(data + 4, len, 1);
      idx_.resize(static_cast<size_t>(n));
      LAKESYNC_RETURN_NOT_OK(dec.GetBatch(idx_.data(), n));
      size_t base = values_.fixed.size();
      values_.fixed.resize(base + static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) values_.fixed[base + i] = static_cast<uint8_t>(idx_[i]);
      values_.count += n;
      return Status::OK();
    }
    case Encoding::DELTA_BINARY_PACKED: {
      if (pt != Type::INT32 && pt != Type::INT64) {
        return Status::NotSupported("DELTA_BINARY_PACKED for {}", TypeName(pt));
      }
      DeltaBinaryPackedDecoder dec;
      LAKESYNC_RETURN_NOT_OK(dec.Init(data, size));
      if (dec.total_values() < n) {
        return Status::Corruption("DELTA_BINARY_PACKED holds {} values, page needs {}",
                                  dec.total_values(), n);
      }
      size_t base = values_.fixed.size();
      values_.fixed.resize(base + static_cast<size_t>(n) * static_cast<size_t>(width_));
      if (pt == Type::INT32) {
        LAKESYNC_RETURN_NOT_OK(
            dec.Decode(reinterpret_cast<int32_t*>(values_.fixed.data() + base), n));
      } else {
        LAKESYNC_RETURN_NOT_OK(
            dec.Decode(reinterpret_cast<int64_t*>(values_.fixed.data() + base), n));
      }
      values_.count += n;
      return Status::OK();
    }
    case Encoding::DELTA_LENGTH_BYTE_ARRAY:
      if (pt != Type::BYTE_ARRAY) {
        return Status::NotSupported("DELTA_LENGTH_BYTE_ARRAY for {}", TypeName(pt));
      }
      ReserveBytes(size, page_entries_);
      LAKESYNC_RETURN_NOT_OK(DecodeDeltaLengthByteArray(
          data, size, n, ByteArrayOut{&values_.offsets, &values_.bytes}));
      values_.count += n;
      return Status::OK();
    case Encoding::DELTA_BYTE_ARRAY: {
      if (pt == Type::BYTE_ARRAY) {
        LAKESYNC_RETURN_NOT_OK(
            DecodeDeltaByteArray(data, size, n, ByteArrayOut{&values_.offsets, &values_.bytes}));
      } else if (pt == Type::FIXED_LEN_BYTE_ARRAY) {
        PodVector<uint32_t> offs;
        offs.push_back(0);
        PodVector<uint8_t> bytes;
        LAKESYNC_RETURN_NOT_OK(DecodeDeltaByteArray(data, size, n, ByteArrayOut{&offs, &bytes}));
        for (int64_t i = 0; i < n; ++i) {
          if (offs[i + 1] - offs[i] != static_cast<uint32_t>(width_)) {
            return Status::Corruption("DELTA_BYTE_ARRAY value of {} bytes in a {}-byte column",
                                      offs[i + 1] - offs[i], width_);
          }
        }
        values_.fixed.insert(values_.fixed.end(), bytes.begin(), bytes.end());
      } else {
        return Status::NotSupported("DELTA_BYTE_ARRAY for {}", TypeName(pt));
      }
      values_.count += n;
      return Status::OK();
    }
    case Encoding::BYTE_STREAM_SPLIT: {
      if (pt == Type::BOOLEAN || pt == Type::BYTE_ARRAY || pt == Type::INT96) {
        return Status::NotSupported("BYTE_STREAM_SPLIT for {}", TypeName(pt));
      }
      // The streams span the whole value section: its size fixes the stream length.
      const size_t w = static_cast<size_t>(width_);
      if (w == 0) {
        values_.count += n;
        return Status::OK();
      }
      if (size / w < static_cast<size_t>(n)) {
        return Status::Corruption("BYTE_STREAM_SPLIT data truncated");
      }
      size_t base = values_.fixed.size();
      values_.fixed.resize(base + static_cast<size_t>(n) * w);
      LAKESYNC_RETURN_NOT_OK(DecodeByteStreamSplit(
          data, static_cast<size_t>(n) * w, n, static_cast<int>(w), values_.fixed.data() + base));
      values_.count += n;
      return Status::OK();
    }
    default:
      return Status::NotSupported("unsupported encoding {}", EncodingName(enc));
  }
}

template <typename From, typename To>
void Narrow(const PodVector<uint8_t>& in, int64_t n, PodVector<uint8_t>* out) {
  out->resize(static_cast<size_t>(n) * sizeof(To));
  const From* src = reinterpret_cast<const From*>(in.data());
  To* dst = reinterpret_cast<To*>(out->data());
  for (int64_t i = 0; i < n; ++i) dst[i] = static_cast<To>(src[i]);
}

Status ChunkDecoder::Finish() {
  ColumnVector& col = out_->values;
  col = ColumnVector(leaf_.type);
  const int64_t n = values_.count;
  col.set_length(n);
  out_->num_entries = entries_;
  const Type pt = leaf_.physical_type;
  const TypeId id = leaf_.type.id;

  if (id == TypeId::kNull) return Status::OK();
  if (id == TypeId::kString || id == TypeId::kBinary) {
    if (pt == Type::BYTE_ARRAY) {
      col.offsets() = std::move(values_.offsets);
      col.bytes() = std::move(values_.bytes);
      return Status::OK();
    }
    // FIXED_LEN_BYTE_ARRAY (and any fixed-width type read as bytes).
    const uint64_t w = static_cast<uint64_t>(width_);
    if (static_cast<uint64_t>(n) * w > std::numeric_limits<uint32_t>::max()) {
      return Status::NotSupported("more than 4 GiB of fixed-length data in one column chunk");
    }
    col.offsets().resize(static_cast<size_t>(n) + 1);
    for (int64_t i = 0; i <= n; ++i) col.offsets()[i] = static_cast<uint32_t>(i * w);
    col.bytes() = std::move(values_.fixed);
    return Status::OK();
  }
  if (id == TypeId::kDecimal) {
    col.values().resize(static_cast<size_t>(n) * 16);
    Int128* dst = reinterpret_cast<Int128*>(col.values().data());
    if (pt == Type::INT32) {
      const int32_t* src = reinterpret_cast<const int32_t*>(values_.fixed.data());
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
    } else if (pt == Type::INT64) {
      const int64_t* src = reinterpret_cast<const int64_t*>(values_.fixed.data());
      for (int64_t i = 0; i < n; ++i) dst[i] = src[i];
    } else if (pt == Type::BYTE_ARRAY || pt == Type::FIXED_LEN_BYTE_ARRAY) {
      for (int64_t i = 0; i < n; ++i) {
        const uint8_t* p;
        size_t len{};
        if (pt == Type::BYTE_ARRAY) {
          p = values_.bytes.data() + values_.offsets[i];
          len = values_.offsets[i + 1] - values_.offsets[i];
        } else {
          p = values_.fixed.data() + static_cast<size_t>(i) * static_cast<size_t>(width_);
          len = static_cast<size_t>(width_);
        }
        Int128 v;
        if (!DecimalFromBigEndian(p, len, &v)) {
          return Status::NotSupported("decimal value wider than 128 bits");
        }
        dst[i] = v;
      }
    } else {
      return Status::NotSupported("decimal stored as {}", TypeName(pt));
    }
    return Status::OK();
  }
  if (pt == Type::INT96) {
    col.values().resize(static_cast<size_t>(n) * 8);
    int64_t* dst = col.mutable_data<int64_t>();
    for (int64_t i = 0; i < n; ++i) dst[i] = Int96ToMicros(values_.fixed.data() + i * 12);
    return Status::OK();
  }
  if (id == TypeId::kFloat16) {
    col.values().resize(static_cast<size_t>(n) * 4);
    float* dst = col.mutable_data<float>();
    for (int64_t i = 0; i < n; ++i) {
      uint16_t h{};
      std::memcpy(&h, values_.fixed.data() + i * 2, 2);
      dst[i] = HalfToFloat(h);
    }
    return Status::OK();
  }
  if (pt == Type::INT32) {
    switch (id) {
      case TypeId::kInt8:
        Narrow<int32_t, int8_t>(values_.fixed, n, &col.values());
        return Status::OK();
      case TypeId::kUInt8:
        Narrow<int32_t, uint8_t>(values_.fixed, n, &col.values());
        return Status::OK();
      case TypeId::kInt16:
        Narrow<int32_t, int16_t>(values_.fixed, n, &col.values());
        return Status::OK();
      case TypeId::kUInt16:
        Narrow<int32_t, uint16_t>(values_.fixed, n, &col.values());
        return Status::OK();
      case TypeId::kTime:
      case TypeId::kInt64:
      case TypeId::kTimestamp:
        Narrow<int32_t, int64_t>(values_.fixed, n, &col.values());
        return Status::OK();
      default:
        break;
    }
  }
  if (leaf_.type.ValueWidth() != width_) {
    return Status::Internal("no conversion from {} to {}", TypeName(pt), leaf_.type.ToString());
  }
  col.values() = std::move(values_.fixed);
  return Status::OK();
}

}  // namespace

Status DecodeColumnChunk(const uint8_t* data, size_t size, const ColumnMetaData& meta,
                         const LeafColumn& leaf, LeafData* out, bool verify_checksums) {
  *out = LeafData{};
  if (meta.type != leaf.physical_type) {
    return Status::Corruption("column chunk type {} differs from the schema's {}",
                              TypeName(meta.type), TypeName(leaf.physical_type));
  }
  if (!IsSupportedCodec(meta.codec)) {
    return Status::NotSupported("unsupported codec {}", CodecName(meta.codec));
  }
  if (leaf.physical_type == Type::FIXED_LEN_BYTE_ARRAY && leaf.type_length <= 0 &&
      leaf.type.id != TypeId::kBinary) {
    return Status::Corruption("FIXED_LEN_BYTE_ARRAY of length {}", leaf.type_length);
  }
  ChunkDecoder dec(meta, leaf, out, verify_checksums);
  return dec.Run(data, size);
}

Result<ByteRange> ColumnChunkRange(const ColumnChunk& chunk, int64_t file_size) {
  if (chunk.encrypted) return Status::NotSupported("encrypted column chunks");
  if (chunk.file_path) return Status::NotSupported("column chunks in other files");
  if (!chunk.meta_data) return Status::Corruption("column chunk without metadata");
  const ColumnMetaData& meta = *chunk.meta_data;
  int64_t start = meta.data_page_offset;
  if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0 &&
      *meta.dictionary_page_offset < start) {
    start = *meta.dictionary_page_offset;
  }
  const int64_t length = meta.total_compressed_size;
  if (start < 0 || length < 0 || start > file_size || length > file_size - start) {
    return Status::Corruption("column chunk [{}, +{}) lies outside the file of {} bytes", start,
                              length, file_size);
  }
  return ByteRange{start, length};
}

Status ReadColumnChunk(const storage::RandomAccessFile& file, const ColumnChunk& chunk,
                       const LeafColumn& leaf, LeafData* out, bool verify_checksums) {
  LAKESYNC_ASSIGN_OR_RETURN(ByteRange range, ColumnChunkRange(chunk, file.size()));
  PodVector<uint8_t> buf(static_cast<size_t>(range.length));
  LAKESYNC_RETURN_NOT_OK(file.ReadAt(range.offset, range.length, buf.data()));
  return DecodeColumnChunk(buf.data(), buf.size(), *chunk.meta_data, leaf, out, verify_checksums);
}

}  // namespace lakesync::parquet
