#include "lakesync/common/column_batch.h"

#include <algorithm>

namespace lakesync {

void ColumnVector::CompactValidity() {
  if (!validity_.empty() &&
      std::all_of(validity_.begin(), validity_.end(), [](uint8_t v) { return v != 0; })) {
    validity_.clear();
  }
}

ColumnVector ColumnVector::Constant(DataType type, int64_t length,
                                    const std::optional<std::string>& stored_value) {
  ColumnVector col(std::move(type));
  col.set_length(length);
  const int width = col.type().ValueWidth();
  if (!stored_value) {
    col.validity_.assign(length, 0);
    if (width > 0) col.values_.assign(length * width, 0);
    if (col.type().IsVarLength()) col.offsets_.assign(length + 1, 0);
    return col;
  }
  if (width > 0) {
    col.values_.resize(length * width);
    const size_t n = std::min<size_t>(width, stored_value->size());
    for (int64_t i = 0; i < length; ++i) {
      std::memset(col.values_.data() + i * width, 0, width);
      std::memcpy(col.values_.data() + i * width, stored_value->data(), n);
    }
  } else if (col.type().IsVarLength()) {
    col.offsets_.resize(length + 1);
    col.data_.reserve(stored_value->size() * length);
    col.offsets_[0] = 0;
    for (int64_t i = 0; i < length; ++i) {
      col.data_.insert(col.data_.end(), stored_value->begin(), stored_value->end());
      col.offsets_[i + 1] = static_cast<uint32_t>(col.data_.size());
    }
  }
  return col;
}

int ColumnBatch::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < schema.size(); ++i) {
    if (schema[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace lakesync
