// The built-in `user_profiles` table: a deterministic generator (row values are a function of
// seed and user_id) and UserProfilesTable, which creates the Delta table and commits
// copy-on-write UPDATE / DELETE / INSERT operations as Spark would (remove + add of rewritten
// files, _change_data files when CDF is on).
//
// State: the table folder holds `_deltagen_state.json` beside `_delta_log/`: the seed, the
// write options, every operation applied so far, and for each live data file the user_id
// range it covers, the number of operations applied before its rows were born, and its
// partition value. A file's rows are re-derived from that (generate the range, replay the
// operations) instead of reading Parquet back, so the tool needs no reader.
// Thread-safety: a table object is used by one thread; one writer per table folder.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "deltagen/delta_writer.h"
#include "lakesync/common/column_batch.h"
#include "lakesync/common/result.h"

namespace lakesync::deltagen {

/// The user_profiles columns: user_id BIGINT NOT NULL, email, name, country STRING,
/// age INT, score DOUBLE, created_at TIMESTAMP, is_active BOOLEAN, balance DECIMAL(12,2).
std::vector<Field> UserProfilesSchema();

/// Rows for user ids [lo, hi) as first generated. Deterministic in (seed, user_id); about
/// 1-5% nulls in email, name, country, age, score, balance.
ColumnBatch GenerateUserProfiles(int64_t lo, int64_t hi, uint64_t seed);

/// Rows an operation touches: user_id % every == offset.
struct RowPredicate {
  int64_t every = 1;
  int64_t offset = 0;
  bool Matches(int64_t user_id) const { return every > 0 && user_id % every == offset % every; }
  /// SQL text for commitInfo ("user_id % 100 = 0").
  std::string ToSql() const;
};

/// One assignment of an UPDATE: `column = literal | null | column + n | column * n | NOT column`.
struct SetExpr {
  enum class Kind : uint8_t {
    kLiteralString,
    kLiteralNumber,
    kLiteralBool,
    kNull,
    kAdd,
    kMul,
    kToggle
  };
  std::string column;
  Kind kind = Kind::kNull;
  double number = 0;
  bool flag = false;
  std::string text;

  /// Parses a CLI/scenario value: "+1", "-2.5", "*2" (arithmetic), "!" (toggle a boolean),
  /// "null", or a literal ("XX", "42", "true").
  static SetExpr Parse(std::string column, std::string_view value);
  /// The value as JSON (for the state file and scenarios).
  std::string ToJson() const;
};

/// Applies `set` to the rows of `batch` whose `mask` byte is 1. Numeric arithmetic on a null
/// stays null (SQL semantics). InvalidArgument for unknown columns or type mismatches.
Status ApplySet(ColumnBatch* batch, const std::vector<SetExpr>& set,
                const PodVector<uint8_t>& mask);

struct TableOp {
  enum class Kind : uint8_t { kUpdate, kDelete, kInsert };
  Kind kind = Kind::kInsert;
  RowPredicate where;        // kUpdate, kDelete
  std::vector<SetExpr> set;  // kUpdate
  int64_t rows = 0;          // kInsert
  int64_t first_id = 0;      // kInsert: the first new user_id
};

/// "none", "name" or "id" (scenarios and the state file).
std::string ColumnMappingText(ColumnMapping mode);
/// InvalidArgument for anything but "none", "name" or "id".
Status ParseColumnMapping(std::string_view text, ColumnMapping* mode);

struct UserProfilesOptions {
  std::string name = "user_profiles";
  int64_t rows = 100'000;
  int files = 4;
  uint64_t seed = 42;
  bool cdf = true;
  /// "" or "country": hive-partition by country (country then cannot be updated).
  std::string partition_by;
  /// DELETE and UPDATE mark rows in deletion vectors (merge-on-read) instead of rewriting
  /// files; an UPDATE writes the new versions of its rows to a new file.
  bool deletion_vectors = false;
  /// Column mapping mode (physical names "col-<uuid>", field ids in the data files).
  ColumnMapping column_mapping = ColumnMapping::kNone;
  ParquetWriterOptions parquet;
  std::optional<int64_t> clock_ms;
};

class UserProfilesTable {
 public:
  static constexpr const char* kStateFile = "_deltagen_state.json";

  /// Writes version 0 (protocol, metaData, `files` data files) and the state file.
  static Result<std::unique_ptr<UserProfilesTable>> Create(std::shared_ptr<storage::FileSystem> fs,
                                                           const std::string& root,
                                                           UserProfilesOptions options);
  /// Reopens a table written by deltagen. Conflict when the log moved past the state file.
  static Result<std::unique_ptr<UserProfilesTable>> Open(std::shared_ptr<storage::FileSystem> fs,
                                                         const std::string& root);

  /// UPDATE user_profiles SET ... WHERE user_id % every = offset. Returns the new version.
  Result<int64_t> Update(const RowPredicate& where, const std::vector<SetExpr>& set);
  /// DELETE FROM user_profiles WHERE user_id % every = offset.
  Result<int64_t> Delete(const RowPredicate& where);
  /// INSERT of `rows` new users (ids after the largest so far) in `files` files.
  Result<int64_t> Insert(int64_t rows, int files = 1);
  /// Classic checkpoint of the current version.
  Status Checkpoint(int parts = 1);

  /// The live rows of every data file now (each batch's selection marks the live rows).
  Result<std::vector<ColumnBatch>> CurrentRows() const;
  /// Number of live rows now.
  Result<int64_t> CountRows() const;

  int64_t version() const { return writer_->version(); }
  DeltaTableWriter& writer() { return *writer_; }
  const UserProfilesOptions& options() const { return options_; }
  const std::vector<TableOp>& ops() const { return ops_; }

 private:
  struct FileState {
    std::string path;  // add.path
    int64_t lo = 0, hi = 0;
    size_t birth = 0;                      // operations applied before these rows existed
    size_t written_at = 0;                 // operations applied when the file's rows were written
    std::optional<std::string> partition;  // partition value (partitioned tables)
    /// Merge-on-read UPDATE output: only the rows every one of these ops matched.
    std::vector<size_t> keep_only_ops;
    /// Merge-on-read UPDATEs whose matched rows moved out of this file (to a new file).
    std::vector<size_t> moved_out_ops;
  };

  UserProfilesTable() = default;
  // Rows of `f` after ops_[0, op_count): full range, `live` marks existing rows. The partition
  // column is dropped for partitioned tables.
  Result<ColumnBatch> Materialize(const FileState& f, size_t op_count,
                                  PodVector<uint8_t>* live) const;
  Result<int64_t> RewriteFiles(const TableOp& op);
  Status WriteNewRows(int64_t lo, int64_t hi, int files, size_t birth,
                      std::vector<AddAction>* adds);
  Status SaveState();
  std::string StateJson() const;

  std::shared_ptr<storage::FileSystem> fs_;
  std::string root_;
  UserProfilesOptions options_;
  std::unique_ptr<DeltaTableWriter> writer_;
  std::vector<TableOp> ops_;
  std::vector<FileState> files_;
  int64_t next_id_ = 1;
};

}  // namespace lakesync::deltagen
