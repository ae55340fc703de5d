#include "lakesync/sync/read_only.h"

#include <fmt/format.h>

#include "lakesync/common/macros.h"

namespace lakesync::sync {

Status EnsureWriterRole(pg::Connection& conn) {
  // The role and function are created under an advisory lock: several lakesync processes may
  // start at once, and CREATE ROLE has no IF NOT EXISTS.
  Status st = conn.Exec(R"sql(
BEGIN;
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
LANGUAGE plpgsql AS $fn$
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
$fn$;
COMMIT;
)sql");
  if (!st.ok()) {
    (void)conn.Exec("ROLLBACK");
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
