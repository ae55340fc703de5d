#include "lakesync/testing/pg_test_env.h"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>

#include "lakesync/common/macros.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/testing/test_paths.h"

namespace lakesync::testing {
namespace {

std::string QuoteConninfoValue(std::string_view v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace

Result<std::string> PgConninfoFromEnv() {
  // The environment names the file, or the path CMake compiled in (test_paths.h).
  const std::string path = PgEnvFile();
  std::ifstream in(path);
  if (!in) {
    return Status::NotFound(
        "PostgreSQL fixture file {} does not exist: run the test with ctest (postgres fixture) "
        "to get a PostgreSQL server",
        path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string conninfo = ss.str();
  while (!conninfo.empty() && (conninfo.back() == '\n' || conninfo.back() == ' ')) {
    conninfo.pop_back();
  }
  if (conninfo.empty()) return Status::NotFound("PostgreSQL fixture file {} is empty", path);
  return conninfo;
}

Result<std::string> ConninfoWithDatabase(const std::string& conninfo, const std::string& dbname) {
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo.c_str(), &err);
  if (opts == nullptr) {
    std::string why = err != nullptr ? err : "out of memory";
    if (err != nullptr) PQfreemem(err);
    return Status::InvalidArgument("bad conninfo: {}", why);
  }
  std::string out;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr || std::string_view(o->keyword) == "dbname") continue;
    out += fmt::format("{}={} ", o->keyword, QuoteConninfoValue(o->val));
  }
  PQconninfoFree(opts);
  out += "dbname=" + QuoteConninfoValue(dbname);
  return out;
}

Result<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  LAKESYNC_ASSIGN_OR_RETURN(std::string admin, PgConninfoFromEnv());
  static std::atomic<int> counter{0};
  std::random_device rd;
  const std::string name = fmt::format("lakesync_test_{}_{}_{:08x}", getpid(), counter++, rd());
  LAKESYNC_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(admin));
  LAKESYNC_RETURN_NOT_OK(conn->Exec(
      fmt::format("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'", pg::QuoteIdent(name))));
  std::unique_ptr<TestDatabase> db(new TestDatabase(name, "", admin));
  LAKESYNC_RETURN_NOT_OK(conn->Exec(fmt::format(
      "ALTER DATABASE {0} SET TimeZone TO 'UTC'; ALTER DATABASE {0} SET DateStyle TO 'ISO, YMD'; "
      "ALTER DATABASE {0} SET extra_float_digits TO 1",
      pg::QuoteIdent(name))));
  LAKESYNC_ASSIGN_OR_RETURN(db->conninfo_, ConninfoWithDatabase(admin, name));
  return db;
}

TestDatabase::~TestDatabase() {
  auto conn = pg::Connection::Open(admin_conninfo_);
  if (!conn.ok()) {
    ADD_FAILURE() << "dropping test database " << name_ << ": " << conn.status().ToString();
    return;
  }
  Status st =
      (*conn)->Exec(fmt::format("DROP DATABASE IF EXISTS {} WITH (FORCE)", pg::QuoteIdent(name_)));
  if (!st.ok()) ADD_FAILURE() << "dropping test database " << name_ << ": " << st.ToString();
}

Result<std::unique_ptr<pg::Connection>> TestDatabase::Connect() const {
  return pg::Connection::Open(conninfo_);
}

void DatabaseTest::SetUp() {
  auto db = TestDatabase::Create();
  if (!db.ok() && db.status().IsNotFound()) GTEST_SKIP() << db.status().ToString();
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  db_ = std::move(db).value();
  auto conn = db_->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  conn_ = std::move(conn).value();
}

Result<Rows> QueryRows(pg::Connection& conn, std::string_view sql) {
  LAKESYNC_ASSIGN_OR_RETURN(pg::QueryResult r, conn.Query(sql));
  Rows rows;
  rows.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    std::vector<std::optional<std::string>> row;
    row.reserve(r.cols());
    for (int c = 0; c < r.cols(); ++c) row.push_back(r.GetOptional(i, c));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace lakesync::testing
