// The one table from lakesync DataTypes to PostgreSQL: the column type used in DDL and the COPY
// BINARY encoding used for its values. Adding or changing a type mapping happens here and only
// here; copy_encoder.cc implements each CopyEncoding and ddl.cc spells type names from here.
// Mapping (the one Databricks synced tables use):
//   byte, short, ubyte -> smallint     int, ushort -> integer     long, uint -> bigint
//   ulong -> numeric(20,0)             float16, float -> real     double -> double precision
//   decimal(p,s) -> numeric(p,s)       string -> text (json/variant strings -> jsonb)
//   binary -> bytea                    boolean -> boolean         date -> date
//   timestamp -> timestamptz           timestamp_ntz -> timestamp time -> time
//   struct, array, map -> jsonb        void -> text (always null)
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "lakesync/common/data_type.h"
#include "lakesync/common/result.h"

namespace lakesync::pg {

/// How a column's values become COPY BINARY fields (source storage -> PostgreSQL send format).
enum class CopyEncoding : uint8_t {
  kNull,              // every value NULL (void columns)
  kBoolean,           // uint8_t -> bool
  kInt8ToInt2,        // int8_t -> int2
  kInt16ToInt2,       // int16_t -> int2
  kUInt8ToInt2,       // uint8_t -> int2
  kInt32ToInt4,       // int32_t -> int4
  kUInt16ToInt4,      // uint16_t -> int4
  kInt64ToInt8,       // int64_t -> int8
  kUInt32ToInt8,      // uint32_t -> int8
  kUInt64ToNumeric,   // uint64_t -> numeric
  kFloat32ToFloat4,   // float -> float4 (float16 is widened to float on read)
  kFloat64ToFloat8,   // double -> float8
  kDecimalToNumeric,  // __int128 unscaled -> numeric with the type's scale
  kText,              // UTF-8 bytes -> text (validated: UTF-8, no NUL)
  kJsonTextToJsonb,   // JSON text -> jsonb (version 1 + text)
  kBytea,             // bytes -> bytea
  kDate,              // int32_t days since 1970 -> days since 2000 (range-checked)
  kTime,              // int64_t since midnight in DataType::unit -> micros (range-checked)
  kTimestamp,         // int64_t since 1970 in DataType::unit -> micros since 2000 (range-checked)
  kNestedToJsonb,     // struct/list/map rendered as JSON -> jsonb
};

/// PostgreSQL type OIDs of the types this module writes (pg_type.oid; stable across versions).
inline constexpr uint32_t kOidBool = 16;
inline constexpr uint32_t kOidBytea = 17;
inline constexpr uint32_t kOidInt8 = 20;
inline constexpr uint32_t kOidInt2 = 21;
inline constexpr uint32_t kOidInt4 = 23;
inline constexpr uint32_t kOidText = 25;
inline constexpr uint32_t kOidFloat4 = 700;
inline constexpr uint32_t kOidFloat8 = 701;
inline constexpr uint32_t kOidDate = 1082;
inline constexpr uint32_t kOidTime = 1083;
inline constexpr uint32_t kOidTimestamp = 1114;
inline constexpr uint32_t kOidTimestamptz = 1184;
inline constexpr uint32_t kOidNumeric = 1700;
inline constexpr uint32_t kOidJsonb = 3802;

struct PgType {
  std::string name;  // as written in DDL and as format_type() prints it: "numeric(20,0)"
  uint32_t oid = 0;  // the base type's OID
  CopyEncoding encoding = CopyEncoding::kNull;
};

/// The PostgreSQL column type and COPY encoding for `type`. Errors: NotSupported for a decimal
/// PostgreSQL cannot hold (precision outside 1..1000, scale outside 0..precision).
Result<PgType> MapType(const DataType& type);

}  // namespace lakesync::pg
