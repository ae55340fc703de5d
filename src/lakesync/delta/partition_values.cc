#include "lakesync/delta/partition_values.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "lakesync/common/macros.h"
#include "lakesync/common/strings.h"

namespace lakesync::delta {

namespace {

template <typename T>
std::string Bytes(T value) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

template <typename T>
Result<T> ParseInteger(std::string_view text) {
  T v{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec == std::errc::result_out_of_range) {
    return Status::InvalidArgument("'{}' is out of range", text);
  }
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return Status::InvalidArgument("'{}' is not an integer", text);
  }
  return v;
}

// Reads exactly `n` digits.
bool Digits(std::string_view& s, size_t n, int64_t* out) {
  if (s.size() < n) return false;
  int64_t v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  s.remove_prefix(n);
  *out = v;
  return true;
}

// Reads one or more digits.
bool SomeDigits(std::string_view& s, int64_t* out, size_t* count = nullptr) {
  size_t n = 0;
  while (n < s.size() && n < 18 && std::isdigit(static_cast<unsigned char>(s[n]))) ++n;
  if (count) *count = n;
  return n > 0 && Digits(s, n, out);
}

bool Take(std::string_view& s, char c) {
  if (s.empty() || s.front() != c) return false;
  s.remove_prefix(1);
  return true;
}

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// "[-]Y...-MM-DD" at the front of `s`.
bool TakeDate(std::string_view& s, int64_t* days) {
  const bool negative = Take(s, '-');
  int64_t year = 0, month = 0, day = 0;
  if (!SomeDigits(s, &year) || !Take(s, '-') || !Digits(s, 2, &month) || !Take(s, '-') ||
      !Digits(s, 2, &day)) {
    return false;
  }
  if (negative) year = -year;
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, static_cast<int>(month))) {
    return false;
  }
  *days = DaysFromCivil(year, static_cast<int>(month), static_cast<int>(day));
  return true;
}

Int128 Pow10(int n) {
  Int128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

}  // namespace

int64_t DaysFromCivil(int64_t year, int month, int day) {
  // Shift the year to start in March so the leap day is the last day of the year.
  const int64_t y = month <= 2 ? year - 1 : year;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t year_of_era = y - era * 400;                          // [0, 399]
  const int64_t month_index = month > 2 ? month - 3 : month + 9;      // March = 0
  const int64_t day_of_year = (153 * month_index + 2) / 5 + day - 1;  // [0, 365]
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;  // 719468 days from 0000-03-01 to 1970-01-01
}

Result<int32_t> ParseDate(std::string_view text) {
  std::string_view s = text;
  int64_t days = 0;
  if (!TakeDate(s, &days) || !s.empty()) {
    return Status::InvalidArgument("'{}' is not a date (YYYY-MM-DD)", text);
  }
  return static_cast<int32_t>(days);
}

Result<int64_t> ParseTimestampMicros(std::string_view text) {
  std::string_view s = text;
  int64_t days = 0, hour = 0, minute = 0, second = 0, micros = 0;
  auto bad = [&] {
    return Status::InvalidArgument("'{}' is not a timestamp (YYYY-MM-DD HH:MM:SS[.ffffff])", text);
  };
  if (!TakeDate(s, &days)) return bad();
  if (!s.empty()) {
    if (!Take(s, ' ') && !Take(s, 'T')) return bad();
    if (!Digits(s, 2, &hour) || !Take(s, ':') || !Digits(s, 2, &minute)) return bad();
    if (Take(s, ':') && !Digits(s, 2, &second)) return bad();
    if (Take(s, '.')) {
      size_t n = 0;
      int64_t frac = 0;
      std::string_view digits = s;
      while (n < digits.size() && std::isdigit(static_cast<unsigned char>(digits[n]))) ++n;
      if (n == 0 || n > 9) return bad();
      Digits(s, n, &frac);
      // Keep microseconds; finer digits are truncated.
      for (size_t i = n; i < 6; ++i) frac *= 10;
      for (size_t i = 6; i < n; ++i) frac /= 10;
      micros = frac;
    }
    if (hour > 23 || minute > 59 || second > 60) return bad();
    int64_t offset_minutes = 0;
    if (Take(s, 'Z')) {
    } else if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
      const bool negative = s.front() == '-';
      s.remove_prefix(1);
      int64_t oh = 0, om = 0;
      if (!Digits(s, 2, &oh)) return bad();
      Take(s, ':');
      if (!s.empty() && !Digits(s, 2, &om)) return bad();
      offset_minutes = (oh * 60 + om) * (negative ? -1 : 1);
    }
    if (!s.empty()) return bad();
    // A local time at offset +H:M is H:M ahead of UTC.
    minute -= offset_minutes;
  }
  return ((days * 24 + hour) * 60 + minute) * 60 * 1000000 + second * 1000000 + micros;
}

