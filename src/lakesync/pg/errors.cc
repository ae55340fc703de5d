#include "lakesync/pg/errors.h"

#include <libpq-fe.h>

#include <fmt/format.h>

namespace lakesync::pg {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string_view Field(const PGresult* result, int code) {
  if (result == nullptr) return {};
  const char* v = PQresultErrorField(result, code);
  return v == nullptr ? std::string_view() : std::string_view(v);
}

bool ConnectionOk(const PGconn* conn) { return conn != nullptr && PQstatus(conn) == CONNECTION_OK; }

}  // namespace

StatusCode StatusCodeForSqlState(std::string_view sqlstate, bool connection_ok) {
  if (!connection_ok) return StatusCode::kUnavailable;
  if (sqlstate.size() != 5) {
    // libpq-generated errors carry no SQLSTATE; with a healthy connection they are usually
    // protocol or client-side problems that a retry will not fix.
    return StatusCode::kIOError;
  }
  const std::string_view cls = sqlstate.substr(0, 2);
  // Retryable: the server or connection went away, or the transaction lost a race.
  if (cls == "08") return StatusCode::kUnavailable;  // connection_exception
  if (sqlstate == "40001" || sqlstate == "40P01") return StatusCode::kUnavailable;
  if (sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03") {
    return StatusCode::kUnavailable;  // admin/crash shutdown, cannot connect now
  }
  if (sqlstate == "53300") return StatusCode::kUnavailable;  // too_many_connections
  if (sqlstate == "23505") return StatusCode::kConflict;     // unique_violation
  if (sqlstate == "42P01" || sqlstate == "3F000" || sqlstate == "3D000") {
    return StatusCode::kNotFound;  // undefined table, schema, database
  }
  if (cls == "22" || cls == "23") return StatusCode::kInvalidArgument;  // data exceptions
  if (sqlstate == "42501") return StatusCode::kInvalidArgument;         // insufficient_privilege
  return StatusCode::kIOError;
}

std::string SqlStateOf(const pg_result* result) {
  return std::string(Field(result, PG_DIAG_SQLSTATE));
}

Status StatusFromResult(const pg_conn* conn, const pg_result* result, std::string_view what) {
  const std::string_view sqlstate = Field(result, PG_DIAG_SQLSTATE);
  std::string_view primary = Field(result, PG_DIAG_MESSAGE_PRIMARY);
  if (primary.empty() && result != nullptr) primary = Trim(PQresultErrorMessage(result));
  if (primary.empty() && conn != nullptr) primary = Trim(PQerrorMessage(conn));
  if (primary.empty()) primary = "unknown error";
  std::string msg = fmt::format("{} failed", what);
  if (!sqlstate.empty()) msg += fmt::format(" (SQLSTATE {})", sqlstate);
  msg += fmt::format(": {}", primary);
  const std::string_view detail = Field(result, PG_DIAG_MESSAGE_DETAIL);
  if (!detail.empty()) msg += fmt::format("; detail: {}", detail);
  const std::string_view hint = Field(result, PG_DIAG_MESSAGE_HINT);
  if (!hint.empty()) msg += fmt::format("; hint: {}", hint);
  const std::string_view context = Field(result, PG_DIAG_CONTEXT);
  if (!context.empty()) msg += fmt::format("; context: {}", context);
  return Status(StatusCodeForSqlState(sqlstate, ConnectionOk(conn)), std::move(msg));
}

Status StatusFromConnection(const pg_conn* conn, std::string_view what) {
  std::string_view text =
      conn == nullptr ? std::string_view("out of memory") : Trim(PQerrorMessage(conn));
  if (text.empty()) text = "unknown error";
  return Status(StatusCodeForSqlState({}, ConnectionOk(conn)),
                fmt::format("{} failed: {}", what, text));
}

}  // namespace lakesync::pg
