#include "lakesync/sync/read_only.h"

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "lakesync/common/macros.h"

namespace lakesync::sync {

namespace {

// The guard function's body: compared with pg_proc.prosrc to tell whether it is in place.
constexpr std::string_view kRejectWritesBody = R"fn(
BEGIN
  IF current_user <> 'lakesync_writer' THEN
    RAISE EXCEPTION 'table %.% is synced by lakesync from a Delta table and is read-only',
      TG_TABLE_SCHEMA, TG_TABLE_NAME
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'Change the rows in the Delta source table and let lakesync sync them. '
                   'To keep data of your own next to it, put it in a separate table and join '
                   'the two at query time.';
  END IF;
  RETURN NULL;
END
)fn";

// How long the setup waits for a lock before giving up. A load commits its swap while holding
// a lock on the guard function (its triggers use it), and a swap may wait on a user's lock
// for as long as the user keeps it.
constexpr std::string_view kSetupLockTimeout = "5s";

}  // namespace

Status EnsureWriterRole(pg::Connection& conn) {
  // Read-only when everything is in place already, which is nearly always: replacing the
  // function would wait for every load whose swap holds it, and so would the engine (and the
  // API request) opening this connection.
  LAKESYNC_ASSIGN_OR_RETURN(
      auto in_place,
      conn.Query("SELECT CASE WHEN EXISTS (SELECT FROM pg_roles WHERE rolname = "
                 "'lakesync_writer') THEN pg_has_role(current_user, 'lakesync_writer', 'MEMBER') "
                 "AND EXISTS (SELECT FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                 "WHERE n.nspname = 'lakesync' AND p.proname = 'reject_writes' AND p.prosrc = $1) "
                 "ELSE false END",
                 {std::string(kRejectWritesBody)}));
  if (in_place.Get(0, 0) == "t") return Status::OK();
  // The role and function are created under an advisory lock: several lakesync processes may
  // start at once, and CREATE ROLE has no IF NOT EXISTS.
  Status st = conn.Exec(fmt::format(R"sql(
BEGIN;
SET LOCAL lock_timeout = '{}';
SELECT pg_advisory_xact_lock(hashtext('lakesync.writer_role'));
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'lakesync_writer') THEN
    CREATE ROLE lakesync_writer NOLOGIN;
  END IF;
  IF NOT pg_has_role(current_user, 'lakesync_writer', 'MEMBER') THEN
    EXECUTE format('GRANT lakesync_writer TO %I', current_user);
  END IF;
END
$$;
CREATE OR REPLACE FUNCTION lakesync.reject_writes() RETURNS trigger
LANGUAGE plpgsql AS $fn${}$fn$;
COMMIT;
)sql",
                                    kSetupLockTimeout, kRejectWritesBody));
  if (!st.ok()) {
    const bool lock_timeout = conn.last_sqlstate() == "55P03";
    (void)conn.Exec("ROLLBACK");
    if (lock_timeout) {
      return Status::Unavailable(
          "setting up lakesync's guard function lakesync.reject_writes waited more than {} for "
          "a load that is committing; retry later ({})",
          kSetupLockTimeout, st.message());
    }
    if (st.IsInvalidArgument()) {
      return Status::InvalidArgument(
          "lakesync keeps synced tables read-only through the role lakesync_writer, which this "
          "user may not create or join ({}). An administrator can run: CREATE ROLE "
          "lakesync_writer NOLOGIN; GRANT lakesync_writer TO <lakesync's user>;",
          st.message());
    }
    return st;
  }
  return Status::OK();
}

Status MakeReadOnly(pg::Connection& conn, const pg::QualifiedName& table) {
  const std::string t = table.ToSql();
  return conn.Exec(
      fmt::format("ALTER TABLE {0} OWNER TO lakesync_writer;"
                  "REVOKE ALL ON {0} FROM PUBLIC;"
                  "GRANT SELECT ON {0} TO PUBLIC;"
                  "CREATE TRIGGER lakesync_read_only BEFORE INSERT OR UPDATE OR DELETE ON {0} "
                  "FOR EACH STATEMENT EXECUTE FUNCTION lakesync.reject_writes();"
                  "CREATE TRIGGER lakesync_read_only_truncate BEFORE TRUNCATE ON {0} "
                  "FOR EACH STATEMENT EXECUTE FUNCTION lakesync.reject_writes();",
                  t, pg::QuoteIdent(table.schema)));
}

}  // namespace lakesync::sync
