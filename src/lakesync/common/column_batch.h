// ColumnVector and ColumnBatch: the columnar form rows take on their way from Parquet pages to
// PostgreSQL COPY buffers. Each stage adds to or reads a batch; none re-parses what an earlier
// stage produced. Layout (Arrow-like, simplified):
//   validity   one byte per row, 1 = value present; empty means "no nulls"
//   values     fixed-width types: length * DataType::ValueWidth() bytes
//   offsets    kString/kBinary: length+1 offsets into data; kList/kMap: into the child rows
//   data       kString/kBinary bytes
//   children   kStruct: one per field (same length); kList: the elements; kMap: keys, values
// Thread-safety: none; a batch is owned by one stage at a time.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "lakesync/common/data_type.h"
#include "lakesync/common/pod_vector.h"

namespace lakesync {

class ColumnVector {
 public:
  ColumnVector() = default;
  explicit ColumnVector(DataType type) : type_(std::move(type)) {}

  const DataType& type() const { return type_; }
  DataType& mutable_type() { return type_; }
  int64_t length() const { return length_; }

  bool has_nulls() const { return !validity_.empty(); }
  bool IsValid(int64_t row) const { return validity_.empty() || validity_[row] != 0; }
  bool IsNull(int64_t row) const { return !IsValid(row); }

  template <typename T>
  const T* data() const {
    return reinterpret_cast<const T*>(values_.data());
  }
  template <typename T>
  T* mutable_data() {
    return reinterpret_cast<T*>(values_.data());
  }
  template <typename T>
  T Value(int64_t row) const {
    T v;
    std::memcpy(&v, values_.data() + row * sizeof(T), sizeof(T));
    return v;
  }
  /// REQUIRES: kString or kBinary.
  std::string_view StringValue(int64_t row) const {
    return std::string_view(reinterpret_cast<const char*>(data_.data()) + offsets_[row],
                            offsets_[row + 1] - offsets_[row]);
  }

  PodVector<uint8_t>& validity() { return validity_; }
  const PodVector<uint8_t>& validity() const { return validity_; }
  PodVector<uint8_t>& values() { return values_; }
  const PodVector<uint8_t>& values() const { return values_; }
  PodVector<uint32_t>& offsets() { return offsets_; }
  const PodVector<uint32_t>& offsets() const { return offsets_; }
  PodVector<uint8_t>& bytes() { return data_; }
  const PodVector<uint8_t>& bytes() const { return data_; }
  std::vector<ColumnVector>& children() { return children_; }
  const std::vector<ColumnVector>& children() const { return children_; }

  /// Sets the row count; callers fill the buffers to match.
  void set_length(int64_t length) { length_ = length; }
  /// Makes validity explicit (all valid) so single rows can be marked null.
  void MaterializeValidity() {
    if (validity_.empty()) validity_.assign(length_, 1);
  }
  /// Drops the validity bytes when every row is valid.
  void CompactValidity();

  /// A column of `length` copies of one value given in its stored form (for partition
  /// values); `value` is nullopt for a null.
  static ColumnVector Constant(DataType type, int64_t length,
                               const std::optional<std::string>& stored_value);

 private:
  DataType type_;
  int64_t length_ = 0;
  PodVector<uint8_t> validity_;
  PodVector<uint8_t> values_;
  PodVector<uint32_t> offsets_;
  PodVector<uint8_t> data_;
  std::vector<ColumnVector> children_;
};

/// A set of equally long columns plus the rows that are selected (deleted rows are dropped by
/// selection, not by copying).
struct ColumnBatch {
  std::vector<Field> schema;
  std::vector<ColumnVector> columns;
  int64_t num_rows = 0;
  /// Rows to use, ascending; nullopt means all rows.
  std::optional<std::vector<uint32_t>> selection;

  int64_t num_selected() const {
    return selection ? static_cast<int64_t>(selection->size()) : num_rows;
  }
  /// Index of the column named `name`, or -1.
  int FieldIndex(std::string_view name) const;
};

}  // namespace lakesync
