// KeyColumns: the primary-key columns of a batch, located once per batch, to drop rows with a
// NULL key and to describe a row by its key in error messages ("user_id=42, region='eu'").
// Thread-safety: none; borrows the batch it was made for.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/result.h"

namespace lakesync::sync {

/// OK when every key column is a field of a type that can be a key. Errors: InvalidArgument
/// for no keys or a nested key; NotFound naming the missing column and the ones there are.
Status CheckKeyFields(const std::vector<Field>& fields, const std::vector<std::string>& keys);

class KeyColumns {
 public:
  /// Finds `names` in `batch`. Errors: NotFound naming a missing column and the ones present.
  static Result<KeyColumns> Make(const ColumnBatch& batch, const std::vector<std::string>& names);

  /// Narrows `batch`'s selection to rows whose key columns are all non-null; returns how many
  /// selected rows were dropped.
  int64_t DropNullKeys(ColumnBatch& batch) const;

  /// "user_id=42" for the row at `row` of the batch (not of the selection).
  std::string Describe(int64_t row) const;

 private:
  KeyColumns(const ColumnBatch& batch, std::vector<int> indexes)
      : batch_(&batch), indexes_(std::move(indexes)) {}
  const ColumnBatch* batch_;
  std::vector<int> indexes_;
};

}  // namespace lakesync::sync
