#include "lakesync/common/canonical_json.h"

#include <fmt/format.h>

#include <cmath>
#include <iterator>

#include "lakesync/common/macros.h"
#include "lakesync/common/value_text.h"

namespace lakesync {
namespace {

// Walks one value; `path` names it in errors ("a.b[]" for list elements, "m.key" for map keys).
class Renderer {
 public:
  explicit Renderer(std::string& out) : out_(out) {}

  Status Value(const ColumnVector& col, int64_t row, const std::string& path);

 private:
  Status Scalar(const ColumnVector& col, int64_t row, const std::string& path);
  Status Struct(const ColumnVector& col, int64_t row, const std::string& path);
  Status List(const ColumnVector& col, int64_t row, const std::string& path);
  Status Map(const ColumnVector& col, int64_t row, const std::string& path);

  template <typename... Args>
  void Format(fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(out_), f, std::forward<Args>(args)...);
  }
  void Year(int64_t year);
  void Date(int64_t days);
  void Clock(int64_t of_day, int64_t per_second, int digits);  // HH:MM:SS.fff...
  void Time(int64_t value, TimeUnit unit);
  void Timestamp(int64_t value, TimeUnit unit, bool utc);
  void Uuid(std::string_view bytes);
  template <typename T>
  void Float(T v);

  std::string& out_;
};

Status BadShape(const std::string& path, std::string_view what) {
  return Status::Corruption("value at {}: {}", path.empty() ? "(root)" : path, what);
}

// The child offsets [begin, end) of a string, binary, list or map value, checked.
Status Range(const ColumnVector& col, int64_t row, const std::string& path, uint32_t& begin,
             uint32_t& end) {
  if (col.offsets().size() < static_cast<size_t>(row) + 2) {
    return BadShape(path, "offsets shorter than the column");
  }
  begin = col.offsets()[row];
  end = col.offsets()[row + 1];
  if (end < begin) return BadShape(path, "offsets decrease");
  return Status::OK();
}

int64_t PerSecond(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillis:
      return 1000;
    case TimeUnit::kMicros:
      return 1000000;
    case TimeUnit::kNanos:
      return 1000000000;
  }
  return 1000000;
}

Status Renderer::Value(const ColumnVector& col, int64_t row, const std::string& path) {
  if (row < 0 || row >= col.length()) return BadShape(path, "row past the end of the column");
  if (col.type().id == TypeId::kNull) {
    out_ += "null";
    return Status::OK();
  }
  if (col.has_nulls()) {
    if (col.validity().size() <= static_cast<size_t>(row)) {
      return BadShape(path, "validity shorter than the column");
    }
    if (col.validity()[row] == 0) {
      out_ += "null";
      return Status::OK();
    }
  }
  switch (col.type().id) {
    case TypeId::kStruct:
      return Struct(col, row, path);
    case TypeId::kList:
      return List(col, row, path);
    case TypeId::kMap:
      return Map(col, row, path);
    default:
      return Scalar(col, row, path);
  }
}

Status Renderer::Struct(const ColumnVector& col, int64_t row, const std::string& path) {
  const std::vector<Field>& fields = col.type().children;
  if (col.children().size() != fields.size()) {
    return BadShape(path, "struct children do not match its fields");
  }
  out_.push_back('{');
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i != 0) out_.push_back(',');
    AppendJsonString(fields[i].name, out_);
    out_.push_back(':');
    LAKESYNC_RETURN_NOT_OK(
        Value(col.children()[i], row, path.empty() ? fields[i].name : path + "." + fields[i].name));
  }
  out_.push_back('}');
  return Status::OK();
}

Status Renderer::List(const ColumnVector& col, int64_t row, const std::string& path) {
  if (col.children().size() != 1) return BadShape(path, "list without an element column");
  uint32_t begin = 0, end = 0;
  LAKESYNC_RETURN_NOT_OK(Range(col, row, path, begin, end));
  const std::string element_path = path + "[]";
  out_.push_back('[');
  for (uint32_t i = begin; i < end; ++i) {
    if (i != begin) out_.push_back(',');
    LAKESYNC_RETURN_NOT_OK(Value(col.children()[0], i, element_path));
  }
  out_.push_back(']');
  return Status::OK();
}

