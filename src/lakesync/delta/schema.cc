#include "lakesync/delta/schema.h"

#include <simdjson.h>

#include <charconv>

#include "lakesync/common/macros.h"
#include "lakesync/common/strings.h"

namespace lakesync::delta {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

constexpr std::string_view kPhysicalNameKey = "delta.columnMapping.physicalName";
constexpr std::string_view kColumnIdKey = "delta.columnMapping.id";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

Result<DataType> ParseType(element type, const std::string& column, ColumnMeta* meta);

// Reads a struct field: name, type, nullable, metadata.
Result<Field> ParseField(element field_el, const std::string& parent, ColumnMeta* meta) {
  object obj;
  if (field_el.get(obj) != simdjson::SUCCESS) {
    return Status::Corruption("schema: a field of '{}' is not an object", parent);
  }
  std::string_view name;
  if (obj.at_key("name").get(name) != simdjson::SUCCESS) {
    return Status::Corruption("schema: a field of '{}' has no name", parent);
  }
  Field field;
  field.name = std::string(name);
  const std::string path = parent.empty() ? field.name : parent + "." + field.name;
  meta->physical_name = field.name;

  element type_el;
  if (obj.at_key("type").get(type_el) != simdjson::SUCCESS) {
    return Status::Corruption("schema: column '{}' has no type", path);
  }
  bool nullable = true;
  element nullable_el;
  if (obj.at_key("nullable").get(nullable_el) == simdjson::SUCCESS && !nullable_el.is_null()) {
    if (nullable_el.get(nullable) != simdjson::SUCCESS) {
      return Status::Corruption("schema: column '{}' has a non-boolean 'nullable'", path);
    }
  }
  field.nullable = nullable;

  element metadata_el;
  if (obj.at_key("metadata").get(metadata_el) == simdjson::SUCCESS && metadata_el.is_object()) {
    for (auto entry : object(metadata_el)) {
      if (entry.key == kPhysicalNameKey) {
        std::string_view physical;
        if (entry.value.get(physical) != simdjson::SUCCESS || physical.empty()) {
          return Status::Corruption("schema: column '{}' has a bad {}", path, kPhysicalNameKey);
        }
        meta->physical_name = std::string(physical);
      } else if (entry.key == kColumnIdKey) {
        int64_t id = 0;
        if (entry.value.get(id) != simdjson::SUCCESS || id < 0 || id > INT32_MAX) {
          return Status::Corruption("schema: column '{}' has a bad {}", path, kColumnIdKey);
        }
        meta->id = static_cast<int32_t>(id);
        field.field_id = meta->id;
      } else {
        meta->other.emplace(std::string(entry.key), simdjson::minify(entry.value));
      }
    }
  }
  LAKESYNC_ASSIGN_OR_RETURN(field.type, ParseType(type_el, path, meta));
  return field;
}

Result<DataType> ParseStruct(object obj, const std::string& column, ColumnMeta* meta) {
  element fields_el;
  simdjson::dom::array fields;
  if (obj.at_key("fields").get(fields_el) != simdjson::SUCCESS ||
      fields_el.get(fields) != simdjson::SUCCESS) {
    return Status::Corruption("schema: struct '{}' has no 'fields' array",
                              column.empty() ? "<root>" : column);
  }
  std::vector<Field> out;
  for (element f : fields) {
    ColumnMeta child;
    LAKESYNC_ASSIGN_OR_RETURN(auto field, ParseField(f, column, &child));
    out.push_back(std::move(field));
    meta->children.push_back(std::move(child));
  }
  return DataType::Struct(std::move(out));
}

Result<DataType> ParseType(element type_el, const std::string& column, ColumnMeta* meta) {
  std::string_view name;
  if (type_el.get(name) == simdjson::SUCCESS) {
    auto t = ParsePrimitiveType(name);
    if (!t.ok()) {
      return Status(t.status().code(),
                    fmt::format("column '{}': {}", column, t.status().message()));
    }
    return t;
  }
  object obj;
  if (type_el.get(obj) != simdjson::SUCCESS) {
    return Status::Corruption("schema: column '{}' has a type that is neither a name nor an object",
                              column);
  }
  std::string_view kind;
  if (obj.at_key("type").get(kind) != simdjson::SUCCESS) {
    return Status::Corruption("schema: column '{}' has a type object without 'type'", column);
  }
  auto read_bool = [&](std::string_view key) {
    bool b = true;
    element e;
    if (obj.at_key(key).get(e) == simdjson::SUCCESS && e.get(b) != simdjson::SUCCESS) b = true;
    return b;
  };
  if (kind == "struct") return ParseStruct(obj, column, meta);
  if (kind == "array") {
    element elem;
    if (obj.at_key("elementType").get(elem) != simdjson::SUCCESS) {
      return Status::Corruption("schema: array column '{}' has no elementType", column);
    }
    ColumnMeta elem_meta;
    elem_meta.physical_name = "element";
    LAKESYNC_ASSIGN_OR_RETURN(auto elem_type, ParseType(elem, column + ".element", &elem_meta));
    meta->children.push_back(std::move(elem_meta));
    return DataType::List(Field{"element", std::move(elem_type), read_bool("containsNull")});
  }
  if (kind == "map") {
    element key, value;
    if (obj.at_key("keyType").get(key) != simdjson::SUCCESS ||
        obj.at_key("valueType").get(value) != simdjson::SUCCESS) {
      return Status::Corruption("schema: map column '{}' needs keyType and valueType", column);
    }
    ColumnMeta key_meta, value_meta;
    key_meta.physical_name = "key";
    value_meta.physical_name = "value";
    LAKESYNC_ASSIGN_OR_RETURN(auto key_type, ParseType(key, column + ".key", &key_meta));
    LAKESYNC_ASSIGN_OR_RETURN(auto value_type, ParseType(value, column + ".value", &value_meta));
    meta->children.push_back(std::move(key_meta));
    meta->children.push_back(std::move(value_meta));
    return DataType::Map(Field{"key", std::move(key_type), false},
                         Field{"value", std::move(value_type), read_bool("valueContainsNull")});
  }
  if (kind == "udt") {
    // Spark user-defined types carry their storage type in "sqlType".
    element sql;
    if (obj.at_key("sqlType").get(sql) == simdjson::SUCCESS) return ParseType(sql, column, meta);
  }
  return Status::NotSupported("column '{}' has unsupported Delta type '{}'", column, kind);
}

bool ParseInt(std::string_view s, int32_t* out) {
  s = Trim(s);
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

int TableSchema::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (EqualsIgnoreCase(fields[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

const std::string& TableSchema::PhysicalName(size_t i, ColumnMappingMode mode) const {
  if (mode == ColumnMappingMode::kNone || i >= metas.size()) return fields[i].name;
  return metas[i].physical_name;
}

Result<DataType> ParsePrimitiveType(std::string_view name) {
  using T = TypeId;
  if (name == "string") return DataType::Primitive(T::kString);
  if (name == "long") return DataType::Primitive(T::kInt64);
  if (name == "integer") return DataType::Primitive(T::kInt32);
  if (name == "short") return DataType::Primitive(T::kInt16);
  if (name == "byte") return DataType::Primitive(T::kInt8);
  if (name == "float") return DataType::Primitive(T::kFloat32);
  if (name == "double") return DataType::Primitive(T::kFloat64);
  if (name == "boolean") return DataType::Primitive(T::kBoolean);
  if (name == "binary") return DataType::Primitive(T::kBinary);
  if (name == "date") return DataType::Primitive(T::kDate);
  if (name == "timestamp") return DataType::Timestamp(TimeUnit::kMicros, /*utc=*/true);
  if (name == "timestamp_ntz") return DataType::Timestamp(TimeUnit::kMicros, /*utc=*/false);
  if (name == "void") return DataType::Primitive(T::kNull);
  if (name == "variant") {
    DataType t = DataType::Primitive(T::kString);
    t.string_kind = StringKind::kVariant;
    return t;
  }
  if (name == "decimal") return DataType::Decimal(10, 0);  // Spark's default
  if (name.starts_with("decimal(") && name.ends_with(")")) {
    std::string_view args = name.substr(8, name.size() - 9);
    const auto comma = args.find(',');
    int32_t precision = 0, scale = 0;
    if (comma == std::string_view::npos || !ParseInt(args.substr(0, comma), &precision) ||
        !ParseInt(args.substr(comma + 1), &scale) || precision < 1 || precision > 38 || scale < 0 ||
        scale > precision) {
      return Status::Corruption("bad decimal type '{}'", name);
    }
    return DataType::Decimal(precision, scale);
  }
  return Status::NotSupported("unsupported Delta type '{}'", name);
}

std::string DeltaTypeName(const DataType& type) { return type.ToString(); }

Result<TableSchema> ParseSchema(std::string_view schema_string) {
  simdjson::dom::parser parser;
  element doc;
  auto error = parser.parse(schema_string.data(), schema_string.size()).get(doc);
  if (error != simdjson::SUCCESS) {
    return Status::Corruption("schemaString is not valid JSON: {}", simdjson::error_message(error));
  }
  object obj;
  std::string_view kind;
  if (doc.get(obj) != simdjson::SUCCESS || obj.at_key("type").get(kind) != simdjson::SUCCESS ||
      kind != "struct") {
    return Status::Corruption("schemaString is not a struct type");
  }
  ColumnMeta root;
  LAKESYNC_ASSIGN_OR_RETURN(auto type, ParseStruct(obj, "", &root));
  TableSchema schema;
  schema.fields = std::move(type.children);
  schema.metas = std::move(root.children);
  return schema;
}

Result<ColumnMappingMode> ColumnMappingModeFromConfig(
    const std::map<std::string, std::string>& configuration) {
  auto it = configuration.find("delta.columnMapping.mode");
  if (it == configuration.end() || EqualsIgnoreCase(it->second, "none")) {
    return ColumnMappingMode::kNone;
  }
  if (EqualsIgnoreCase(it->second, "name")) return ColumnMappingMode::kName;
  if (EqualsIgnoreCase(it->second, "id")) return ColumnMappingMode::kId;
  return Status::NotSupported("unsupported delta.columnMapping.mode '{}'", it->second);
}

}  // namespace lakesync::delta
