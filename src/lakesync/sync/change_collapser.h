// ChangeCollapser: turns a range of change-data-feed rows into the net change per primary key,
// which is what the target needs: an upsert of the key's final row, or a delete. Pre-images are
// dropped; a later commit supersedes an earlier one; within one commit an insert or
// post-image beats a delete of the same key (the commit's result holds the key); two rows for
// one key in one commit are a duplicate key, unless a timeseries key picks the latest.
// Rows whose key has a NULL are skipped and counted.
// Thread-safety: none.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/result.h"

namespace lakesync::sync {

class ChangeCollapser {
 public:
  /// `key` and `timeseries_key` name columns of the change batches.
  ChangeCollapser(std::vector<std::string> key, std::optional<std::string> timeseries_key)
      : key_(std::move(key)), timeseries_key_(std::move(timeseries_key)) {}

  /// Takes one batch of the change feed (table columns plus _change_type and
  /// _commit_version), in commit order. Errors: Conflict "PRIMARY_KEY_CONSTRAINT_VIOLATION"
  /// for a duplicate key; InvalidArgument for missing columns or an unknown change type.
  Status Add(ColumnBatch batch);

  struct NetChanges {
    std::vector<ColumnBatch> upserts;  // input batches, selection narrowed to rows to upsert
    std::vector<ColumnBatch> deletes;  // key columns only, selection = rows to delete
    /// Of the upserts, keys the feed first shows as inserted: rows the target did not hold
    /// before the batch (the others update a row it held).
    int64_t upserts_of_new_keys = 0;
  };
  /// Hands over the net changes and empties the collapser.
  NetChanges Take();

  int64_t changes_read() const { return changes_read_; }
  int64_t null_keys_skipped() const { return null_keys_; }
  /// Keys with a net change (before Take).
  int64_t net_changes() const { return static_cast<int64_t>(used_); }

 private:
  struct Winner {
    int64_t version;
    uint32_t batch;
    uint32_t row;
    bool upsert;
    bool existed;  // the key's first change was not an insert: the target held it
  };
  // One key's slot in the open-addressing table; its encoded key lives in keys_.
  struct Slot {
    uint64_t hash = 0;
    uint64_t key_at = 0;
    uint32_t key_len = kEmpty;
    Winner winner;
  };
  static constexpr uint32_t kEmpty = UINT32_MAX;
  // The slot of `key` (hash `hash`): its own, or the empty one where it belongs.
  Slot& Find(std::string_view key, uint64_t hash);
  void Grow();
  // Appends the key of `row` in a form where equal keys give equal bytes.
  void EncodeKey(const ColumnBatch& b, const std::vector<int>& cols, int64_t row,
                 std::string& out) const;
  int CompareTimeseries(const Winner& a, const Winner& b) const;

  std::vector<std::string> key_;
  std::optional<std::string> timeseries_key_;
  std::vector<ColumnBatch> batches_;
  // Keys -> winning change, in one flat table (a map with a node per key spent a third of a
  // large batch's time allocating and chasing pointers).
  std::vector<Slot> slots_;
  std::string keys_;
  size_t used_ = 0;
  int64_t changes_read_ = 0;
  int64_t null_keys_ = 0;
};

}  // namespace lakesync::sync
