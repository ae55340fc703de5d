// Limits: how many connections a synced table's loads may open on a target, and how much
// synced data a target may hold. Connections are bounded by the synced table's own limit
// (max_connections, default 16), lakesync's cap per instance (max_target_connections: the
// configuration's instances.NAME.max_connections, counted over every lakesync connection on
// the server, whatever process holds it) and what the server allows (max_connections minus
// its reserved slots and the connections in use, and the database's and role's CONNECTION
// LIMIT). The server's limits are hard: creation fails when a table's max_connections cannot
// fit them. lakesync's cap is a budget shared by every table and the API: a table allowed more
// is created with a warning and its loads use what the cap leaves free. Capacity is the sum of
// the synced tables' sizes (default limit 2 TB per target; a table estimated above 1 TB gets a
// warning). Each error names the limit, the figures and how to raise it.
// Thread-safety: plain values (the budget is thread-safe) and stateless functions over a
// borrowed connection.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/pg/connection.h"
#include "lakesync/sync/connection_budget.h"
#include "lakesync/sync/synced_table_spec.h"

namespace lakesync::sync {

/// Decimal units, as Databricks states its limits (2 TB = 2 * 10^12 bytes).
inline constexpr int64_t kTerabyte = 1'000'000'000'000;

/// The configurable limits of one target database (0 turns a limit off).
struct Limits {
  /// Most connections lakesync holds on the target's server at once, over all processes and
  /// tables: a load opens extra connections only while lakesync's connections (those whose
  /// application_name is "lakesync" or starts with "lakesync ") stay within it. A sync's own
  /// connection and a load's first are always opened. 0: only the server's own limits apply.
  int max_target_connections = 0;
  /// Most bytes of synced data (tables with their indexes) on the target.
  int64_t max_target_bytes = 2 * kTerabyte;
  /// A synced table estimated above this size gets a warning (larger tables make full
  /// refreshes slow and need their size again in free space while the new copy loads).
  int64_t warn_table_bytes = 1 * kTerabyte;
  /// Connection slots a load leaves free for the target's other clients.
  int spare_connections = 3;
  /// Source (Parquet) bytes per load connection: a table smaller than this loads over one
  /// connection, a larger one over one more per this many bytes, up to the limits above.
  int64_t bytes_per_load_connection = int64_t{32} << 20;
  /// This process's budget of max_target_connections slots (connection_budget.h): an engine
  /// opened with these limits holds one, and a load's extra connections take theirs from it,
  /// so that within a process the cap is exact. Null: only the server-wide count applies.
  std::shared_ptr<ConnectionBudget> budget;
};

/// What the server allows, as seen by the connected role in the connected database.
struct ConnectionCapacity {
  int max_connections = 0;                 // the server setting
  int superuser_reserved_connections = 0;  // slots kept for superusers
  int reserved_connections = 0;            // PostgreSQL 16+: slots for pg_use_reserved_connections
  int in_use = 0;                          // client connections open now (all databases)
  int database_limit = -1;                 // the database's CONNECTION LIMIT; -1: none
  int database_in_use = 0;
  int role_limit = -1;  // the role's CONNECTION LIMIT; -1: none (or a superuser)
  int role_in_use = 0;
  int lakesync_in_use = 0;  // lakesync's connections (application_name "lakesync", "lakesync ...")
  std::string database;     // the connected database
  std::string role;         // the role that logged in
  bool superuser = false;   // database and role limits do not apply to superusers

  /// Reads the settings and pg_stat_activity. Errors: as Connection::Query.
  static Result<ConnectionCapacity> Query(pg::Connection& conn);
};

/// OK when a synced table allowed `requested` connections fits the target: requested is at
/// most the server's max_connections minus its reserved slots and the database's and role's
/// connection limits. Otherwise InvalidArgument naming the table, the limit that is too
/// small, its figures and how to raise it.
Status CheckConnectionsFit(const ConnectionCapacity& capacity, const std::string& table,
                           int requested);

/// The warning for a synced table allowed more connections than lakesync's cap
/// (limits.max_target_connections), whose loads will use at most the cap; empty when it fits.
std::string ConnectionCapWarning(const Limits& limits, const std::string& table, int requested);

/// How many connections a load of a table allowed `requested` may use now, counting the one
/// the caller holds: `requested` clamped to the slots free on the server, in the database,
/// for the role and under limits.max_target_connections. At least 1 (the caller's own).
int ConnectionsAvailable(const ConnectionCapacity& capacity, const Limits& limits, int requested);

/// An estimate of the bytes a snapshot of `snapshot` takes in PostgreSQL (heap and primary
/// key), from the Delta log's statistics (numRecords and each file's size) and the schema's
/// fixed-width columns; without statistics the row count is guessed from the file sizes.
Result<int64_t> EstimateTableBytes(const delta::Snapshot& snapshot,
                                   const std::vector<std::string>& primary_key);

/// Total size in bytes (heap, indexes, TOAST) of the synced tables recorded in the target's
/// `lakesync.synced_tables`, leaving out `except` ("schema.table"; may be empty). 0 when
/// lakesync's schema does not exist yet.
Result<int64_t> SyncedDataBytes(pg::Connection& conn, const std::string& except);

/// Checks that the synced data stays within limits.max_target_bytes once `table` holds
/// `table_bytes` (replacing what it holds now). Returns warnings (a table above
/// limits.warn_table_bytes), already logged. Errors: InvalidArgument naming the limit, the
/// figures and how to raise it.
Result<std::vector<std::string>> CheckCapacity(pg::Connection& conn, const Limits& limits,
                                               const std::string& table, int64_t table_bytes);

/// The checks at creation: the spec's max_connections fits the target (CheckConnectionsFit)
/// and the snapshot's estimated size fits its capacity (CheckCapacity). Returns the warnings
/// (ConnectionCapWarning's, logged as info, and CheckCapacity's), already logged.
Result<std::vector<std::string>> CheckCreateLimits(pg::Connection& conn, const Limits& limits,
                                                   const SyncedTableSpec& spec,
                                                   const delta::Snapshot& snapshot);

/// "1.4 GB", "2.0 TB": decimal units for messages.
std::string FormatBytes(int64_t bytes);

}  // namespace lakesync::sync
