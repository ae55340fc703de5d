#include "lakesync/pg/ddl.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_set>

#include "lakesync/common/macros.h"
#include "lakesync/pg/type_map.h"
#include "lakesync/pg/value_format_internal.h"

namespace lakesync::pg {

std::string QuoteIdent(std::string_view name) {
  std::string out;
  out.reserve(name.size() + 2);
  out.push_back('"');
  for (char c : name) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string QuoteLiteral(std::string_view text) {
  const bool backslash = text.find('\\') != std::string_view::npos;
  std::string out;
  out.reserve(text.size() + 3);
  if (backslash) out.push_back('E');
  out.push_back('\'');
  for (char c : text) {
    if (c == '\'' || (backslash && c == '\\')) out.push_back(c);
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

Status ValidateIdentifier(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("empty identifier");
  if (name.size() > kMaxIdentifierBytes) {
    return Status::InvalidArgument("identifier \"{}\" is longer than PostgreSQL's {} bytes", name,
                                   kMaxIdentifierBytes);
  }
  const std::string problem = internal::TextProblem(name);
  if (!problem.empty()) return Status::InvalidArgument("identifier is not valid text: {}", problem);
  return Status::OK();
}

Result<QualifiedName> QualifiedName::Parse(std::string_view text) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (true) {
    std::string part;
    if (i < text.size() && text[i] == '"') {
      ++i;
      bool closed = false;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            part.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          closed = true;
          break;
        }
        part.push_back(text[i++]);
      }
      if (!closed) return Status::InvalidArgument("unterminated quote in table name '{}'", text);
      if (i < text.size() && text[i] != '.') {
        return Status::InvalidArgument("unexpected text after a quoted name in '{}'", text);
      }
    } else {
      while (i < text.size() && text[i] != '.') {
        if (text[i] == '"') {
          return Status::InvalidArgument("misplaced quote in table name '{}'", text);
        }
        part.push_back(text[i++]);
      }
    }
    Status st = ValidateIdentifier(part);
    if (!st.ok()) return st.WithContext(fmt::format("table name '{}'", text));
    parts.push_back(std::move(part));
    if (i >= text.size()) break;
    ++i;  // the dot
    if (i >= text.size()) return Status::InvalidArgument("table name '{}' ends in a dot", text);
  }
  if (parts.size() > 2) {
    return Status::InvalidArgument("table name '{}' has more than schema.table", text);
  }
  QualifiedName name;
  if (parts.size() == 2) {
    name.schema = std::move(parts[0]);
    name.table = std::move(parts[1]);
  } else {
    name.table = std::move(parts[0]);
  }
  return name;
}

std::string QualifiedName::ToSql() const { return QuoteIdent(schema) + "." + QuoteIdent(table); }
std::string QualifiedName::ToString() const { return schema + "." + table; }

bool operator==(const QualifiedName& a, const QualifiedName& b) {
  return a.schema == b.schema && a.table == b.table;
}

namespace {

Status ValidateName(const QualifiedName& name) {
  LAKESYNC_RETURN_NOT_OK(ValidateIdentifier(name.schema));
  return ValidateIdentifier(name.table);
}

Result<std::string> ColumnList(const std::vector<std::string>& columns) {
  if (columns.empty()) return Status::InvalidArgument("empty column list");
  std::string out = "(";
  for (size_t i = 0; i < columns.size(); ++i) {
    LAKESYNC_RETURN_NOT_OK(ValidateIdentifier(columns[i]));
    if (i != 0) out += ", ";
    out += QuoteIdent(columns[i]);
  }
  out += ")";
  return out;
}

}  // namespace

Result<std::string> CreateTableSql(const QualifiedName& name, const std::vector<Field>& fields,
                                   const std::vector<std::string>& primary_key, bool if_not_exists,
                                   bool unlogged) {
  LAKESYNC_RETURN_NOT_OK(ValidateName(name));
  if (fields.empty()) return Status::InvalidArgument("table {} has no columns", name.ToString());
  std::unordered_set<std::string_view> names;
  for (const Field& f : fields) {
    Status st = ValidateIdentifier(f.name);
    if (!st.ok()) return st.WithContext(fmt::format("table {}", name.ToString()));
    if (!names.insert(f.name).second) {
      return Status::InvalidArgument("table {} has two columns named \"{}\"", name.ToString(),
                                     f.name);
    }
  }
  std::unordered_set<std::string_view> key;
  for (const std::string& k : primary_key) {
    if (names.count(k) == 0) {
      return Status::InvalidArgument("primary key column \"{}\" is not a column of {}", k,
                                     name.ToString());
    }
    if (!key.insert(k).second) {
      return Status::InvalidArgument("primary key names \"{}\" twice", k);
    }
  }
  std::string sql = fmt::format("CREATE {}TABLE {}{} (", unlogged ? "UNLOGGED " : "",
                                if_not_exists ? "IF NOT EXISTS " : "", name.ToSql());
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    auto type = MapType(f.type);
    if (!type.ok()) return type.status().WithContext(fmt::format("column \"{}\"", f.name));
    if (i != 0) sql += ", ";
    sql += QuoteIdent(f.name);
    sql += ' ';
    sql += type->name;
    if (key.count(f.name) != 0) sql += " NOT NULL";
  }
  if (!primary_key.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(std::string cols, ColumnList(primary_key));
    sql += ", PRIMARY KEY ";
    sql += cols;
  }
  sql += ")";
  return sql;
}

