// File and row-group pruning for a Delta scan: decides from a file's partition values and its
// stats JSON (minValues/maxValues/nullCount/numRecords), and from a Parquet file's row-group
// statistics, whether any row could satisfy a conjunction of simple predicates. It prunes, it
// does not filter: every row that could match is still returned, along with others, so callers
// still evaluate the predicate on each row. Every uncertain case answers "may match": no
// stats, stats that do not parse, truncated string maxima, millisecond timestamps (widened by
// 1 ms), float maxima that may hide NaN, decimals read as JSON doubles (widened).
// Thread-safety: immutable after Make; safe to share between threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/result.h"
#include "lakesync/delta/actions.h"
#include "lakesync/delta/schema.h"
#include "lakesync/parquet/statistics_filter.h"

namespace lakesync::parquet {
class FileReader;
}

namespace lakesync::delta {

class Snapshot;

class ScanFilter {
 public:
  /// Resolves `predicates` (ColumnPredicate::column = a logical column, dotted for nested
  /// struct fields) against `snapshot`'s schema. Literals are in the table type's
  /// representation: Int for integer types, dates (days), timestamps (microseconds) and
  /// decimals (unscaled at the column's scale); Double or Int for float/double; Bytes for
  /// string/binary; Bool for boolean. InvalidArgument naming the column for an unknown column,
  /// a column inside an array or map, a struct column, or a literal of the wrong kind.
  static Result<std::shared_ptr<const ScanFilter>> Make(
      const Snapshot& snapshot, const std::vector<parquet::ColumnPredicate>& predicates);

  /// False only when no row of `file` can satisfy every predicate.
  bool FileMayMatch(const AddFile& file) const;
  /// Per row group of the open data file: false only when its statistics prove that no row
  /// can match. Predicates whose file column has another type than the table's (type
  /// widening, other timestamp units) are not used.
  std::vector<bool> RowGroupsMayMatch(const parquet::FileReader& reader) const;

  /// For callers that want only matching rows: narrows `batch->selection` to the rows that
  /// satisfy every predicate. The batch must hold each filtered top-level column (by logical
  /// name); InvalidArgument naming the column otherwise.
  Status SelectMatching(ColumnBatch* batch) const;
  /// The logical top-level column of each predicate (SelectMatching needs them in the batch).
  std::vector<std::string> TopLevelColumns() const;

  /// Parses one predicate from text for `snapshot`: "col = value", "col < value" (also <=, >,
  /// >=), "col IN (v1, v2)", "col IS NULL", "col IS NOT NULL". Values are written
  /// as Delta writes partition values (42, 2024-01-31, 2024-01-31 12:00:00, 'text' or text).
  static Result<parquet::ColumnPredicate> ParsePredicate(const Snapshot& snapshot,
                                                         std::string_view text);

  struct Resolved;
  ~ScanFilter();

 private:
  ScanFilter() = default;
  std::vector<Resolved> predicates_;
  ColumnMappingMode mode_ = ColumnMappingMode::kNone;
};

}  // namespace lakesync::delta
