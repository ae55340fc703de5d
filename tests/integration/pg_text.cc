#include "pg_text.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>

namespace lakesync::testing {
namespace {

// Proleptic Gregorian civil date from days since 1970-01-01 (the well-known era algorithm).
void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

std::string DateText(int64_t days) {
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  return fmt::format("{:04}-{:02}-{:02}", y, m, d);
}

std::string TimestampText(int64_t micros, bool utc) {
  int64_t days = micros / 86'400'000'000LL;
  int64_t rem = micros % 86'400'000'000LL;
  if (rem < 0) {
    rem += 86'400'000'000LL;
    --days;
  }
  const int64_t secs = rem / 1'000'000;
  int64_t frac = rem % 1'000'000;
  std::string out = fmt::format("{} {:02}:{:02}:{:02}", DateText(days), secs / 3600,
                                (secs / 60) % 60, secs % 60);
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
      return v >= 0 ? v / 1000 : -((-v + 999) / 1000);
  }
  return v;
}

std::string DecimalText(__int128 v, int scale) {
  const bool neg = v < 0;
  unsigned __int128 mag = neg ? -static_cast<unsigned __int128>(v) : v;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(mag % 10)));
    mag /= 10;
  } while (mag);
  while (static_cast<int>(digits.size()) <= scale) digits.insert(digits.begin(), '0');
  if (scale > 0) digits.insert(digits.end() - scale, '.');
  return neg ? "-" + digits : digits;
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
    const double want =
        t.id == TypeId::kFloat64 ? col.Value<double>(row) : static_cast<double>(col.Value<float>(row));
    *expected = fmt::format("{}", want);
    if (!pg_text) return false;
    const double got = std::strtod(pg_text->c_str(), nullptr);
    if (std::isnan(want)) return std::isnan(got);
    return t.id == TypeId::kFloat64 ? got == want
                                    : static_cast<float>(got) == static_cast<float>(want);
  }
  switch (t.id) {
    case TypeId::kBoolean:
      *expected = col.Value<uint8_t>(row) ? "t" : "f";
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
      *expected = DecimalText(col.Value<__int128>(row), t.scale);
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
