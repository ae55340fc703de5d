#include "lakesync/sync/snapshot_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <thread>

#include "lakesync/common/macros.h"
#include "lakesync/delta/scan.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/pg/connection.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/pg/transaction.h"
#include "lakesync/sync/key_columns.h"
#include "lakesync/sync/parallel_copy.h"
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

// Locks out other loads of `target` for as long as `conn` is open: they would drop and refill
// the same side table. A session lock, so a crashed load's lock goes with its connection.
Status LockTarget(pg::Connection& conn, const pg::QualifiedName& target) {
  // Two-key advisory locks with lakesync's own first key ('LKSY') stay clear of other users.
  return conn.Query("SELECT pg_advisory_lock(1280003929, hashtext($1))", {target.ToSql()}).status();
}

// How many connections to load over: what the options and the target allow, and no more
// than the table's size is worth.
Result<int> PlanConnections(pg::Connection& conn, const SnapshotLoadOptions& options,
                            const delta::Snapshot& snapshot) {
  int64_t bytes = 0;
  for (const auto& f : snapshot.files()) bytes += f.size;
  const int64_t per = std::max<int64_t>(1, options.bytes_per_connection);
  const int worth = static_cast<int>(std::min<int64_t>(1 + bytes / per, 1 << 16));
  const int wanted = std::max(1, std::min(options.max_connections, worth));
  if (wanted == 1) return 1;
  LAKESYNC_ASSIGN_OR_RETURN(ConnectionCapacity capacity, ConnectionCapacity::Query(conn));
  return ConnectionsAvailable(capacity, options.limits, wanted);
}

// Opens up to `n` more connections for the COPYs. A refused connection (the server filled
// up since it was asked) just means fewer of them.
Result<std::vector<std::unique_ptr<pg::Connection>>> OpenWorkers(const std::string& conninfo,
                                                                 int n) {
  std::vector<std::unique_ptr<pg::Connection>> out;
  for (int i = 0; i < n; ++i) {
    auto conn = pg::Connection::Open(conninfo);
    if (!conn.ok()) {
      if (conn.status().IsUnavailable()) break;
      return conn.status();
    }
    LAKESYNC_RETURN_NOT_OK((*conn)->SetApplicationName("lakesync"));
    // The side table is discarded after a crash anyway, and the swap's commit flushes the WAL
    // these commits wrote: waiting for each flush gains nothing.
    LAKESYNC_RETURN_NOT_OK((*conn)->Exec("SET synchronous_commit TO off"));
    out.push_back(std::move(conn).value());
  }
  return out;
}

// Plans the load's connections and opens the extra ones, each holding a slot of the limits'
// budget. Loads that plan at the same time would each count the same free connections, so
// planning and opening are serialized: within this process by a mutex, and between processes
// on the target database by an advisory lock (loads of other databases of the same server
// are not serialized with this one).
struct LoadWorkers {
  BudgetSlots slots;  // declared first: given back after the connections close
  std::vector<std::unique_ptr<pg::Connection>> connections;
};

Result<LoadWorkers> PlanAndOpenWorkers(pg::Connection& conn, const SnapshotLoadOptions& options,
                                       const delta::Snapshot& snapshot) {
  static std::mutex planning;
  std::lock_guard lock(planning);
  // lakesync's own first key ('LKSY'), and 'conn' for the planning step.
  LAKESYNC_RETURN_NOT_OK(conn.Query("SELECT pg_advisory_lock(1280003929, 1668247150)").status());
  // Planned and opened inside the advisory lock, which is released whatever happens.
  Result<LoadWorkers> out = [&]() -> Result<LoadWorkers> {
    LAKESYNC_ASSIGN_OR_RETURN(int connections, PlanConnections(conn, options, snapshot));
    // This process's budget has the last word: its slots also stand for connections that
    // other threads are opening right now, which the server cannot count yet.
    int extra = connections - 1;
    BudgetSlots slots;
    if (options.limits.budget && extra > 0) {
      slots = BudgetSlots(options.limits.budget, options.limits.budget->TakeUpToReclaiming(extra));
      extra = slots.count();
    }
    LAKESYNC_ASSIGN_OR_RETURN(auto workers, OpenWorkers(options.conninfo, extra));
    slots.GiveBack(slots.count() - static_cast<int>(workers.size()));
    return LoadWorkers{std::move(slots), std::move(workers)};
  }();
  Status unlocked = conn.Query("SELECT pg_advisory_unlock(1280003929, 1668247150)").status();
  if (out.ok() && !unlocked.ok()) return unlocked;
  return out;
}

