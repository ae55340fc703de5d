#include "lakesync/parquet/schema.h"

#include <fmt/format.h>

#include <limits>

#include "lakesync/common/macros.h"
#include "lakesync/parquet/metadata_codec.h"

namespace lakesync::parquet {

namespace {

constexpr int kMaxSchemaDepth = 100;

struct RawNode {
  int element = 0;
  std::vector<RawNode> children;
};

Status BuildRaw(const std::vector<SchemaElement>& schema, size_t* cursor, int depth, RawNode* out) {
  if (depth > kMaxSchemaDepth) return Status::Corruption("schema nested deeper than 100");
  if (*cursor >= schema.size()) return Status::Corruption("schema ends inside a group");
  out->element = static_cast<int>(*cursor);
  const SchemaElement& e = schema[(*cursor)++];
  if (e.type.has_value() && depth > 0) return Status::OK();  // primitive
  int32_t n = e.num_children.value_or(0);
  if (n < 0 || static_cast<size_t>(n) > schema.size() - *cursor) {
    return Status::Corruption("schema element '{}' claims {} children", e.name, n);
  }
  out->children.resize(static_cast<size_t>(n));
  for (int32_t i = 0; i < n; ++i) {
    LAKESYNC_RETURN_NOT_OK(BuildRaw(schema, cursor, depth + 1, &out->children[i]));
  }
  return Status::OK();
}

bool IsGroup(const SchemaElement& e) { return !e.type.has_value(); }

FieldRepetitionType Repetition(const SchemaElement& e) {
  return e.repetition_type.value_or(FieldRepetitionType::REQUIRED);
}

bool IsListAnnotated(const SchemaElement& e) {
  return (e.logical_type && e.logical_type->Is<ListType>()) ||
         e.converted_type == ConvertedType::LIST;
}

bool IsMapAnnotated(const SchemaElement& e) {
  return (e.logical_type && e.logical_type->Is<MapType>()) ||
         e.converted_type == ConvertedType::MAP || e.converted_type == ConvertedType::MAP_KEY_VALUE;
}

lakesync::TimeUnit UnitOf(const parquet::TimeUnit& u) {
  switch (u.kind) {
    case TimeUnitKind::MILLIS:
      return lakesync::TimeUnit::kMillis;
    case TimeUnitKind::NANOS:
      return lakesync::TimeUnit::kNanos;
    default:
      return lakesync::TimeUnit::kMicros;
  }
}

DataType WithKind(TypeId id, StringKind kind) {
  DataType t = DataType::Primitive(id);
  t.string_kind = kind;
  return t;
}

DataType Time(lakesync::TimeUnit unit, bool utc) {
  DataType t = DataType::Primitive(TypeId::kTime);
  t.unit = unit;
  t.utc = utc;
  return t;
}

class Builder {
 public:
  explicit Builder(const FileMetaData& md) : md_(md) {}

  Status Convert(const RawNode& raw, int16_t parent_def, int16_t parent_rep, bool as_element,
                 std::vector<std::string>* path, SchemaNode* out);

  std::vector<LeafColumn> leaves;

 private:
  Status CheckLevels(int def, int rep) {
    if (def > std::numeric_limits<int16_t>::max() / 2 || rep > 255) {
      return Status::Corruption("schema levels too deep");
    }
    return Status::OK();
  }
  Status MakeLeaf(const RawNode& raw, int16_t def, int16_t rep, std::vector<std::string>* path,
                  SchemaNode* out);

