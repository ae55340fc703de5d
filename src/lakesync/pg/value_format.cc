#include "lakesync/pg/value_format_internal.h"

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <iterator>
#include <vector>

#include "lakesync/common/macros.h"
#include "lakesync/common/value_text.h"

namespace lakesync::pg::internal {
namespace {

constexpr uint32_t kPow10[] = {1, 10, 100, 1000, 10000};

void PutBE16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

void AppendPadded(int64_t v, int width, std::string& out) {
  fmt::format_to(std::back_inserter(out), "{:0{}}", v, width);
}

}  // namespace

std::string TextProblem(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      // Eight ASCII bytes, none of them NUL.
      if ((w & kHigh) == 0 && ((w - kOnes) & ~w & kHigh) == 0) {
        i += 8;
        continue;
      }
    }
    const uint8_t c = p[i];
    if (c < 0x80) {
      if (c == 0) return fmt::format("NUL byte at offset {}", i);
      ++i;
      continue;
    }
    int len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return fmt::format("invalid UTF-8 byte 0x{:02x} at offset {}", c, i);
    }
    if (i + len > n) return fmt::format("truncated UTF-8 sequence at offset {}", i);
    for (int j = 1; j < len; ++j) {
      const uint8_t b = p[i + j];
      if ((b & 0xC0) != 0x80) return fmt::format("invalid UTF-8 sequence at offset {}", i);
      cp = (cp << 6) | (b & 0x3F);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))) {
      return fmt::format("invalid UTF-8 sequence at offset {}", i);
    }
    i += len;
  }
  return std::string();
}

