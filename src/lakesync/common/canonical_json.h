// Canonical JSON: the one text form lakesync gives a row of any table, for inspection
// (`lakesync parquet cat`) and for comparing readers value by value (the DuckDB cross-check in
// tests/duckdb renders the same format from DuckDB's values). Documented in README.md
// ("Canonical JSON"); in short:
//   row          {"col": value, ...} with the columns in schema order
//   null         null
//   boolean      true / false
//   integers     JSON numbers, all 64 bits exact (uint64 too)
//   decimal      string with exactly `scale` fraction digits: "12.30", "-0.05", "7"
//   float/double shortest round-trip number (per its own width); "NaN", "Infinity", "-Infinity"
//   date         "YYYY-MM-DD"
//   timestamp    "YYYY-MM-DDTHH:MM:SS.ffffff" + "Z" when adjusted to UTC; 9 fraction digits for
//                nanosecond units, 6 otherwise
//   time         "HH:MM:SS.ffffff" (9 fraction digits for nanoseconds)
//   string       JSON string; ill-formed UTF-8 becomes \ufffd (one per maximal subpart)
//   binary       base64 string (fixed-length too); UUIDs as "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
//   struct       object in field order; list: array; map: object keyed by the key's canonical
//                text (the string's contents for values rendered as strings, the number's text
//                for numbers, the compact JSON for nested keys), entries in stored order
// Years outside 0000..9999 are written with a sign and at least four digits ("-0001", "+10000");
// year 0 is 1 BC (ISO 8601 astronomical numbering).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/result.h"
#include "lakesync/common/status.h"

namespace lakesync {

/// Appends the canonical JSON of `col`'s value at `row`. Errors: Corruption when the vector's
/// buffers do not fit its type and length (short values/offsets, missing children) or a map key
/// is null; the message names the nested path.
Status AppendCanonicalJson(const ColumnVector& col, int64_t row, std::string& out);

/// Appends row `row` of `batch` (a physical row index; the selection is not applied) as one
/// JSON object keyed by the schema's field names, in schema order.
Status AppendCanonicalJsonRow(const ColumnBatch& batch, int64_t row, std::string& out);

/// The canonical JSON of one row, as a string.
Result<std::string> CanonicalJsonRow(const ColumnBatch& batch, int64_t row);

}  // namespace lakesync
