#include "lakesync/common/data_type.h"

#include <fmt/format.h>

namespace lakesync {

DataType DataType::Primitive(TypeId id) {
  DataType t;
  t.id = id;
  return t;
}

DataType DataType::Decimal(int32_t precision, int32_t scale) {
  DataType t;
  t.id = TypeId::kDecimal;
  t.precision = precision;
  t.scale = scale;
  return t;
}

DataType DataType::Timestamp(TimeUnit unit, bool utc) {
  DataType t;
  t.id = TypeId::kTimestamp;
  t.unit = unit;
  t.utc = utc;
  return t;
}

DataType DataType::Struct(std::vector<Field> fields) {
  DataType t;
  t.id = TypeId::kStruct;
  t.children = std::move(fields);
  return t;
}

DataType DataType::List(Field element) {
  DataType t;
  t.id = TypeId::kList;
  t.children.push_back(std::move(element));
  return t;
}

DataType DataType::Map(Field key, Field value) {
  DataType t;
  t.id = TypeId::kMap;
  t.children.push_back(std::move(key));
  t.children.push_back(std::move(value));
  return t;
}

int DataType::ValueWidth() const {
  switch (id) {
    case TypeId::kBoolean:
    case TypeId::kInt8:
    case TypeId::kUInt8:
      return 1;
    case TypeId::kInt16:
    case TypeId::kUInt16:
      return 2;
    case TypeId::kInt32:
    case TypeId::kUInt32:
    case TypeId::kFloat16:
    case TypeId::kFloat32:
    case TypeId::kDate:
      return 4;
    case TypeId::kInt64:
    case TypeId::kUInt64:
    case TypeId::kFloat64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return 8;
    case TypeId::kDecimal:
      return 16;
    case TypeId::kNull:
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      return 0;
  }
  return 0;
}

std::string DataType::ToString() const {
  switch (id) {
    case TypeId::kNull:
      return "void";
    case TypeId::kBoolean:
      return "boolean";
    case TypeId::kInt8:
      return "byte";
    case TypeId::kInt16:
      return "short";
    case TypeId::kInt32:
      return "integer";
    case TypeId::kInt64:
      return "long";
    case TypeId::kUInt8:
      return "ubyte";
    case TypeId::kUInt16:
      return "ushort";
    case TypeId::kUInt32:
      return "uinteger";
    case TypeId::kUInt64:
      return "ulong";
    case TypeId::kFloat16:
      return "float16";
    case TypeId::kFloat32:
      return "float";
    case TypeId::kFloat64:
      return "double";
    case TypeId::kDecimal:
      return fmt::format("decimal({},{})", precision, scale);
    case TypeId::kString:
      return string_kind == StringKind::kVariant ? "variant" : "string";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time";
    case TypeId::kTimestamp:
      return utc ? "timestamp" : "timestamp_ntz";
    case TypeId::kStruct: {
      std::string s = "struct<";
      for (size_t i = 0; i < children.size(); ++i) {
        if (i) s += ",";
        s += children[i].name + ":" + children[i].type.ToString();
      }
      return s + ">";
    }
    case TypeId::kList:
      return "array<" + children.at(0).type.ToString() + ">";
    case TypeId::kMap:
      return "map<" + children.at(0).type.ToString() + "," + children.at(1).type.ToString() + ">";
  }
  return "unknown";
}

bool operator==(const DataType& a, const DataType& b) {
  return a.id == b.id && a.precision == b.precision && a.scale == b.scale && a.unit == b.unit &&
         a.utc == b.utc && a.string_kind == b.string_kind && a.fixed_length == b.fixed_length &&
         a.children == b.children;
}

bool operator==(const Field& a, const Field& b) {
  return a.name == b.name && a.type == b.type && a.nullable == b.nullable &&
         a.field_id == b.field_id;
}

}  // namespace lakesync
