#include "lakesync/sync/snapshot_loader.h"

#include <fmt/format.h>

#include <chrono>

#include "lakesync/common/macros.h"
#include "lakesync/delta/scan.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/pg/connection.h"
#include "lakesync/pg/copy_stream.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/pg/transaction.h"
#include "lakesync/sync/key_columns.h"
#include "lakesync/sync/read_only.h"

namespace lakesync::sync {
namespace {

constexpr std::string_view kTableCommentPrefix = "synced by lakesync from";

// Names derived from the target's: the side table a load fills, the old table during the swap,
// primary-key constraints. PostgreSQL cuts names at 63 bytes, so the base is shortened to keep
// the suffix.
std::string DerivedName(const std::string& table, std::string_view suffix) {
  return table.substr(0, 63 - suffix.size()) + std::string(suffix);
}

// An index a user made on the synced table, rebuilt on the new table under a temporary name
// and renamed to its own once the old table is gone.
struct CarriedIndex {
  std::string name;
  std::string temp_name;
};

// Re-creates `target`'s own indexes (not the primary key's or other constraints') on `load`,
// so a full refresh keeps them and builds them before the swap, while readers use the old rows.
Result<std::vector<CarriedIndex>> RebuildUserIndexes(pg::Connection& conn,
                                                     const pg::QualifiedName& target,
                                                     const pg::QualifiedName& load) {
  std::vector<CarriedIndex> out;
  // With an empty search path pg_get_indexdef qualifies the table name, so the definition can
  // be pointed at the load table by replacing one exact, server-quoted piece of text.
  LAKESYNC_RETURN_NOT_OK(conn.Exec("SET LOCAL search_path = pg_catalog"));
  auto defs = conn.Query(
      "SELECT i.relname, quote_ident(i.relname), pg_get_indexdef(i.oid), "
      "format('%I.%I', n.nspname, c.relname) FROM pg_index x "
      "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid "
      "JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE x.indrelid = to_regclass($1) AND NOT x.indisprimary "
      "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)",
      {target.ToSql()});
  LAKESYNC_RETURN_NOT_OK(conn.Exec("SET LOCAL search_path TO DEFAULT"));
  LAKESYNC_RETURN_NOT_OK(defs.status());
  for (int i = 0; i < defs->rows(); ++i) {
    CarriedIndex index{std::string(defs->Get(i, 0)),
                       DerivedName(std::string(defs->Get(i, 0)), "__lakesync_new")};
    std::string def(defs->Get(i, 2));
    const std::string from = fmt::format("INDEX {} ON {} ", defs->Get(i, 1), defs->Get(i, 3));
    const size_t at = def.find(from);
    if (at == std::string::npos) {
      return Status::Internal("cannot carry index {} of {} over a full refresh: {}", index.name,
                              target.ToString(), def);
    }
    def.replace(at, from.size(),
                fmt::format("INDEX {} ON {} ", pg::QuoteIdent(index.temp_name), load.ToSql()));
    LAKESYNC_RETURN_NOT_OK(conn.Exec(def));
    out.push_back(std::move(index));
  }
  return out;
}

}  // namespace

Result<SnapshotLoadResult> LoadSnapshot(const SnapshotLoadOptions& options,
                                        const BeforeCommit& before_commit) {
  const auto started = std::chrono::steady_clock::now();
  SnapshotLoadResult result;

  LAKESYNC_ASSIGN_OR_RETURN(auto fs, storage::FileSystemForPath(options.source));
  delta::SnapshotOptions snapshot_options;
  snapshot_options.version = options.version;
  LAKESYNC_ASSIGN_OR_RETURN(auto snapshot,
                            delta::Snapshot::Open(fs, options.source, snapshot_options));
  result.version = snapshot->version();
  const std::vector<Field>& fields = snapshot->schema().fields;
  LAKESYNC_RETURN_NOT_OK(CheckKeyFields(fields, options.primary_key));
  if (options.timeseries_key && std::none_of(fields.begin(), fields.end(), [&](const Field& f) {
        return f.name == *options.timeseries_key;
      })) {
    return Status::NotFound("timeseries key column '{}' is not in the source table",
                            *options.timeseries_key);
  }

  LAKESYNC_ASSIGN_OR_RETURN(pg::QualifiedName target, pg::QualifiedName::Parse(options.target));
  const pg::QualifiedName load{target.schema, DerivedName(target.table, "__lakesync_load")};
  const pg::QualifiedName old{target.schema, DerivedName(target.table, "__lakesync_old")};

  LAKESYNC_ASSIGN_OR_RETURN(auto conn, pg::Connection::Open(options.conninfo));
  LAKESYNC_RETURN_NOT_OK(conn->SetApplicationName("lakesync"));
  // The IF [NOT] EXISTS statements below are expected to find nothing; their notices are noise.
  LAKESYNC_RETURN_NOT_OK(conn->Exec("SET client_min_messages TO warning"));

  // Never replace a table lakesync did not create: its comment marks the ones it did.
  LAKESYNC_ASSIGN_OR_RETURN(
      pg::QueryResult existing,
      conn->Query("SELECT c.oid IS NOT NULL, coalesce(obj_description(c.oid, 'pg_class'), '') "
                  "FROM (SELECT to_regclass($1) AS oid) c",
                  {target.ToSql()}));
  if (existing.Get(0, 0) == "t" && !existing.Get(0, 1).starts_with(kTableCommentPrefix)) {
    return Status::InvalidArgument(
        "table {} already exists and was not created by lakesync; drop or rename it, or choose "
        "another target name",
        target.ToSql());
  }

  // One transaction: a crash or error anywhere leaves neither a half-loaded table nor a
  // changed target behind.
  LAKESYNC_ASSIGN_OR_RETURN(auto txn, pg::Transaction::Begin(*conn));
  LAKESYNC_ASSIGN_OR_RETURN(
      pg::QueryResult schema_exists,
      conn->Query("SELECT to_regnamespace($1) IS NOT NULL", {pg::QuoteIdent(target.schema)}));
  if (schema_exists.Get(0, 0) != "t") {
    LAKESYNC_RETURN_NOT_OK(conn->Exec(pg::CreateSchemaSql(target.schema)));
    // A schema lakesync creates is readable by all, as its tables are; an existing schema's
    // access stays as its owner set it.
    if (options.read_only) {
      LAKESYNC_RETURN_NOT_OK(conn->Exec(
          fmt::format("GRANT USAGE ON SCHEMA {} TO PUBLIC", pg::QuoteIdent(target.schema))));
    }
  }
  LAKESYNC_RETURN_NOT_OK(conn->Exec(pg::DropTableSql(load)));
  LAKESYNC_ASSIGN_OR_RETURN(std::string create_sql, pg::CreateTableSql(load, fields, {}));
  LAKESYNC_RETURN_NOT_OK(conn->Exec(create_sql));
  LAKESYNC_RETURN_NOT_OK(conn->Exec(
      fmt::format("COMMENT ON TABLE {} IS {}", load.ToSql(),
                  pg::QuoteLiteral(fmt::format("{} {}", kTableCommentPrefix, options.source)))));
  LAKESYNC_ASSIGN_OR_RETURN(auto stream,
                            pg::CopyStream::Begin(*conn, load, fields, options.copy_chunk_bytes));
  LAKESYNC_ASSIGN_OR_RETURN(auto scan, delta::Scan::Make(*snapshot));
  LAKESYNC_ASSIGN_OR_RETURN(auto batches, scan->Open());
  while (true) {
    LAKESYNC_ASSIGN_OR_RETURN(std::optional<ColumnBatch> batch, batches->Next());
    if (!batch) break;
    LAKESYNC_ASSIGN_OR_RETURN(KeyColumns keys, KeyColumns::Make(*batch, options.primary_key));
    result.rows_skipped_null_key += keys.DropNullKeys(*batch);
    LAKESYNC_RETURN_NOT_OK(stream->Write(*batch, [&](int64_t row) { return keys.Describe(row); }));
  }
  result.files_read = static_cast<int64_t>(scan->files().size());
  LAKESYNC_ASSIGN_OR_RETURN(result.rows_loaded, stream->Finish());

  std::vector<std::string> quoted_keys;
  for (const auto& k : options.primary_key) quoted_keys.push_back(pg::QuoteIdent(k));
  if (options.timeseries_key) {
    // Of the rows sharing a key, keep the one with the greatest timeseries value.
    LAKESYNC_ASSIGN_OR_RETURN(
        auto dedup,
        conn->Query(fmt::format(
            "DELETE FROM {0} t USING (SELECT ctid AS id, row_number() OVER (PARTITION BY {1} "
            "ORDER BY {2} DESC NULLS LAST) AS n FROM {0}) d WHERE t.ctid = d.id AND d.n > 1",
            load.ToSql(), fmt::join(quoted_keys, ", "), pg::QuoteIdent(*options.timeseries_key))));
    result.rows_deduplicated = dedup.affected_rows();
    result.rows_loaded -= result.rows_deduplicated;
  }

  // The key is built after the load: one sort instead of an index update per row.
  // The constraint is named after the load table, then renamed with it, so the next load's
  // constraint never collides with the live one.
  Status pk = conn->Exec(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({})",
                                     load.ToSql(), pg::QuoteIdent(DerivedName(load.table, "_pkey")),
                                     fmt::join(quoted_keys, ", ")));
  if (pk.IsConflict()) {
    return Status::Conflict(
        "PRIMARY_KEY_CONSTRAINT_VIOLATION: the source table {} (version {}) has more than one "
        "row for the same primary key ({}); pick key columns that are unique per row, or set a "
        "timeseries_key so the latest row wins. PostgreSQL said: {}",
        options.source, result.version, fmt::join(options.primary_key, ", "), pk.message());
  }
  LAKESYNC_RETURN_NOT_OK(pk);

