#include "deltagen/column_builder.h"

#include "lakesync/common/macros.h"

namespace lakesync::deltagen {

Value Value::StringMap(const std::vector<std::pair<std::string, std::optional<std::string>>>& m) {
  Value x;
  x.kind = Kind::kMap;
  for (const auto& [k, v] : m) {
    x.items.push_back(String(k));
    x.items.push_back(v ? String(*v) : Null());
  }
  return x;
}

ColumnVector MakeEmptyColumn(const DataType& type) {
  ColumnVector col(type);
  if (type.IsVarLength() || type.id == TypeId::kList || type.id == TypeId::kMap) {
    col.offsets().push_back(0);
  }
  for (const Field& c : type.children) col.children().push_back(MakeEmptyColumn(c.type));
  return col;
}

namespace {

template <typename T>
void PutFixed(ColumnVector* col, T v) {
  AppendLE<T>(&col->values(), v);
}

Status KindError(const ColumnVector& col, const Value& v) {
  return Status::InvalidArgument("value of kind {} does not fit {}", static_cast<int>(v.kind),
                                 col.type().ToString());
}

}  // namespace

Status AppendValue(ColumnVector* col, const Value& v) {
  const DataType& t = col->type();
  const int64_t row = col->length();
  // Validity is kept for every row while building; FinishColumn drops it when all valid.
  col->validity().resize(row);
  col->validity().push_back(v.is_null() ? 0 : 1);
  col->set_length(row + 1);
  const bool null = v.is_null();
  auto int_value = [&]() -> int64_t { return null ? 0 : v.i; };
  if (!null && (t.id == TypeId::kString || t.id == TypeId::kBinary) &&
      v.kind != Value::Kind::kString) {
    return KindError(*col, v);
  }
  switch (t.id) {
    case TypeId::kBoolean:
      if (!null && v.kind != Value::Kind::kBool) return KindError(*col, v);
      PutFixed<uint8_t>(col, null ? 0 : v.b);
      return Status::OK();
    case TypeId::kInt8:
    case TypeId::kUInt8:
      PutFixed<int8_t>(col, static_cast<int8_t>(int_value()));
      return Status::OK();
    case TypeId::kInt16:
    case TypeId::kUInt16:
      PutFixed<int16_t>(col, static_cast<int16_t>(int_value()));
      return Status::OK();
    case TypeId::kInt32:
    case TypeId::kUInt32:
    case TypeId::kDate:
      PutFixed<int32_t>(col, static_cast<int32_t>(int_value()));
      return Status::OK();
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      PutFixed<int64_t>(col, int_value());
      return Status::OK();
    case TypeId::kFloat32:
      PutFixed<float>(col,
                      null ? 0.0f : static_cast<float>(v.kind == Value::Kind::kInt ? v.i : v.d));
      return Status::OK();
    case TypeId::kFloat64:
      PutFixed<double>(col, null ? 0.0 : (v.kind == Value::Kind::kInt ? v.i : v.d));
      return Status::OK();
    case TypeId::kDecimal:
      PutFixed<Int128>(col, null ? 0 : (v.kind == Value::Kind::kInt ? v.i : v.dec));
      return Status::OK();
    case TypeId::kString:
    case TypeId::kBinary:
      if (!null) AppendBytes(&col->bytes(), v.s.data(), v.s.size());
      col->offsets().push_back(static_cast<uint32_t>(col->bytes().size()));
      return Status::OK();
    case TypeId::kStruct: {
      if (!null && (v.kind != Value::Kind::kStruct || v.items.size() != t.children.size())) {
        return KindError(*col, v);
      }
      for (size_t k = 0; k < t.children.size(); ++k) {
        LAKESYNC_RETURN_NOT_OK(AppendValue(&col->children()[k], null ? Value() : v.items[k]));
      }
      return Status::OK();
    }
    case TypeId::kList: {
      if (!null && v.kind != Value::Kind::kList) return KindError(*col, v);
      if (!null) {
        for (const Value& e : v.items) LAKESYNC_RETURN_NOT_OK(AppendValue(&col->children()[0], e));
      }
      col->offsets().push_back(static_cast<uint32_t>(col->children()[0].length()));
      return Status::OK();
    }
    case TypeId::kMap: {
      if (!null && (v.kind != Value::Kind::kMap || v.items.size() % 2 != 0)) {
        return KindError(*col, v);
      }
      if (!null) {
        for (size_t k = 0; k < v.items.size(); k += 2) {
          LAKESYNC_RETURN_NOT_OK(AppendValue(&col->children()[0], v.items[k]));
          LAKESYNC_RETURN_NOT_OK(AppendValue(&col->children()[1], v.items[k + 1]));
        }
      }
      col->offsets().push_back(static_cast<uint32_t>(col->children()[0].length()));
      return Status::OK();
    }
    default:
      return Status::NotSupported("cannot build a {} column", t.ToString());
  }
}

void FinishColumn(ColumnVector* col) {
  col->CompactValidity();
  for (ColumnVector& c : col->children()) FinishColumn(&c);
}

Result<ColumnBatch> BuildBatch(const std::vector<Field>& schema,
                               const std::vector<std::vector<Value>>& rows) {
  ColumnBatch batch;
  batch.schema = schema;
  for (const Field& f : schema) batch.columns.push_back(MakeEmptyColumn(f.type));
  for (const auto& row : rows) {
    if (row.size() != schema.size()) {
      return Status::InvalidArgument("row has {} values, the schema {} fields", row.size(),
                                     schema.size());
    }
    for (size_t c = 0; c < schema.size(); ++c) {
      LAKESYNC_RETURN_NOT_OK(AppendValue(&batch.columns[c], row[c]));
    }
  }
  for (ColumnVector& c : batch.columns) FinishColumn(&c);
  batch.num_rows = static_cast<int64_t>(rows.size());
  return batch;
}

Value GetValue(const ColumnVector& col, int64_t row) {
  if (col.IsNull(row)) return Value::Null();
  const DataType& t = col.type();
  switch (t.id) {
    case TypeId::kBoolean:
      return Value::Bool(col.Value<uint8_t>(row) != 0);
    case TypeId::kInt8:
      return Value::Int(col.Value<int8_t>(row));
    case TypeId::kUInt8:
      return Value::Int(col.Value<uint8_t>(row));
    case TypeId::kInt16:
      return Value::Int(col.Value<int16_t>(row));
    case TypeId::kUInt16:
      return Value::Int(col.Value<uint16_t>(row));
    case TypeId::kInt32:
    case TypeId::kDate:
      return Value::Int(col.Value<int32_t>(row));
    case TypeId::kUInt32:
      return Value::Int(col.Value<uint32_t>(row));
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return Value::Int(col.Value<int64_t>(row));
    case TypeId::kFloat32:
    case TypeId::kFloat16:
      return Value::Double(col.Value<float>(row));
    case TypeId::kFloat64:
      return Value::Double(col.Value<double>(row));
    case TypeId::kDecimal:
      return Value::Decimal(col.Value<Int128>(row));
    case TypeId::kString:
    case TypeId::kBinary:
      return Value::String(std::string(col.StringValue(row)));
    case TypeId::kStruct: {
      std::vector<Value> items;
      for (const ColumnVector& c : col.children()) items.push_back(GetValue(c, row));
      return Value::Struct(std::move(items));
    }
    case TypeId::kList:
    case TypeId::kMap: {
      Value x;
      x.kind = t.id == TypeId::kList ? Value::Kind::kList : Value::Kind::kMap;
      for (uint32_t j = col.offsets()[row]; j < col.offsets()[row + 1]; ++j) {
        x.items.push_back(GetValue(col.children()[0], j));
        if (t.id == TypeId::kMap) x.items.push_back(GetValue(col.children()[1], j));
      }
      return x;
    }
    default:
      return Value::Null();
  }
}

}  // namespace lakesync::deltagen
