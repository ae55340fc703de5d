#include "lakesync/pg/connection.h"

#include <gtest/gtest.h>
#include <libpq-fe.h>

#include "lakesync/pg/transaction.h"
#include "lakesync/testing/pg_test_env.h"

namespace lakesync::pg {
namespace {

using ::lakesync::testing::QueryRows;
using ::lakesync::testing::Rows;

TEST(ConnectionTest, BadPortIsUnavailable) {
  auto conn = Connection::Open("host=127.0.0.1 port=1 dbname=postgres connect_timeout=5");
  ASSERT_FALSE(conn.ok());
  EXPECT_TRUE(conn.status().IsUnavailable()) << conn.status().ToString();
  EXPECT_TRUE(conn.status().IsRetryable());
}

TEST(ConnectionTest, MalformedConninfoIsInvalidArgument) {
  auto conn = Connection::Open("nosuchkeyword=1");
  ASSERT_FALSE(conn.ok());
  EXPECT_TRUE(conn.status().IsInvalidArgument()) << conn.status().ToString();
}

TEST(ConnectionTest, UriConninfoWorks) {
  auto conninfo = ::lakesync::testing::PgConninfoFromEnv();
  if (!conninfo.ok()) GTEST_SKIP() << conninfo.status().ToString();
  // Rebuild the fixture's key=value conninfo as a URI.
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(conninfo->c_str(), &err);
  ASSERT_NE(opts, nullptr);
  std::string host, port, user;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view k(o->keyword);
    if (k == "host") host = o->val;
    if (k == "port") port = o->val;
    if (k == "user") user = o->val;
  }
  PQconninfoFree(opts);
  std::string encoded_host;
  for (char c : host) encoded_host += c == '/' ? std::string("%2F") : std::string(1, c);
  auto conn = Connection::Open("postgresql://" + user + "@" + encoded_host + ":" + port +
                               "/postgres?application_name=uri_test");
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto rows = QueryRows(**conn, "SHOW application_name");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"uri_test"}}));
}

TEST(ConnectionTest, MissingDatabaseFailsToConnect) {
  auto conninfo = ::lakesync::testing::PgConninfoFromEnv();
  if (!conninfo.ok()) GTEST_SKIP() << conninfo.status().ToString();
  auto other = ::lakesync::testing::ConninfoWithDatabase(*conninfo, "no_such_database_x");
  ASSERT_TRUE(other.ok());
  auto conn = Connection::Open(*other);
  ASSERT_FALSE(conn.ok());
  EXPECT_NE(conn.status().message().find("no_such_database_x"), std::string::npos)
      << conn.status().ToString();
}

TEST(ConnectionTest, QueryReturnsRowsAndColumnNames) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto r = (*conn)->Query("SELECT 1 AS a, NULL::text AS b, 'x' AS c");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows(), 1);
  EXPECT_EQ(r->cols(), 3);
  EXPECT_EQ(r->Get(0, 0), "1");
  EXPECT_TRUE(r->IsNull(0, 1));
  EXPECT_FALSE(r->IsNull(0, 2));
  EXPECT_EQ(r->ColumnNames(), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(r->ColumnIndex("c"), 2);
  EXPECT_GE((*conn)->ServerVersion(), 130000);
  auto ints = (*conn)->Query("SELECT 9223372036854775807::bigint, NULL::int, 'x'::text");
  ASSERT_TRUE(ints.ok());
  EXPECT_EQ(*ints->GetInt64(0, 0), 9223372036854775807);
  EXPECT_TRUE(ints->GetInt64(0, 1).status().IsInvalidArgument());
  EXPECT_TRUE(ints->GetInt64(0, 2).status().IsInvalidArgument());
}

TEST(ConnectionTest, ParameterisedQueryBindsTextAndNull) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto r = (*conn)->Query("SELECT $1::int + 1, $2::text IS NULL, $3::text",
                          {Param("41"), std::nullopt, Param("it's \"q\"")});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->Get(0, 0), "42");
  EXPECT_EQ(r->Get(0, 1), "t");
  EXPECT_EQ(r->Get(0, 2), "it's \"q\"");
}