Result<std::string> AddPrimaryKeySql(const QualifiedName& name,
                                     const std::vector<std::string>& columns,
                                     std::string_view constraint_name) {
  LAKESYNC_RETURN_NOT_OK(ValidateName(name));
  LAKESYNC_ASSIGN_OR_RETURN(std::string cols, ColumnList(columns));
  if (constraint_name.empty()) {
    return fmt::format("ALTER TABLE {} ADD PRIMARY KEY {}", name.ToSql(), cols);
  }
  LAKESYNC_RETURN_NOT_OK(ValidateIdentifier(constraint_name));
  return fmt::format("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY {}", name.ToSql(),
                     QuoteIdent(constraint_name), cols);
}

Result<std::string> RenameConstraintSql(const QualifiedName& name, std::string_view from,
                                        std::string_view to) {
  LAKESYNC_RETURN_NOT_OK(ValidateName(name));
  LAKESYNC_RETURN_NOT_OK(ValidateIdentifier(from));
  LAKESYNC_RETURN_NOT_OK(ValidateIdentifier(to));
  return fmt::format("ALTER TABLE {} RENAME CONSTRAINT {} TO {}", name.ToSql(), QuoteIdent(from),
                     QuoteIdent(to));
}

std::string CreateSchemaSql(std::string_view schema) {
  return "CREATE SCHEMA IF NOT EXISTS " + QuoteIdent(schema);
}

std::string DropTableSql(const QualifiedName& name, bool if_exists) {
  return fmt::format("DROP TABLE {}{}", if_exists ? "IF EXISTS " : "", name.ToSql());
}

Result<std::string> RenameTableSql(const QualifiedName& name, std::string_view new_table) {
  LAKESYNC_RETURN_NOT_OK(ValidateName(name));
  LAKESYNC_RETURN_NOT_OK(ValidateIdentifier(new_table));
  return fmt::format("ALTER TABLE {} RENAME TO {}", name.ToSql(), QuoteIdent(new_table));
}

std::string TruncateTableSql(const QualifiedName& name) { return "TRUNCATE TABLE " + name.ToSql(); }

Result<std::string> CopyFromStdinSql(const QualifiedName& name, const std::vector<Field>& fields) {
  LAKESYNC_RETURN_NOT_OK(ValidateName(name));
  std::vector<std::string> cols;
  cols.reserve(fields.size());
  for (const Field& f : fields) cols.push_back(f.name);
  LAKESYNC_ASSIGN_OR_RETURN(std::string list, ColumnList(cols));
  return fmt::format("COPY {} {} FROM STDIN (FORMAT binary)", name.ToSql(), list);
}

Result<std::string> CreateStagingTableSql(const QualifiedName& like, std::string_view staging) {
  LAKESYNC_RETURN_NOT_OK(ValidateName(like));
  LAKESYNC_RETURN_NOT_OK(ValidateIdentifier(staging));
  return fmt::format("CREATE TEMP TABLE {} (LIKE {} INCLUDING DEFAULTS) ON COMMIT DROP",
                     QuoteIdent(staging), like.ToSql());
}

namespace {

Status CheckKey(const std::vector<std::string>& columns, const std::vector<std::string>& key) {
  if (key.empty()) return Status::InvalidArgument("no key columns");
  for (const std::string& k : key) {
    LAKESYNC_RETURN_NOT_OK(ValidateIdentifier(k));
    if (!columns.empty() && std::find(columns.begin(), columns.end(), k) == columns.end()) {
      return Status::InvalidArgument("key column \"{}\" is not among the columns", k);
    }
  }
  return Status::OK();
}

}  // namespace