namespace {

bool IsJsonSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Scans the string starting at s[i] == '"'; leaves i after the closing quote.
std::string ScanJsonString(std::string_view s, size_t& i) {
  const size_t start = i++;
  bool pending_high = false;  // the previous escape was a high surrogate
  while (i < s.size()) {
    const char c = s[i];
    if (c == '"') {
      if (pending_high) return fmt::format("unpaired surrogate escape at offset {}", i);
      ++i;
      return std::string();
    }
    if (static_cast<unsigned char>(c) < 0x20) {
      return fmt::format("unescaped control character in string at offset {}", i);
    }
    if (c != '\\') {
      if (pending_high) return fmt::format("unpaired surrogate escape at offset {}", i);
      ++i;
      continue;
    }
    if (i + 1 >= s.size()) break;
    const char e = s[i + 1];
    if (e == 'u') {
      if (i + 6 > s.size()) return fmt::format("truncated \\u escape at offset {}", i);
      int cp = 0;
      for (size_t k = i + 2; k < i + 6; ++k) {
        const int h = HexValue(s[k]);
        if (h < 0) return fmt::format("bad \\u escape at offset {}", i);
        cp = cp * 16 + h;
      }
      if (cp == 0) return fmt::format("\\u0000 at offset {} (jsonb cannot store it)", i);
      const bool high = cp >= 0xD800 && cp <= 0xDBFF;
      const bool low = cp >= 0xDC00 && cp <= 0xDFFF;
      if (low != pending_high) return fmt::format("unpaired surrogate escape at offset {}", i);
      pending_high = high;
      i += 6;
      continue;
    }
    if (pending_high) return fmt::format("unpaired surrogate escape at offset {}", i);
    if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' &&
        e != 't') {
      return fmt::format("bad escape \\{} at offset {}", e, i);
    }
    i += 2;
  }
  return fmt::format("unterminated string starting at offset {}", start);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string ScanJsonNumber(std::string_view s, size_t& i) {
  const size_t start = i;
  auto bad = [&] { return fmt::format("bad number at offset {}", start); };
  if (s[i] == '-') ++i;
  if (i >= s.size() || !IsDigit(s[i])) return bad();
  if (s[i] == '0') {
    ++i;
  } else {
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (i >= s.size() || !IsDigit(s[i])) return bad();
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= s.size() || !IsDigit(s[i])) return bad();
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (i < s.size() && (IsDigit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E')) return bad();
  return std::string();
}

}  // namespace

std::string JsonProblem(std::string_view s) {
  std::vector<char> open;  // '{' or '[' for each enclosing container
  size_t i = 0;
  const size_t n = s.size();
  auto skip_space = [&] {
    while (i < n && IsJsonSpace(s[i])) ++i;
  };
  // After '{' or ',' in an object: a key and its colon.
  auto scan_key = [&]() -> std::string {
    skip_space();
    if (i >= n || s[i] != '"') return fmt::format("expected an object key at offset {}", i);
    std::string problem = ScanJsonString(s, i);
    if (!problem.empty()) return problem;
    skip_space();
    if (i >= n || s[i] != ':') return fmt::format("expected ':' at offset {}", i);
    ++i;
    return std::string();
  };
  while (true) {
    // A value.
    skip_space();
    if (i >= n) return "unexpected end of JSON";
    const char c = s[i];
    bool value_done = true;
    if (c == '{' || c == '[') {
      ++i;
      skip_space();
      if (i < n && s[i] == (c == '{' ? '}' : ']')) {
        ++i;
      } else {
        open.push_back(c);
        if (c == '{') {
          std::string problem = scan_key();
          if (!problem.empty()) return problem;
        }
        value_done = false;
      }
    } else if (c == '"') {
      std::string problem = ScanJsonString(s, i);
      if (!problem.empty()) return problem;
    } else if (c == '-' || IsDigit(c)) {
      std::string problem = ScanJsonNumber(s, i);
      if (!problem.empty()) return problem;
    } else if (s.substr(i, 4) == "true" || s.substr(i, 4) == "null") {
      i += 4;
    } else if (s.substr(i, 5) == "false") {
      i += 5;
    } else {
      return fmt::format("unexpected character at offset {}", i);
    }
    if (!value_done) continue;
    // After a value: close containers or move to the next element.
    while (true) {
      skip_space();
      if (open.empty()) {
        if (i != n) return fmt::format("text after the JSON value at offset {}", i);
        return std::string();
      }
      if (i >= n) return "unexpected end of JSON";
      const char top = open.back();
      if (s[i] == ',') {
        ++i;
        if (top == '{') {
          std::string problem = scan_key();
          if (!problem.empty()) return problem;
        }
        break;  // to the next value
      }
      if (s[i] == (top == '{' ? '}' : ']')) {
        ++i;
        open.pop_back();
        continue;
      }
      return fmt::format("expected ',' or '{}' at offset {}", top == '{' ? '}' : ']', i);
    }
  }
}

size_t EncodeNumeric(UInt128 magnitude, bool negative, int scale, uint8_t* out) {
  // Base-10000 digits, least significant first, aligned so that a group boundary falls on the
  // decimal point (the numeric send format's layout).
  uint16_t groups[12];
  int n = 0;
  if (magnitude != 0) {
    const int partial = scale % 4;
    if (partial != 0) {
      // 64-bit division where the value allows: 128-bit division is a slow library call.
      if (magnitude <= UINT64_MAX) {
        const auto small = static_cast<uint64_t>(magnitude);
        groups[n++] = static_cast<uint16_t>((small % kPow10[partial]) * kPow10[4 - partial]);
        magnitude = small / kPow10[partial];
      } else {
        groups[n++] = static_cast<uint16_t>(static_cast<uint32_t>(magnitude % kPow10[partial]) *
                                            kPow10[4 - partial]);
        magnitude /= kPow10[partial];
      }
    }
    while (magnitude > UINT64_MAX) {
      groups[n++] = static_cast<uint16_t>(static_cast<uint32_t>(magnitude % 10000));
      magnitude /= 10000;
    }
    uint64_t small = static_cast<uint64_t>(magnitude);
    while (small != 0) {
      groups[n++] = static_cast<uint16_t>(small % 10000);
      small /= 10000;
    }
  }
  const int frac_groups = (scale + 3) / 4;
  const int weight = n == 0 ? 0 : n - 1 - frac_groups;
  int low = 0;
  while (low < n && groups[low] == 0) ++low;  // trailing zero groups are implied by dscale
  const int ndigits = n - low;
  PutBE16(out, static_cast<uint16_t>(ndigits));
  PutBE16(out + 2, static_cast<uint16_t>(static_cast<int16_t>(weight)));
  PutBE16(out + 4, ndigits != 0 && negative ? 0x4000 : 0x0000);
  PutBE16(out + 6, static_cast<uint16_t>(scale));
  uint8_t* p = out + 8;
  for (int i = n - 1; i >= low; --i, p += 2) PutBE16(p, groups[i]);
  return static_cast<size_t>(p - out);
}

// The shared text helpers live in common/value_text.h (canonical JSON uses them too).
void AppendDecimalText(Int128 unscaled, int scale, std::string& out) {
  lakesync::AppendDecimalText(unscaled, scale, out);
}

void CivilFromDays(int64_t days, int64_t& year, int& month, int& day) {
  lakesync::CivilFromDays(days, year, month, day);
}

namespace {

void AppendYmd(int64_t days, std::string& out, bool& bc) {
  int64_t year;
  int month, day;
  CivilFromDays(days, year, month, day);
  bc = year <= 0;
  AppendPadded(bc ? 1 - year : year, 4, out);
  out.push_back('-');
  AppendPadded(month, 2, out);
  out.push_back('-');
  AppendPadded(day, 2, out);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

}  // namespace

void AppendDateText(int64_t days_since_1970, std::string& out) {
  bool bc;
  AppendYmd(days_since_1970, out, bc);
  if (bc) out += " BC";
}

void AppendTimeOfDayText(int64_t micros_of_day, std::string& out) {
  const int64_t secs = micros_of_day / 1000000;
  int64_t frac = micros_of_day % 1000000;
  AppendPadded(secs / 3600, 2, out);
  out.push_back(':');
  AppendPadded(secs / 60 % 60, 2, out);
  out.push_back(':');
  AppendPadded(secs % 60, 2, out);
  if (frac != 0) {
    int width = 6;
    while (frac % 10 == 0) {
      frac /= 10;
      --width;
    }
    out.push_back('.');
    AppendPadded(frac, width, out);
  }
}

void AppendTimestampText(int64_t micros_since_1970, bool utc, std::string& out) {
  constexpr int64_t kMicrosPerDay = 86400LL * 1000000;
  // Quotient and remainder rather than days * kMicrosPerDay, which overflows near INT64_MIN.
  int64_t days = micros_since_1970 / kMicrosPerDay;
  int64_t of_day = micros_since_1970 % kMicrosPerDay;
  if (of_day < 0) {
    of_day += kMicrosPerDay;
    --days;
  }
  bool bc;
  AppendYmd(days, out, bc);
  out.push_back('T');
  AppendTimeOfDayText(of_day, out);
  if (utc) out += "+00:00";
  if (bc) out += " BC";
}

bool ToMicros(int64_t value, TimeUnit unit, int64_t& micros) {
  switch (unit) {
    case TimeUnit::kMillis:
      return !__builtin_mul_overflow(value, int64_t{1000}, &micros);
    case TimeUnit::kMicros:
      micros = value;
      return true;
    case TimeUnit::kNanos:
      micros = FloorDiv(value, 1000);
      return true;
  }
  return false;
}

void AppendBase64(std::string_view bytes, std::string& out) { lakesync::AppendBase64(bytes, out); }

void AppendJsonString(std::string_view s, std::string& out) { lakesync::AppendJsonString(s, out); }

namespace {

Status BadShape(std::string_view path, std::string_view what) {
  return Status::Corruption("nested value {}: {}", path.empty() ? "(root)" : path, what);
}

template <typename T>
void AppendFloat(T v, std::string& out) {
  if (std::isnan(v)) {
    out += "\"NaN\"";
  } else if (std::isinf(v)) {
    out += v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    fmt::format_to(std::back_inserter(out), "{}", v);
  }
}

Status Render(const ColumnVector& col, int64_t row, std::string& out, const std::string& path);

Status CheckOffsets(const ColumnVector& col, int64_t row, const std::string& path, uint32_t& begin,
                    uint32_t& end) {
  if (col.offsets().size() < static_cast<size_t>(row + 2)) {
    return BadShape(path, "offsets shorter than the column");
  }
  begin = col.offsets()[row];
  end = col.offsets()[row + 1];
  if (end < begin) return BadShape(path, "offsets decrease");
  return Status::OK();
}

Status RenderScalar(const ColumnVector& col, int64_t row, std::string& out,
                    const std::string& path) {
  const DataType& type = col.type();
  const int width = type.ValueWidth();
  if (width > 0 && col.values().size() < static_cast<size_t>(row + 1) * width) {
    return BadShape(path, "values shorter than the column");
  }
  auto it = std::back_inserter(out);
  switch (type.id) {
    case TypeId::kBoolean:
      out += col.Value<uint8_t>(row) != 0 ? "true" : "false";
      return Status::OK();
    case TypeId::kInt8:
      fmt::format_to(it, "{}", col.Value<int8_t>(row));
      return Status::OK();
    case TypeId::kInt16:
      fmt::format_to(it, "{}", col.Value<int16_t>(row));
      return Status::OK();
    case TypeId::kInt32:
      fmt::format_to(it, "{}", col.Value<int32_t>(row));
      return Status::OK();
    case TypeId::kInt64:
      fmt::format_to(it, "{}", col.Value<int64_t>(row));
      return Status::OK();
    case TypeId::kUInt8:
      fmt::format_to(it, "{}", col.Value<uint8_t>(row));
      return Status::OK();
    case TypeId::kUInt16:
      fmt::format_to(it, "{}", col.Value<uint16_t>(row));
      return Status::OK();
    case TypeId::kUInt32:
      fmt::format_to(it, "{}", col.Value<uint32_t>(row));
      return Status::OK();
    case TypeId::kUInt64:
      fmt::format_to(it, "{}", col.Value<uint64_t>(row));
      return Status::OK();
    case TypeId::kFloat16:
    case TypeId::kFloat32:
      AppendFloat(col.Value<float>(row), out);
      return Status::OK();
    case TypeId::kFloat64:
      AppendFloat(col.Value<double>(row), out);
      return Status::OK();
    case TypeId::kDecimal:
      AppendDecimalText(col.Value<Int128>(row), type.scale, out);
      return Status::OK();
    case TypeId::kDate:
      out.push_back('"');
      AppendDateText(col.Value<int32_t>(row), out);
      out.push_back('"');
      return Status::OK();
    case TypeId::kTime: {
      int64_t micros;
      const int64_t v = col.Value<int64_t>(row);
      if (!ToMicros(v, type.unit, micros) || micros < 0 || micros > 86400LL * 1000000) {
        return Status::InvalidArgument("nested time {} at {} is not a time of day", v, path);
      }
      out.push_back('"');
      AppendTimeOfDayText(micros, out);
      out.push_back('"');
      return Status::OK();
    }
    case TypeId::kTimestamp: {
      int64_t micros;
      const int64_t v = col.Value<int64_t>(row);
      if (!ToMicros(v, type.unit, micros)) {
        return Status::InvalidArgument("nested timestamp {} at {} is out of range", v, path);
      }
      out.push_back('"');
      AppendTimestampText(micros, type.utc, out);
      out.push_back('"');
      return Status::OK();
    }
    case TypeId::kString:
    case TypeId::kBinary: {
      uint32_t begin, end;
      Status st = CheckOffsets(col, row, path, begin, end);
      if (!st.ok()) return st;
      if (end > col.bytes().size()) return BadShape(path, "string data shorter than offsets");
      const std::string_view s(reinterpret_cast<const char*>(col.bytes().data()) + begin,
                               end - begin);
      if (type.id == TypeId::kBinary) {
        out.push_back('"');
        AppendBase64(s, out);
        out.push_back('"');
        return Status::OK();
      }
      std::string problem = TextProblem(s);
      if (!problem.empty()) {
        return Status::InvalidArgument("nested string {} cannot be stored: {}",
                                       path.empty() ? "(root)" : path, problem);
      }
      if (type.string_kind == StringKind::kJson || type.string_kind == StringKind::kVariant) {
        // JSON and variant values are JSON already: embed them, not their text.
        problem = JsonProblem(s);
        if (!problem.empty()) {
          return Status::InvalidArgument("nested JSON {} is invalid: {}",
                                         path.empty() ? "(root)" : path, problem);
        }
        out.append(s);
        return Status::OK();
      }
      AppendJsonString(s, out);
      return Status::OK();
    }
    default:
      return BadShape(path, "unexpected type " + type.ToString());
  }
}

Status Render(const ColumnVector& col, int64_t row, std::string& out, const std::string& path) {
  if (row < 0 || row >= col.length()) return BadShape(path, "row past the end of the column");
  if (col.type().id == TypeId::kNull) {
    out += "null";
    return Status::OK();
  }
  if (!col.validity().empty()) {
    if (col.validity().size() <= static_cast<size_t>(row)) {
      return BadShape(path, "validity shorter than the column");
    }
    if (col.validity()[row] == 0) {
      out += "null";
      return Status::OK();
    }
  }
  const DataType& type = col.type();
  switch (type.id) {
    case TypeId::kStruct: {
      if (col.children().size() != type.children.size()) {
        return BadShape(path, "struct children do not match its fields");
      }
      out.push_back('{');
      for (size_t i = 0; i < type.children.size(); ++i) {
        const std::string& name = type.children[i].name;
        const std::string child_path = path.empty() ? name : path + "." + name;
        std::string problem = TextProblem(name);
        if (!problem.empty()) {
          return Status::InvalidArgument("struct field name at {}: {}", child_path, problem);
        }
        if (i != 0) out.push_back(',');
        AppendJsonString(name, out);
        out.push_back(':');
        LAKESYNC_RETURN_NOT_OK(Render(col.children()[i], row, out, child_path));
      }
      out.push_back('}');
      return Status::OK();
    }
    case TypeId::kList: {
      if (col.children().size() != 1) return BadShape(path, "list without an element column");
      uint32_t begin, end;
      LAKESYNC_RETURN_NOT_OK(CheckOffsets(col, row, path, begin, end));
      const std::string child_path = path + "[]";
      out.push_back('[');
      for (uint32_t i = begin; i < end; ++i) {
        if (i != begin) out.push_back(',');
        LAKESYNC_RETURN_NOT_OK(Render(col.children()[0], i, out, child_path));
      }
      out.push_back(']');
      return Status::OK();
    }
    case TypeId::kMap: {
      if (col.children().size() != 2) return BadShape(path, "map without key/value columns");
      uint32_t begin, end;
      LAKESYNC_RETURN_NOT_OK(CheckOffsets(col, row, path, begin, end));
      const ColumnVector& keys = col.children()[0];
      const ColumnVector& values = col.children()[1];
      const std::string key_path = path + ".key";
      const std::string value_path = path + ".value";
      std::string key_text;
      out.push_back('{');
      for (uint32_t i = begin; i < end; ++i) {
        if (i != begin) out.push_back(',');
        if (i >= keys.length()) return BadShape(key_path, "row past the end of the column");
        if (keys.type().id == TypeId::kNull ||
            (keys.validity().size() > i && keys.validity()[i] == 0)) {
          return Status::InvalidArgument("map {} has a null key", path.empty() ? "(root)" : path);
        }
        key_text.clear();
        LAKESYNC_RETURN_NOT_OK(Render(keys, i, key_text, key_path));
        if (!key_text.empty() && key_text.front() == '"') {
          out += key_text;  // already a JSON string
        } else {
          AppendJsonString(key_text, out);  // a number, boolean or nested value as text
        }
        out.push_back(':');
        LAKESYNC_RETURN_NOT_OK(Render(values, i, out, value_path));
      }
      out.push_back('}');
      return Status::OK();
    }
    default:
      return RenderScalar(col, row, out, path);
  }
}

}  // namespace

Status AppendJsonValue(const ColumnVector& col, int64_t row, std::string& out) {
  static const std::string kRoot;
  return Render(col, row, out, kRoot);
}

}  // namespace lakesync::pg::internal