TEST(ConnectionTest, UniqueViolationIsConflict) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)").ok());
  Status st = (*conn)->Exec("INSERT INTO t VALUES (1)");
  EXPECT_TRUE(st.IsConflict()) << st.ToString();
  EXPECT_NE(st.message().find("23505"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("already exists"), std::string::npos) << st.ToString();  // detail
  EXPECT_EQ((*conn)->last_sqlstate(), "23505");
}

TEST(ConnectionTest, MissingTableIsNotFound) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto r = (*conn)->Query("SELECT * FROM no_such_table");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  Status st = (*conn)->Exec("CREATE TABLE no_such_schema.t (a int)");
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
}

TEST(ConnectionTest, DataErrorIsInvalidArgumentWithHint) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto r = (*conn)->Query("SELECT 'abc'::int");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("22P02"), std::string::npos);
  // Still usable after an error.
  EXPECT_TRUE((*conn)->Exec("SELECT 1").ok());
}

TEST(ConnectionTest, TerminatedBackendIsUnavailable) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  auto killer = db->Connect();
  ASSERT_TRUE(conn.ok() && killer.ok());
  auto pid = (*conn)->Query("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE(
      (*killer)
          ->Query("SELECT pg_terminate_backend($1::int)", {Param(std::string(pid->Get(0, 0)))})
          .ok());
  Status st = (*conn)->Exec("SELECT 1");
  EXPECT_TRUE(st.IsUnavailable()) << st.ToString();
  EXPECT_FALSE((*conn)->IsOk());
}

TEST(ConnectionTest, SetApplicationNameShowsInActivity) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->SetApplicationName("lakesync-test").ok());
  auto rows = QueryRows(**conn, "SHOW application_name");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"lakesync-test"}}));
}

TEST(ConnectionTest, CopyTextRowsAndCount) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (a int, b text)").ok());
  ASSERT_TRUE((*conn)->BeginCopy("COPY t FROM STDIN").ok());
  EXPECT_TRUE((*conn)->in_copy());
  const std::string data = "1\tx\n2\t\\N\n";
  ASSERT_TRUE(
      (*conn)->PutCopyData(reinterpret_cast<const uint8_t*>(data.data()), data.size()).ok());
  auto n = (*conn)->EndCopy();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2);
  auto rows = QueryRows(**conn, "SELECT a, b FROM t ORDER BY a");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"1", "x"}, {"2", std::nullopt}}));
}

TEST(ConnectionTest, CopyServerErrorIsReportedAndConnectionStaysUsable) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (a int PRIMARY KEY)").ok());
  ASSERT_TRUE((*conn)->BeginCopy("COPY t FROM STDIN").ok());
  const std::string data = "1\n1\n";
  Status put = (*conn)->PutCopyData(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  auto n = put.ok() ? (*conn)->EndCopy() : Result<int64_t>(put);
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().IsConflict()) << n.status().ToString();
  EXPECT_FALSE((*conn)->in_copy());
  auto rows = QueryRows(**conn, "SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"0"}}));
}

TEST(ConnectionTest, ServerErrorEarlyInALongCopyIsDrainedAndReported) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (a int NOT NULL)").ok());
  ASSERT_TRUE((*conn)->BeginCopy("COPY t FROM STDIN").ok());
  // The first row breaks NOT NULL; the server stops reading rows and answers with an error
  // while we keep sending, which PutCopyData or EndCopy must report with its SQLSTATE.
  const std::string bad = "\\N\n";
  Status st = (*conn)->PutCopyData(reinterpret_cast<const uint8_t*>(bad.data()), bad.size());
  std::string chunk;
  for (int i = 0; i < 20000; ++i) chunk += "1\n";
  for (int i = 0; i < 300 && st.ok(); ++i) {
    st = (*conn)->PutCopyData(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size());
  }
  Result<int64_t> n = st.ok() ? (*conn)->EndCopy() : Result<int64_t>(st);
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().IsInvalidArgument()) << n.status().ToString();
  EXPECT_NE(n.status().message().find("23502"), std::string::npos) << n.status().ToString();
  EXPECT_FALSE((*conn)->in_copy());
  auto rows = QueryRows(**conn, "SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"0"}}));
}