  if (options.read_only) LAKESYNC_RETURN_NOT_OK(MakeReadOnly(*conn, load));
  LAKESYNC_ASSIGN_OR_RETURN(std::vector<CarriedIndex> carried,
                            RebuildUserIndexes(*conn, target, load));

  // Swap: the old table (if any) is renamed away and dropped; readers block only for the
  // instant between the rename and the commit.
  LAKESYNC_RETURN_NOT_OK(conn->Exec(fmt::format("DROP TABLE IF EXISTS {}", old.ToSql())));
  LAKESYNC_RETURN_NOT_OK(conn->Exec(fmt::format("ALTER TABLE IF EXISTS {} RENAME TO {}",
                                                target.ToSql(), pg::QuoteIdent(old.table))));
  LAKESYNC_RETURN_NOT_OK(conn->Exec(
      fmt::format("ALTER TABLE {} RENAME TO {}", load.ToSql(), pg::QuoteIdent(target.table))));
  LAKESYNC_RETURN_NOT_OK(conn->Exec(fmt::format("DROP TABLE IF EXISTS {}", old.ToSql())));
  for (const auto& index : carried) {
    LAKESYNC_RETURN_NOT_OK(
        conn->Exec(fmt::format("ALTER INDEX {}.{} RENAME TO {}", pg::QuoteIdent(target.schema),
                               pg::QuoteIdent(index.temp_name), pg::QuoteIdent(index.name))));
  }
  LAKESYNC_RETURN_NOT_OK(
      conn->Exec(fmt::format("ALTER TABLE {} RENAME CONSTRAINT {} TO {}", target.ToSql(),
                             pg::QuoteIdent(DerivedName(load.table, "_pkey")),
                             pg::QuoteIdent(DerivedName(target.table, "_pkey")))));
  if (before_commit) LAKESYNC_RETURN_NOT_OK(before_commit(*conn, result));
  LAKESYNC_RETURN_NOT_OK(txn->Commit());

  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace lakesync::sync
