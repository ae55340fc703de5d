#include "lakesync/pg/ddl.h"

#include <gtest/gtest.h>

#include "lakesync/pg/type_map.h"
#include "lakesync/testing/pg_test_env.h"

namespace lakesync::pg {
namespace {

using ::lakesync::testing::QueryRows;
using ::lakesync::testing::Rows;

Field F(std::string name, DataType type, bool nullable = true) {
  return Field{std::move(name), std::move(type), nullable};
}
DataType T(TypeId id) { return DataType::Primitive(id); }

TEST(DdlTest, QuoteIdentDoublesQuotes) {
  EXPECT_EQ(QuoteIdent("users"), "\"users\"");
  EXPECT_EQ(QuoteIdent("My \"Table\""), "\"My \"\"Table\"\"\"");
  EXPECT_EQ(QuoteIdent("select"), "\"select\"");
}

TEST(DdlTest, QuoteLiteralHandlesQuotesAndBackslashes) {
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
  EXPECT_EQ(QuoteLiteral(""), "''");
  EXPECT_EQ(QuoteLiteral("a\\b'c"), "E'a\\\\b''c'");
}

TEST(DdlTest, ParseQualifiedNames) {
  auto n = QualifiedName::Parse("users");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->schema, "public");
  EXPECT_EQ(n->table, "users");
  EXPECT_EQ(n->ToSql(), "\"public\".\"users\"");
  n = QualifiedName::Parse("Sales.Orders");
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(n->schema, "Sales");
  EXPECT_EQ(n->table, "Orders");
  EXPECT_EQ(n->ToString(), "Sales.Orders");
  n = QualifiedName::Parse("\"my.schema\".\"t \"\"x\"\"\"");
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(n->schema, "my.schema");
  EXPECT_EQ(n->table, "t \"x\"");
  for (const char* bad : {"", ".", "a.", ".b", "a.b.c", "\"a", "a\"b", "\"a\"b", "a..b"}) {
    EXPECT_TRUE(QualifiedName::Parse(bad).status().IsInvalidArgument()) << bad;
  }
  EXPECT_TRUE(QualifiedName::Parse(std::string(64, 'x')).status().IsInvalidArgument());
  EXPECT_TRUE(QualifiedName::Parse(std::string(63, 'x')).ok());
  EXPECT_TRUE(QualifiedName::Parse("bad\xff").status().IsInvalidArgument());
}

TEST(DdlTest, CreateTableSqlQuotesNamesAndMarksKeysNotNull) {
  const QualifiedName name{"s", "t"};
  auto sql = CreateTableSql(name,
                            {F("id", T(TypeId::kInt64)), F("Name", T(TypeId::kString)),
                             F("amount", DataType::Decimal(12, 2))},
                            {"id"});
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  EXPECT_EQ(*sql,
            "CREATE TABLE \"s\".\"t\" (\"id\" bigint NOT NULL, \"Name\" text, \"amount\" "
            "numeric(12,2), PRIMARY KEY (\"id\"))");
  auto no_key = CreateTableSql(name, {F("a", T(TypeId::kInt32))}, {}, /*if_not_exists=*/true);
  ASSERT_TRUE(no_key.ok());
  EXPECT_EQ(*no_key, "CREATE TABLE IF NOT EXISTS \"s\".\"t\" (\"a\" integer)");
}

TEST(DdlTest, CreateTableSqlRejectsBadInput) {
  const QualifiedName name{"s", "t"};
  EXPECT_TRUE(CreateTableSql(name, {}, {}).status().IsInvalidArgument());
  EXPECT_TRUE(CreateTableSql(name, {F("a", T(TypeId::kInt32)), F("a", T(TypeId::kInt64))}, {})
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(
      CreateTableSql(name, {F("a", T(TypeId::kInt32))}, {"b"}).status().IsInvalidArgument());
  EXPECT_TRUE(
      CreateTableSql(name, {F("a", T(TypeId::kInt32))}, {"a", "a"}).status().IsInvalidArgument());
  EXPECT_TRUE(CreateTableSql(name, {F(std::string(64, 'c'), T(TypeId::kInt32))}, {})
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(
      CreateTableSql(name, {F("d", DataType::Decimal(3, 5))}, {}).status().IsNotSupported());
}

TEST(DdlTest, OtherStatements) {
  const QualifiedName name{"s", "t"};
  EXPECT_EQ(DropTableSql(name), "DROP TABLE IF EXISTS \"s\".\"t\"");
  EXPECT_EQ(DropTableSql(name, false), "DROP TABLE \"s\".\"t\"");
  EXPECT_EQ(*RenameTableSql(name, "u"), "ALTER TABLE \"s\".\"t\" RENAME TO \"u\"");
  EXPECT_EQ(*AddPrimaryKeySql(name, {"a", "b"}),
            "ALTER TABLE \"s\".\"t\" ADD PRIMARY KEY (\"a\", \"b\")");
  EXPECT_TRUE(AddPrimaryKeySql(name, {}).status().IsInvalidArgument());
  EXPECT_EQ(*AddPrimaryKeySql(name, {"a"}, "t_pk"),
            "ALTER TABLE \"s\".\"t\" ADD CONSTRAINT \"t_pk\" PRIMARY KEY (\"a\")");
  EXPECT_EQ(*RenameConstraintSql(name, "a_pk", "b_pk"),
            "ALTER TABLE \"s\".\"t\" RENAME CONSTRAINT \"a_pk\" TO \"b_pk\"");
  EXPECT_EQ(CreateSchemaSql("s"), "CREATE SCHEMA IF NOT EXISTS \"s\"");
  EXPECT_EQ(TruncateTableSql(name), "TRUNCATE TABLE \"s\".\"t\"");
  EXPECT_EQ(*CopyFromStdinSql(name, {F("a", T(TypeId::kInt32)), F("b c", T(TypeId::kString))}),
            "COPY \"s\".\"t\" (\"a\", \"b c\") FROM STDIN (FORMAT binary)");
}

// Every type the map knows, created in a real table: format_type() must print the name the map
// gives, so schema comparisons can use either.
TEST(DdlTest, EveryMappedTypeCreatesTheColumnTypeTheMapNames) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  DataType json = T(TypeId::kString);
  json.string_kind = StringKind::kJson;
  const std::vector<Field> fields = {
      F("k", T(TypeId::kInt64), false),
      F("null", T(TypeId::kNull)),
      F("bool", T(TypeId::kBoolean)),
      F("i8", T(TypeId::kInt8)),
      F("i16", T(TypeId::kInt16)),
      F("i32", T(TypeId::kInt32)),
      F("i64", T(TypeId::kInt64)),
      F("u8", T(TypeId::kUInt8)),
      F("u16", T(TypeId::kUInt16)),
      F("u32", T(TypeId::kUInt32)),
      F("u64", T(TypeId::kUInt64)),
      F("f16", T(TypeId::kFloat16)),
      F("f32", T(TypeId::kFloat32)),
      F("f64", T(TypeId::kFloat64)),
      F("dec", DataType::Decimal(38, 18)),
      F("str", T(TypeId::kString)),
      F("json", json),
      F("bin", T(TypeId::kBinary)),
      F("date", T(TypeId::kDate)),
      F("time", T(TypeId::kTime)),
      F("ts", DataType::Timestamp(TimeUnit::kMicros, true)),
      F("ts_ntz", DataType::Timestamp(TimeUnit::kNanos, false)),
      F("st", DataType::Struct({F("a", T(TypeId::kInt32))})),
      F("list", DataType::List(F("element", T(TypeId::kInt32)))),
      F("map", DataType::Map(F("key", T(TypeId::kString)), F("value", T(TypeId::kInt32)))),
  };
  const QualifiedName name{"s", "every_type"};
  ASSERT_TRUE((*conn)->Exec(CreateSchemaSql("s")).ok());
  auto sql = CreateTableSql(name, fields, {"k"});
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  ASSERT_TRUE((*conn)->Exec(*sql).ok()) << *sql;

  auto exists = TableExists(**conn, name);
  ASSERT_TRUE(exists.ok());
  EXPECT_TRUE(*exists);
  auto cols = DescribeTable(**conn, name);
  ASSERT_TRUE(cols.ok()) << cols.status().ToString();
  ASSERT_EQ(cols->size(), fields.size());
  for (size_t i = 0; i < fields.size(); ++i) {
    auto mapped = MapType(fields[i].type);
    ASSERT_TRUE(mapped.ok());
    EXPECT_EQ((*cols)[i].name, fields[i].name);
    EXPECT_EQ((*cols)[i].type, mapped->name) << fields[i].name;
    EXPECT_EQ((*cols)[i].not_null, i == 0) << fields[i].name;
  }
  auto pk = PrimaryKeyColumns(**conn, name);
  ASSERT_TRUE(pk.ok()) << pk.status().ToString();
  EXPECT_EQ(*pk, std::vector<std::string>{"k"});
  EXPECT_TRUE(CheckColumnsMatch(*cols, fields).ok());
}

TEST(DdlTest, CheckColumnsMatchReportsEveryDifference) {
  const std::vector<ColumnInfo> table = {
      {"id", "bigint", true}, {"amount", "numeric(10,2)", false}, {"extra", "text", false}};
  EXPECT_TRUE(CheckColumnsMatch(table, {F("id", T(TypeId::kInt64))}).ok());
  Status st =
      CheckColumnsMatch(table, {F("id", T(TypeId::kInt32)), F("amount", DataType::Decimal(12, 2)),
                                F("gone", T(TypeId::kString))});
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("\"id\" is bigint but integer needs integer"), std::string::npos)
      << st.ToString();
  EXPECT_NE(st.message().find("numeric(12,2)"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("\"gone\" is missing"), std::string::npos) << st.ToString();
}

TEST(DdlTest, CatalogHelpersOnRealTables) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const QualifiedName name{"public", "Mixed Case"};
  auto exists = TableExists(**conn, name);
  ASSERT_TRUE(exists.ok());
  EXPECT_FALSE(*exists);
  EXPECT_TRUE(DescribeTable(**conn, name).status().IsNotFound());

  auto sql = CreateTableSql(name, {F("b", T(TypeId::kInt32)), F("a", T(TypeId::kString))}, {});
  ASSERT_TRUE(sql.ok());
  ASSERT_TRUE((*conn)->Exec(*sql).ok());
  auto pk = PrimaryKeyColumns(**conn, name);
  ASSERT_TRUE(pk.ok());
  EXPECT_TRUE(pk->empty());
  ASSERT_TRUE((*conn)->Exec(*AddPrimaryKeySql(name, {"a", "b"})).ok());
  pk = PrimaryKeyColumns(**conn, name);
  ASSERT_TRUE(pk.ok());
  EXPECT_EQ(*pk, (std::vector<std::string>{"a", "b"}));

  ASSERT_TRUE((*conn)->Exec(*RenameConstraintSql(name, "Mixed Case_pkey", "mixed_pk")).ok());
  ASSERT_TRUE((*conn)->Exec(*RenameTableSql(name, "renamed")).ok());
  EXPECT_FALSE(*TableExists(**conn, name));
  const QualifiedName renamed{"public", "renamed"};
  EXPECT_TRUE(*TableExists(**conn, renamed));
  ASSERT_TRUE((*conn)->Exec(DropTableSql(renamed)).ok());
  EXPECT_FALSE(*TableExists(**conn, renamed));
  EXPECT_TRUE((*conn)->Exec(DropTableSql(renamed)).ok());  // IF EXISTS
  EXPECT_TRUE((*conn)->Exec(DropTableSql(renamed, false)).IsNotFound());
}

TEST(DdlTest, UpsertAndDeleteStatements) {
  const QualifiedName t{"s", "t"};
  const QualifiedName st{"pg_temp", "stage"};
  EXPECT_EQ(*UpsertSql(t, st, {"id", "v"}, {"id"}),
            "INSERT INTO \"s\".\"t\" (\"id\", \"v\") SELECT \"id\", \"v\" FROM "
            "\"pg_temp\".\"stage\" ON CONFLICT (\"id\") DO UPDATE SET \"v\" = EXCLUDED.\"v\"");
  EXPECT_EQ(*UpsertSql(t, st, {"id"}, {"id"}),
            "INSERT INTO \"s\".\"t\" (\"id\") SELECT \"id\" FROM \"pg_temp\".\"stage\" "
            "ON CONFLICT (\"id\") DO NOTHING");
  EXPECT_TRUE(UpsertSql(t, st, {"id"}, {}).status().IsInvalidArgument());
  EXPECT_TRUE(UpsertSql(t, st, {"id"}, {"k"}).status().IsInvalidArgument());
  EXPECT_EQ(*DeleteMatchingSql(t, st, {"a", "b"}),
            "DELETE FROM \"s\".\"t\" AS t USING \"pg_temp\".\"stage\" AS s WHERE "
            "t.\"a\" = s.\"a\" AND t.\"b\" = s.\"b\"");
}

TEST(DdlTest, StagingUpsertAndDeleteOnRealTables) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  const QualifiedName t{"public", "t"};
  const QualifiedName stage{"pg_temp", "stage"};
  auto create = CreateTableSql(t, {F("id", T(TypeId::kInt64)), F("v", T(TypeId::kString))}, {"id"});
  ASSERT_TRUE(create.ok());
  ASSERT_TRUE((*conn)->Exec(*create).ok());
  ASSERT_TRUE((*conn)->Exec("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')").ok());
  ASSERT_TRUE((*conn)->Exec("BEGIN").ok());
  ASSERT_TRUE((*conn)->Exec(*CreateStagingTableSql(t, "stage")).ok());
  ASSERT_TRUE((*conn)->Exec("INSERT INTO pg_temp.stage VALUES (2, 'B'), (4, 'D')").ok());
  ASSERT_TRUE((*conn)->Exec(*UpsertSql(t, stage, {"id", "v"}, {"id"})).ok());
  ASSERT_TRUE(
      (*conn)->Exec("TRUNCATE pg_temp.stage; INSERT INTO pg_temp.stage VALUES (1, NULL)").ok());
  ASSERT_TRUE((*conn)->Exec(*DeleteMatchingSql(t, stage, {"id"})).ok());
  ASSERT_TRUE((*conn)->Exec("COMMIT").ok());
  auto rows = QueryRows(**conn, "SELECT id, v FROM t ORDER BY id");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  EXPECT_EQ(*rows, (Rows{{"2", "B"}, {"3", "c"}, {"4", "D"}}));
  // The staging table went away with the transaction.
  auto gone = QueryRows(**conn, "SELECT to_regclass('pg_temp.stage') IS NULL");
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(*gone, (Rows{{"t"}}));
}

TEST(DdlTest, QuoteLiteralRoundTripsThroughServer) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  const std::string tricky = "a'b\\c\"d\n'; DROP TABLE x; --";
  for (const char* setting : {"on", "off"}) {
    ASSERT_TRUE((*conn)->Exec(std::string("SET standard_conforming_strings = ") + setting).ok());
    auto rows = QueryRows(**conn, "SELECT " + QuoteLiteral(tricky));
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    EXPECT_EQ(*rows, (Rows{{tricky}})) << setting;
  }
  auto rows = QueryRows(**conn, "SELECT 1 AS " + QuoteIdent("we\"ird name"));
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
}

}  // namespace
}  // namespace lakesync::pg