Status Renderer::Map(const ColumnVector& col, int64_t row, const std::string& path) {
  if (col.children().size() != 2) return BadShape(path, "map without key and value columns");
  uint32_t begin = 0, end = 0;
  LAKESYNC_RETURN_NOT_OK(Range(col, row, path, begin, end));
  const ColumnVector& keys = col.children()[0];
  const ColumnVector& values = col.children()[1];
  const std::string key_path = path + ".key";
  const std::string value_path = path + ".value";
  std::string key;
  Renderer key_renderer(key);
  out_.push_back('{');
  for (uint32_t i = begin; i < end; ++i) {
    if (i != begin) out_.push_back(',');
    key.clear();
    LAKESYNC_RETURN_NOT_OK(key_renderer.Value(keys, i, key_path));
    if (key == "null") return BadShape(key_path, "map key is null");
    if (key.front() == '"') {
      out_ += key;  // rendered as a JSON string already: its text is the key
    } else {
      AppendJsonString(key, out_);  // a number, boolean or nested value: its JSON text
    }
    out_.push_back(':');
    LAKESYNC_RETURN_NOT_OK(Value(values, i, value_path));
  }
  out_.push_back('}');
  return Status::OK();
}

void Renderer::Year(int64_t year) {
  if (year >= 0 && year <= 9999) {
    Format("{:04}", year);
  } else if (year < 0) {
    Format("-{:04}", -year);
  } else {
    Format("+{}", year);
  }
}

void Renderer::Date(int64_t days) {
  int64_t year;
  int month, day;
  CivilFromDays(days, year, month, day);
  Year(year);
  Format("-{:02}-{:02}", month, day);
}

void Renderer::Clock(int64_t of_day, int64_t per_second, int digits) {
  const int64_t seconds = of_day / per_second;
  int64_t fraction = of_day % per_second;
  // Millisecond values print as many digits as microseconds do.
  if (digits == 6 && per_second == 1000) fraction *= 1000;
  Format("{:02}:{:02}:{:02}.{:0{}}", seconds / 3600, seconds / 60 % 60, seconds % 60, fraction,
         digits);
}

void Renderer::Time(int64_t value, TimeUnit unit) {
  const int64_t per_second = PerSecond(unit);
  const int digits = unit == TimeUnit::kNanos ? 9 : 6;
  if (value < 0) {
    // Not a time of day (Parquet allows only [0, 24h]); keep it visible rather than fail.
    out_.push_back('-');
    value = value == INT64_MIN ? INT64_MAX : -value;
  }
  Clock(value, per_second, digits);
}

void Renderer::Timestamp(int64_t value, TimeUnit unit, bool utc) {
  const int64_t per_day = PerSecond(unit) * 86400;
  int64_t of_day = value % per_day;  // (not value - days * per_day: that overflows near INT64_MIN)
  if (of_day < 0) of_day += per_day;
  Date(FloorDiv(value, per_day));
  out_.push_back('T');
  Clock(of_day, PerSecond(unit), unit == TimeUnit::kNanos ? 9 : 6);
  if (utc) out_.push_back('Z');
}

void Renderer::Uuid(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  out_.push_back('"');
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out_.push_back('-');
    const auto b = static_cast<uint8_t>(bytes[i]);
    out_.push_back(kHex[b >> 4]);
    out_.push_back(kHex[b & 15]);
  }
  out_.push_back('"');
}

template <typename T>
void Renderer::Float(T v) {
  if (std::isnan(v)) {
    out_ += "\"NaN\"";
  } else if (std::isinf(v)) {
    out_ += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    Format("{}", v);  // shortest text that reads back as the same T
  }
}

