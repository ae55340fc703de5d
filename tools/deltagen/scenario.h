// Scenario: a user_profiles table plus a list of commits (update / delete / insert /
// checkpoint), built in C++ by tests or parsed from the compact JSON the CLI takes:
//   {"table":"user_profiles","rows":100000,"files":4,"codec":"snappy","cdf":true,
//    "commits":[{"update":{"every":100,"set":{"score":"+1"}}},{"delete":{"every":1000}},
//               {"insert":{"rows":500}},{"checkpoint":true}]}
// Table keys: table (only "user_profiles"), name, rows, files, seed, codec, dictionary,
// row_group_rows, page_size, data_page_v2, cdf, partition_by ("country"), clock_ms,
// deletion_vectors (DELETE and UPDATE write deletion vectors instead of rewriting files),
// column_mapping ("none", "name", "id").
// Commit keys: update {every, offset, set{column: value}}, delete {every, offset},
// insert {rows, files}, checkpoint (true or {"parts":N}). SET values: see SetExpr::Parse;
// JSON numbers/booleans/null are literals.
// Thread-safety: plain values; Run writes one table.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "deltagen/user_profiles.h"

namespace lakesync::deltagen {

struct ScenarioCommit {
  enum class Kind : uint8_t { kUpdate, kDelete, kInsert, kCheckpoint };
  Kind kind = Kind::kInsert;
  RowPredicate where;
  std::vector<SetExpr> set;
  int64_t rows = 0;
  int files = 1;
  int parts = 1;  // kCheckpoint
};

struct Scenario {
  UserProfilesOptions table;
  std::vector<ScenarioCommit> commits;

  /// Builder: a user_profiles table of `rows` rows; chain the setters below.
  static Scenario UserProfiles(int64_t rows);
  Scenario& Files(int n);
  Scenario& Seed(uint64_t seed);
  Scenario& Codec(parquet::CompressionCodec codec);
  Scenario& Cdf(bool on);
  Scenario& PartitionBy(std::string column);
  Scenario& RowGroupRows(int64_t rows);
  Scenario& DeletionVectors(bool on);
  Scenario& ColumnMapping(deltagen::ColumnMapping mode);
  Scenario& Update(int64_t every, std::vector<SetExpr> set, int64_t offset = 0);
  Scenario& Delete(int64_t every, int64_t offset = 0);
  Scenario& Insert(int64_t rows, int files = 1);
  Scenario& Checkpoint(int parts = 1);

  /// Writes the table and applies every commit in order.
  Result<std::unique_ptr<UserProfilesTable>> Run(std::shared_ptr<storage::FileSystem> fs,
                                                 const std::string& root) const;
};

/// Parses the JSON scenario format above; InvalidArgument names the offending key.
Result<Scenario> ParseScenario(std::string_view json);

/// Applies one commit to an open table (shared by scenarios and `deltagen change`).
Status ApplyCommit(UserProfilesTable* table, const ScenarioCommit& commit);

}  // namespace lakesync::deltagen
