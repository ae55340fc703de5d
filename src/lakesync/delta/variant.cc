#include "lakesync/delta/variant.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "lakesync/common/macros.h"
#include "lakesync/common/value_text.h"
#include "lakesync/delta/partition_values.h"

namespace lakesync::delta {

namespace {

constexpr int kMaxDepth = 512;

Status Bad(std::string_view what) {
  return Status::Corruption("malformed variant value: {}", what);
}

// Little-endian unsigned integer of `width` (1-4) bytes.
uint32_t ReadUnsigned(const uint8_t* p, int width) {
  uint32_t v = 0;
  for (int i = 0; i < width; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}

template <typename T>
T ReadLe(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

class Metadata {
 public:
  Status Parse(std::string_view bytes) {
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
    if (bytes.empty()) return Bad("empty metadata");
    if ((p[0] & 0x0F) != 1) return Bad("unsupported metadata version");
    const int offset_size = ((p[0] >> 6) & 0x3) + 1;
    if (bytes.size() < 1 + static_cast<size_t>(offset_size)) return Bad("truncated metadata");
    const uint32_t count = ReadUnsigned(p + 1, offset_size);
    const size_t offsets_at = 1 + offset_size;
    const size_t strings_at = offsets_at + (static_cast<size_t>(count) + 1) * offset_size;
    if (count > bytes.size() || strings_at > bytes.size()) return Bad("truncated dictionary");
    strings_.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
      const uint32_t begin = ReadUnsigned(p + offsets_at + i * offset_size, offset_size);
      const uint32_t end = ReadUnsigned(p + offsets_at + (i + 1) * offset_size, offset_size);
      if (begin > end || strings_at + end > bytes.size()) return Bad("bad dictionary offset");
      strings_.push_back(bytes.substr(strings_at + begin, end - begin));
    }
    return Status::OK();
  }
  Result<std::string_view> Key(uint32_t id) const {
    if (id >= strings_.size()) return Bad("field id outside the dictionary");
    return strings_[id];
  }

 private:
  std::vector<std::string_view> strings_;
};

void AppendJsonString(std::string_view s, std::string* out) {
  *out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          *out += fmt::format("\\u{:04x}", c);
        } else {
          *out += static_cast<char>(c);
        }
    }
  }
  *out += '"';
}

void AppendBase64(std::string_view s, std::string* out) {
  static constexpr char kTable[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  *out += '"';
  size_t i = 0;
  for (; i + 3 <= s.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(s[i]) << 16) | (static_cast<uint8_t>(s[i + 1]) << 8) |
                       static_cast<uint8_t>(s[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) *out += kTable[(v >> shift) & 63];
  }
  if (i < s.size()) {
    uint32_t v = static_cast<uint8_t>(s[i]) << 16;
    if (i + 1 < s.size()) v |= static_cast<uint8_t>(s[i + 1]) << 8;
    *out += kTable[(v >> 18) & 63];
    *out += kTable[(v >> 12) & 63];
    *out += i + 1 < s.size() ? kTable[(v >> 6) & 63] : '=';
    *out += '=';
  }
  *out += '"';
}

// Proleptic Gregorian date of a day count since 1970-01-01.
void CivilFromDays(int64_t days, int64_t* y, int* m, int* d) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2 ? 1 : 0);
}

std::string DateText(int64_t days) {
  int64_t y;
  int m, d;
  CivilFromDays(days, &y, &m, &d);
  return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
}

std::string TimestampText(int64_t value, int64_t per_second, bool utc) {
  int64_t seconds = value / per_second;
  int64_t fraction = value % per_second;
  if (fraction < 0) {
    fraction += per_second;
    --seconds;
  }
  int64_t days = seconds / 86400;
  int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  std::string out = fmt::format("{}T{:02d}:{:02d}:{:02d}", DateText(days), rest / 3600,
                                rest / 60 % 60, rest % 60);
  if (fraction != 0) {
    out +=
        per_second == 1000000 ? fmt::format(".{:06d}", fraction) : fmt::format(".{:09d}", fraction);
  }
  if (utc) out += "+00:00";
  return out;
}

std::string DoubleText(double v) {
  if (std::isnan(v) || std::isinf(v)) return fmt::format("\"{}\"", v);  // JSON has no NaN
  return fmt::format("{}", v);
}

Status AppendValue(const Metadata& metadata, std::string_view value, int depth, std::string* out);

