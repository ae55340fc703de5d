// The one place where libpq failures become lakesync Status codes. Codes say what the caller
// can do (retry, give up, report bad data), so retry loops ask Status::IsRetryable() and never
// match message text.
// Thread-safety: free functions over the given handles; use a handle from one thread at a time.
#pragma once

#include <string>
#include <string_view>

#include "lakesync/common/status.h"

struct pg_conn;
struct pg_result;

namespace lakesync::pg {

/// The StatusCode for a five-character SQLSTATE (empty when libpq reported no SQLSTATE).
/// `connection_ok` is false when the connection is broken, which makes any failure retryable.
StatusCode StatusCodeForSqlState(std::string_view sqlstate, bool connection_ok);

/// The Status for a failed PGresult (`result` may be null, e.g. when libpq ran out of memory
/// or the connection was lost). `what` says what was being done, e.g. "COPY".
Status StatusFromResult(const pg_conn* conn, const pg_result* result, std::string_view what);

/// The Status for a connection-level failure (PQconnectdb, PQputCopyData...): uses
/// PQerrorMessage and PQstatus.
Status StatusFromConnection(const pg_conn* conn, std::string_view what);

/// The SQLSTATE of a failed result, or "" when there is none.
std::string SqlStateOf(const pg_result* result);

}  // namespace lakesync::pg
