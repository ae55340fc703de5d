// How PostgreSQL prints a lakesync value with ::text (TimeZone UTC, DateStyle ISO), so tests
// can compare target rows with the source value by value.
#pragma once

#include <optional>
#include <string>

#include "lakesync/common/column_batch.h"

namespace lakesync::testing {

/// True when `pg_text` (nullopt for NULL) is how PostgreSQL prints `col`'s value at `row`.
/// Floats are compared by value, so formatting differences do not matter. On a mismatch,
/// `*expected` says what was expected.
bool MatchesPgText(const ColumnVector& col, int64_t row, const std::optional<std::string>& pg_text,
                   std::string* expected);

}  // namespace lakesync::testing
