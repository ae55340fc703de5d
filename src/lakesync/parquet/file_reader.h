// FileReader: reads a Parquet file into lakesync ColumnBatches, one row group at a time.
// Open() reads and validates the footer (usually in one read of the file's last 64 KiB) and
// resolves the schema; ReadRowGroup() reads the selected column chunks of one row group
// (adjacent chunks coalesced into one read) and decodes the top-level columns (flat or nested).
// Memory is bounded by the projected row group: its compressed chunks plus the decoded batch.
// Errors name the file, row group, column (dotted path) and page.
// Thread-safety: Open and the accessors are safe to share; ReadRowGroup may be called from
// several threads at once (it keeps no mutable state); options.num_threads > 1 decodes the
// columns of one row group in parallel (ReadRowGroup) or several row groups at once
// (ReadRowGroups).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lakesync/common/column_batch.h"
#include "lakesync/common/result.h"
#include "lakesync/parquet/format.h"
#include "lakesync/parquet/projection.h"
#include "lakesync/parquet/schema.h"
#include "lakesync/parquet/statistics_filter.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::parquet {

struct ReaderOptions {
  /// Threads decoding the columns of one row group (ReadRowGroup) or several row groups at
  /// once (ReadRowGroups); 1 = the calling thread only.
  int num_threads = 1;
  /// Check the CRC32 of pages whose header carries one; a mismatch is Corruption.
  bool verify_page_checksums = true;
};

class FileReader {
 public:
  /// Reads and validates the footer; no data pages are read.
  static Result<std::unique_ptr<FileReader>> Open(std::shared_ptr<storage::RandomAccessFile> file,
                                                  ReaderOptions options = {});

  const FileMetaData& metadata() const { return metadata_; }
  /// Top-level fields as lakesync DataTypes (nested types as kStruct/kList/kMap).
  const std::vector<Field>& schema() const { return schema_.top_level; }
  /// The resolved schema with leaf columns and levels.
  const ParquetSchema& parquet_schema() const { return schema_; }
  int num_row_groups() const { return static_cast<int>(metadata_.row_groups.size()); }
  int64_t num_rows() const { return metadata_.num_rows; }

  /// Indices into schema() of the named top-level columns (NotFound naming the column if absent).
  Result<std::vector<int>> ColumnsByName(const std::vector<std::string>& names) const;
  /// Indices into schema() of the top-level columns with these Parquet field ids.
  Result<std::vector<int>> ColumnsByFieldId(const std::vector<int32_t>& ids) const;

  /// Whether row group `row_group` may hold rows matching every predicate (an AND); false
  /// when the statistics of one prove no row can (statistics_filter.h has the rules).
  Result<bool> RowGroupMayMatch(int row_group,
                                const std::vector<ColumnPredicate>& predicates) const;
  /// The row groups that may match every predicate, in file order.
  Result<std::vector<int>> RowGroupsMayMatch(const std::vector<ColumnPredicate>& predicates) const;

  /// Columns by dotted path, down into structs ("address.city"); see projection.h.
  Result<Projection> ProjectByPath(const std::vector<std::string>& paths) const;
  /// Columns by Parquet field id, at any depth through structs.
  Result<Projection> ProjectByFieldId(const std::vector<int32_t>& ids) const;

  /// Decodes one row group's selected top-level columns (empty = all) into a batch whose
  /// schema is those fields, in the order given.
  Result<ColumnBatch> ReadRowGroup(int row_group, const std::vector<int>& columns = {});
  /// Decodes one row group's projection: only the column chunks of the selected leaves are
  /// read and decoded; the batch has one column per projected top-level field (structs pruned).
  /// REQUIRES: `projection` came from this reader (or one of a file with the same schema).
  Result<ColumnBatch> ReadRowGroup(int row_group, const Projection& projection);

  /// Decodes `row_groups` of `projection` on up to options.num_threads threads, one row group
  /// per thread, and hands each batch to `consume` on the calling thread in the order given.
  /// At most num_threads batches are decoded ahead of `consume`, so memory stays bounded by
  /// that many projected row groups, never the file. Stops at the first error (decoding's or
  /// `consume`'s) and returns it.
  Status ReadRowGroups(const std::vector<int>& row_groups, const Projection& projection,
                       const std::function<Status(int row_group, ColumnBatch batch)>& consume);

 private:
  FileReader(std::shared_ptr<storage::RandomAccessFile> file, ReaderOptions options)
      : file_(std::move(file)), options_(options) {}

  /// A column chunk's bytes, already read.
  struct ChunkSlice {
    const uint8_t* data = nullptr;
    size_t size = 0;
  };

  Status Init();
  Result<ColumnBatch> ReadRowGroupOn(int row_group, const Projection& projection, int threads);
  /// Decodes projected column `column` from `slices` (indexed by file leaf).
  Status ReadColumn(int row_group, const Projection::Column& column,
                    const std::vector<ChunkSlice>& slices, ColumnVector* out) const;

  std::shared_ptr<storage::RandomAccessFile> file_;
  ReaderOptions options_;
  FileMetaData metadata_;
  ParquetSchema schema_;
};

}  // namespace lakesync::parquet
