#include "lakesync/testing/column_builder.h"

namespace lakesync::testing {

ColumnVector StringColumn(DataType type, const std::vector<std::optional<std::string>>& values) {
  ColumnVector col(std::move(type));
  const int64_t n = static_cast<int64_t>(values.size());
  col.set_length(n);
  col.offsets().resize(n + 1);
  col.offsets()[0] = 0;
  col.validity().assign(n, 1);
  for (int64_t i = 0; i < n; ++i) {
    if (values[i]) {
      col.bytes().insert(col.bytes().end(), values[i]->begin(), values[i]->end());
    } else {
      col.validity()[i] = 0;
    }
    col.offsets()[i + 1] = static_cast<uint32_t>(col.bytes().size());
  }
  col.CompactValidity();
  return col;
}

namespace {

void SetValidity(ColumnVector& col, const std::vector<uint8_t>& valid) {
  col.validity().assign(valid.begin(), valid.end());
  col.CompactValidity();
}

}  // namespace

ColumnVector ListColumn(DataType type, std::vector<uint32_t> offsets, ColumnVector element,
                        std::vector<uint8_t> valid) {
  ColumnVector col(std::move(type));
  col.set_length(offsets.empty() ? 0 : static_cast<int64_t>(offsets.size()) - 1);
  col.offsets().assign(offsets.begin(), offsets.end());
  col.children().push_back(std::move(element));
  SetValidity(col, valid);
  return col;
}

ColumnVector MapColumn(DataType type, std::vector<uint32_t> offsets, ColumnVector keys,
                       ColumnVector values, std::vector<uint8_t> valid) {
  ColumnVector col(std::move(type));
  col.set_length(offsets.empty() ? 0 : static_cast<int64_t>(offsets.size()) - 1);
  col.offsets().assign(offsets.begin(), offsets.end());
  col.children().push_back(std::move(keys));
  col.children().push_back(std::move(values));
  SetValidity(col, valid);
  return col;
}

ColumnVector StructColumn(DataType type, int64_t length, std::vector<ColumnVector> children,
                          std::vector<uint8_t> valid) {
  ColumnVector col(std::move(type));
  col.set_length(length);
  col.children() = std::move(children);
  SetValidity(col, valid);
  return col;
}

ColumnVector NullColumn(int64_t length) {
  ColumnVector col(DataType::Primitive(TypeId::kNull));
  col.set_length(length);
  return col;
}

ColumnBatch MakeBatch(std::vector<std::pair<Field, ColumnVector>> columns) {
  ColumnBatch batch;
  for (auto& [field, col] : columns) {
    batch.num_rows = col.length();
    batch.schema.push_back(std::move(field));
    batch.columns.push_back(std::move(col));
  }
  return batch;
}

}  // namespace lakesync::testing
