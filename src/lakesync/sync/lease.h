// Leases: which daemon runs which synced table, kept in the target database (table
// lakesync.leases) so every daemon serving it agrees. Times are the database's clock, never a
// daemon's: a lease is held while expires_at > clock_timestamp(). A daemon renews its leases
// well within the ttl; one that stops renewing (killed, partitioned) loses them at expiry and
// another daemon takes over. Fencing: the session's lease holder (SetFenceHolder) makes
// StateStore::CommitVersion refuse to commit a batch once that holder's lease is gone.
// Thread-safety: free functions on a caller's Connection (one thread at a time).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/pg/connection.h"

namespace lakesync::sync {

struct LeaseInfo {
  std::string name;    // the synced table
  std::string holder;  // daemon id
  double seconds_left = 0;
};

/// Takes the lease on synced table `name` for `holder` when it is free, expired or already
/// held by `holder` (then it is renewed). Returns whether `holder` holds it now.
Result<bool> AcquireLease(pg::Connection& conn, const std::string& name, const std::string& holder,
                          std::chrono::milliseconds ttl);

/// Whether `holder` holds an unexpired lease on `name`.
Result<bool> HoldsLease(pg::Connection& conn, const std::string& name, const std::string& holder);

/// Extends every unexpired lease of `holder` to now + ttl; returns the tables still held.
/// A lease the caller thinks it holds but that is not returned was lost.
Result<std::vector<std::string>> RenewLeases(pg::Connection& conn, const std::string& holder,
                                             std::chrono::milliseconds ttl);

/// Gives up `holder`'s lease on `name` (no-op when it does not hold it), so another daemon can
/// take the table at once rather than after the ttl.
Status ReleaseLease(pg::Connection& conn, const std::string& name, const std::string& holder);

/// Every lease with time left, by table.
Result<std::vector<LeaseInfo>> ListLeases(pg::Connection& conn);

/// Names `holder` as this session's lease holder for the fence in StateStore::CommitVersion
/// ("" clears it). `local` limits it to the current transaction.
Status SetFenceHolder(pg::Connection& conn, const std::string& holder, bool local = false);

}  // namespace lakesync::sync
