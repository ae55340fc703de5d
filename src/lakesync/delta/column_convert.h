// Column conversion: turns a column as a data file stores it into the table's logical type.
// Data files may be narrower or differently encoded than the current table schema: integer
// and float widening and decimal rescaling (type widening, or files written before a type
// change), timestamps in millis/nanos/INT96 (Delta timestamps are micros), binary written for
// string columns, nested fields renamed by column mapping or missing (schema evolution).
// Thread-safety: free functions without shared state.
#pragma once

#include <cstdint>
#include <string_view>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/data_type.h"
#include "lakesync/common/result.h"
#include "lakesync/delta/schema.h"

namespace lakesync::delta {

/// A column of `length` nulls of `type`, nested types included.
ColumnVector NullColumn(const DataType& type, int64_t length);

/// Converts `column` to `target`'s type. `meta` describes `target` (physical names and ids
/// of nested fields; resolved under `mode`); `path` names the column in errors.
/// NotSupported when no lossless conversion exists.
Result<ColumnVector> ConvertColumn(ColumnVector column, const Field& target, const ColumnMeta& meta,
                                   ColumnMappingMode mode, std::string_view path);

/// Index of the file field that holds logical field `target` (by name, physical name or id as
/// `mode` requires), or -1 when the file does not have it.
int FindFileField(const std::vector<Field>& file_fields, const Field& target,
                  const ColumnMeta& meta, ColumnMappingMode mode);

}  // namespace lakesync::delta
