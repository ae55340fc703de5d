// The built-in `all_types` table: one column per Delta type (boolean, byte, short, integer,
// long, float, double, decimal(9,2)/(18,6)/(38,10), string, binary, date, timestamp,
// timestamp_ntz) plus struct, array and map columns, with edge values (extremes, -0.0, NaN,
// infinities, empty and non-ASCII strings, pre-1970 dates) and nulls in every nullable column.
// Rows are a function of (seed, id). For type-mapping and reader tests.
// Thread-safety: free functions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "deltagen/column_builder.h"
#include "deltagen/delta_writer.h"

namespace lakesync::deltagen {

/// `id` BIGINT NOT NULL first; `ts_ntz` only when `with_ntz` (it needs reader version 3).
std::vector<Field> AllTypesSchema(bool with_ntz);

/// Row `id` of the table as Values (in AllTypesSchema order).
std::vector<Value> AllTypesRow(int64_t id, uint64_t seed, bool with_ntz);

struct AllTypesOptions {
  int64_t rows = 1000;
  int files = 2;
  uint64_t seed = 7;
  bool with_ntz = true;
  bool cdf = false;
  std::string partition_by;  // any primitive column, e.g. "dt" or "s"
  ColumnMapping column_mapping = ColumnMapping::kNone;
  ParquetWriterOptions parquet;
  std::optional<int64_t> clock_ms;
};

/// Writes the table (version 0) at `root`.
Result<std::unique_ptr<DeltaTableWriter>> WriteAllTypesTable(
    std::shared_ptr<storage::FileSystem> fs, const std::string& root,
    const AllTypesOptions& options);

}  // namespace lakesync::deltagen
