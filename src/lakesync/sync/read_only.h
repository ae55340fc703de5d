// Read-only synced tables: every synced table is owned by the role `lakesync_writer`, readable
// by everyone (SELECT granted to PUBLIC), and guarded by triggers that reject INSERT, UPDATE,
// DELETE and TRUNCATE unless the current role is lakesync_writer, which only lakesync's own
// transactions switch to (SET LOCAL ROLE). Even a superuser's stray write gets a message that
// says the table is synced and how to keep writable data next to it.
// Thread-safety: stateless functions over a borrowed connection.
#pragma once

#include <string_view>

#include "lakesync/common/status.h"
#include "lakesync/pg/connection.h"
#include "lakesync/pg/ddl.h"

namespace lakesync::sync {

inline constexpr std::string_view kWriterRole = "lakesync_writer";

/// Creates the writer role (when missing), makes the connected user a member of it, and
/// installs the guard function in schema `lakesync`. Errors: InvalidArgument when the user may
/// not create or grant roles, saying what an administrator must run instead.
Status EnsureWriterRole(pg::Connection& conn);

/// Hands `table` to the writer role, grants SELECT to PUBLIC and installs the guard triggers.
/// Runs inside the caller's transaction (the load that creates the table).
Status MakeReadOnly(pg::Connection& conn, const pg::QualifiedName& table);

/// Statements that let the rest of the caller's transaction write synced tables, and that
/// return to the connected user.
inline constexpr std::string_view kBecomeWriterSql = "SET LOCAL ROLE lakesync_writer";
inline constexpr std::string_view kBecomeSelfSql = "RESET ROLE";

}  // namespace lakesync::sync