// Fills the committed, empty side table `load` with the snapshot's rows.
Status FillSideTable(pg::Connection& conn, const SnapshotLoadOptions& options,
                     const delta::Snapshot& snapshot, const pg::QualifiedName& load,
                     SnapshotLoadResult& result) {
  LAKESYNC_ASSIGN_OR_RETURN(LoadWorkers workers, PlanAndOpenWorkers(conn, options, snapshot));
  // A borrowed first connection copies only when no other could be opened: its owner's
  // on_rows may use it (to record progress) while the others copy.
  std::vector<pg::Connection*> conns;
  for (auto& w : workers.connections) conns.push_back(w.get());
  const bool borrowed = options.connection != nullptr;
  const bool copy_on_first = conns.empty() || !borrowed;
  if (copy_on_first) conns.insert(conns.begin(), &conn);
  result.connections = 1 + static_cast<int>(workers.connections.size());

  // One decoder by default, its row groups decoded by several threads when there are many
  // connections to feed: each decoder holds a whole decoded row group, so more decoders cost
  // memory, while more threads per row group do not.
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  delta::ScanOptions scan_options;
  scan_options.num_threads = options.decode_threads > 0
                                 ? options.decode_threads
                                 : std::clamp((result.connections + 3) / 4, 1, cores);
  LAKESYNC_ASSIGN_OR_RETURN(auto scan, delta::Scan::Make(snapshot, scan_options));
  ParallelCopyOptions copy;
  copy.primary_key = options.primary_key;
  copy.decoders = std::max(1, options.decoders);
  copy.chunk_bytes = options.copy_chunk_bytes;
  // Copying on the borrowed connection, progress is told once, when it is free again.
  const bool report_at_end = borrowed && copy_on_first;
  if (!report_at_end) copy.on_rows = options.on_rows;
  LAKESYNC_RETURN_NOT_OK(conn.Exec("SET synchronous_commit TO off"));
  auto copied = CopyScan(*scan, conns, load, snapshot.schema().fields, copy);
  LAKESYNC_RETURN_NOT_OK(copied.status());
  if (report_at_end && options.on_rows) options.on_rows(copied->rows_copied);
  // The swap's commit must be durable before the caller reports it.
  LAKESYNC_RETURN_NOT_OK(conn.Exec("RESET synchronous_commit"));
  result.files_read = static_cast<int64_t>(scan->files().size());
  result.rows_loaded = copied->rows_copied;
  result.rows_skipped_null_key = copied->rows_skipped_null_key;
  return Status::OK();
}

