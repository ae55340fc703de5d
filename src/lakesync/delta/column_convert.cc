#include "lakesync/delta/column_convert.h"

#include <cstring>
#include <utility>

#include "lakesync/common/macros.h"
#include "lakesync/common/strings.h"
#include "lakesync/delta/partition_values.h"
#include "lakesync/delta/variant.h"

namespace lakesync::delta {

namespace {

constexpr int64_t kMicrosPerDay = 86400LL * 1000000LL;
constexpr int64_t kJulianDayOfEpoch = 2440588;

bool IsInteger(TypeId id) {
  switch (id) {
    case TypeId::kInt8:
    case TypeId::kInt16:
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kUInt8:
    case TypeId::kUInt16:
    case TypeId::kUInt32:
    case TypeId::kUInt64:
      return true;
    default:
      return false;
  }
}

// Calls fn(T{}) with the C++ type that stores integer type `id`.
template <typename Fn>
auto VisitInteger(TypeId id, Fn&& fn) {
  switch (id) {
    case TypeId::kInt8:
      return fn(int8_t{});
    case TypeId::kInt16:
      return fn(int16_t{});
    case TypeId::kInt32:
      return fn(int32_t{});
    case TypeId::kUInt8:
      return fn(uint8_t{});
    case TypeId::kUInt16:
      return fn(uint16_t{});
    case TypeId::kUInt32:
      return fn(uint32_t{});
    case TypeId::kUInt64:
      return fn(uint64_t{});
    default:
      return fn(int64_t{});
  }
}

Int128 Pow10(int n) {
  Int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// A new fixed-width column of `type` with `in`'s length and validity; values from
// fn(row) -> Result<Dst> for valid rows, zero for null rows.
template <typename Dst, typename Fn>
Result<ColumnVector> MapValues(const ColumnVector& in, DataType type, Fn&& fn) {
  ColumnVector out(std::move(type));
  const int64_t n = in.length();
  out.set_length(n);
  out.validity() = in.validity();
  out.values().resize(static_cast<size_t>(n) * sizeof(Dst));
  Dst* dst = out.template mutable_data<Dst>();
  for (int64_t i = 0; i < n; ++i) {
    if (in.IsValid(i)) {
      LAKESYNC_ASSIGN_OR_RETURN(dst[i], fn(i));
    } else {
      dst[i] = Dst{};
    }
  }
  return out;
}

Status Unsupported(std::string_view path, const DataType& from, const DataType& to) {
  return Status::NotSupported("column '{}': cannot read data file type {} as table type {}", path,
                              from.ToString(), to.ToString());
}

Status OutOfRange(std::string_view path, int64_t row, const DataType& to) {
  return Status::InvalidArgument("column '{}': value in row {} does not fit table type {}", path,
                                 row, to.ToString());
}

int64_t ToMicros(int64_t v, TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillis:
      return v * 1000;
    case TimeUnit::kNanos: {
      int64_t q = v / 1000;
      if (v % 1000 < 0) --q;  // floor, so pre-1970 instants round down like positive ones
      return q;
    }
    case TimeUnit::kMicros:
      return v;
  }
  return v;
}

int64_t FromMicros(int64_t v, TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillis: {
      int64_t q = v / 1000;
      if (v % 1000 < 0) --q;
      return q;
    }
    case TimeUnit::kNanos:
      return v * 1000;
    case TimeUnit::kMicros:
      return v;
  }
  return v;
}

Result<ColumnVector> ConvertInteger(const ColumnVector& in, const DataType& to,
                                    std::string_view path) {
  const DataType& from = in.type();
  return VisitInteger(from.id, [&](auto src_tag) -> Result<ColumnVector> {
    using S = decltype(src_tag);
    const S* src = in.template data<S>();
    if (IsInteger(to.id)) {
      return VisitInteger(to.id, [&](auto dst_tag) -> Result<ColumnVector> {
        using D = decltype(dst_tag);
        return MapValues<D>(in, to, [&](int64_t i) -> Result<D> {
          if (!std::in_range<D>(src[i])) return OutOfRange(path, i, to);
          return static_cast<D>(src[i]);
        });
      });
    }
    if (to.id == TypeId::kFloat64) {
      return MapValues<double>(
          in, to, [&](int64_t i) -> Result<double> { return static_cast<double>(src[i]); });
    }
    if (to.id == TypeId::kFloat32) {
      return MapValues<float>(
          in, to, [&](int64_t i) -> Result<float> { return static_cast<float>(src[i]); });
    }
    if (to.id == TypeId::kDecimal) {
      const Int128 factor = Pow10(to.scale);
      const Int128 limit = Pow10(to.precision);
      return MapValues<Int128>(in, to, [&](int64_t i) -> Result<Int128> {
        const Int128 v = static_cast<Int128>(src[i]) * factor;
        if (v >= limit || v <= -limit) return OutOfRange(path, i, to);
        return v;
      });
    }
    return Unsupported(path, from, to);
  });
}

Result<ColumnVector> RescaleDecimal(const ColumnVector& in, const DataType& to,
                                    std::string_view path) {
  const DataType& from = in.type();
  const Int128* src = in.data<Int128>();
  const Int128 limit = Pow10(to.precision);
  if (to.scale >= from.scale) {
    const Int128 factor = Pow10(to.scale - from.scale);
    return MapValues<Int128>(in, to, [&](int64_t i) -> Result<Int128> {
      const Int128 v = src[i] * factor;
      if (v >= limit || v <= -limit) return OutOfRange(path, i, to);
      return v;
    });
  }
  const Int128 divisor = Pow10(from.scale - to.scale);
  return MapValues<Int128>(in, to, [&](int64_t i) -> Result<Int128> {
    if (src[i] % divisor != 0) return OutOfRange(path, i, to);
    const Int128 v = src[i] / divisor;
    if (v >= limit || v <= -limit) return OutOfRange(path, i, to);
    return v;
  });
}

Result<ColumnVector> ConvertPrimitive(ColumnVector col, const DataType& to, std::string_view path) {
  const DataType& from = col.type();
  // Same storage: relabel (keeps string kind, decimal precision, utc flag of the table).
  if (from.id == to.id && from.id != TypeId::kTimestamp && from.id != TypeId::kTime &&
      (from.id != TypeId::kDecimal || from.scale == to.scale)) {
    col.mutable_type() = to;
    return col;
  }
  if ((from.id == TypeId::kString || from.id == TypeId::kBinary) &&
      (to.id == TypeId::kString || to.id == TypeId::kBinary) && from.fixed_length < 0) {
    col.mutable_type() = to;
    return col;
  }
  if (from.id == TypeId::kDecimal && to.id == TypeId::kDecimal) {
    return RescaleDecimal(col, to, path);
  }
  if (IsInteger(from.id)) return ConvertInteger(col, to, path);
  if ((from.id == TypeId::kFloat32 || from.id == TypeId::kFloat16) && to.id == TypeId::kFloat64) {
    const float* src = col.data<float>();
    return MapValues<double>(col, to, [&](int64_t i) -> Result<double> { return src[i]; });
  }
  if (to.id == TypeId::kTimestamp) {
    if (from.id == TypeId::kTimestamp) {
      if (from.unit == to.unit) {
        col.mutable_type() = to;
        return col;
      }
      const int64_t* src = col.data<int64_t>();
      return MapValues<int64_t>(col, to, [&](int64_t i) -> Result<int64_t> {
        return FromMicros(ToMicros(src[i], from.unit), to.unit);
      });
    }
    if (from.id == TypeId::kDate) {
      const int32_t* src = col.data<int32_t>();
      return MapValues<int64_t>(col, to, [&](int64_t i) -> Result<int64_t> {
        return FromMicros(static_cast<int64_t>(src[i]) * kMicrosPerDay, to.unit);
      });
    }
    if (from.id == TypeId::kBinary && from.fixed_length == 12) {
      // INT96: nanoseconds of the day (little-endian int64), then the Julian day (int32).
      return MapValues<int64_t>(col, to, [&](int64_t i) -> Result<int64_t> {
        const std::string_view raw = col.StringValue(i);
        if (raw.size() != 12) return Status::Corruption("column '{}': bad INT96 value", path);
        int64_t nanos = 0;
        int32_t julian = 0;
        std::memcpy(&nanos, raw.data(), 8);
        std::memcpy(&julian, raw.data() + 8, 4);
        const int64_t micros =
            (static_cast<int64_t>(julian) - kJulianDayOfEpoch) * kMicrosPerDay + nanos / 1000;
        return FromMicros(micros, to.unit);
      });
    }
  }
  return Unsupported(path, from, to);
}

}  // namespace

