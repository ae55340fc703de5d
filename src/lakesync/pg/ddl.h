// SQL text for the tables lakesync creates and maintains: identifier and literal quoting,
// schema-qualified table names, CREATE TABLE from lakesync Fields (types from type_map.h),
// primary keys, COPY statements, and the catalog queries the sync engine asks.
// Every identifier is always double-quoted, so names keep their case and may be keywords.
// Thread-safety: pure functions, except those taking a Connection (see connection.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/data_type.h"
#include "lakesync/common/result.h"
#include "lakesync/common/status.h"
#include "lakesync/pg/connection.h"

namespace lakesync::pg {

/// PostgreSQL's identifier length limit (NAMEDATALEN - 1); longer names would be truncated.
inline constexpr size_t kMaxIdentifierBytes = 63;

/// "name" with embedded quotes doubled. REQUIRES: ValidateIdentifier(name) is OK.
std::string QuoteIdent(std::string_view name);
/// 'text' with quotes doubled; E'...' with backslashes doubled when it holds a backslash, so
/// the result means the same whatever standard_conforming_strings says.
/// REQUIRES: no NUL bytes.
std::string QuoteLiteral(std::string_view text);
/// OK when `name` can be a PostgreSQL identifier: 1..63 bytes of UTF-8 without NUL.
Status ValidateIdentifier(std::string_view name);

struct QualifiedName {
  std::string schema = "public";
  std::string table;

  /// Parses "table" (schema public) or "schema.table"; either part may be double-quoted
  /// ("My.Schema"."T") to hold dots or quotes. Unquoted parts are taken as written (no case
  /// folding). Errors: InvalidArgument for empty parts, more than two parts, bad quoting or
  /// names PostgreSQL cannot hold.
  static Result<QualifiedName> Parse(std::string_view text);

  /// "schema"."table", for SQL.
  std::string ToSql() const;
  /// schema.table, for messages.
  std::string ToString() const;
};

bool operator==(const QualifiedName& a, const QualifiedName& b);

/// CREATE TABLE name (col type, ..., PRIMARY KEY (...)) with NOT NULL on the key columns;
/// CREATE UNLOGGED TABLE when `unlogged` (no WAL; emptied after a crash).
/// Errors: InvalidArgument for no columns, duplicate or invalid column names, key columns
/// that are not among the fields; NotSupported for types with no mapping.
Result<std::string> CreateTableSql(const QualifiedName& name, const std::vector<Field>& fields,
                                   const std::vector<std::string>& primary_key,
                                   bool if_not_exists = false, bool unlogged = false);
/// ALTER TABLE name ADD [CONSTRAINT "constraint_name"] PRIMARY KEY (cols); without a name
/// PostgreSQL names it <table>_pkey. Errors: InvalidArgument for no or invalid columns or name.
Result<std::string> AddPrimaryKeySql(const QualifiedName& name,
                                     const std::vector<std::string>& columns,
                                     std::string_view constraint_name = {});
/// ALTER TABLE name RENAME CONSTRAINT "from" TO "to".
Result<std::string> RenameConstraintSql(const QualifiedName& name, std::string_view from,
                                        std::string_view to);
/// CREATE SCHEMA IF NOT EXISTS "schema".
std::string CreateSchemaSql(std::string_view schema);
/// DROP TABLE [IF EXISTS] name.
std::string DropTableSql(const QualifiedName& name, bool if_exists = true);
/// ALTER TABLE name RENAME TO "new_table" (the schema stays). Errors: invalid new name.
Result<std::string> RenameTableSql(const QualifiedName& name, std::string_view new_table);
/// TRUNCATE TABLE name.
std::string TruncateTableSql(const QualifiedName& name);
/// COPY name ("a", "b", ...) FROM STDIN (FORMAT binary), the statement for CopyBinaryEncoder
/// output with the same fields in the same order.
Result<std::string> CopyFromStdinSql(const QualifiedName& name, const std::vector<Field>& fields);

/// CREATE TEMP TABLE "staging" (LIKE target INCLUDING DEFAULTS) ON COMMIT DROP: a session-local
/// table to COPY a change batch into, gone at the end of the transaction. Its QualifiedName is
/// {"pg_temp", staging}.
Result<std::string> CreateStagingTableSql(const QualifiedName& like, std::string_view staging);
/// INSERT INTO target (cols) SELECT cols FROM source ON CONFLICT (key) DO UPDATE SET every
/// non-key column to the incoming value (DO NOTHING when every column is a key column).
/// REQUIRES: target has a primary key or unique index on `key`. Errors: InvalidArgument for no
/// columns, no key, or key columns that are not among the columns.
Result<std::string> UpsertSql(const QualifiedName& target, const QualifiedName& source,
                              const std::vector<std::string>& columns,
                              const std::vector<std::string>& key);
/// DELETE FROM target USING source WHERE the key columns are equal (rows deleted upstream).
Result<std::string> DeleteMatchingSql(const QualifiedName& target, const QualifiedName& source,
                                      const std::vector<std::string>& key);

/// Whether a table (ordinary or partitioned) named `name` exists.
Result<bool> TableExists(Connection& conn, const QualifiedName& name);

struct ColumnInfo {
  std::string name;
  std::string type;  // format_type(): "numeric(20,0)", "timestamp with time zone"...
  bool not_null = false;
};
/// The table's columns in order. Errors: NotFound when the table does not exist.
Result<std::vector<ColumnInfo>> DescribeTable(Connection& conn, const QualifiedName& name);
/// OK when every field is a column of the table with the PostgreSQL type MapType gives it, so
/// a COPY of `fields` in binary format will be understood. Errors: InvalidArgument listing
/// every missing or differently typed column (the table has drifted from the source schema);
/// NotSupported for a field type with no mapping.
Status CheckColumnsMatch(const std::vector<ColumnInfo>& table_columns,
                         const std::vector<Field>& fields);
/// The table's primary key columns in key order (empty when it has none).
Result<std::vector<std::string>> PrimaryKeyColumns(Connection& conn, const QualifiedName& name);

}  // namespace lakesync::pg
