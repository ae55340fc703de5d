// Row-group skipping by column-chunk statistics: decides from min/max/null_count alone whether
// any row of a row group can satisfy a simple predicate on one column (col = / < / <= / > / >=
// literal, IS NULL, IS NOT NULL, IN list), so a scan never reads row groups that cannot match.
// The answer is conservative: "may match" whenever the statistics are absent or unreliable by
// the format's sort-order rules (deprecated min/max of unsigned or byte-array columns, unknown
// column orders, INT96, INTERVAL, NaN bounds) or the question cannot be settled.
// Thread-safety: free functions over immutable metadata.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lakesync/common/data_type.h"
#include "lakesync/common/result.h"
#include "lakesync/parquet/format.h"
#include "lakesync/parquet/schema.h"

namespace lakesync::parquet {

/// A constant to compare a column with, in the column's own representation:
///   integers (signed or unsigned), DATE (days since 1970-01-01), TIME/TIMESTAMP (ticks in the
///   column's unit), DECIMAL (the unscaled value at the column's scale): Int;
///   FLOAT/DOUBLE/FLOAT16: Double (or Int); strings and binary (UUID: its 16 bytes): Bytes;
///   BOOLEAN: Bool.
struct Literal {
  enum class Kind : uint8_t { kInt, kDouble, kBytes, kBool };
  Kind kind = Kind::kInt;
  Int128 i = 0;
  double d = 0;
  std::string bytes;
  bool b = false;

  static Literal Int(Int128 v) {
    Literal l;
    l.i = v;
    return l;
  }
  static Literal Double(double v) {
    Literal l;
    l.kind = Kind::kDouble;
    l.d = v;
    return l;
  }
  static Literal Bytes(std::string v) {
    Literal l;
    l.kind = Kind::kBytes;
    l.bytes = std::move(v);
    return l;
  }
  static Literal Bool(bool v) {
    Literal l;
    l.kind = Kind::kBool;
    l.b = v;
    return l;
  }
};

/// A predicate on one leaf column, named by its dotted path ("id", "address.city"). Columns
/// inside lists or maps are not supported (InvalidArgument). Comparisons follow SQL: a null
/// matches none of them; NaN sorts above every number (as in PostgreSQL, Spark and DuckDB).
struct ColumnPredicate {
  enum class Op : uint8_t { kEq, kLt, kLe, kGt, kGe, kIsNull, kIsNotNull, kIn };
  std::string column;
  Op op = Op::kEq;
  std::vector<Literal> values;  // one for comparisons, any number for kIn, none for null tests

  static ColumnPredicate Compare(std::string column, Op op, Literal value) {
    return ColumnPredicate{std::move(column), op, {std::move(value)}};
  }
  static ColumnPredicate IsNull(std::string column) {
    return ColumnPredicate{std::move(column), Op::kIsNull, {}};
  }
  static ColumnPredicate IsNotNull(std::string column) {
    return ColumnPredicate{std::move(column), Op::kIsNotNull, {}};
  }
  static ColumnPredicate In(std::string column, std::vector<Literal> values) {
    return ColumnPredicate{std::move(column), Op::kIn, std::move(values)};
  }
};

/// Whether rows of row group `row_group` of the file described by `metadata`/`schema` may
/// satisfy `predicate`; false only when the statistics prove none can. InvalidArgument for an
/// unknown or repeated column, a literal of the wrong kind, or a wrong number of literals.
Result<bool> RowGroupMayMatch(const FileMetaData& metadata, const ParquetSchema& schema,
                              int row_group, const ColumnPredicate& predicate);

}  // namespace lakesync::parquet
