// Parquet schema resolution: turns the flat, depth-first SchemaElement list of a footer into a
// tree of lakesync Fields (nested groups as kStruct/kList/kMap, following the LIST/MAP
// backward-compatibility rules of LogicalTypes.md) and the leaf columns with their maximum
// definition/repetition levels. One function maps a Parquet leaf to its lakesync DataType.
// Thread-safety: immutable once built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lakesync/common/data_type.h"
#include "lakesync/common/result.h"
#include "lakesync/parquet/format.h"

namespace lakesync::parquet {

/// One primitive column (a column chunk per row group).
struct LeafColumn {
  int index = 0;    // position among the leaves == column chunk index in a row group
  int element = 0;  // its SchemaElement: index into FileMetaData::schema
  std::vector<std::string> path;
  std::string dotted_path;
  Type physical_type = Type::BOOLEAN;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY
  int16_t max_def = 0;
  int16_t max_rep = 0;
  DataType type;  // lakesync type of the values
};

/// A node of the resolved schema. Level conventions: a node's value is present (non-null) in a
/// level entry iff def >= def_level. For kList/kMap, an entry holds an element iff
/// def >= elem_def, and entries with rep <= rep_level start a new list.
struct SchemaNode {
  enum class Kind : uint8_t { kLeaf, kStruct, kList, kMap };
  Kind kind = Kind::kLeaf;
  Field field;
  int16_t def_level = 0;
  int16_t rep_level = 0;
  int16_t elem_def = 0;  // kList / kMap
  int16_t elem_rep = 0;  // kList / kMap
  int leaf = -1;         // kLeaf: index into ParquetSchema::leaves
  int first_leaf = 0;    // leaves under this node are [first_leaf, first_leaf + num_leaves)
  int num_leaves = 0;
  std::vector<SchemaNode> children;  // kStruct: fields; kList: element; kMap: key, value
};

struct ParquetSchema {
  std::vector<SchemaNode> fields;  // top-level
  std::vector<Field> top_level;    // fields[i].field
  std::vector<LeafColumn> leaves;
};

/// Resolves the footer's schema; Corruption for malformed trees.
Result<ParquetSchema> BuildSchema(const FileMetaData& metadata);

/// The lakesync type of a primitive SchemaElement (logical type first, then converted type):
///   BOOLEAN -> kBoolean
///   INT32   -> kInt32; INT(8/16/32, signed) -> kInt8/kInt16/kInt32, unsigned -> kUInt8/16/32;
///              DATE -> kDate; DECIMAL -> kDecimal (__int128); TIME(MILLIS) -> kTime (int64)
///   INT64   -> kInt64; INT(64, unsigned) -> kUInt64; DECIMAL -> kDecimal;
///              TIMESTAMP(unit, utc) -> kTimestamp(unit, utc) (legacy TIMESTAMP_MILLIS/MICROS:
///              utc = true); TIME(unit) -> kTime
///   INT96   -> kTimestamp(kMicros, utc = true) (Spark/Impala: nanos of day + Julian day)
///   FLOAT / DOUBLE -> kFloat32 / kFloat64
///   BYTE_ARRAY -> kString for STRING/UTF8 (kPlain), ENUM (kEnum), JSON (kJson); kBinary
///              otherwise (BSON: kBson); DECIMAL -> kDecimal
///   FIXED_LEN_BYTE_ARRAY(n) -> kBinary with fixed_length n (UUID: string_kind kUuid);
///              DECIMAL -> kDecimal; FLOAT16 -> kFloat16 (widened to float)
///   logical UNKNOWN (null) -> kNull
/// Groups become kStruct; LIST -> kList (2- and 3-level, incl. the legacy "array"/"_tuple"
/// forms); MAP / MAP_KEY_VALUE -> kMap; a repeated field outside them -> kList of required
/// elements. VARIANT groups stay kStruct<metadata: binary, value: binary>.
Result<DataType> LeafDataType(const SchemaElement& element);

}  // namespace lakesync::parquet