Result<Int128> ParseDecimal(std::string_view text, int32_t precision, int32_t scale) {
  std::string_view s = text;
  auto bad = [&] { return Status::InvalidArgument("'{}' is not a decimal", text); };
  const bool negative = Take(s, '-');
  if (!negative) Take(s, '+');
  std::string digits;  // all significant digits, integer part then fraction
  int fraction_digits = 0;
  bool seen_dot = false;
  while (!s.empty() && (std::isdigit(static_cast<unsigned char>(s.front())) || s.front() == '.')) {
    if (s.front() == '.') {
      if (seen_dot) return bad();
      seen_dot = true;
    } else {
      digits += s.front();
      if (seen_dot) ++fraction_digits;
    }
    s.remove_prefix(1);
  }
  if (digits.empty()) return bad();
  int64_t exponent = 0;
  if (!s.empty() && (s.front() == 'e' || s.front() == 'E')) {
    s.remove_prefix(1);
    const bool neg_exp = Take(s, '-');
    if (!neg_exp) Take(s, '+');
    if (!SomeDigits(s, &exponent) || exponent > 1000) return bad();
    if (neg_exp) exponent = -exponent;
  }
  if (!s.empty()) return bad();
  // value = digits * 10^(exponent - fraction_digits); we want digits * 10^(shift).
  int64_t shift = exponent - fraction_digits + scale;
  while (shift < 0) {
    if (digits.empty() || digits.back() != '0') {
      return Status::InvalidArgument("'{}' has more than {} fractional digits", text, scale);
    }
    digits.pop_back();
    ++shift;
  }
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Int128{0};
  digits = digits.substr(first);
  if (static_cast<int64_t>(digits.size()) + shift > precision) {
    return Status::InvalidArgument("'{}' does not fit decimal({},{})", text, precision, scale);
  }
  Int128 v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  v *= Pow10(static_cast<int>(shift));
  return negative ? -v : v;
}

Result<std::optional<std::string>> EncodePartitionValue(const DataType& type,
                                                        const std::optional<std::string>& text) {
  using R = std::optional<std::string>;
  if (!text) return R();
  const std::string_view s = *text;
  // An empty string is a null partition value for every type (PROTOCOL.md).
  if (s.empty()) return R();
  switch (type.id) {
    case TypeId::kNull:
      return R();
    case TypeId::kString:
    case TypeId::kBinary:
      return R(std::string(s));
    case TypeId::kBoolean:
      if (EqualsIgnoreCase(s, "true")) return R(Bytes<uint8_t>(1));
      if (EqualsIgnoreCase(s, "false")) return R(Bytes<uint8_t>(0));
      return Status::InvalidArgument("'{}' is not a boolean", s);
    case TypeId::kInt8: {
      LAKESYNC_ASSIGN_OR_RETURN(auto v, ParseInteger<int8_t>(s));
      return R(Bytes(v));
    }
    case TypeId::kInt16: {
      LAKESYNC_ASSIGN_OR_RETURN(auto v, ParseInteger<int16_t>(s));
      return R(Bytes(v));
    }
    case TypeId::kInt32: {
      LAKESYNC_ASSIGN_OR_RETURN(auto v, ParseInteger<int32_t>(s));
      return R(Bytes(v));
    }
    case TypeId::kInt64: {
      LAKESYNC_ASSIGN_OR_RETURN(auto v, ParseInteger<int64_t>(s));
      return R(Bytes(v));
    }
    case TypeId::kFloat32:
    case TypeId::kFloat64: {
      const std::string copy(s);
      char* end = nullptr;
      const double d = std::strtod(copy.c_str(), &end);
      if (end != copy.c_str() + copy.size()) {
        return Status::InvalidArgument("'{}' is not a number", s);
      }
      if (type.id == TypeId::kFloat32) return R(Bytes(static_cast<float>(d)));
      return R(Bytes(d));
    }
    case TypeId::kDecimal: {
      LAKESYNC_ASSIGN_OR_RETURN(auto v, ParseDecimal(s, type.precision, type.scale));
      return R(Bytes(v));
    }
    case TypeId::kDate: {
      LAKESYNC_ASSIGN_OR_RETURN(auto v, ParseDate(s));
      return R(Bytes(v));
    }
    case TypeId::kTimestamp: {
      LAKESYNC_ASSIGN_OR_RETURN(int64_t micros, ParseTimestampMicros(s));
      int64_t v = micros;
      if (type.unit == TimeUnit::kMillis) v = micros / 1000;
      if (type.unit == TimeUnit::kNanos) v = micros * 1000;
      return R(Bytes(v));
    }
    default:
      return Status::NotSupported("partition values of type {} are not supported", type.ToString());
  }
}

Result<ColumnVector> PartitionColumn(const DataType& type, const std::optional<std::string>& text,
                                     int64_t length, std::string_view column) {
  auto stored = EncodePartitionValue(type, text);
  if (!stored.ok()) {
    return stored.status().WithContext(fmt::format("partition column '{}'", column));
  }
  return ColumnVector::Constant(type, length, *stored);
}

}  // namespace lakesync::delta
