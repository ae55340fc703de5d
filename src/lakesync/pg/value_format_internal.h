// Value formatting shared by the COPY encoder: UTF-8 validation, PostgreSQL numeric send
// format, decimal/date/time text, base64 and JSON rendering of nested values. Private to pg/.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/status.h"

namespace lakesync::pg::internal {

/// Why a string cannot be stored in a PostgreSQL text value, or "" when it can.
/// Checks UTF-8 well-formedness (no overlongs, surrogates or code points past U+10FFFF) and
/// the absence of NUL bytes.
std::string TextProblem(std::string_view s);

/// Why `s` (already valid UTF-8) is not JSON that jsonb accepts, or "" when it is: RFC 8259
/// syntax (one value, optional surrounding whitespace) and no \u0000 escape or unpaired
/// surrogate escape, which jsonb rejects. Iterative, so deep nesting cannot exhaust the stack.
std::string JsonProblem(std::string_view s);

/// Upper bound of EncodeNumeric's output (39 digits -> at most 11 base-10000 digits).
inline constexpr size_t kMaxNumericBytes = 8 + 2 * 12;

/// Writes the numeric send format (ndigits, weight, sign, dscale, digits; all int16 big-endian)
/// of (negative ? -magnitude : magnitude) * 10^-scale. Returns the bytes written.
/// REQUIRES: out has kMaxNumericBytes; 0 <= scale <= 1000.
size_t EncodeNumeric(UInt128 magnitude, bool negative, int scale, uint8_t* out);

/// "123.45", "-0.05", "7" for the unscaled value and scale.
void AppendDecimalText(Int128 unscaled, int scale, std::string& out);

/// Civil date of days since 1970-01-01 (proleptic Gregorian; year 0 is 1 BC).
void CivilFromDays(int64_t days, int64_t& year, int& month, int& day);

/// PostgreSQL's ISO rendering: "2024-01-31", "0044-03-15 BC" (as to_json prints dates).
void AppendDateText(int64_t days_since_1970, std::string& out);
/// "13:45:01" or "13:45:01.5" (trailing zeros of the fraction dropped).
void AppendTimeOfDayText(int64_t micros_of_day, std::string& out);
/// JSON-style timestamp as PostgreSQL's to_json prints it in UTC:
/// "2024-01-31T13:45:01.123456" plus "+00:00" when `utc`, plus " BC" for BC years.
void AppendTimestampText(int64_t micros_since_1970, bool utc, std::string& out);

/// Floor division of a time value in `unit` to microseconds; false on overflow.
bool ToMicros(int64_t value, TimeUnit unit, int64_t& micros);

void AppendBase64(std::string_view bytes, std::string& out);

/// Appends `s` as a JSON string literal. REQUIRES: TextProblem(s) is empty.
void AppendJsonString(std::string_view s, std::string& out);

/// Appends the JSON rendering of `col`'s value at `row`: structs as objects, lists as arrays,
/// maps as objects keyed by the key's text, decimals as numbers, dates and timestamps as
/// strings, binary as base64 strings, NaN/Infinity as strings, JSON/variant strings embedded
/// as the JSON they hold. Errors: InvalidArgument for text
/// PostgreSQL cannot store (message names the nested field path) or a null map key;
/// Corruption for offsets or children that do not fit the column.
Status AppendJsonValue(const ColumnVector& col, int64_t row, std::string& out);

}  // namespace lakesync::pg::internal