TEST(ConnectionTest, BackendKilledDuringCopyIsUnavailable) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  auto killer = db->Connect();
  ASSERT_TRUE(conn.ok() && killer.ok());
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (a int)").ok());
  auto pid = (*conn)->Query("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.ok());
  ASSERT_TRUE((*conn)->BeginCopy("COPY t FROM STDIN").ok());
  ASSERT_TRUE(
      (*killer)
          ->Query("SELECT pg_terminate_backend($1::int)", {Param(std::string(pid->Get(0, 0)))})
          .ok());
  std::string chunk;
  for (int i = 0; i < 20000; ++i) chunk += "1\n";
  Status st;
  for (int i = 0; i < 300 && st.ok(); ++i) {
    st = (*conn)->PutCopyData(reinterpret_cast<const uint8_t*>(chunk.data()), chunk.size());
  }
  Result<int64_t> n = st.ok() ? (*conn)->EndCopy() : Result<int64_t>(st);
  ASSERT_FALSE(n.ok());
  EXPECT_TRUE(n.status().IsUnavailable()) << n.status().ToString();
  EXPECT_FALSE((*conn)->in_copy());
}

TEST(ConnectionTest, CopyToStdoutThroughQueryIsRejectedAndConnectionUsable) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2)").ok());
  auto r = (*conn)->Query("COPY t TO STDOUT");
  EXPECT_TRUE(r.status().IsInvalidArgument()) << r.status().ToString();
  auto rows = QueryRows(**conn, "SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"2"}}));
  // BeginCopy refuses COPY TO as well.
  EXPECT_TRUE((*conn)->BeginCopy("COPY t TO STDOUT").IsInvalidArgument());
  EXPECT_FALSE((*conn)->in_copy());
  EXPECT_TRUE((*conn)->Exec("SELECT 1").ok());
}

TEST(ConnectionTest, MisuseIsAnErrorNotACrash) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  EXPECT_FALSE((*conn)->PutCopyData(nullptr, 0).ok());
  EXPECT_FALSE((*conn)->EndCopy().ok());
  EXPECT_TRUE((*conn)->AbortCopy("none").ok());
  EXPECT_TRUE((*conn)->Exec(std::string("SELECT 1\0", 9)).IsInvalidArgument());
  EXPECT_TRUE((*conn)->Exec("").IsInvalidArgument());
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (a int)").ok());
  ASSERT_TRUE((*conn)->BeginCopy("COPY t FROM STDIN").ok());
  EXPECT_FALSE((*conn)->Exec("SELECT 1").ok());  // a COPY is in progress
  EXPECT_FALSE((*conn)->BeginCopy("COPY t FROM STDIN").ok());
  EXPECT_TRUE((*conn)->AbortCopy("done").ok());
  EXPECT_TRUE((*conn)->Exec("SELECT 1").ok());
}

TEST(ConnectionTest, MovedConnectionKeepsWorking) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  Connection moved(std::move(**conn));
  EXPECT_TRUE(moved.Exec("SELECT 1").ok());
}

TEST(ConnectionTest, BeginCopyOfMissingTableIsNotFound) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  Status st = (*conn)->BeginCopy("COPY missing FROM STDIN");
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
  EXPECT_FALSE((*conn)->in_copy());
}

TEST(ConnectionTest, AbortCopyDiscardsRows) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (a int)").ok());
  ASSERT_TRUE((*conn)->BeginCopy("COPY t FROM STDIN").ok());
  const std::string data = "1\n";
  ASSERT_TRUE(
      (*conn)->PutCopyData(reinterpret_cast<const uint8_t*>(data.data()), data.size()).ok());
  EXPECT_TRUE((*conn)->AbortCopy("test").ok());
  auto rows = QueryRows(**conn, "SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"0"}}));
}

TEST(ConnectionTest, ExecOfCopyStatementIsRejectedAndConnectionUsable) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE((*conn)->Exec("CREATE TABLE t (a int)").ok());
  Status st = (*conn)->Exec("COPY t FROM STDIN");
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_TRUE((*conn)->Exec("SELECT 1").ok());
}

// Each TransactionTest starts with its own database holding an empty table t (a int).
class TransactionTest : public ::lakesync::testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(conn_->Exec("CREATE TABLE t (a int)").ok());
  }
};

