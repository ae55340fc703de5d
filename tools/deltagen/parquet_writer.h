// ParquetWriter: writes lakesync ColumnBatches as a Parquet file the way Spark-era writers
// lay them out: row groups of a fixed row count, several data pages per column chunk (v1, or
// v2 on request), RLE_DICTIONARY with a PLAIN dictionary page that falls back to PLAIN pages
// when the dictionary grows past a limit, definition/repetition levels for nulls and nested
// struct/list/map columns, and min/max/null_count statistics per column chunk.
// The whole file is built in memory; Finish() hands back its bytes (write them with
// storage::FileSystem::WriteFile), WriteParquetFile() does both.
// Spec: apache/parquet-format (parquet.thrift, Encodings.md, LogicalTypes.md).
// Thread-safety: a writer is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "deltagen/encoding.h"
#include "lakesync/common/column_batch.h"
#include "lakesync/common/data_type.h"
#include "lakesync/common/result.h"
#include "lakesync/parquet/format.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::deltagen {

struct ParquetWriterOptions {
  parquet::CompressionCodec codec = parquet::CompressionCodec::SNAPPY;
  bool dictionary = true;
  int64_t row_group_rows = 1'000'000;
  /// Target uncompressed bytes of a data page (values plus levels, roughly).
  int64_t page_size = 1 << 20;
  /// A column chunk's dictionary may grow to this many PLAIN bytes; past it the chunk's
  /// remaining pages are PLAIN.
  int64_t dictionary_page_limit = 1 << 20;
  bool data_page_v2 = false;
  /// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY pages that are not dictionary-encoded use
  /// DELTA_BYTE_ARRAY instead of PLAIN (as parquet-mr's v2 writer does for strings).
  bool delta_byte_array = false;
  /// With codec LZ4: pages hold bare LZ4 blocks instead of Hadoop frames, as some older
  /// non-Java writers produced (readers fall back to this form).
  bool lz4_raw_blocks = false;
  bool statistics = true;
  std::string created_by = "lakesync deltagen";
  std::vector<parquet::KeyValue> key_value_metadata;
};

/// Statistics of one leaf column over a whole file.
struct LeafStats {
  std::vector<std::string> path;        // Parquet path: top-level name first ("add","path")
  std::vector<std::string> field_path;  // the same through Fields only (no "list"/"key_value")
  DataType type;                        // the leaf's lakesync type
  bool in_repeated = false;             // under a list or map
  int64_t null_count = 0;
  bool has_min_max = false;
  /// PLAIN-encoded physical values (fixed width little-endian; byte arrays without length).
  std::string min;
  std::string max;
};

struct ParquetFileSummary {
  int64_t num_rows = 0;
  int64_t file_size = 0;
  int64_t num_row_groups = 0;
  std::vector<LeafStats> leaves;
};

struct ParquetFile {
  Bytes data;
  ParquetFileSummary summary;
};

class ParquetWriter {
 public:
  /// Validates the schema (every type must map to Parquet) and the options.
  static Result<std::unique_ptr<ParquetWriter>> Make(std::vector<Field> schema,
                                                     ParquetWriterOptions options);
  ~ParquetWriter();

  /// Appends the batch's (selected) rows. REQUIRES: its columns follow the writer's schema.
  Status Write(const ColumnBatch& batch);
  /// Closes the last row group and writes the footer. The writer is spent afterwards.
  Result<ParquetFile> Finish();

  const std::vector<Field>& schema() const { return schema_; }

 private:
  struct Impl;
  ParquetWriter(std::vector<Field> schema, std::unique_ptr<Impl> impl);
  std::vector<Field> schema_;
  std::unique_ptr<Impl> impl_;
};

/// Writes `batches` (all with `schema`) as one Parquet file at `path`.
Result<ParquetFileSummary> WriteParquetFile(storage::FileSystem& fs, const std::string& path,
                                            const std::vector<Field>& schema,
                                            const std::vector<const ColumnBatch*>& batches,
                                            const ParquetWriterOptions& options);

/// The physical type a lakesync type is written as, and its FIXED_LEN_BYTE_ARRAY length.
Status PhysicalTypeFor(const DataType& type, parquet::Type* physical, int32_t* type_length);

/// Bytes of the FIXED_LEN_BYTE_ARRAY that holds any decimal of `precision` digits.
int32_t DecimalByteWidth(int32_t precision);

}  // namespace lakesync::deltagen
