#include "lakesync/sync/limits.h"

#include <fmt/format.h>

#include <algorithm>

#include "lakesync/common/logging.h"
#include "lakesync/common/macros.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/pg/type_map.h"

namespace lakesync::sync {
namespace {

// Bytes a heap tuple costs beyond its values: the 23-byte header (rounded up to 24) and the
// 4-byte line pointer.
constexpr int64_t kTupleOverhead = 28;
// A B-tree entry: the 8-byte index tuple header and the line pointer, at the 90% fill factor
// of an index built after the load.
constexpr double kIndexEntryOverhead = 12;
constexpr double kIndexFill = 0.9;
// Parquet stores variable-length values compressed and dictionary-encoded; measured on
// deltagen's user_profiles, PostgreSQL's heap holds them in about twice the bytes.
constexpr double kVarLengthExpansion = 2.0;

// Bytes PostgreSQL stores for one non-null value of a fixed-size type; 0 for variable-length
// types (text, bytea, jsonb) whose size comes from the data files.
int64_t FixedValueBytes(const DataType& type) {
  auto mapped = pg::MapType(type);
  if (!mapped.ok()) return 0;
  switch (mapped->oid) {
    case pg::kOidBool:
      return 1;
    case pg::kOidInt2:
      return 2;
    case pg::kOidInt4:
    case pg::kOidFloat4:
    case pg::kOidDate:
      return 4;
    case pg::kOidInt8:
    case pg::kOidFloat8:
    case pg::kOidTime:
    case pg::kOidTimestamp:
    case pg::kOidTimestamptz:
      return 8;
    case pg::kOidNumeric: {
      // A short varlena header, the numeric header and one 2-byte word per 4 digits.
      const int32_t digits = type.id == TypeId::kDecimal ? type.precision : 20;
      return 3 + 2 * ((digits + 3) / 4);
    }
    default:
      return 0;
  }
}

}  // namespace

std::string FormatBytes(int64_t bytes) {
  static constexpr const char* kUnits[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(bytes);
  int unit = 0;
  while (v >= 1000 && unit < 5) {
    v /= 1000;
    ++unit;
  }
  return unit == 0 ? fmt::format("{} bytes", bytes) : fmt::format("{:.1f} {}", v, kUnits[unit]);
}

Result<ConnectionCapacity> ConnectionCapacity::Query(pg::Connection& conn) {
  // Only client backends take max_connections slots; autovacuum, WAL senders and parallel
  // workers have their own pools. The database and role limits count the login role's
  // sessions (session_user), whatever SET ROLE did since.
  LAKESYNC_ASSIGN_OR_RETURN(pg::QueryResult r, conn.Query(R"sql(
WITH a AS (SELECT datname, usename, application_name FROM pg_stat_activity
           WHERE backend_type = 'client backend')
SELECT current_setting('max_connections')::int,
       current_setting('superuser_reserved_connections')::int,
       coalesce(current_setting('reserved_connections', true), '0')::int,
       (SELECT count(*) FROM a),
       (SELECT datconnlimit FROM pg_database WHERE datname = current_database()),
       (SELECT count(*) FROM a WHERE datname = current_database()),
       (SELECT rolconnlimit FROM pg_roles WHERE rolname = session_user),
       (SELECT count(*) FROM a WHERE usename = session_user),
       (SELECT count(*) FROM a
        WHERE application_name = 'lakesync' OR application_name LIKE 'lakesync %'),
       current_database(), session_user,
       (SELECT rolsuper FROM pg_roles WHERE rolname = session_user))sql"));
  ConnectionCapacity c;
  auto get = [&](int col, int* out) -> Status {
    LAKESYNC_ASSIGN_OR_RETURN(int64_t v, r.GetInt64(0, col));
    *out = static_cast<int>(v);
    return Status::OK();
  };
  LAKESYNC_RETURN_NOT_OK(get(0, &c.max_connections));
  LAKESYNC_RETURN_NOT_OK(get(1, &c.superuser_reserved_connections));
  LAKESYNC_RETURN_NOT_OK(get(2, &c.reserved_connections));
  LAKESYNC_RETURN_NOT_OK(get(3, &c.in_use));
  LAKESYNC_RETURN_NOT_OK(get(4, &c.database_limit));
  LAKESYNC_RETURN_NOT_OK(get(5, &c.database_in_use));
  LAKESYNC_RETURN_NOT_OK(get(6, &c.role_limit));
  LAKESYNC_RETURN_NOT_OK(get(7, &c.role_in_use));
  LAKESYNC_RETURN_NOT_OK(get(8, &c.lakesync_in_use));
  c.database = std::string(r.Get(0, 9));
  c.role = std::string(r.Get(0, 10));
  c.superuser = r.Get(0, 11) == "t";
  if (c.superuser) {
    // Neither limit applies to superusers (PostgreSQL checks them for others only).
    c.database_limit = -1;
    c.role_limit = -1;
  }
  return c;
}

Status CheckConnectionsFit(const ConnectionCapacity& c, const std::string& table, int requested) {
  auto refuse = [&](int allowed, const std::string& who, const std::string& detail,
                    const std::string& how) {
    return Status::InvalidArgument(
        "synced table {} may use up to {} connections (its max_connections), but {} allows at "
        "most {} ({}). Lower the synced table's max_connections to {} or less, or {}",
        table, requested, who, allowed, detail, allowed, how);
  };
  const int server = c.max_connections - c.superuser_reserved_connections - c.reserved_connections;
  if (requested > server) {
    return refuse(server, "the PostgreSQL server",
                  fmt::format("max_connections {} minus {} superuser_reserved_connections{}",
                              c.max_connections, c.superuser_reserved_connections,
                              c.reserved_connections ? fmt::format(" and {} reserved_connections",
                                                                   c.reserved_connections)
                                                     : ""),
                  "raise max_connections in postgresql.conf (it takes a server restart)");
  }
  if (c.database_limit >= 0 && requested > c.database_limit) {
    return refuse(c.database_limit, fmt::format("database {}", c.database),
                  fmt::format("its CONNECTION LIMIT is {}", c.database_limit),
                  fmt::format("raise it with ALTER DATABASE {} CONNECTION LIMIT n",
                              pg::QuoteIdent(c.database)));
  }
  if (c.role_limit >= 0 && requested > c.role_limit) {
    return refuse(
        c.role_limit, fmt::format("role {}", c.role),
        fmt::format("its CONNECTION LIMIT is {}", c.role_limit),
        fmt::format("raise it with ALTER ROLE {} CONNECTION LIMIT n", pg::QuoteIdent(c.role)));
  }
  return Status::OK();
}

std::string ConnectionCapWarning(const Limits& limits, const std::string& table, int requested) {
  if (limits.max_target_connections <= 0 || requested <= limits.max_target_connections) return "";
  return fmt::format(
      "synced table {} may use up to {} connections (its max_connections), but lakesync holds "
      "at most {} on this instance (max_connections of the instance in lakesync's "
      "configuration): its loads will use at most {}, fewer while other lakesync connections "
      "are open. Raise the instance's max_connections to let them use more",
      table, requested, limits.max_target_connections, limits.max_target_connections);
}

int ConnectionsAvailable(const ConnectionCapacity& c, const Limits& limits, int requested) {
  // Free slots plus the caller's own connection, which is already counted as in use.
  int n = requested;
  const int server = c.max_connections - c.superuser_reserved_connections - c.reserved_connections -
                     limits.spare_connections;
  n = std::min(n, server - c.in_use + 1);
  if (c.database_limit >= 0) n = std::min(n, c.database_limit - c.database_in_use + 1);
  if (c.role_limit >= 0) n = std::min(n, c.role_limit - c.role_in_use + 1);
  if (limits.max_target_connections > 0) {
    n = std::min(n, limits.max_target_connections - c.lakesync_in_use + 1);
  }
  return std::max(1, n);
}

Result<int64_t> EstimateTableBytes(const delta::Snapshot& snapshot,
                                   const std::vector<std::string>& primary_key) {
  int64_t file_bytes = 0;
  int64_t rows = 0;
  int64_t bytes_with_stats = 0;
  for (const delta::AddFile& f : snapshot.files()) {
    file_bytes += f.size;
    LAKESYNC_ASSIGN_OR_RETURN(std::optional<int64_t> n, f.NumRecords());
    if (n) {
      rows += *n;
      bytes_with_stats += f.size;
    }
  }
  int64_t fixed = kTupleOverhead;
  int64_t key = 0;
  for (const Field& field : snapshot.schema().fields) {
    const int64_t width = FixedValueBytes(field.type);
    fixed += width;
    if (std::find(primary_key.begin(), primary_key.end(), field.name) != primary_key.end()) {
      key += width > 0 ? width : 16;
    }
  }
  // Files without statistics: as many rows per byte as the files with them (or a guess of
  // 50 bytes per row when none has statistics).
  if (bytes_with_stats < file_bytes) {
    const double rows_per_byte =
        bytes_with_stats > 0 ? static_cast<double>(rows) / static_cast<double>(bytes_with_stats)
                             : 1.0 / 50;
    rows +=
        static_cast<int64_t>(static_cast<double>(file_bytes - bytes_with_stats) * rows_per_byte);
  }
  const double heap = static_cast<double>(rows) * static_cast<double>(fixed) +
                      kVarLengthExpansion * static_cast<double>(file_bytes);
  const double index = static_cast<double>(rows) *
                       (kIndexEntryOverhead + static_cast<double>((key + 7) / 8 * 8)) / kIndexFill;
  return static_cast<int64_t>(heap + index);
}

Result<int64_t> SyncedDataBytes(pg::Connection& conn, const std::string& except) {
  LAKESYNC_ASSIGN_OR_RETURN(pg::QueryResult exists,
                            conn.Query("SELECT to_regclass('lakesync.synced_tables') IS NOT NULL"));
  if (exists.Get(0, 0) != "t") return int64_t{0};
  // Synced tables are recorded as "schema.table"; the schema is the part before the first dot.
  LAKESYNC_ASSIGN_OR_RETURN(pg::QueryResult r, conn.Query(R"sql(
SELECT coalesce(sum(pg_total_relation_size(to_regclass(
         quote_ident(split_part(name, '.', 1)) || '.' ||
         quote_ident(substr(name, length(split_part(name, '.', 1)) + 2))))), 0)::bigint
FROM lakesync.synced_tables WHERE name <> $1)sql",
                                                          {except}));
  return r.GetInt64(0, 0);
}

Result<std::vector<std::string>> CheckCapacity(pg::Connection& conn, const Limits& limits,
                                               const std::string& table, int64_t table_bytes) {
  std::vector<std::string> warnings;
  if (limits.max_target_bytes > 0) {
    LAKESYNC_ASSIGN_OR_RETURN(int64_t others, SyncedDataBytes(conn, table));
    if (others + table_bytes > limits.max_target_bytes) {
      return Status::InvalidArgument(
          "capacity limit: synced table {} would bring the synced data on this target to {} "
          "({} in the other synced tables plus {} estimated for this one), above the limit of "
          "{} per target. Delete synced tables you no longer need, sync this table to another "
          "database, or raise the target's capacity limit in lakesync's configuration",
          table, FormatBytes(others + table_bytes), FormatBytes(others), FormatBytes(table_bytes),
          FormatBytes(limits.max_target_bytes));
    }
  }
  if (limits.warn_table_bytes > 0 && table_bytes > limits.warn_table_bytes) {
    warnings.push_back(fmt::format(
        "synced table {} is estimated at {}, above the {} recommended for one synced table: full "
        "refreshes take long and need that much free space again while the new copy loads",
        table, FormatBytes(table_bytes), FormatBytes(limits.warn_table_bytes)));
    log::Warn(warnings.back(), {{"table", table}, {"bytes", table_bytes}});
  }
  return warnings;
}

Result<std::vector<std::string>> CheckCreateLimits(pg::Connection& conn, const Limits& limits,
                                                   const SyncedTableSpec& spec,
                                                   const delta::Snapshot& snapshot) {
  LAKESYNC_ASSIGN_OR_RETURN(ConnectionCapacity capacity, ConnectionCapacity::Query(conn));
  LAKESYNC_RETURN_NOT_OK(CheckConnectionsFit(capacity, spec.name, spec.max_connections));
  std::vector<std::string> warnings;
  std::string capped = ConnectionCapWarning(limits, spec.name, spec.max_connections);
  if (!capped.empty()) {
    // Info, not a warning: with the defaults (16 per table, a cap of 8) every table is above.
    log::Info(capped, {{"table", spec.name}, {"max_connections", spec.max_connections}});
    warnings.push_back(std::move(capped));
  }
  LAKESYNC_ASSIGN_OR_RETURN(int64_t bytes, EstimateTableBytes(snapshot, spec.primary_key));
  LAKESYNC_ASSIGN_OR_RETURN(std::vector<std::string> capacity_warnings,
                            CheckCapacity(conn, limits, spec.name, bytes));
  warnings.insert(warnings.end(), capacity_warnings.begin(), capacity_warnings.end());
  return warnings;
}

}  // namespace lakesync::sync
