#include "deltagen/deletion_vector.h"

#include <fmt/format.h>
#include <roaring/roaring.h>
#include <zlib.h>

#include "deltagen/json_util.h"
#include "lakesync/common/macros.h"

namespace lakesync::deltagen {

namespace {

constexpr char kZ85[] =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
constexpr uint32_t kDvMagic = 1681511377;

void PutLE32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutBE32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace

std::string DeletionVectorDescriptor::ToJson() const {
  std::string out = R"({"storageType":)" + JsonQuote(storage_type) + R"(,"pathOrInlineDv":)" +
                    JsonQuote(path_or_inline_dv);
  if (offset) out += fmt::format(R"(,"offset":{})", *offset);
  out += fmt::format(R"(,"sizeInBytes":{},"cardinality":{}}})", size_in_bytes, cardinality);
  return out;
}

std::string Z85Encode(std::string_view bytes) {
  std::string out;
  for (size_t i = 0; i + 4 <= bytes.size(); i += 4) {
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v = (v << 8) | static_cast<unsigned char>(bytes[i + k]);
    char chunk[5];
    for (int k = 4; k >= 0; --k) {
      chunk[k] = kZ85[v % 85];
      v /= 85;
    }
    out.append(chunk, 5);
  }
  return out;
}

std::string SerializeDeletionVector(const std::vector<uint64_t>& rows) {
  std::string out;
  PutLE32(&out, kDvMagic);
  // 64-bit portable format: bucket count, then per bucket its high 32 bits and a 32-bit
  // portable RoaringBitmap of the low bits.
  std::vector<std::pair<uint32_t, roaring_bitmap_t*>> buckets;
  for (uint64_t r : rows) {
    const uint32_t high = static_cast<uint32_t>(r >> 32);
    if (buckets.empty() || buckets.back().first != high) {
      buckets.emplace_back(high, roaring_bitmap_create());
    }
    roaring_bitmap_add(buckets.back().second, static_cast<uint32_t>(r));
  }
  const uint64_t n = buckets.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(n >> (8 * i)));
  for (auto& [high, bm] : buckets) {
    PutLE32(&out, high);
    roaring_bitmap_run_optimize(bm);
    const size_t size = roaring_bitmap_portable_size_in_bytes(bm);
    const size_t old = out.size();
    out.resize(old + size);
    roaring_bitmap_portable_serialize(bm, out.data() + old);
    roaring_bitmap_free(bm);
  }
  return out;
}

Result<DeletionVectorDescriptor> WriteDeletionVectorFile(storage::FileSystem& fs,
                                                         const std::string& table_root,
                                                         const std::vector<uint64_t>& rows,
                                                         std::string_view uuid,
                                                         const std::string& prefix) {
  if (uuid.size() != 16) return Status::InvalidArgument("a DV uuid has 16 bytes");
  const std::string data = SerializeDeletionVector(rows);
  std::string file(1, '\x01');  // format version
  PutBE32(&file, static_cast<uint32_t>(data.size()));
  file += data;
  PutBE32(&file, static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(data.data()),
                                             static_cast<uInt>(data.size()))));
  const auto u = [&](size_t i) { return static_cast<unsigned char>(uuid[i]); };
  const std::string uuid_text = fmt::format(
      "{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:"
      "02x}{:02x}",
      u(0), u(1), u(2), u(3), u(4), u(5), u(6), u(7), u(8), u(9), u(10), u(11), u(12), u(13), u(14),
      u(15));
  const std::string dir = prefix.empty() ? table_root : storage::JoinPath(table_root, prefix);
  if (!prefix.empty()) LAKESYNC_RETURN_NOT_OK(fs.CreateDirs(dir));
  LAKESYNC_RETURN_NOT_OK(
      fs.WriteFile(storage::JoinPath(dir, "deletion_vector_" + uuid_text + ".bin"), file));
  DeletionVectorDescriptor d;
  d.storage_type = "u";
  d.path_or_inline_dv = prefix + Z85Encode(uuid);
  d.offset = 1;
  d.size_in_bytes = static_cast<int32_t>(data.size());
  d.cardinality = static_cast<int64_t>(rows.size());
  return d;
}

}  // namespace lakesync::deltagen
