// TableSchema: a Delta table's logical schema (from metaData.schemaString) as lakesync Fields,
// plus what column mapping needs to find each column in the data files: the physical name
// and the column id of every field, nested fields included.
// Thread-safety: immutable values.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/data_type.h"
#include "lakesync/common/result.h"

namespace lakesync::delta {

/// `delta.columnMapping.mode`.
enum class ColumnMappingMode { kNone, kName, kId };

/// Column-mapping facts about one field, shaped like its DataType: `children` follow
/// DataType::children (struct fields; list element; map key and value).
struct ColumnMeta {
  std::string physical_name;  // delta.columnMapping.physicalName, or the logical name
  int32_t id = -1;            // delta.columnMapping.id, or -1 (also in Field::field_id)
  std::vector<ColumnMeta> children;
  /// Field metadata entries other than column mapping, as JSON text (e.g. delta.typeChanges).
  std::map<std::string, std::string> other;
};

struct TableSchema {
  std::vector<Field> fields;      // logical names and types; Field::field_id = mapping id
  std::vector<ColumnMeta> metas;  // parallel to `fields`

  /// Index of the top-level field named `name` (case-insensitive, as Delta names are), or -1.
  int FieldIndex(std::string_view name) const;
  /// The name a top-level field has in data files under `mode`.
  const std::string& PhysicalName(size_t i, ColumnMappingMode mode) const;
};

/// Parses a schemaString. Unknown types are NotSupported naming the column; malformed JSON is
/// Corruption.
Result<TableSchema> ParseSchema(std::string_view schema_string);

/// Parses one Delta type name ("long", "decimal(10,2)", ...) of a primitive type.
Result<DataType> ParsePrimitiveType(std::string_view name);

/// The Delta type text of `type` for messages: "long", "decimal(10,2)", "array<string>".
std::string DeltaTypeName(const DataType& type);

/// Parses `delta.columnMapping.mode` from a table configuration (absent = kNone).
Result<ColumnMappingMode> ColumnMappingModeFromConfig(
    const std::map<std::string, std::string>& configuration);

}  // namespace lakesync::delta
