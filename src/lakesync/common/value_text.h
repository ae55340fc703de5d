// Text forms of single values shared by every output format (canonical JSON, PostgreSQL text
// and JSONB): UTF-8 checking, JSON string escaping, base64, decimal digits and civil dates.
// Each function appends to a caller-owned string so that a row is built in one buffer.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lakesync/common/data_type.h"

namespace lakesync {

/// Length of the well-formed UTF-8 sequence that starts `p[0..n)` (1 to 4), or, when the bytes
/// there are not well-formed, minus the length of their "maximal subpart" (Unicode ch. 3,
/// U+FFFD substitution): the bytes one U+FFFD replaces. Rejects overlongs, surrogates and code
/// points past U+10FFFF. REQUIRES: n > 0.
int Utf8SequenceLength(const uint8_t* p, size_t n);

/// Byte offset of the first ill-formed UTF-8 sequence in `s`, or std::string_view::npos.
size_t FindInvalidUtf8(std::string_view s);

/// Appends `s` as a JSON string literal: '"' and '\' escaped, control characters as \b \f \n
/// \r \t or \u00XX, other text as its UTF-8 bytes. Each maximal subpart of ill-formed UTF-8 is
/// written as \ufffd (so the output is always valid JSON and valid UTF-8).
void AppendJsonString(std::string_view s, std::string& out);

/// Appends standard base64 (RFC 4648 section 4, with '=' padding).
void AppendBase64(std::string_view bytes, std::string& out);

/// Appends unscaled * 10^-scale in plain notation with exactly `scale` fraction digits:
/// "123.45", "-0.05", "7", "0.00". REQUIRES: scale >= 0.
void AppendDecimalText(Int128 unscaled, int scale, std::string& out);

/// Floor division (rounds toward negative infinity). REQUIRES: b > 0.
inline int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

/// Civil (proleptic Gregorian) date of `days` since 1970-01-01; year 0 is 1 BC, -1 is 2 BC.
void CivilFromDays(int64_t days, int64_t& year, int& month, int& day);

}  // namespace lakesync
