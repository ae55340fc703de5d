// Partition values: Delta stores them as strings in add.partitionValues (PROTOCOL.md
// "Partition Value Serialization"); a scan turns each into a typed constant column.
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/data_type.h"
#include "lakesync/common/result.h"

namespace lakesync::delta {

/// The stored form (the bytes ColumnVector keeps for one value) of partition value `text` of
/// type `type`; nullopt for a null (absent or empty text). InvalidArgument naming the value
/// when it does not parse as the type.
Result<std::optional<std::string>> EncodePartitionValue(const DataType& type,
                                                        const std::optional<std::string>& text);

/// A column of `length` copies of partition value `text` for `column`.
Result<ColumnVector> PartitionColumn(const DataType& type, const std::optional<std::string>& text,
                                     int64_t length, std::string_view column);

/// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t DaysFromCivil(int64_t year, int month, int day);

/// Parses "YYYY-MM-DD" into days since the epoch.
Result<int32_t> ParseDate(std::string_view text);
/// Parses "YYYY-MM-DD[ T]HH:MM:SS[.fffffffff][Z|+HH:MM|-HH:MM]" into microseconds since the
/// epoch; a time without a zone is taken as UTC.
Result<int64_t> ParseTimestampMicros(std::string_view text);
/// Parses a decimal literal ("-12.50", "1E+3") into an unscaled value at `scale`, checking
/// that it fits `precision` digits.
Result<Int128> ParseDecimal(std::string_view text, int32_t precision, int32_t scale);

}  // namespace lakesync::delta
