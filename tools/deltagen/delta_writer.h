// DeltaTableWriter: writes Delta Lake tables the way Spark's copy-on-write writer leaves them:
// Parquet data files (hive-style partition folders), commits _delta_log/%020d.json with
// commitInfo/protocol/metaData/add/remove/cdc actions, change-data files under _change_data/,
// and classic single-part checkpoints with _last_checkpoint. Spec: delta-io/delta PROTOCOL.md.
// A writer tracks the table state it wrote itself (or replayed from JSON commits in Open) and
// assumes no other writer commits concurrently.
// Thread-safety: a writer is used by one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "deltagen/deletion_vector.h"
#include "deltagen/parquet_writer.h"
#include "lakesync/common/column_batch.h"
#include "lakesync/common/result.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::deltagen {

/// Partition column -> serialized value (nullopt = null), in partition-column order.
using PartitionValues = std::vector<std::pair<std::string, std::optional<std::string>>>;

struct AddAction {
  std::string path;  // relative to the table root, URI-encoded as in the log
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  std::string stats;  // JSON text: numRecords, minValues, maxValues, nullCount
  int64_t num_records = 0;
  std::optional<DeletionVectorDescriptor> deletion_vector;
};

struct RemoveAction {
  std::string path;
  int64_t deletion_timestamp = 0;
  bool data_change = true;
  bool extended_file_metadata = true;
  PartitionValues partition_values;
  int64_t size = 0;
  std::optional<DeletionVectorDescriptor> deletion_vector;
};

struct CdcAction {
  std::string path;
  PartitionValues partition_values;
  int64_t size = 0;
};

/// What one commit (one table version) holds besides commitInfo (and, for version 0,
/// protocol and metaData, which the writer adds).
struct CommitSpec {
  std::vector<AddAction> adds;
  std::vector<RemoveAction> removes;
  std::vector<CdcAction> cdcs;
  std::string operation = "WRITE";  // commitInfo.operation: WRITE, UPDATE, DELETE, ...
  /// commitInfo.operationParameters: name -> JSON-encoded string value (as Spark writes them).
  std::vector<std::pair<std::string, std::string>> operation_parameters;
};

/// Delta column mapping (PROTOCOL.md "Column Mapping"): fields get ids and physical names
/// ("col-<uuid>") that data files, partitionValues and stats use.
enum class ColumnMapping : uint8_t { kNone, kName, kId };

struct DeltaTableOptions {
  std::string name;           // metaData.name (may be empty)
  std::vector<Field> schema;  // the full table schema, partition columns included
  std::vector<std::string> partition_columns;
  std::vector<std::pair<std::string, std::string>> configuration;
  /// Sets delta.enableChangeDataFeed=true and writes _change_data files for updates/deletes.
  bool change_data_feed = false;
  /// Column mapping mode; ids are assigned in schema order (nested struct fields included).
  ColumnMapping column_mapping = ColumnMapping::kNone;
  /// Enables the deletionVectors feature (reader 3 / writer 7, delta.enableDeletionVectors).
  bool deletion_vectors = false;
  ParquetWriterOptions parquet;
  /// Seeds metaData.id and file-name UUIDs (a table rewritten with the same seed gets the same
  /// names).
  uint64_t seed = 1;
  /// Fixed clock (ms since the epoch) for commit and file times; nullopt = the real clock.
  /// Fixed clocks still advance by one second per commit.
  std::optional<int64_t> clock_ms;
};

class DeltaTableWriter {
 public:
  /// Starts a new table at `root`; nothing is written until the first Commit (version 0, which
  /// also carries protocol and metaData). Conflict when `root` already has a _delta_log.
  static Result<std::unique_ptr<DeltaTableWriter>> Create(std::shared_ptr<storage::FileSystem> fs,
                                                          std::string root,
                                                          DeltaTableOptions options);
  /// Reopens a table by replaying its JSON commits (as deltagen writes them: every version has
  /// a JSON commit). `options.schema` etc. describe how new files are written and must match
  /// the table.
  static Result<std::unique_ptr<DeltaTableWriter>> Open(std::shared_ptr<storage::FileSystem> fs,
                                                        std::string root,
                                                        DeltaTableOptions options);

