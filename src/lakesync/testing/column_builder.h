// Builders for ColumnVectors and ColumnBatches in tests: write the values (nullopt for null)
// and get a column laid out as column_batch.h describes.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/data_type.h"

namespace lakesync::testing {

/// A fixed-width column; T must be the type's storage type (column_batch.h).
template <typename T>
ColumnVector FixedColumn(DataType type, const std::vector<std::optional<T>>& values) {
  ColumnVector col(std::move(type));
  const int64_t n = static_cast<int64_t>(values.size());
  col.set_length(n);
  col.values().resize(n * sizeof(T));
  col.validity().assign(n, 1);
  for (int64_t i = 0; i < n; ++i) {
    const T v = values[i].value_or(T{});
    std::memcpy(col.values().data() + i * sizeof(T), &v, sizeof(T));
    if (!values[i]) col.validity()[i] = 0;
  }
  col.CompactValidity();
  return col;
}

/// A kString or kBinary column.
ColumnVector StringColumn(DataType type, const std::vector<std::optional<std::string>>& values);

/// A kList column over `element` rows: row i spans element rows [offsets[i], offsets[i+1]).
/// `valid` (empty: all valid) marks null lists.
ColumnVector ListColumn(DataType type, std::vector<uint32_t> offsets, ColumnVector element,
                        std::vector<uint8_t> valid = {});
/// A kMap column; keys and values are parallel.
ColumnVector MapColumn(DataType type, std::vector<uint32_t> offsets, ColumnVector keys,
                       ColumnVector values, std::vector<uint8_t> valid = {});
/// A kStruct column of `length` rows with one child per field.
ColumnVector StructColumn(DataType type, int64_t length, std::vector<ColumnVector> children,
                          std::vector<uint8_t> valid = {});
/// A kNull column.
ColumnVector NullColumn(int64_t length);

/// A batch of the given named columns (all the same length).
ColumnBatch MakeBatch(std::vector<std::pair<Field, ColumnVector>> columns);

}  // namespace lakesync::testing
