// Connection: one libpq connection to PostgreSQL, owned by a move-only RAII object, plus
// QueryResult, an RAII owner of one PGresult. Everything that talks to the server goes
// through here, and every failure leaves as a Status classified by errors.h.
// Thread-safety: none. A Connection (and any QueryResult it returned) is used by one thread
// at a time; different Connections are independent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/common/status.h"

struct pg_conn;
struct pg_result;

namespace lakesync::pg {

/// The rows (or command outcome) of one statement. Move-only; frees the PGresult.
class QueryResult {
 public:
  QueryResult() = default;
  explicit QueryResult(pg_result* result);  // takes ownership
  QueryResult(QueryResult&& other) noexcept;
  QueryResult& operator=(QueryResult&& other) noexcept;
  QueryResult(const QueryResult&) = delete;
  QueryResult& operator=(const QueryResult&) = delete;
  ~QueryResult();

  int rows() const;
  int cols() const;
  /// REQUIRES: 0 <= row < rows(), 0 <= col < cols().
  bool IsNull(int row, int col) const;
  /// The value in text form ("" for a null); valid while this QueryResult lives.
  std::string_view Get(int row, int col) const;
  /// The value, or nullopt for a null.
  std::optional<std::string> GetOptional(int row, int col) const;
  /// The value as an integer. Errors: InvalidArgument for a null or non-integer value.
  Result<int64_t> GetInt64(int row, int col) const;
  std::string_view ColumnName(int col) const;
  std::vector<std::string> ColumnNames() const;
  /// Index of the column named `name`, or -1.
  int ColumnIndex(std::string_view name) const;
  /// Rows affected by INSERT/UPDATE/DELETE/COPY/...; 0 when the command reports none.
  int64_t affected_rows() const;
  /// The command tag, e.g. "INSERT 0 3".
  std::string_view command_tag() const;

  pg_result* raw() const { return result_; }

 private:
  pg_result* result_ = nullptr;
};

/// A text parameter for Query(sql, params): nullopt is SQL NULL.
using Param = std::optional<std::string>;

class Connection {
 public:
  /// Connects with a libpq conninfo ("host=... port=... dbname=..." or a postgresql:// URI)
  /// and sets client_encoding to UTF8 (COPY sends UTF-8 text). connect_timeout defaults to 30
  /// seconds. Errors: InvalidArgument for a malformed conninfo; Unavailable for any failure to
  /// connect (libpq gives no SQLSTATE for those, so a missing database or a refused password
  /// is Unavailable too).
  static Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);

  Connection(Connection&& other) noexcept;
  Connection& operator=(Connection&& other) noexcept;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  /// Aborts a COPY in progress and closes the connection.
  ~Connection();

  /// Runs one or more statements whose results are not needed.
  Status Exec(std::string_view sql);
  /// Runs one statement and returns its rows.
  Result<QueryResult> Query(std::string_view sql);
  /// Runs one statement with $1, $2... bound to text parameters (server-side typed).
  Result<QueryResult> Query(std::string_view sql, const std::vector<Param>& params);

  /// Starts COPY ... FROM STDIN; REQUIRES: no COPY in progress.
  Status BeginCopy(std::string_view sql);
  /// Sends COPY data. On failure the COPY is over; the Status carries the server's reason.
  /// A row the server rejects is usually reported only by EndCopy: the server reads and drops
  /// the rest of the stream, and libpq gives no way to see its error before the COPY ends.
  Status PutCopyData(const uint8_t* data, size_t size);
  /// Finishes the COPY and returns the number of rows the server stored.
  Result<int64_t> EndCopy();
  /// Abandons the COPY in progress (the server discards the rows); no-op when none.
  Status AbortCopy(std::string_view reason);
  bool in_copy() const { return in_copy_; }

  /// The server version as PQserverVersion reports it, e.g. 150004.
  int ServerVersion() const;
  Status SetApplicationName(std::string_view name);
  /// True when the connection is usable (not lost).
  bool IsOk() const;
  /// The SQLSTATE of the last failed statement on this connection, or "".
  const std::string& last_sqlstate() const { return last_sqlstate_; }

  /// The libpq handle, for code in this module only.
  pg_conn* raw() const { return conn_; }

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  Status CheckNotInCopy(std::string_view what) const;
  // Takes a result from PQexec*, returns it if it has `expected` status, else the error.
  Result<QueryResult> Check(pg_result* raw, int expected_status, std::string_view what);
  // Reads the remaining results after a COPY until libpq reports none.
  Result<int64_t> DrainCopyResults(std::string_view what);

  pg_conn* conn_ = nullptr;
  bool in_copy_ = false;
  std::string last_sqlstate_;
};

}  // namespace lakesync::pg
