#include "table_assertions.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <map>
#include <optional>

#include "lakesync/pg/ddl.h"
#include "lakesync/testing/pg_test_env.h"
#include "lakesync/testing/test_paths.h"
#include "pg_text.h"

extern char** environ;

namespace lakesync::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  path_ = fs::temp_directory_path() /
          fmt::format("lakesync_it_{}_{}", ::getpid(),
                      ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() { fs::remove_all(path_); }

pid_t SpawnLakesync(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  const std::string bin = BinaryDir() + "/lakesync";
  argv.push_back(const_cast<char*>(bin.c_str()));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  if (posix_spawn(&pid, bin.c_str(), &actions, nullptr, argv.data(), environ) != 0) pid = -1;
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

int WaitForExit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int RunCommand(const std::string& command, std::string* output) {
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) output->append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

namespace {

// Rows of `table` keyed by the text of `key_column`, each row's columns in `columns` order.
std::map<std::string, std::vector<std::optional<std::string>>> RowsByKey(
    pg::Connection& conn, const std::string& table, const std::vector<Field>& columns,
    const std::string& key_column) {
  std::string select;
  for (const auto& f : columns) {
    if (!select.empty()) select += ", ";
    select += pg::QuoteIdent(f.name) + "::text";
  }
  auto rows = QueryRows(
      conn, fmt::format("SELECT {}::text, {} FROM {}", pg::QuoteIdent(key_column), select, table));
  EXPECT_TRUE(rows.ok()) << rows.status();
  std::map<std::string, std::vector<std::optional<std::string>>> out;
  if (!rows.ok()) return out;
  for (auto& row : *rows) {
    std::string key = *row[0];
    row.erase(row.begin());
    EXPECT_TRUE(out.emplace(key, std::move(row)).second) << "duplicate key " << key;
  }
  return out;
}

}  // namespace

// Checks that the target holds exactly the selected rows of `batches` (non-null keys).
void ExpectTableEquals(pg::Connection& conn, const std::string& table,
                       const std::vector<ColumnBatch>& batches, const std::string& key_column,
                       int64_t* null_keys) {
  ASSERT_FALSE(batches.empty());
  const std::vector<Field>& fields = batches[0].schema;
  auto actual = RowsByKey(conn, table, fields, key_column);
  int64_t expected_rows = 0, nulls = 0, mismatches = 0;
  for (const auto& batch : batches) {
    const int key = batch.FieldIndex(key_column);
    ASSERT_GE(key, 0);
    auto check_row = [&](int64_t row) {
      const ColumnVector& key_col = batch.columns[key];
      if (key_col.IsNull(row)) {
        ++nulls;
        return;
      }
      ++expected_rows;
      std::string key_text;
      MatchesPgText(key_col, row, std::nullopt, &key_text);
      auto it = actual.find(key_text);
      if (it == actual.end()) {
        if (++mismatches < 10)
          ADD_FAILURE() << "row with " << key_column << "=" << key_text << " is missing from "
                        << table;
        return;
      }
      for (size_t c = 0; c < fields.size(); ++c) {
        std::string expected;
        if (!MatchesPgText(batch.columns[c], row, it->second[c], &expected)) {
          if (++mismatches < 10) {
            ADD_FAILURE() << key_column << "=" << key_text << ", column " << fields[c].name
                          << ": expected " << expected << ", PostgreSQL has "
                          << it->second[c].value_or("NULL");
          }
        }
      }
    };
    if (batch.selection) {
      for (uint32_t row : *batch.selection) check_row(row);
    } else {
      for (int64_t row = 0; row < batch.num_rows; ++row) check_row(row);
    }
  }
  EXPECT_EQ(mismatches, 0);
  EXPECT_EQ(static_cast<int64_t>(actual.size()), expected_rows) << "row count of " << table;
  if (null_keys) *null_keys = nulls;
}

}  // namespace lakesync::testing