  /// Writes a data file; `batch` follows data_schema() (no partition columns).
  Result<AddAction> WriteDataFile(const ColumnBatch& batch, const PartitionValues& pv);
  /// Produces the next batch of a file (valid until the next call), or nullptr at the end.
  using BatchSource = std::function<Result<const ColumnBatch*>()>;
  /// Writes a data file from batches made on demand (bounded memory for big files).
  Result<AddAction> WriteDataFile(const BatchSource& next, const PartitionValues& pv);
  /// Splits a batch with the full table schema by partition values and writes one data file
  /// per partition (one file in all for an unpartitioned table).
  Result<std::vector<AddAction>> WritePartitioned(ColumnBatch batch);
  /// Writes a change-data file under _change_data/; each batch follows cdc_schema().
  Result<CdcAction> WriteCdcFile(const std::vector<const ColumnBatch*>& batches,
                                 const PartitionValues& pv);
  /// The remove action that retires `add` now.
  RemoveAction RemoveFor(const AddAction& add) const;
  /// Writes a deletion vector file marking `rows` (ascending row indexes of one data file).
  Result<DeletionVectorDescriptor> WriteDeletionVector(const std::vector<uint64_t>& rows);
  /// `add` again with deletion vector `dv` (stats marked as wide bounds), to commit beside
  /// RemoveFor(add).
  AddAction WithDeletionVector(const AddAction& add, DeletionVectorDescriptor dv) const;

  /// Writes the next version. Returns it.
  Result<int64_t> Commit(const CommitSpec& commit);
  /// Writes a classic single-part checkpoint of the current version (or `parts` > 1 parts)
  /// and _last_checkpoint.
  Status Checkpoint(int parts = 1);

  /// Forgets the remove actions committed so far, so the next checkpoint leaves them out (as
  /// once their retention period has passed).
  void ExpireTombstones() { tombstones_.clear(); }

  /// The last committed version; -1 before the first commit.
  int64_t version() const { return version_; }
  /// Files in the table now, by path.
  const std::map<std::string, AddAction>& active_files() const { return active_; }
  const std::string& root() const { return root_; }
  const DeltaTableOptions& options() const { return options_; }
  /// The schema of data files: the table schema without the partition columns.
  const std::vector<Field>& data_schema() const { return data_schema_; }
  /// data_schema() plus `_change_type` (string).
  std::vector<Field> cdc_schema() const;
  storage::FileSystem& fs() { return *fs_; }

 private:
  DeltaTableWriter(std::shared_ptr<storage::FileSystem> fs, std::string root,
                   DeltaTableOptions options);
  Status Init();
  int64_t NowMs();
  std::string NextUuid();
  std::string FileSuffix() const;
  Result<AddAction> WriteFileAt(const std::string& rel_dir, const std::string& name,
                                const std::vector<Field>& schema, const BatchSource& next,
                                const PartitionValues& pv, ParquetFileSummary* summary);
  std::string ProtocolJson() const;
  std::string MetadataJson() const;
  Result<std::string> SchemaString() const;

  std::shared_ptr<storage::FileSystem> fs_;
  std::string root_;
  DeltaTableOptions options_;
  std::vector<Field> data_schema_;                 // physical names under column mapping
  std::map<int32_t, std::string> physical_names_;  // column mapping id -> physical name
  std::vector<std::string> partition_keys_;        // partitionValues keys (physical names)
  std::vector<std::pair<std::string, std::string>> config_;  // metaData.configuration
  int64_t version_ = -1;
  std::map<std::string, AddAction> active_;
  std::map<std::string, RemoveAction> tombstones_;
  std::string table_id_;
  int64_t created_time_ = 0;
  int64_t last_clock_ = 0;
  uint64_t uuid_counter_ = 0;
  int file_counter_ = 0;
};

/// The Delta schemaString for `fields` ({"type":"struct","fields":[...]}). With
/// `physical_names`, fields whose field_id is in it carry column-mapping metadata.
Result<std::string> DeltaSchemaJson(const std::vector<Field>& fields,
                                    const std::map<int32_t, std::string>* physical_names = nullptr);

/// Delta's serialized partition value of row `row` (nullopt for null).
std::optional<std::string> PartitionValueString(const ColumnVector& col, int64_t row);

/// The per-file statistics JSON Delta keeps in add.stats.
std::string StatsJson(const ParquetFileSummary& summary);

/// "1970-01-01" style date text; "1970-01-01T00:00:00.000Z" style timestamp text.
std::string FormatDate(int32_t days);
std::string FormatTimestamp(int64_t micros, bool utc, bool with_t, int fraction_digits);

}  // namespace lakesync::deltagen
