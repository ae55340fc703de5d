// Internals shared by Scan and ChangeScan: the plan of a scan (output columns, the files to
// read) and the iterator factory. Not for use outside src/lakesync/delta.
// Thread-safety: a ScanPlan is immutable once built.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lakesync/delta/scan.h"
#include "lakesync/delta/scan_filter.h"

namespace lakesync::delta {

enum class OutputKind {
  kData,             // read from the data file (missing in the file: nulls)
  kPartition,        // from the file's partitionValues
  kChangeType,       // CDF _change_type: the task's constant, or the file's column (cdc files)
  kCommitVersion,    // CDF _commit_version
  kCommitTimestamp,  // CDF _commit_timestamp
  kAbsent,           // not in the schema the file was written under: nulls
};

// One output column of a scan.
struct OutputColumn {
  Field field;      // logical name and table type
  ColumnMeta meta;  // physical name / id of the field and its nested fields
  OutputKind kind = OutputKind::kData;
  std::string partition_key;  // the partitionValues key (physical name under column mapping)
};

// One data file to read, and which of its rows.
struct FileTask {
  AddFile file;  // path (decoded, table-relative or absolute), partition values, DV of rows to skip
  /// When set, only the rows this DV marks are read (minus file.deletion_vector's rows).
  std::optional<DeletionVectorDescriptor> only_rows;
  std::optional<std::string> change_type;  // CDF constant; nullopt = the file's column
  int64_t commit_version = -1;
  int64_t commit_timestamp_ms = 0;
  /// The plan's columns as the commit's own schema names them, when it differs from the
  /// plan's (change scans across schema changes); null = ScanPlan::columns.
  std::shared_ptr<const std::vector<OutputColumn>> columns;
};

struct ScanPlan {
  std::shared_ptr<storage::FileSystem> fs;
  std::string table_root;
  ScanOptions options;
  ColumnMappingMode mode = ColumnMappingMode::kNone;
  std::vector<Field> schema;
  std::vector<OutputColumn> columns;
  const std::vector<AddFile>* files = nullptr;  // a plain scan reads these ...
  std::vector<FileTask> tasks;                  // ... a change scan these
  std::shared_ptr<const ScanFilter> filter;     // null without ScanOptions::filter
  std::vector<AddFile> kept_files;              // with a filter: the files it keeps
  size_t files_skipped = 0;

  size_t num_tasks() const { return files ? files->size() : tasks.size(); }
  FileTask Task(size_t i) const;
};

/// The output columns for `columns` (logical names; empty = all) of `snapshot`'s schema.
Result<std::vector<OutputColumn>> ProjectColumns(const Snapshot& snapshot,
                                                 const std::vector<std::string>& columns);

/// An iterator over tasks [begin, end) of `plan`.
std::unique_ptr<ScanIterator> NewScanIterator(std::shared_ptr<const ScanPlan> plan, size_t begin,
                                              size_t end);

}  // namespace lakesync::delta
