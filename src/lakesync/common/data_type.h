// DataType and Field: the one type system every stage shares (Parquet columns, Delta schemas,
// PostgreSQL mapping). A type says how values are stored in a ColumnVector (column_batch.h).
// Thread-safety: immutable values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lakesync {

enum class TypeId : uint8_t {
  kNull,       // Delta "void": every value is null; no storage
  kBoolean,    // uint8_t 0/1
  kInt8,       // int8_t
  kInt16,      // int16_t
  kInt32,      // int32_t
  kInt64,      // int64_t
  kUInt8,      // uint8_t
  kUInt16,     // uint16_t
  kUInt32,     // uint32_t
  kUInt64,     // uint64_t
  kFloat16,    // float (widened on read)
  kFloat32,    // float
  kFloat64,    // double
  kDecimal,    // __int128 unscaled value; precision/scale in DataType
  kString,     // UTF-8 bytes: offsets + data
  kBinary,     // bytes: offsets + data
  kDate,       // int32_t days since 1970-01-01
  kTime,       // int64_t since midnight, in DataType::unit
  kTimestamp,  // int64_t since 1970-01-01 00:00:00, in DataType::unit; DataType::utc
  kStruct,     // children[i] per field
  kList,       // offsets into children[0]
  kMap,        // offsets into children[0] (keys) and children[1] (values)
};

/// The storage type of kDecimal values (unscaled), shared by every module. -Wpedantic rejects
/// the __int128 keyword in declarations; __extension__ marks it intended.
__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

enum class TimeUnit : uint8_t { kMillis, kMicros, kNanos };

/// Extra meaning a string/binary column carries (kept so output can render it faithfully).
enum class StringKind : uint8_t { kPlain, kEnum, kJson, kBson, kUuid, kVariant };

struct Field;

struct DataType {
  TypeId id = TypeId::kNull;
  int32_t precision = 0;                        // kDecimal
  int32_t scale = 0;                            // kDecimal
  TimeUnit unit = TimeUnit::kMicros;            // kTime, kTimestamp
  bool utc = true;                              // kTime, kTimestamp: adjusted to UTC
  StringKind string_kind = StringKind::kPlain;  // kString, kBinary
  int32_t fixed_length = -1;                    // kBinary from FIXED_LEN_BYTE_ARRAY: its length
  std::vector<Field> children;                  // kStruct: fields; kList: element; kMap: key, value

  static DataType Primitive(TypeId id);
  static DataType Decimal(int32_t precision, int32_t scale);
  static DataType Timestamp(TimeUnit unit, bool utc);
  static DataType Struct(std::vector<Field> fields);
  static DataType List(Field element);
  static DataType Map(Field key, Field value);

  bool IsNested() const {
    return id == TypeId::kStruct || id == TypeId::kList || id == TypeId::kMap;
  }
  bool IsVarLength() const { return id == TypeId::kString || id == TypeId::kBinary; }
  /// Bytes per value in ColumnVector::values; 0 for var-length, nested and null types.
  int ValueWidth() const;
  /// Delta-style type text: "long", "decimal(12,2)", "array<string>", "struct<a:int>"...
  std::string ToString() const;
};

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;
  int32_t field_id = -1;  // Parquet field_id / Delta column-mapping id; -1 when absent
};

bool operator==(const DataType& a, const DataType& b);
bool operator==(const Field& a, const Field& b);

}  // namespace lakesync