// Turns the filled side table into the target, in one transaction: timeseries dedup, the
// primary key, read-only guards, the target's own indexes, the renames, and the caller's
// before_commit (which records the version loaded).
Status SwapIn(pg::Connection& conn, const SnapshotLoadOptions& options,
              const pg::QualifiedName& target, const pg::QualifiedName& load,
              const pg::QualifiedName& old, const BeforeCommit& before_commit,
              SnapshotLoadResult& result) {
  LAKESYNC_ASSIGN_OR_RETURN(auto txn, pg::Transaction::Begin(conn));
  if (!options.index_build_memory.empty()) {
    LAKESYNC_RETURN_NOT_OK(conn.Exec(fmt::format("SET LOCAL maintenance_work_mem = {}",
                                                 pg::QuoteLiteral(options.index_build_memory))));
  }
  // Logged before the key is built: SET LOGGED rewrites the table and rebuilds its indexes.
  if (options.unlogged_load) {
    LAKESYNC_RETURN_NOT_OK(conn.Exec(fmt::format("ALTER TABLE {} SET LOGGED", load.ToSql())));
  }
  std::vector<std::string> quoted_keys;
  for (const auto& k : options.primary_key) quoted_keys.push_back(pg::QuoteIdent(k));
  if (options.timeseries_key) {
    // Of the rows sharing a key, keep the one with the greatest timeseries value.
    LAKESYNC_ASSIGN_OR_RETURN(
        auto dedup,
        conn.Query(fmt::format(
            "DELETE FROM {0} t USING (SELECT ctid AS id, row_number() OVER (PARTITION BY {1} "
            "ORDER BY {2} DESC NULLS LAST) AS n FROM {0}) d WHERE t.ctid = d.id AND d.n > 1",
            load.ToSql(), fmt::join(quoted_keys, ", "), pg::QuoteIdent(*options.timeseries_key))));
    result.rows_deduplicated = dedup.affected_rows();
    result.rows_loaded -= result.rows_deduplicated;
  }

  // The key is built after the load: one sort instead of an index update per row.
  // The constraint is named after the load table, then renamed with it, so the next load's
  // constraint never collides with the live one.
  Status pk = conn.Exec(fmt::format("ALTER TABLE {} ADD CONSTRAINT {} PRIMARY KEY ({})",
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

  if (options.read_only) LAKESYNC_RETURN_NOT_OK(MakeReadOnly(conn, load));
  LAKESYNC_ASSIGN_OR_RETURN(std::vector<CarriedIndex> carried,
                            RebuildUserIndexes(conn, target, load));

  // Swap: the old table (if any) is renamed away and dropped; readers block only for the
  // instant between the rename and the commit.
  LAKESYNC_RETURN_NOT_OK(conn.Exec(fmt::format("DROP TABLE IF EXISTS {}", old.ToSql())));
  LAKESYNC_RETURN_NOT_OK(conn.Exec(fmt::format("ALTER TABLE IF EXISTS {} RENAME TO {}",
                                               target.ToSql(), pg::QuoteIdent(old.table))));
  LAKESYNC_RETURN_NOT_OK(conn.Exec(
      fmt::format("ALTER TABLE {} RENAME TO {}", load.ToSql(), pg::QuoteIdent(target.table))));
  LAKESYNC_RETURN_NOT_OK(conn.Exec(fmt::format("DROP TABLE IF EXISTS {}", old.ToSql())));
  for (const auto& index : carried) {
    LAKESYNC_RETURN_NOT_OK(
        conn.Exec(fmt::format("ALTER INDEX {}.{} RENAME TO {}", pg::QuoteIdent(target.schema),
                              pg::QuoteIdent(index.temp_name), pg::QuoteIdent(index.name))));
  }
  LAKESYNC_RETURN_NOT_OK(
      conn.Exec(fmt::format("ALTER TABLE {} RENAME CONSTRAINT {} TO {}", target.ToSql(),
                            pg::QuoteIdent(DerivedName(load.table, "_pkey")),
                            pg::QuoteIdent(DerivedName(target.table, "_pkey")))));
  if (before_commit) LAKESYNC_RETURN_NOT_OK(before_commit(conn, result));
  return txn->Commit();
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

  std::unique_ptr<pg::Connection> owned;
  pg::Connection* conn = options.connection;
  if (conn == nullptr) {
    LAKESYNC_ASSIGN_OR_RETURN(owned, pg::Connection::Open(options.conninfo));
    LAKESYNC_RETURN_NOT_OK(owned->SetApplicationName("lakesync"));
    // The IF [NOT] EXISTS statements below are expected to find nothing; their notices are
    // noise.
    LAKESYNC_RETURN_NOT_OK(owned->Exec("SET client_min_messages TO warning"));
    conn = owned.get();
  }
  LAKESYNC_RETURN_NOT_OK(LockTarget(*conn, target));
  // A borrowed connection outlives the load: the lock and the session setting the load takes
  // are given back (an owned one just closes).
  struct RestoreSession {
    pg::Connection* conn;
    const pg::QualifiedName& target;
    ~RestoreSession() {
      if (conn == nullptr) return;
      (void)conn->Exec("RESET synchronous_commit");
      (void)conn->Query("SELECT pg_advisory_unlock(1280003929, hashtext($1))", {target.ToSql()});
    }
  } restore{owned ? nullptr : conn, target};

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
  LAKESYNC_ASSIGN_OR_RETURN(result.estimated_bytes,
                            EstimateTableBytes(*snapshot, options.primary_key));
  LAKESYNC_ASSIGN_OR_RETURN(result.warnings, CheckCapacity(*conn, options.limits, target.ToString(),
                                                           result.estimated_bytes));

  // The side table, committed empty so that every connection can fill it. What an earlier
  // load that crashed left behind is dropped first.
  {
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
    LAKESYNC_ASSIGN_OR_RETURN(
        std::string create_sql,
        pg::CreateTableSql(load, fields, {}, /*if_not_exists=*/false, options.unlogged_load));
    LAKESYNC_RETURN_NOT_OK(conn->Exec(create_sql));
    LAKESYNC_RETURN_NOT_OK(conn->Exec(
        fmt::format("COMMENT ON TABLE {} IS {}", load.ToSql(),
                    pg::QuoteLiteral(fmt::format("{} {}", kTableCommentPrefix, options.source)))));
    LAKESYNC_RETURN_NOT_OK(txn->Commit());
  }

  const auto copy_started = std::chrono::steady_clock::now();
  Status st = FillSideTable(*conn, options, *snapshot, load, result);
  result.copy_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - copy_started).count();
  if (st.ok() && options.keep_going) st = options.keep_going();
  if (st.ok()) st = SwapIn(*conn, options, target, load, old, before_commit, result);
  if (!st.ok()) {
    // Best effort: when the connection itself failed, the next load drops the side table.
    if (conn->in_copy()) (void)conn->AbortCopy(st.message());
    (void)conn->Exec(pg::DropTableSql(load));
    return st;
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace lakesync::sync