Result<std::string> UpsertSql(const QualifiedName& target, const QualifiedName& source,
                              const std::vector<std::string>& columns,
                              const std::vector<std::string>& key) {
  LAKESYNC_RETURN_NOT_OK(ValidateName(target));
  LAKESYNC_RETURN_NOT_OK(ValidateName(source));
  LAKESYNC_ASSIGN_OR_RETURN(std::string cols, ColumnList(columns));
  LAKESYNC_RETURN_NOT_OK(CheckKey(columns, key));
  LAKESYNC_ASSIGN_OR_RETURN(std::string key_cols, ColumnList(key));
  std::string set;
  for (const std::string& c : columns) {
    if (std::find(key.begin(), key.end(), c) != key.end()) continue;
    if (!set.empty()) set += ", ";
    set += QuoteIdent(c) + " = EXCLUDED." + QuoteIdent(c);
  }
  // The select list is the column list without its parentheses.
  const std::string select = cols.substr(1, cols.size() - 2);
  return fmt::format("INSERT INTO {} {} SELECT {} FROM {} ON CONFLICT {} {}", target.ToSql(), cols,
                     select, source.ToSql(), key_cols,
                     set.empty() ? std::string("DO NOTHING") : "DO UPDATE SET " + set);
}

Result<std::string> DeleteMatchingSql(const QualifiedName& target, const QualifiedName& source,
                                      const std::vector<std::string>& key) {
  LAKESYNC_RETURN_NOT_OK(ValidateName(target));
  LAKESYNC_RETURN_NOT_OK(ValidateName(source));
  LAKESYNC_RETURN_NOT_OK(CheckKey({}, key));
  std::string where;
  for (const std::string& k : key) {
    if (!where.empty()) where += " AND ";
    // IS NOT DISTINCT FROM would defeat the key index; keys are NOT NULL anyway.
    where += "t." + QuoteIdent(k) + " = s." + QuoteIdent(k);
  }
  return fmt::format("DELETE FROM {} AS t USING {} AS s WHERE {}", target.ToSql(), source.ToSql(),
                     where);
}

Result<bool> TableExists(Connection& conn, const QualifiedName& name) {
  LAKESYNC_ASSIGN_OR_RETURN(
      QueryResult r,
      conn.Query("SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
                 "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2 "
                 "AND c.relkind IN ('r', 'p')",
                 {Param(name.schema), Param(name.table)}));
  return r.rows() > 0;
}

Result<std::vector<ColumnInfo>> DescribeTable(Connection& conn, const QualifiedName& name) {
  LAKESYNC_ASSIGN_OR_RETURN(bool exists, TableExists(conn, name));
  if (!exists) return Status::NotFound("table {} does not exist", name.ToString());
  LAKESYNC_ASSIGN_OR_RETURN(
      QueryResult r,
      conn.Query("SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), "
                 "a.attnotnull FROM pg_catalog.pg_attribute a "
                 "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid "
                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                 "WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 "
                 "AND NOT a.attisdropped ORDER BY a.attnum",
                 {Param(name.schema), Param(name.table)}));
  std::vector<ColumnInfo> cols;
  cols.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    cols.push_back(
        ColumnInfo{std::string(r.Get(i, 0)), std::string(r.Get(i, 1)), r.Get(i, 2) == "t"});
  }
  return cols;
}

Status CheckColumnsMatch(const std::vector<ColumnInfo>& table_columns,
                         const std::vector<Field>& fields) {
  std::vector<std::string> problems;
  for (const Field& f : fields) {
    auto mapped = MapType(f.type);
    if (!mapped.ok()) return mapped.status().WithContext(fmt::format("column \"{}\"", f.name));
    auto it = std::find_if(table_columns.begin(), table_columns.end(),
                           [&](const ColumnInfo& c) { return c.name == f.name; });
    if (it == table_columns.end()) {
      problems.push_back(fmt::format("column \"{}\" is missing", f.name));
    } else if (it->type != mapped->name) {
      problems.push_back(fmt::format("column \"{}\" is {} but {} needs {}", f.name, it->type,
                                     f.type.ToString(), mapped->name));
    }
  }
  if (problems.empty()) return Status::OK();
  std::string msg;
  for (const std::string& p : problems) msg += (msg.empty() ? "" : "; ") + p;
  return Status::InvalidArgument("table does not match the source schema: {}", msg);
}

Result<std::vector<std::string>> PrimaryKeyColumns(Connection& conn, const QualifiedName& name) {
  LAKESYNC_ASSIGN_OR_RETURN(
      QueryResult r,
      conn.Query("SELECT a.attname FROM pg_catalog.pg_index i "
                 "JOIN pg_catalog.pg_class c ON c.oid = i.indrelid "
                 "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
                 "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord) "
                 "JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum "
                 "WHERE i.indisprimary AND n.nspname = $1 AND c.relname = $2 ORDER BY k.ord",
                 {Param(name.schema), Param(name.table)}));
  std::vector<std::string> cols;
  for (int i = 0; i < r.rows(); ++i) cols.emplace_back(r.Get(i, 0));
  return cols;
}

}  // namespace lakesync::pg
