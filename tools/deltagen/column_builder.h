// Value and BuildBatch: build ColumnBatches from row-wise values, nested types included. Used
// by tests to state small tables literally and by the checkpoint writer for action rows; bulk
// generators (user_profiles.h) fill ColumnVectors directly instead.
// Thread-safety: plain values and free functions.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "deltagen/encoding.h"
#include "lakesync/common/column_batch.h"
#include "lakesync/common/result.h"

namespace lakesync::deltagen {

/// One value of any lakesync type. Integers (all widths, date days, time/timestamp ticks)
/// are kInt; decimals are the unscaled value; lists/structs hold `items`; maps hold
/// key, value, key, value... in `items`.
struct Value {
  enum class Kind : uint8_t {
    kNull,
    kBool,
    kInt,
    kDouble,
    kString,
    kDecimal,
    kList,
    kMap,
    kStruct
  };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  Int128 dec = 0;
  std::string s;
  std::vector<Value> items;

  static Value Null() { return Value(); }
  static Value Bool(bool v) {
    Value x;
    x.kind = Kind::kBool;
    x.b = v;
    return x;
  }
  static Value Int(int64_t v) {
    Value x;
    x.kind = Kind::kInt;
    x.i = v;
    return x;
  }
  static Value Double(double v) {
    Value x;
    x.kind = Kind::kDouble;
    x.d = v;
    return x;
  }
  static Value String(std::string v) {
    Value x;
    x.kind = Kind::kString;
    x.s = std::move(v);
    return x;
  }
  static Value Decimal(Int128 unscaled) {
    Value x;
    x.kind = Kind::kDecimal;
    x.dec = unscaled;
    return x;
  }
  static Value List(std::vector<Value> elements) {
    Value x;
    x.kind = Kind::kList;
    x.items = std::move(elements);
    return x;
  }
  static Value Struct(std::vector<Value> fields) {
    Value x;
    x.kind = Kind::kStruct;
    x.items = std::move(fields);
    return x;
  }
  static Value Map(std::vector<std::pair<Value, Value>> entries) {
    Value x;
    x.kind = Kind::kMap;
    for (auto& [k, v] : entries) {
      x.items.push_back(std::move(k));
      x.items.push_back(std::move(v));
    }
    return x;
  }
  /// A map<string,string> from pairs; a nullopt value is a null.
  static Value StringMap(const std::vector<std::pair<std::string, std::optional<std::string>>>& m);

  bool is_null() const { return kind == Kind::kNull; }
};

/// An empty column of `type` with its children set up.
ColumnVector MakeEmptyColumn(const DataType& type);
/// Appends one value. InvalidArgument when the value's kind does not fit the type.
Status AppendValue(ColumnVector* col, const Value& v);
/// Drops all-valid validity buffers, recursively.
void FinishColumn(ColumnVector* col);

/// A batch of `rows` (each a value per field of `schema`).
Result<ColumnBatch> BuildBatch(const std::vector<Field>& schema,
                               const std::vector<std::vector<Value>>& rows);

/// Reads row `row` of `col` back as a Value (for tests and the CDC writer).
Value GetValue(const ColumnVector& col, int64_t row);

}  // namespace lakesync::deltagen