TEST_F(TransactionTest, RollsBackUnlessCommitted) {
  {
    auto txn = Transaction::Begin(*conn_);
    ASSERT_TRUE(txn.ok()) << txn.status().ToString();
    ASSERT_TRUE(conn_->Exec("INSERT INTO t VALUES (1)").ok());
  }  // dropped without Commit
  {
    auto txn = Transaction::Begin(*conn_);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(conn_->Exec("INSERT INTO t VALUES (2)").ok());
    ASSERT_TRUE((*txn)->Commit().ok());
    EXPECT_FALSE((*txn)->active());
  }
  auto rows = QueryRows(*conn_, "SELECT a FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"2"}}));
}

TEST_F(TransactionTest, CommitAfterFailedStatementReportsError) {
  auto txn = Transaction::Begin(*conn_);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(conn_->Exec("INSERT INTO t VALUES (1)").ok());
  EXPECT_FALSE(conn_->Exec("SELECT 1/0").ok());
  Status st = (*txn)->Commit();
  EXPECT_FALSE(st.ok());
  auto rows = QueryRows(*conn_, "SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"0"}}));
}

TEST_F(TransactionTest, RollbackDuringCopyLeavesConnectionUsable) {
  {
    auto txn = Transaction::Begin(*conn_);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(conn_->BeginCopy("COPY t FROM STDIN").ok());
    const std::string data = "1\n";
    ASSERT_TRUE(
        conn_->PutCopyData(reinterpret_cast<const uint8_t*>(data.data()), data.size()).ok());
  }
  EXPECT_FALSE(conn_->in_copy());
  auto rows = QueryRows(*conn_, "SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"0"}}));
}

}  // namespace
}  // namespace lakesync::pg

namespace lakesync::pg {
namespace {

using ::lakesync::testing::QueryRows;
using ::lakesync::testing::Rows;

TEST_F(TransactionTest, IsolationLevelAndExplicitRollback) {
  auto txn = Transaction::Begin(*conn_, IsolationLevel::kSerializable);
  ASSERT_TRUE(txn.ok());
  auto level = QueryRows(*conn_, "SHOW transaction_isolation");
  ASSERT_TRUE(level.ok());
  EXPECT_EQ(*level, (Rows{{"serializable"}}));
  ASSERT_TRUE(conn_->Exec("INSERT INTO t VALUES (1)").ok());
  EXPECT_TRUE((*txn)->Rollback().ok());
  EXPECT_FALSE((*txn)->active());
  EXPECT_FALSE((*txn)->Commit().ok());  // no longer active
  auto rows = QueryRows(*conn_, "SELECT count(*) FROM t");
  ASSERT_TRUE(rows.ok());
  EXPECT_EQ(*rows, (Rows{{"0"}}));
}

TEST(TestDatabaseTest, EachTestGetsItsOwnDatabaseDroppedAfterwards) {
  auto admin_info = ::lakesync::testing::PgConninfoFromEnv();
  if (!admin_info.ok()) GTEST_SKIP() << admin_info.status().ToString();
  auto admin = Connection::Open(*admin_info);
  ASSERT_TRUE(admin.ok());
  std::string name;
  std::unique_ptr<Connection> still_open;  // outlives the database it is connected to
  {
    LAKESYNC_TEST_DATABASE(a);
    LAKESYNC_TEST_DATABASE(b);
    EXPECT_NE(a->name(), b->name());
    name = a->name();
    auto ca = a->Connect();
    auto cb = b->Connect();
    ASSERT_TRUE(ca.ok() && cb.ok());
    ASSERT_TRUE((*ca)->Exec("CREATE TABLE only_in_a (x int)").ok());
    EXPECT_TRUE((*cb)->Query("SELECT * FROM only_in_a").status().IsNotFound());
    auto tz = QueryRows(**ca, "SHOW TimeZone");
    ASSERT_TRUE(tz.ok());
    EXPECT_EQ(*tz, (Rows{{"UTC"}}));
    still_open = std::move(*ca);  // DROP ... WITH (FORCE) ends it
  }
  EXPECT_FALSE(still_open->Exec("SELECT 1").ok());
  auto left = (*admin)->Query("SELECT count(*) FROM pg_database WHERE datname = $1", {Param(name)});
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->Get(0, 0), "0");
}

}  // namespace
}  // namespace lakesync::pg
