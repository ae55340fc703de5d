#include "pg_text.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

#include "lakesync/common/value_text.h"

namespace lakesync::testing {
namespace {

std::string DateText(int64_t days) {
  int64_t y;
  int m, d;
  CivilFromDays(days, y, m, d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

std::string TimestampText(int64_t micros, bool utc) {
  const int64_t days = FloorDiv(micros, 86'400'000'000LL);
  const int64_t rem = micros - days * 86'400'000'000LL;
  const int64_t secs = rem / 1'000'000;
  int64_t frac = rem % 1'000'000;
  std::string out =
      fmt::format("{} {:02}:{:02}:{:02}", DateText(days), secs / 3600, (secs / 60) % 60, secs % 60);
  if (frac) {
    std::string f = fmt::format("{:06}", frac);
    while (f.back() == '0') f.pop_back();
    out += "." + f;
  }
  if (utc) out += "+00";
  return out;
}

int64_t ToMicros(int64_t v, TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kMillis:
      return v * 1000;
    case TimeUnit::kMicros:
      return v;
    case TimeUnit::kNanos:
      return FloorDiv(v, 1000);
  }
  return v;
}

std::string HexBytes(std::string_view s) {
  std::string out = "\\x";
  for (unsigned char c : s) out += fmt::format("{:02x}", c);
  return out;
}

}  // namespace

bool MatchesPgText(const ColumnVector& col, int64_t row, const std::optional<std::string>& pg_text,
                   std::string* expected) {
  if (col.IsNull(row)) {
    *expected = "NULL";
    return !pg_text.has_value();
  }
  const DataType& t = col.type();
  if (t.id == TypeId::kFloat32 || t.id == TypeId::kFloat64 || t.id == TypeId::kFloat16) {
    const double want = t.id == TypeId::kFloat64 ? col.Value<double>(row)
                                                 : static_cast<double>(col.Value<float>(row));
    *expected = fmt::format("{}", want);
    if (!pg_text) return false;
    const double got = std::strtod(pg_text->c_str(), nullptr);
    if (std::isnan(want)) return std::isnan(got);
    return t.id == TypeId::kFloat64 ? got == want
                                    : static_cast<float>(got) == static_cast<float>(want);
  }
  switch (t.id) {
    case TypeId::kBoolean:
      *expected = col.Value<uint8_t>(row) ? "true" : "false";
      break;
    case TypeId::kInt8:
      *expected = std::to_string(col.Value<int8_t>(row));
      break;
    case TypeId::kInt16:
      *expected = std::to_string(col.Value<int16_t>(row));
      break;
    case TypeId::kInt32:
      *expected = std::to_string(col.Value<int32_t>(row));
      break;
    case TypeId::kInt64:
      *expected = std::to_string(col.Value<int64_t>(row));
      break;
    case TypeId::kDecimal:
      expected->clear();
      AppendDecimalText(col.Value<Int128>(row), t.scale, *expected);
      break;
    case TypeId::kString:
      *expected = std::string(col.StringValue(row));
      break;
    case TypeId::kBinary:
      *expected = HexBytes(col.StringValue(row));
      break;
    case TypeId::kDate:
      *expected = DateText(col.Value<int32_t>(row));
      break;
    case TypeId::kTimestamp:
      *expected = TimestampText(ToMicros(col.Value<int64_t>(row), t.unit), t.utc);
      break;
    default:
      *expected = "(type " + t.ToString() + " not compared)";
      return false;
  }
  return pg_text && *pg_text == *expected;
}

}  // namespace lakesync::testing
