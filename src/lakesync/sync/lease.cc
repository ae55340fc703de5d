#include "lakesync/sync/lease.h"

#include "lakesync/common/macros.h"

namespace lakesync::sync {

Result<bool> AcquireLease(pg::Connection& conn, const std::string& name, const std::string& holder,
                          std::chrono::milliseconds ttl) {
  // A lease changes hands only when it expired by the database's clock; the holder's own
  // lease is renewed. acquired_at stays when the same holder re-acquires.
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r,
      conn.Query("INSERT INTO lakesync.leases AS l (name, holder, expires_at) SELECT $1, $2, "
                 "clock_timestamp() + $3::bigint * interval '1 millisecond' WHERE EXISTS "
                 "(SELECT 1 FROM lakesync.synced_tables WHERE name = $1) ON CONFLICT (name) DO "
                 "UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at, "
                 "renewed_at = clock_timestamp(), acquired_at = CASE WHEN l.holder = "
                 "EXCLUDED.holder THEN l.acquired_at ELSE clock_timestamp() END WHERE l.holder = "
                 "EXCLUDED.holder OR l.expires_at <= clock_timestamp() RETURNING 1",
                 {name, holder, std::to_string(ttl.count())}));
  return r.rows() > 0;
}

Result<bool> HoldsLease(pg::Connection& conn, const std::string& name, const std::string& holder) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn.Query("SELECT 1 FROM lakesync.leases WHERE name = $1 AND holder = $2 AND "
                         "expires_at > clock_timestamp()",
                         {name, holder}));
  return r.rows() > 0;
}

Result<std::vector<std::string>> RenewLeases(pg::Connection& conn, const std::string& holder,
                                             std::chrono::milliseconds ttl) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn.Query("UPDATE lakesync.leases SET expires_at = clock_timestamp() + $2::bigint "
                         "* interval '1 millisecond', renewed_at = clock_timestamp() WHERE holder "
                         "= $1 AND expires_at > clock_timestamp() RETURNING name",
                         {holder, std::to_string(ttl.count())}));
  std::vector<std::string> held;
  for (int i = 0; i < r.rows(); ++i) held.emplace_back(r.Get(i, 0));
  return held;
}

Status ReleaseLease(pg::Connection& conn, const std::string& name, const std::string& holder) {
  return conn.Query("DELETE FROM lakesync.leases WHERE name = $1 AND holder = $2", {name, holder})
      .status();
}

Result<std::vector<LeaseInfo>> ListLeases(pg::Connection& conn) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto r, conn.Query("SELECT name, holder, extract(epoch FROM expires_at - "
                         "clock_timestamp())::float8::text FROM lakesync.leases WHERE expires_at "
                         "> clock_timestamp() ORDER BY name"));
  std::vector<LeaseInfo> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(
        {std::string(r.Get(i, 0)), std::string(r.Get(i, 1)), std::stod(std::string(r.Get(i, 2)))});
  }
  return out;
}

Status SetFenceHolder(pg::Connection& conn, const std::string& holder, bool local) {
  return conn
      .Query("SELECT set_config('lakesync.lease_holder', $1, $2::boolean)",
             {holder, std::string(local ? "true" : "false")})
      .status();
}

}  // namespace lakesync::sync
