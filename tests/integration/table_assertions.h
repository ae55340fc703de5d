// Helpers for end-to-end tests: a temporary folder per test, and the check that a PostgreSQL
// table holds exactly the rows of a set of source batches, value by value.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "lakesync/common/column_batch.h"
#include "lakesync/pg/connection.h"

namespace lakesync::testing {

/// A fresh folder named after the running test, removed at the end.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

/// Checks (gtest failures) that `table` holds exactly the selected rows of `batches` whose
/// `key_column` is not null, comparing every column of the batches' schema as PostgreSQL
/// prints it. `null_keys` receives how many rows had a NULL key.
void ExpectTableEquals(pg::Connection& conn, const std::string& table,
                       const std::vector<ColumnBatch>& batches, const std::string& key_column,
                       int64_t* null_keys = nullptr);

/// Runs a shell command, collecting stdout and stderr in `*output`; returns its exit code
/// (-1 when it did not exit normally).
int RunCommand(const std::string& command, std::string* output);

/// Starts the built `lakesync` with `args`, its output discarded; returns the pid (-1 on
/// failure).
pid_t SpawnLakesync(const std::vector<std::string>& args);
/// Waits for `pid`; its exit code, or -1 when a signal ended it.
int WaitForExit(pid_t pid);

}  // namespace lakesync::testing
