// Scan: reads the rows of a Snapshot as ColumnBatches in the table's logical schema
// (optionally projected). For each active file it opens the Parquet file through the
// snapshot's FileSystem, reads it row group by row group, resolves columns by logical name,
// physical name or field id (column mapping none/name/id), converts file types to the table's
// types (type widening, timestamps to micros), fills partition columns from the log's
// partitionValues and adds columns the file lacks as nulls (schema evolution).
// With ScanOptions::filter, files and row groups that cannot hold a matching row are not read
// (scan_filter.h): the filter prunes, it does not filter rows, so callers still test each row.
// Rows deleted by a file's deletion vector are dropped through ColumnBatch::selection (the
// columns keep every physical row); a DV that cannot be read fails the scan, so deleted rows
// are never returned.
//
// Usage:
//   LAKESYNC_ASSIGN_OR_RETURN(auto scan, delta::Scan::Make(*snapshot, {.columns = {"id"}}));
//   LAKESYNC_ASSIGN_OR_RETURN(auto it, scan->Open());
//   while (true) {
//     LAKESYNC_ASSIGN_OR_RETURN(auto batch, it->Next());
//     if (!batch) break;
//     ... batch->schema == scan->schema() ...
//   }
//
// Lifetime: the Snapshot must outlive the Scan and every iterator opened from it; iterators
// may outlive the Scan.
// Thread-safety: a Scan is immutable and may open iterators from several threads; one
// iterator is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/result.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/parquet/statistics_filter.h"

namespace lakesync::delta {

struct ScanOptions {
  /// Logical column names to return, in this order; empty = every column of the table.
  std::vector<std::string> columns;
  /// Parquet decoding threads per file.
  int num_threads = 1;
  /// Batches for files that need no data column (only partition or missing columns) hold at
  /// most this many rows.
  int64_t max_rows_without_data_columns = 65536;
  /// A conjunction of simple predicates on logical columns (dotted paths for struct fields;
  /// literals as ScanFilter::Make describes). Files whose partition values or stats, and row
  /// groups whose Parquet statistics, prove that no row matches are skipped; every other row
  /// is returned, matching or not.
  std::vector<parquet::ColumnPredicate> filter;
};

struct ScanPlan;

class ScanIterator {
 public:
  ~ScanIterator();
  ScanIterator(const ScanIterator&) = delete;
  ScanIterator& operator=(const ScanIterator&) = delete;

  /// The next non-empty batch, or nullopt when every file has been read. Errors name the
  /// data file (and column) that failed; the iterator must not be used after an error.
  Result<std::optional<ColumnBatch>> Next();
  /// The file the last batch came from; null before the first batch.
  const AddFile* current_file() const;
  /// Row groups not read because ScanOptions::filter ruled them out.
  int64_t row_groups_skipped() const;

 private:
  struct State;
  friend std::unique_ptr<ScanIterator> NewScanIterator(std::shared_ptr<const ScanPlan> plan,
                                                       size_t begin, size_t end);
  explicit ScanIterator(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

class Scan {
 public:
  /// Plans a scan of `snapshot`. InvalidArgument for unknown or repeated columns.
  static Result<std::unique_ptr<Scan>> Make(const Snapshot& snapshot, ScanOptions options = {});

  /// The schema of every batch: the table's logical fields, projected.
  const std::vector<Field>& schema() const;
  /// The files the scan reads, in order (those the filter ruled out are not listed).
  const std::vector<AddFile>& files() const { return *files_; }
  /// Active files of the snapshot that the filter ruled out.
  size_t files_skipped() const;

  /// Iterates over every file.
  Result<std::unique_ptr<ScanIterator>> Open() const;
  /// Iterates over files()[index] only (lets callers spread files over threads).
  Result<std::unique_ptr<ScanIterator>> OpenFile(size_t index) const;

 private:
  explicit Scan(std::shared_ptr<const ScanPlan> plan, const std::vector<AddFile>* files)
      : plan_(std::move(plan)), files_(files) {}
  std::shared_ptr<const ScanPlan> plan_;
  const std::vector<AddFile>* files_;
};

}  // namespace lakesync::delta
