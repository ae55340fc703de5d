#include "lakesync/delta/deletion_vector.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "lakesync/common/macros.h"

namespace lakesync::delta {

namespace {

constexpr std::string_view kZ85Alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr uint32_t kPortableMagic = 1681511377;  // little-endian, 64-bit portable buckets
constexpr uint32_t kNativeMagic = 1681511376;    // big-endian, one 32-bit bitmap per high word
constexpr uint32_t kSerialCookieNoRun = 12346;
constexpr uint32_t kSerialCookie = 12347;
constexpr uint32_t kNoOffsetThreshold = 4;
constexpr size_t kUuidZ85Length = 20;

// Little-endian cursor over a byte string; every read is bounds-checked.
class Cursor {
 public:
  explicit Cursor(std::string_view bytes) : bytes_(bytes) {}

  template <typename T>
  bool Read(T* out) {
    if (bytes_.size() - pos_ < sizeof(T)) return false;
    std::memcpy(out, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool Skip(size_t n) {
    if (bytes_.size() - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  const uint8_t* Take(size_t n) {
    if (bytes_.size() - pos_ < n) return nullptr;
    const auto* p = reinterpret_cast<const uint8_t*>(bytes_.data() + pos_);
    pos_ += n;
    return p;
  }
  bool AtEnd() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

uint32_t BigEndian32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

// Appends the values of one 32-bit RoaringBitmap (portable format), each OR-ed with `high`.
Status ParseRoaring32(Cursor& in, uint64_t high, std::vector<uint64_t>* out) {
  auto bad = [](std::string_view what) {
    return Status::Corruption("deletion vector: malformed RoaringBitmap ({})", what);
  };
  uint32_t cookie = 0;
  if (!in.Read(&cookie)) return bad("no cookie");
  uint32_t n = 0;
  bool has_runs = false;
  const uint8_t* run_flags = nullptr;
  if ((cookie & 0xFFFF) == kSerialCookie) {
    n = (cookie >> 16) + 1;
    has_runs = true;
    run_flags = in.Take((n + 7) / 8);
    if (run_flags == nullptr) return bad("truncated run flags");
  } else if (cookie == kSerialCookieNoRun) {
    if (!in.Read(&n)) return bad("no container count");
  } else {
    return bad("unknown cookie");
  }
  if (n > 65536) return bad("too many containers");
  std::vector<std::pair<uint16_t, uint32_t>> headers(n);  // key, cardinality
  for (auto& [key, card] : headers) {
    uint16_t card_minus_one = 0;
    if (!in.Read(&key) || !in.Read(&card_minus_one)) return bad("truncated header");
    card = static_cast<uint32_t>(card_minus_one) + 1;
  }
  if (!has_runs || n >= kNoOffsetThreshold) {
    if (!in.Skip(static_cast<size_t>(n) * 4)) return bad("truncated offsets");
  }
  for (uint32_t i = 0; i < n; ++i) {
    const uint64_t base = high | (static_cast<uint64_t>(headers[i].first) << 16);
    const uint32_t card = headers[i].second;
    if (has_runs && (run_flags[i / 8] >> (i % 8)) & 1) {
      uint16_t runs = 0;
      if (!in.Read(&runs)) return bad("truncated run container");
      for (uint16_t r = 0; r < runs; ++r) {
        uint16_t start = 0, length_minus_one = 0;
        if (!in.Read(&start) || !in.Read(&length_minus_one)) return bad("truncated run");
        for (uint32_t v = start; v <= static_cast<uint32_t>(start) + length_minus_one; ++v) {
          if (v > 0xFFFF) return bad("run past container end");
          out->push_back(base | v);
        }
      }
    } else if (card <= 4096) {
      for (uint32_t k = 0; k < card; ++k) {
        uint16_t v = 0;
        if (!in.Read(&v)) return bad("truncated array container");
        out->push_back(base | v);
      }
    } else {
      const uint8_t* words = in.Take(8192);
      if (words == nullptr) return bad("truncated bitmap container");
      for (uint32_t w = 0; w < 1024; ++w) {
        uint64_t word = 0;
        std::memcpy(&word, words + w * 8, 8);
        while (word != 0) {
          const int bit = __builtin_ctzll(word);
          out->push_back(base | (w * 64 + static_cast<uint32_t>(bit)));
          word &= word - 1;
        }
      }
    }
  }
  return Status::OK();
}

std::string UuidText(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    const auto b = static_cast<uint8_t>(bytes[i]);
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

}  // namespace

std::optional<std::vector<uint32_t>> DeletedRows::Selection(uint64_t first, uint64_t count) const {
  auto lo = std::lower_bound(rows.begin(), rows.end(), first);
  auto hi = std::lower_bound(lo, rows.end(), first + count);
  if (lo == hi) return std::nullopt;
  std::vector<uint32_t> keep;
  keep.reserve(count - static_cast<uint64_t>(hi - lo));
  auto it = lo;
  for (uint64_t r = 0; r < count; ++r) {
    if (it != hi && *it == first + r) {
      ++it;
      continue;
    }
    keep.push_back(static_cast<uint32_t>(r));
  }
  return keep;
}

Result<std::string> Z85Decode(std::string_view text, std::optional<size_t> size) {
  if (text.size() % 5 != 0) {
    return Status::Corruption("Z85 text of length {} is not a multiple of 5", text.size());
  }
  const size_t full_size = text.size() / 5 * 4;
  if (size && (*size > full_size || *size + 4 <= full_size)) {
    return Status::Corruption("Z85 text of length {} cannot hold {} bytes", text.size(), *size);
  }
  std::array<int, 256> digit;
  digit.fill(-1);
  for (size_t i = 0; i < kZ85Alphabet.size(); ++i) {
    digit[static_cast<uint8_t>(kZ85Alphabet[i])] = static_cast<int>(i);
  }
  std::string out;
  out.reserve(full_size);
  for (size_t i = 0; i < text.size(); i += 5) {
    // Delta encodes a final partial block of k bytes in the group's last k + 1 digits (the
    // leading digits are filler), so only those digits carry the value.
    const bool last = i + 5 == text.size();
    const size_t tail = last && size ? *size % 4 : 0;
    const size_t first_digit = tail == 0 ? 0 : 4 - tail;
    uint64_t value = 0;
    for (size_t k = 0; k < 5; ++k) {
      const int d = digit[static_cast<uint8_t>(text[i + k])];
      if (d < 0) return Status::Corruption("invalid Z85 character '{}'", text[i + k]);
      if (k >= first_digit) value = value * 85 + static_cast<uint64_t>(d);
    }
    if (value > 0xFFFFFFFFULL) return Status::Corruption("Z85 group out of range");
    if (tail == 0) {
      for (int shift = 24; shift >= 0; shift -= 8) {
        out += static_cast<char>((value >> shift) & 0xFF);
      }
    } else {
      if (value >> (8 * tail) != 0) return Status::Corruption("Z85 final group out of range");
      for (size_t b = tail; b-- > 0;) out += static_cast<char>((value >> (8 * b)) & 0xFF);
    }
  }
  if (size) out.resize(*size);
  return out;
}

Result<std::string> DeletionVectorPath(const DeletionVectorDescriptor& dv,
                                       std::string_view table_root) {
  if (dv.storage_type == "p") {
    LAKESYNC_ASSIGN_OR_RETURN(auto path, DecodeUriPath(dv.path_or_inline_dv));
    return ResolveTablePath(table_root, path);
  }
  if (dv.storage_type != "u") {
    return Status::InvalidArgument("deletion vector of storage type '{}' has no file",
                                   dv.storage_type);
  }
  const std::string_view encoded = dv.path_or_inline_dv;
  if (encoded.size() < kUuidZ85Length) {
    return Status::Corruption("deletion vector path '{}' is too short for a UUID", encoded);
  }
  const std::string_view prefix = encoded.substr(0, encoded.size() - kUuidZ85Length);
  LAKESYNC_ASSIGN_OR_RETURN(auto uuid, Z85Decode(encoded.substr(prefix.size())));
  const std::string name = "deletion_vector_" + UuidText(uuid) + ".bin";
  return prefix.empty() ? storage::JoinPath(table_root, name)
                        : storage::JoinPath(storage::JoinPath(table_root, prefix), name);
}

Result<DeletedRows> ParseDeletionVector(std::string_view bytes) {
  DeletedRows out;
  Cursor in(bytes);
  uint32_t magic = 0;
  if (!in.Read(&magic)) return Status::Corruption("deletion vector: truncated magic number");
  if (magic == kPortableMagic) {
    // PROTOCOL.md "Deletion Vector Format": bucket count, then (key, 32-bit bitmap) pairs.
    uint64_t buckets = 0;
    if (!in.Read(&buckets) || buckets > (1ULL << 31)) {
      return Status::Corruption("deletion vector: bad bucket count");
    }
    for (uint64_t b = 0; b < buckets; ++b) {
      uint32_t key = 0;
      if (!in.Read(&key)) return Status::Corruption("deletion vector: truncated bucket key");
      LAKESYNC_RETURN_NOT_OK(ParseRoaring32(in, static_cast<uint64_t>(key) << 32, &out.rows));
    }
  } else if (BigEndian32(reinterpret_cast<const uint8_t*>(bytes.data())) == kNativeMagic) {
    // The older layout PROTOCOL.md's inline example uses: big-endian bitmap count, then per
    // bitmap its byte size and a 32-bit bitmap whose high word is its index.
    const uint8_t* count = in.Take(4);
    if (count == nullptr) return Status::Corruption("deletion vector: truncated bitmap count");
    const uint32_t bitmaps = BigEndian32(count);
    for (uint32_t i = 0; i < bitmaps; ++i) {
      const uint8_t* size_bytes = in.Take(4);
      if (size_bytes == nullptr) return Status::Corruption("deletion vector: truncated size");
      const uint8_t* body = in.Take(BigEndian32(size_bytes));
      if (body == nullptr) return Status::Corruption("deletion vector: truncated bitmap");
      Cursor bitmap(std::string_view(reinterpret_cast<const char*>(body), BigEndian32(size_bytes)));
      LAKESYNC_RETURN_NOT_OK(ParseRoaring32(bitmap, static_cast<uint64_t>(i) << 32, &out.rows));
    }
  } else {
    return Status::Corruption("deletion vector: bad magic number");
  }
  // Buckets and containers are stored in ascending key order, but do not rely on writers.
  if (!std::is_sorted(out.rows.begin(), out.rows.end()))
    std::sort(out.rows.begin(), out.rows.end());
  out.rows.erase(std::unique(out.rows.begin(), out.rows.end()), out.rows.end());
  return out;
}

Result<DeletedRows> LoadDeletionVector(storage::FileSystem& fs, const DeletionVectorDescriptor& dv,
                                       std::string_view table_root) {
  std::string bitmap;
  std::string where;
  if (dv.storage_type == "i") {
    where = "inline deletion vector";
    std::optional<size_t> size;
    if (dv.size_in_bytes > 0) size = static_cast<size_t>(dv.size_in_bytes);
    auto decoded = Z85Decode(dv.path_or_inline_dv, size);
    if (!decoded.ok()) return decoded.status().WithContext(where);
    bitmap = std::move(decoded).value();
  } else {
    LAKESYNC_ASSIGN_OR_RETURN(auto path, DeletionVectorPath(dv, table_root));
    where = fmt::format("deletion vector file {}", path);
    auto read = [&]() -> Status {
      LAKESYNC_ASSIGN_OR_RETURN(auto file, fs.OpenForRead(path));
      const int64_t offset = dv.offset.value_or(0);
      // At `offset`: the DV's size (big-endian int32), its bytes, then their CRC-32.
      LAKESYNC_ASSIGN_OR_RETURN(auto header, file->ReadRange(offset, 4));
      const uint32_t size = BigEndian32(header.data());
      if (dv.size_in_bytes > 0 && size != static_cast<uint32_t>(dv.size_in_bytes)) {
        return Status::Corruption("stored size {} differs from the log's sizeInBytes {}", size,
                                  dv.size_in_bytes);
      }
      LAKESYNC_ASSIGN_OR_RETURN(auto body, file->ReadRange(offset + 4, int64_t{size} + 4));
      const uint32_t stored_crc = BigEndian32(body.data() + size);
      const uint32_t crc = static_cast<uint32_t>(crc32(0L, body.data(), size));
      if (crc != stored_crc) return Status::Corruption("checksum mismatch");
      bitmap.assign(reinterpret_cast<const char*>(body.data()), size);
      return Status::OK();
    };
    LAKESYNC_RETURN_NOT_OK(read().WithContext(where));
  }
  auto rows = ParseDeletionVector(bitmap);
  if (!rows.ok()) return rows.status().WithContext(where);
  if (dv.cardinality > 0 && rows->rows.size() != static_cast<uint64_t>(dv.cardinality)) {
    return Status::Corruption("{}: holds {} rows, the log says cardinality {}", where,
                              rows->rows.size(), dv.cardinality);
  }
  return rows;
}

}  // namespace lakesync::delta
