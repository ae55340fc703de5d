// ChangeScan: the row-level changes (change data feed) of a range of table versions, as
// ColumnBatches: the table's columns (projected) plus `_change_type` (insert, delete,
// update_preimage, update_postimage), `_commit_version` and `_commit_timestamp`
// (PROTOCOL.md "Add CDC File", "Reader Requirements for AddCDCFile").
// Per version: if the commit has cdc actions, only its change data files are read; otherwise
// added files (dataChange=true) are inserts and removed files deletes. A file whose deletion
// vector changed within one commit contributes only the rows whose DV state changed.
// The columns are those of the end snapshot's schema; each commit's files are read under the
// schema in force at that commit (a column added later reads as nulls, one dropped and re-added
// is not confused with its predecessor; types widen as in Scan).
// Errors: InvalidArgument naming the first version in the range without
// delta.enableChangeDataFeed (and the ALTER TABLE that enables it); NotFound naming the version
// whose commit file was cleaned up, or the data / change file VACUUM removed, saying that a full
// refresh is needed.
//
// Lifetime: the Snapshot must outlive the ChangeScan (and its iterators may not outlive it
// either); iterators are as for Scan.
// Thread-safety: as for Scan.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/delta/scan.h"
#include "lakesync/delta/snapshot.h"

namespace lakesync::delta {

struct ChangeScanOptions {
  /// Logical table columns to return (the three change columns always follow); empty = all.
  std::vector<std::string> columns;
  int num_threads = 1;
};

/// The commits of a version range: one per version, ascending.
struct CommitActions {
  int64_t version = 0;
  int64_t timestamp_ms = 0;  // inCommitTimestamp, else the commit file's modification time
  std::vector<Action> actions;
};

/// Reads the commit files of versions [first, last] of the table at `table_root`.
/// NotFound naming the version when a commit file is gone (e.g. removed by log cleanup).
Result<std::vector<CommitActions>> ReadCommits(storage::FileSystem& fs,
                                               const std::string& table_root, int64_t first,
                                               int64_t last);

class ChangeScan {
 public:
  /// Plans the changes of versions [start_version, end.version()] (reads their commits and,
  /// for start_version > 0, replays the snapshot before it for the metadata in force).
  /// InvalidArgument when start_version is negative or after end.version().
  static Result<std::unique_ptr<ChangeScan>> Make(const Snapshot& end, int64_t start_version,
                                                  ChangeScanOptions options = {});

  /// The schema of every batch: projected table columns, then _change_type (string),
  /// _commit_version (long), _commit_timestamp (timestamp).
  const std::vector<Field>& schema() const;
  /// Number of files the changes are read from.
  size_t num_files() const;
  /// Iterates over the changes in commit order.
  Result<std::unique_ptr<ScanIterator>> Open() const;

 private:
  explicit ChangeScan(std::shared_ptr<const ScanPlan> plan) : plan_(std::move(plan)) {}
  std::shared_ptr<const ScanPlan> plan_;
};

}  // namespace lakesync::delta
