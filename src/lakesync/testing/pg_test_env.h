// Test helpers for code that talks to PostgreSQL: the fixture's conninfo (written by
// scripts/pg_fixture.sh to the file named by LAKESYNC_PG_ENV), a fresh database per test so
// tests never see each other's tables, and a query helper that returns rows as strings.
// Thread-safety: a TestDatabase is used by one test; different ones are independent.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/pg/connection.h"

namespace lakesync::testing {

/// The fixture's libpq conninfo, read from the file LAKESYNC_PG_ENV names or, when that is unset,
/// from the path CMake compiled in (test_paths.h). NotFound when the file is missing or empty
/// (the test is then not running under ctest's postgres fixture).
Result<std::string> PgConninfoFromEnv();

/// `conninfo` with its dbname replaced by `dbname` (as key=value conninfo).
Result<std::string> ConninfoWithDatabase(const std::string& conninfo, const std::string& dbname);

/// A database created for one test and dropped (WITH (FORCE)) when this object dies. Its
/// TimeZone is UTC and DateStyle ISO, so ::text renderings are stable.
class TestDatabase {
 public:
  /// Creates "lakesync_test_<pid>_<n>_<random>". NotFound when no fixture is configured.
  static Result<std::unique_ptr<TestDatabase>> Create();
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  /// Conninfo of this database.
  const std::string& conninfo() const { return conninfo_; }
  /// Conninfo of the fixture's maintenance database (postgres).
  const std::string& admin_conninfo() const { return admin_conninfo_; }
  /// A new connection to this database.
  Result<std::unique_ptr<pg::Connection>> Connect() const;

 private:
  TestDatabase(std::string name, std::string conninfo, std::string admin_conninfo)
      : name_(std::move(name)),
        conninfo_(std::move(conninfo)),
        admin_conninfo_(std::move(admin_conninfo)) {}

  std::string name_;
  std::string conninfo_;
  std::string admin_conninfo_;
};

/// A GoogleTest fixture holding a fresh TestDatabase and one connection to it. SetUp skips the
/// test when no fixture is configured and fails it when the database or connection cannot be
/// made; a subclass that extends SetUp calls DatabaseTest::SetUp() first and returns when
/// IsSkipped() or HasFatalFailure(). The connection is closed before the database is dropped.
class DatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override;

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<pg::Connection> conn_;
};

using Rows = std::vector<std::vector<std::optional<std::string>>>;

/// Runs `sql` and returns every row, nulls as nullopt.
Result<Rows> QueryRows(pg::Connection& conn, std::string_view sql);

}  // namespace lakesync::testing

/// Declares `std::unique_ptr<TestDatabase> var` for the current test: skips the test when no
/// fixture is configured, fails it when the database cannot be created.
#define LAKESYNC_TEST_DATABASE(var)                                     \
  std::unique_ptr<::lakesync::testing::TestDatabase> var;               \
  do {                                                                  \
    auto _lakesync_db = ::lakesync::testing::TestDatabase::Create();    \
    if (!_lakesync_db.ok() && _lakesync_db.status().IsNotFound()) {     \
      GTEST_SKIP() << _lakesync_db.status().ToString();                 \
    }                                                                   \
    ASSERT_TRUE(_lakesync_db.ok()) << _lakesync_db.status().ToString(); \
    var = std::move(_lakesync_db).value();                              \
  } while (false)