Status AppendPrimitive(int type_id, const uint8_t* p, size_t size, std::string* out) {
  auto need = [&](size_t n) { return size >= n ? Status::OK() : Bad("truncated primitive"); };
  switch (type_id) {
    case 0:
      *out += "null";
      return Status::OK();
    case 1:
      *out += "true";
      return Status::OK();
    case 2:
      *out += "false";
      return Status::OK();
    case 3:
      LAKESYNC_RETURN_NOT_OK(need(1));
      *out += std::to_string(static_cast<int8_t>(p[0]));
      return Status::OK();
    case 4:
      LAKESYNC_RETURN_NOT_OK(need(2));
      *out += std::to_string(ReadLe<int16_t>(p));
      return Status::OK();
    case 5:
      LAKESYNC_RETURN_NOT_OK(need(4));
      *out += std::to_string(ReadLe<int32_t>(p));
      return Status::OK();
    case 6:
      LAKESYNC_RETURN_NOT_OK(need(8));
      *out += std::to_string(ReadLe<int64_t>(p));
      return Status::OK();
    case 7:
      LAKESYNC_RETURN_NOT_OK(need(8));
      *out += DoubleText(ReadLe<double>(p));
      return Status::OK();
    case 8:
    case 9:
    case 10: {
      const size_t width = type_id == 8 ? 4 : type_id == 9 ? 8 : 16;
      LAKESYNC_RETURN_NOT_OK(need(1 + width));
      Int128 unscaled = 0;
      if (width == 4) unscaled = ReadLe<int32_t>(p + 1);
      if (width == 8) unscaled = ReadLe<int64_t>(p + 1);
      if (width == 16) std::memcpy(&unscaled, p + 1, 16);
      if (p[0] > 38) return Bad("decimal scale above 38");
      AppendDecimalText(unscaled, p[0], *out);
      return Status::OK();
    }
    case 11:
      LAKESYNC_RETURN_NOT_OK(need(4));
      *out += '"' + DateText(ReadLe<int32_t>(p)) + '"';
      return Status::OK();
    case 12:
    case 13:
      LAKESYNC_RETURN_NOT_OK(need(8));
      *out += '"' + TimestampText(ReadLe<int64_t>(p), 1000000, type_id == 12) + '"';
      return Status::OK();
    case 14:
      LAKESYNC_RETURN_NOT_OK(need(4));
      *out += DoubleText(ReadLe<float>(p));
      return Status::OK();
    case 15:
    case 16: {
      LAKESYNC_RETURN_NOT_OK(need(4));
      const uint32_t length = ReadLe<uint32_t>(p);
      LAKESYNC_RETURN_NOT_OK(need(4 + static_cast<size_t>(length)));
      const std::string_view bytes(reinterpret_cast<const char*>(p + 4), length);
      if (type_id == 15) {
        AppendBase64(bytes, out);
      } else {
        AppendJsonString(bytes, out);
      }
      return Status::OK();
    }
    case 17: {
      LAKESYNC_RETURN_NOT_OK(need(8));
      const int64_t micros = ReadLe<int64_t>(p);
      *out += fmt::format("\"{:02d}:{:02d}:{:02d}.{:06d}\"", micros / 3600000000LL,
                          micros / 60000000 % 60, micros / 1000000 % 60, micros % 1000000);
      return Status::OK();
    }
    case 18:
    case 19:
      LAKESYNC_RETURN_NOT_OK(need(8));
      *out += '"' + TimestampText(ReadLe<int64_t>(p), 1000000000, type_id == 18) + '"';
      return Status::OK();
    case 20: {
      LAKESYNC_RETURN_NOT_OK(need(16));
      std::string hex;
      for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) hex += '-';
        hex += fmt::format("{:02x}", p[i]);
      }
      *out += '"' + hex + '"';
      return Status::OK();
    }
    default:
      return Bad(fmt::format("unknown primitive type {}", type_id));
  }
}