  const FileMetaData& md_;
};

Status Builder::MakeLeaf(const RawNode& raw, int16_t def, int16_t rep,
                         std::vector<std::string>* path, SchemaNode* out) {
  const SchemaElement& e = md_.schema[raw.element];
  if (!raw.children.empty() || !e.type) {
    return Status::Corruption("schema element '{}' is neither group nor primitive", e.name);
  }
  LeafColumn leaf;
  leaf.index = static_cast<int>(leaves.size());
  leaf.element = raw.element;
  leaf.path = *path;
  leaf.dotted_path = fmt::format("{}", fmt::join(*path, "."));
  leaf.physical_type = *e.type;
  leaf.type_length = e.type_length.value_or(0);
  leaf.max_def = def;
  leaf.max_rep = rep;
  auto type = LeafDataType(e);
  if (!type.ok()) return type.status().WithContext(fmt::format("column {}", leaf.dotted_path));
  leaf.type = *type;
  out->kind = SchemaNode::Kind::kLeaf;
  out->field.type = leaf.type;
  out->leaf = leaf.index;
  out->first_leaf = leaf.index;
  out->num_leaves = 1;
  leaves.push_back(std::move(leaf));
  return Status::OK();
}

Status Builder::Convert(const RawNode& raw, int16_t parent_def, int16_t parent_rep, bool as_element,
                        std::vector<std::string>* path, SchemaNode* out) {
  const SchemaElement& e = md_.schema[raw.element];
  LAKESYNC_RETURN_NOT_OK(CheckLevels(parent_def + 2, parent_rep + 1));
  FieldRepetitionType rt = as_element ? FieldRepetitionType::REQUIRED : Repetition(e);
  path->push_back(e.name);
  out->field.name = e.name;
  out->field.field_id = e.field_id.value_or(-1);
  out->first_leaf = static_cast<int>(leaves.size());
  Status st;

  if (rt == FieldRepetitionType::REPEATED) {
    // A repeated field outside a LIST/MAP annotation is a required list of required elements.
    path->pop_back();
    out->kind = SchemaNode::Kind::kList;
    out->field.nullable = false;
    out->def_level = parent_def;
    out->rep_level = parent_rep;
    out->elem_def = static_cast<int16_t>(parent_def + 1);
    out->elem_rep = static_cast<int16_t>(parent_rep + 1);
    out->children.resize(1);
    LAKESYNC_RETURN_NOT_OK(
        Convert(raw, out->elem_def, out->elem_rep, /*as_element=*/true, path, &out->children[0]));
    out->children[0].field.nullable = false;
    Field elem = out->children[0].field;
    elem.name = "element";
    out->field.type = DataType::List(std::move(elem));
    out->num_leaves = static_cast<int>(leaves.size()) - out->first_leaf;
    return Status::OK();
  }

  const int16_t def = static_cast<int16_t>(parent_def + (rt == FieldRepetitionType::OPTIONAL));
  out->field.nullable = rt == FieldRepetitionType::OPTIONAL;
  out->def_level = def;
  out->rep_level = parent_rep;

  if (!IsGroup(e)) {
    st = MakeLeaf(raw, def, parent_rep, path, out);
    path->pop_back();
    return st;
  }

  // LIST: one repeated child.
  if (IsListAnnotated(e) && raw.children.size() == 1 &&
      Repetition(md_.schema[raw.children[0].element]) == FieldRepetitionType::REPEATED) {
    const RawNode& rep_raw = raw.children[0];
    const SchemaElement& r = md_.schema[rep_raw.element];
    out->kind = SchemaNode::Kind::kList;
    out->elem_def = static_cast<int16_t>(def + 1);
    out->elem_rep = static_cast<int16_t>(parent_rep + 1);
    out->children.resize(1);
    const bool two_level = !IsGroup(r) || rep_raw.children.size() != 1 || r.name == "array" ||
                           r.name == e.name + "_tuple";
    if (two_level) {
      // The repeated field itself is the (required) element.
      LAKESYNC_RETURN_NOT_OK(Convert(rep_raw, out->elem_def, out->elem_rep, /*as_element=*/true,
                                     path, &out->children[0]));
      out->children[0].field.nullable = false;
    } else {
      path->push_back(r.name);
      LAKESYNC_RETURN_NOT_OK(Convert(rep_raw.children[0], out->elem_def, out->elem_rep,
                                     /*as_element=*/false, path, &out->children[0]));
      path->pop_back();
    }
    Field elem = out->children[0].field;
    elem.name = "element";
    out->field.type = DataType::List(std::move(elem));
    out->num_leaves = static_cast<int>(leaves.size()) - out->first_leaf;
    path->pop_back();
    return Status::OK();
  }

  // MAP: one repeated group of key and value.
  if (IsMapAnnotated(e) && raw.children.size() == 1) {
    const RawNode& kv_raw = raw.children[0];
    const SchemaElement& kv = md_.schema[kv_raw.element];
    if (IsGroup(kv) && Repetition(kv) == FieldRepetitionType::REPEATED &&
        (kv_raw.children.size() == 2 || kv_raw.children.size() == 1)) {
      out->kind = SchemaNode::Kind::kMap;
      out->elem_def = static_cast<int16_t>(def + 1);
      out->elem_rep = static_cast<int16_t>(parent_rep + 1);
      out->children.resize(2);
      path->push_back(kv.name);
      LAKESYNC_RETURN_NOT_OK(Convert(kv_raw.children[0], out->elem_def, out->elem_rep,
                                     /*as_element=*/false, path, &out->children[0]));
      if (kv_raw.children.size() == 2) {
        LAKESYNC_RETURN_NOT_OK(Convert(kv_raw.children[1], out->elem_def, out->elem_rep,
                                       /*as_element=*/false, path, &out->children[1]));
      } else {
        // A key-only map (a set): values are all null.
        out->children[1].kind = SchemaNode::Kind::kStruct;
        out->children[1].field = Field{"value", DataType::Primitive(TypeId::kNull), true, -1};
        out->children[1].def_level = std::numeric_limits<int16_t>::max();
        out->children[1].first_leaf = out->children[0].first_leaf;
        out->children[1].num_leaves = 0;
      }
      path->pop_back();
      Field key = out->children[0].field;
      key.name = "key";
      Field value = out->children[1].field;
      value.name = "value";
      out->field.type = DataType::Map(std::move(key), std::move(value));
      out->num_leaves = static_cast<int>(leaves.size()) - out->first_leaf;
      path->pop_back();
      return Status::OK();
    }
  }

  // A plain group: a struct.
  if (raw.children.empty()) {
    path->pop_back();
    return Status::NotSupported("empty group '{}'", e.name);
  }
  out->kind = SchemaNode::Kind::kStruct;
  out->children.resize(raw.children.size());
  std::vector<Field> fields;
  for (size_t i = 0; i < raw.children.size(); ++i) {
    LAKESYNC_RETURN_NOT_OK(
        Convert(raw.children[i], def, parent_rep, /*as_element=*/false, path, &out->children[i]));
    fields.push_back(out->children[i].field);
  }
  out->field.type = DataType::Struct(std::move(fields));
  out->num_leaves = static_cast<int>(leaves.size()) - out->first_leaf;
  path->pop_back();
  return Status::OK();
}

}  // namespace

Result<DataType> LeafDataType(const SchemaElement& e) {
  const Type physical = *e.type;
  const LogicalType* lt = e.logical_type ? &*e.logical_type : nullptr;
  const std::optional<ConvertedType> ct = e.converted_type;
  auto decimal = [&]() -> Result<DataType> {
    int32_t precision = e.precision.value_or(0), scale = e.scale.value_or(0);
    if (lt) {
      if (const DecimalType* d = lt->Get<DecimalType>()) {
        precision = d->precision;
        scale = d->scale;
      }
    }
    if (precision <= 0 || scale < 0 || scale > precision) {
      return Status::Corruption("invalid decimal precision {} scale {}", precision, scale);
    }
    return DataType::Decimal(precision, scale);
  };
  const bool is_decimal = (lt && lt->Is<DecimalType>()) || (!lt && ct == ConvertedType::DECIMAL);
  if (lt && lt->Is<NullType>()) return DataType::Primitive(TypeId::kNull);

  switch (physical) {
    case Type::BOOLEAN:
      return DataType::Primitive(TypeId::kBoolean);
    case Type::INT32: {
      if (is_decimal) return decimal();
      if (lt) {
        if (const IntType* it = lt->Get<IntType>()) {
          switch (it->bit_width) {
            case 8:
              return DataType::Primitive(it->is_signed ? TypeId::kInt8 : TypeId::kUInt8);
            case 16:
              return DataType::Primitive(it->is_signed ? TypeId::kInt16 : TypeId::kUInt16);
            default:
              return DataType::Primitive(it->is_signed ? TypeId::kInt32 : TypeId::kUInt32);
          }
        }
        if (lt->Is<DateType>()) return DataType::Primitive(TypeId::kDate);
        if (const TimeType* t = lt->Get<TimeType>())
          return Time(UnitOf(t->unit), t->is_adjusted_to_utc);
        return DataType::Primitive(TypeId::kInt32);
      }
      if (ct) {
        switch (*ct) {
          case ConvertedType::INT_8:
            return DataType::Primitive(TypeId::kInt8);
          case ConvertedType::INT_16:
            return DataType::Primitive(TypeId::kInt16);
          case ConvertedType::UINT_8:
            return DataType::Primitive(TypeId::kUInt8);
          case ConvertedType::UINT_16:
            return DataType::Primitive(TypeId::kUInt16);
          case ConvertedType::UINT_32:
            return DataType::Primitive(TypeId::kUInt32);
          case ConvertedType::DATE:
            return DataType::Primitive(TypeId::kDate);
          case ConvertedType::TIME_MILLIS:
            return Time(lakesync::TimeUnit::kMillis, true);
          default:
            break;
        }
      }
      return DataType::Primitive(TypeId::kInt32);
    }
    case Type::INT64: {
      if (is_decimal) return decimal();
      if (lt) {
        if (const IntType* it = lt->Get<IntType>()) {
          return DataType::Primitive(it->is_signed ? TypeId::kInt64 : TypeId::kUInt64);
        }
        if (const TimestampType* t = lt->Get<TimestampType>()) {
          return DataType::Timestamp(UnitOf(t->unit), t->is_adjusted_to_utc);
        }
        if (const TimeType* t = lt->Get<TimeType>())
          return Time(UnitOf(t->unit), t->is_adjusted_to_utc);
        return DataType::Primitive(TypeId::kInt64);
      }
      if (ct) {
        switch (*ct) {
          case ConvertedType::UINT_64:
            return DataType::Primitive(TypeId::kUInt64);
          case ConvertedType::TIMESTAMP_MILLIS:
            return DataType::Timestamp(lakesync::TimeUnit::kMillis, true);
          case ConvertedType::TIMESTAMP_MICROS:
            return DataType::Timestamp(lakesync::TimeUnit::kMicros, true);
          case ConvertedType::TIME_MICROS:
            return Time(lakesync::TimeUnit::kMicros, true);
          default:
            break;
        }
      }
      return DataType::Primitive(TypeId::kInt64);
    }
    case Type::INT96:
      return DataType::Timestamp(lakesync::TimeUnit::kMicros, true);
    case Type::FLOAT:
      return DataType::Primitive(TypeId::kFloat32);
    case Type::DOUBLE:
      return DataType::Primitive(TypeId::kFloat64);
    case Type::BYTE_ARRAY: {
      if (is_decimal) return decimal();
      if (lt) {
        if (lt->Is<StringType>()) return WithKind(TypeId::kString, StringKind::kPlain);
        if (lt->Is<EnumType>()) return WithKind(TypeId::kString, StringKind::kEnum);
        if (lt->Is<JsonType>()) return WithKind(TypeId::kString, StringKind::kJson);
        if (lt->Is<BsonType>()) return WithKind(TypeId::kBinary, StringKind::kBson);
        return DataType::Primitive(TypeId::kBinary);
      }
      if (ct == ConvertedType::UTF8) return WithKind(TypeId::kString, StringKind::kPlain);
      if (ct == ConvertedType::ENUM) return WithKind(TypeId::kString, StringKind::kEnum);
      if (ct == ConvertedType::JSON) return WithKind(TypeId::kString, StringKind::kJson);
      if (ct == ConvertedType::BSON) return WithKind(TypeId::kBinary, StringKind::kBson);
      return DataType::Primitive(TypeId::kBinary);
    }
    case Type::FIXED_LEN_BYTE_ARRAY: {
      int32_t len = e.type_length.value_or(-1);
      if (len < 0) return Status::Corruption("FIXED_LEN_BYTE_ARRAY without a valid type_length");
      if (is_decimal) return decimal();
      if (lt && lt->Is<Float16Type>()) {
        if (len != 2) return Status::Corruption("FLOAT16 with type_length {}", len);
        return DataType::Primitive(TypeId::kFloat16);
      }
      DataType t = DataType::Primitive(TypeId::kBinary);
      t.fixed_length = len;
      if (lt && lt->Is<UUIDType>()) t.string_kind = StringKind::kUuid;
      return t;
    }
  }
  return Status::NotSupported("unknown physical type {}", TypeName(physical));
}

Result<ParquetSchema> BuildSchema(const FileMetaData& md) {
  if (md.schema.empty()) return Status::Corruption("footer has an empty schema");
  RawNode root;
  size_t cursor = 0;
  LAKESYNC_RETURN_NOT_OK(BuildRaw(md.schema, &cursor, 0, &root));
  if (cursor != md.schema.size()) {
    return Status::Corruption("schema has {} elements but the tree uses {}", md.schema.size(),
                              cursor);
  }
  for (const SchemaElement& e : md.schema) {
    if (e.type && (static_cast<int>(*e.type) < 0 || static_cast<int>(*e.type) > 7)) {
      return Status::Corruption("schema element '{}' has unknown type {}", e.name,
                                static_cast<int>(*e.type));
    }
  }
  Builder b(md);
  ParquetSchema schema;
  schema.fields.resize(root.children.size());
  std::vector<std::string> path;
  for (size_t i = 0; i < root.children.size(); ++i) {
    LAKESYNC_RETURN_NOT_OK(b.Convert(root.children[i], 0, 0, false, &path, &schema.fields[i]));
    schema.top_level.push_back(schema.fields[i].field);
  }
  schema.leaves = std::move(b.leaves);
  return schema;
}

}  // namespace lakesync::parquet