ColumnVector NullColumn(const DataType& type, int64_t length) {
  ColumnVector col(type);
  col.set_length(length);
  col.validity().assign(static_cast<size_t>(length), 0);
  const int width = type.ValueWidth();
  if (width > 0) col.values().assign(static_cast<size_t>(length) * width, 0);
  switch (type.id) {
    case TypeId::kString:
    case TypeId::kBinary:
      col.offsets().assign(static_cast<size_t>(length) + 1, 0);
      break;
    case TypeId::kStruct:
      for (const auto& child : type.children) {
        col.children().push_back(NullColumn(child.type, length));
      }
      break;
    case TypeId::kList:
    case TypeId::kMap:
      col.offsets().assign(static_cast<size_t>(length) + 1, 0);
      for (const auto& child : type.children) col.children().push_back(NullColumn(child.type, 0));
      break;
    default:
      break;
  }
  return col;
}

int FindFileField(const std::vector<Field>& file_fields, const Field& target,
                  const ColumnMeta& meta, ColumnMappingMode mode) {
  if (mode == ColumnMappingMode::kId && meta.id >= 0) {
    for (size_t i = 0; i < file_fields.size(); ++i) {
      if (file_fields[i].field_id == meta.id) return static_cast<int>(i);
    }
    return -1;
  }
  const std::string& name = mode == ColumnMappingMode::kNone || meta.physical_name.empty()
                                ? target.name
                                : meta.physical_name;
  for (size_t i = 0; i < file_fields.size(); ++i) {
    if (file_fields[i].name == name) return static_cast<int>(i);
  }
  for (size_t i = 0; i < file_fields.size(); ++i) {
    if (EqualsIgnoreCase(file_fields[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

Result<ColumnVector> ConvertColumn(ColumnVector column, const Field& target, const ColumnMeta& meta,
                                   ColumnMappingMode mode, std::string_view path) {
  const DataType& to = target.type;
  const DataType& from = column.type();
  if (to.id == TypeId::kNull) return NullColumn(to, column.length());
  if (!to.IsNested()) {
    if (to.id == TypeId::kString && to.string_kind == StringKind::kVariant &&
        from.id == TypeId::kStruct) {
      return VariantColumnToJson(column, to, path);
    }
    if (from.IsNested()) return Unsupported(path, from, to);
    return ConvertPrimitive(std::move(column), to, path);
  }
  if (from.id != to.id) return Unsupported(path, from, to);
  static const ColumnMeta kNoMeta;
  auto child_meta = [&](size_t i) -> const ColumnMeta& {
    return i < meta.children.size() ? meta.children[i] : kNoMeta;
  };
  std::vector<ColumnVector> children;
  if (to.id == TypeId::kStruct) {
    for (size_t i = 0; i < to.children.size(); ++i) {
      const Field& child = to.children[i];
      const std::string child_path = fmt::format("{}.{}", path, child.name);
      const int idx = FindFileField(from.children, child, child_meta(i), mode);
      if (idx < 0 || static_cast<size_t>(idx) >= column.children().size()) {
        children.push_back(NullColumn(child.type, column.length()));
        continue;
      }
      LAKESYNC_ASSIGN_OR_RETURN(
          auto converted,
          ConvertColumn(std::move(column.children()[idx]), child, child_meta(i), mode, child_path));
      children.push_back(std::move(converted));
    }
  } else {
    // List: the element; map: key and value. Their positions are fixed.
    if (column.children().size() != to.children.size()) {
      return Status::Corruption("column '{}': nested column has {} children, expected {}", path,
                                column.children().size(), to.children.size());
    }
    for (size_t i = 0; i < to.children.size(); ++i) {
      const Field& child = to.children[i];
      LAKESYNC_ASSIGN_OR_RETURN(
          auto converted, ConvertColumn(std::move(column.children()[i]), child, child_meta(i), mode,
                                        fmt::format("{}.{}", path, child.name)));
      children.push_back(std::move(converted));
    }
  }
  column.children() = std::move(children);
  column.mutable_type() = to;
  return column;
}

}  // namespace lakesync::delta