Status AppendValue(const Metadata& metadata, std::string_view value, int depth, std::string* out) {
  if (depth > kMaxDepth) return Bad("nested too deeply");
  if (value.empty()) return Bad("empty value");
  const auto* p = reinterpret_cast<const uint8_t*>(value.data());
  const int basic_type = p[0] & 0x3;
  const int header = p[0] >> 2;
  const size_t size = value.size() - 1;
  const uint8_t* body = p + 1;
  if (basic_type == 0) return AppendPrimitive(header, body, size, out);
  if (basic_type == 1) {
    if (static_cast<size_t>(header) > size) return Bad("truncated short string");
    AppendJsonString(std::string_view(reinterpret_cast<const char*>(body), header), out);
    return Status::OK();
  }
  const bool is_object = basic_type == 2;
  const int offset_size = (header & 0x3) + 1;
  const int id_size = is_object ? ((header >> 2) & 0x3) + 1 : 0;
  const bool is_large = is_object ? (header >> 4) & 1 : (header >> 2) & 1;
  const size_t count_size = is_large ? 4 : 1;
  if (size < count_size) return Bad("truncated element count");
  const uint32_t count = ReadUnsigned(body, static_cast<int>(count_size));
  const size_t ids_at = count_size;
  const size_t offsets_at = ids_at + static_cast<size_t>(count) * id_size;
  const size_t values_at = offsets_at + (static_cast<size_t>(count) + 1) * offset_size;
  if (count > size || values_at > size) return Bad("truncated element table");
  *out += is_object ? '{' : '[';
  for (uint32_t i = 0; i < count; ++i) {
    if (i) *out += ',';
    if (is_object) {
      const uint32_t id = ReadUnsigned(body + ids_at + i * id_size, id_size);
      LAKESYNC_ASSIGN_OR_RETURN(auto key, metadata.Key(id));
      AppendJsonString(key, out);
      *out += ':';
    }
    const uint32_t begin = ReadUnsigned(body + offsets_at + i * offset_size, offset_size);
    if (values_at + begin >= size) {
      return Bad("element offset outside the value");
    }
    // An element's encoding says its own length; the rest of the value bounds it.
    LAKESYNC_RETURN_NOT_OK(
        AppendValue(metadata,
                    std::string_view(reinterpret_cast<const char*>(body + values_at + begin),
                                     size - values_at - begin),
                    depth + 1, out));
  }
  *out += is_object ? '}' : ']';
  return Status::OK();
}

}  // namespace

Result<std::string> VariantToJson(std::string_view metadata, std::string_view value) {
  Metadata dict;
  LAKESYNC_RETURN_NOT_OK(dict.Parse(metadata));
  std::string out;
  LAKESYNC_RETURN_NOT_OK(AppendValue(dict, value, 0, &out));
  return out;
}

Result<ColumnVector> VariantColumnToJson(const ColumnVector& column, const DataType& target,
                                         std::string_view path) {
  const DataType& type = column.type();
  int metadata_idx = -1, value_idx = -1;
  for (size_t i = 0; i < type.children.size(); ++i) {
    const std::string& name = type.children[i].name;
    if (name == "metadata") metadata_idx = static_cast<int>(i);
    if (name == "value") value_idx = static_cast<int>(i);
    if (name == "typed_value") {
      return Status::NotSupported("column '{}': shredded variants are not supported yet", path);
    }
  }
  if (type.id != TypeId::kStruct || metadata_idx < 0 || value_idx < 0 ||
      static_cast<size_t>(std::max(metadata_idx, value_idx)) >= column.children().size() ||
      !column.children()[metadata_idx].type().IsVarLength() ||
      !column.children()[value_idx].type().IsVarLength()) {
    return Status::Corruption("column '{}': a variant must be stored as struct<metadata, value>",
                              path);
  }
  const ColumnVector& metadata = column.children()[metadata_idx];
  const ColumnVector& value = column.children()[value_idx];
  ColumnVector out(target);
  const int64_t n = column.length();
  out.set_length(n);
  out.validity().assign(static_cast<size_t>(n), 1);
  out.offsets().resize(static_cast<size_t>(n) + 1);
  out.offsets()[0] = 0;
  std::string json;
  for (int64_t row = 0; row < n; ++row) {
    if (column.IsNull(row) || metadata.IsNull(row) || value.IsNull(row)) {
      out.validity()[row] = 0;
    } else {
      auto text = VariantToJson(metadata.StringValue(row), value.StringValue(row));
      if (!text.ok()) {
        return text.status().WithContext(fmt::format("column '{}' row {}", path, row));
      }
      out.bytes().insert(out.bytes().end(), text->begin(), text->end());
    }
    out.offsets()[row + 1] = static_cast<uint32_t>(out.bytes().size());
  }
  out.CompactValidity();
  return out;
}

}  // namespace lakesync::delta