Status Renderer::Scalar(const ColumnVector& col, int64_t row, const std::string& path) {
  const DataType& type = col.type();
  const int width = type.ValueWidth();
  if (width > 0 && col.values().size() < static_cast<size_t>(row + 1) * width) {
    return BadShape(path, "values shorter than the column");
  }
  switch (type.id) {
    case TypeId::kBoolean:
      out_ += col.Value<uint8_t>(row) != 0 ? "true" : "false";
      break;
    case TypeId::kInt8:
      Format("{}", col.Value<int8_t>(row));
      break;
    case TypeId::kInt16:
      Format("{}", col.Value<int16_t>(row));
      break;
    case TypeId::kInt32:
      Format("{}", col.Value<int32_t>(row));
      break;
    case TypeId::kInt64:
      Format("{}", col.Value<int64_t>(row));
      break;
    case TypeId::kUInt8:
      Format("{}", col.Value<uint8_t>(row));
      break;
    case TypeId::kUInt16:
      Format("{}", col.Value<uint16_t>(row));
      break;
    case TypeId::kUInt32:
      Format("{}", col.Value<uint32_t>(row));
      break;
    case TypeId::kUInt64:
      Format("{}", col.Value<uint64_t>(row));
      break;
    case TypeId::kFloat16:
    case TypeId::kFloat32:
      Float(col.Value<float>(row));
      break;
    case TypeId::kFloat64:
      Float(col.Value<double>(row));
      break;
    case TypeId::kDecimal:
      out_.push_back('"');
      AppendDecimalText(col.Value<Int128>(row), type.scale, out_);
      out_.push_back('"');
      break;
    case TypeId::kDate:
      out_.push_back('"');
      Date(col.Value<int32_t>(row));
      out_.push_back('"');
      break;
    case TypeId::kTime:
      out_.push_back('"');
      Time(col.Value<int64_t>(row), type.unit);
      out_.push_back('"');
      break;
    case TypeId::kTimestamp:
      out_.push_back('"');
      Timestamp(col.Value<int64_t>(row), type.unit, type.utc);
      out_.push_back('"');
      break;
    case TypeId::kString:
    case TypeId::kBinary: {
      uint32_t begin = 0, end = 0;
      LAKESYNC_RETURN_NOT_OK(Range(col, row, path, begin, end));
      if (end > col.bytes().size()) return BadShape(path, "bytes shorter than the offsets");
      const std::string_view s(reinterpret_cast<const char*>(col.bytes().data()) + begin,
                               end - begin);
      if (type.string_kind == StringKind::kUuid && s.size() == 16) {
        Uuid(s);
      } else if (type.id == TypeId::kString) {
        AppendJsonString(s, out_);
      } else {
        out_.push_back('"');
        AppendBase64(s, out_);
        out_.push_back('"');
      }
      break;
    }
    default:
      return BadShape(path, "unexpected type " + type.ToString());
  }
  return Status::OK();
}

}  // namespace

Status AppendCanonicalJson(const ColumnVector& col, int64_t row, std::string& out) {
  static const std::string kRoot;
  return Renderer(out).Value(col, row, kRoot);
}

Status AppendCanonicalJsonRow(const ColumnBatch& batch, int64_t row, std::string& out) {
  if (batch.columns.size() != batch.schema.size()) {
    return Status::Corruption("batch has {} columns for {} schema fields", batch.columns.size(),
                              batch.schema.size());
  }
  Renderer renderer(out);
  out.push_back('{');
  for (size_t i = 0; i < batch.columns.size(); ++i) {
    if (i != 0) out.push_back(',');
    const std::string& name = batch.schema[i].name;
    AppendJsonString(name, out);
    out.push_back(':');
    LAKESYNC_RETURN_NOT_OK(renderer.Value(batch.columns[i], row, name));
  }
  out.push_back('}');
  return Status::OK();
}

Result<std::string> CanonicalJsonRow(const ColumnBatch& batch, int64_t row) {
  std::string out;
  LAKESYNC_RETURN_NOT_OK(AppendCanonicalJsonRow(batch, row, out));
  return out;
}

}  // namespace lakesync
