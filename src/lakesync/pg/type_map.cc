#include "lakesync/pg/type_map.h"

#include <fmt/format.h>

namespace lakesync::pg {

Result<PgType> MapType(const DataType& type) {
  switch (type.id) {
    case TypeId::kNull:
      return PgType{"text", kOidText, CopyEncoding::kNull};
    case TypeId::kBoolean:
      return PgType{"boolean", kOidBool, CopyEncoding::kBoolean};
    case TypeId::kInt8:
      return PgType{"smallint", kOidInt2, CopyEncoding::kInt8ToInt2};
    case TypeId::kInt16:
      return PgType{"smallint", kOidInt2, CopyEncoding::kInt16ToInt2};
    case TypeId::kUInt8:
      return PgType{"smallint", kOidInt2, CopyEncoding::kUInt8ToInt2};
    case TypeId::kInt32:
      return PgType{"integer", kOidInt4, CopyEncoding::kInt32ToInt4};
    case TypeId::kUInt16:
      return PgType{"integer", kOidInt4, CopyEncoding::kUInt16ToInt4};
    case TypeId::kInt64:
      return PgType{"bigint", kOidInt8, CopyEncoding::kInt64ToInt8};
    case TypeId::kUInt32:
      return PgType{"bigint", kOidInt8, CopyEncoding::kUInt32ToInt8};
    case TypeId::kUInt64:
      return PgType{"numeric(20,0)", kOidNumeric, CopyEncoding::kUInt64ToNumeric};
    case TypeId::kFloat16:
    case TypeId::kFloat32:
      return PgType{"real", kOidFloat4, CopyEncoding::kFloat32ToFloat4};
    case TypeId::kFloat64:
      return PgType{"double precision", kOidFloat8, CopyEncoding::kFloat64ToFloat8};
    case TypeId::kDecimal:
      // PostgreSQL 13 rejects negative scales, and numeric precision tops out at 1000.
      if (type.precision < 1 || type.precision > 1000 || type.scale < 0 ||
          type.scale > type.precision) {
        return Status::NotSupported("{} has no PostgreSQL numeric equivalent", type.ToString());
      }
      return PgType{fmt::format("numeric({},{})", type.precision, type.scale), kOidNumeric,
                    CopyEncoding::kDecimalToNumeric};
    case TypeId::kString:
      if (type.string_kind == StringKind::kJson || type.string_kind == StringKind::kVariant) {
        return PgType{"jsonb", kOidJsonb, CopyEncoding::kJsonTextToJsonb};
      }
      return PgType{"text", kOidText, CopyEncoding::kText};
    case TypeId::kBinary:
      return PgType{"bytea", kOidBytea, CopyEncoding::kBytea};
    case TypeId::kDate:
      return PgType{"date", kOidDate, CopyEncoding::kDate};
    case TypeId::kTime:
      return PgType{"time without time zone", kOidTime, CopyEncoding::kTime};
    case TypeId::kTimestamp:
      if (type.utc) {
        return PgType{"timestamp with time zone", kOidTimestamptz, CopyEncoding::kTimestamp};
      }
      return PgType{"timestamp without time zone", kOidTimestamp, CopyEncoding::kTimestamp};
    case TypeId::kStruct:
    case TypeId::kList:
    case TypeId::kMap:
      return PgType{"jsonb", kOidJsonb, CopyEncoding::kNestedToJsonb};
  }
  return Status::NotSupported("type {} has no PostgreSQL mapping", type.ToString());
}

}  // namespace lakesync::pg
