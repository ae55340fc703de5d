// Scheduler: the daemon's pipeline runner. For each target database it serves, it discovers the
// synced tables, takes leases (lease.h) on those that need running — CONTINUOUS tables always,
// TRIGGERED and SNAPSHOT tables when their schedule is due or an update was requested, any table
// whose initial load never finished — and runs each on a worker thread with its own SyncEngine.
// Leases are renewed every poll; a pipeline whose lease was lost stops after its batch in flight
// (whose commit the lease fence refuses). Any number of daemons may serve the same databases:
// each table is run by exactly one of them, and taken over within a lease ttl when it dies.
// Thread-safety: Start/Stop from one thread; the scheduler's own threads do the rest.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/sync/limits.h"

namespace lakesync::sync {

struct SchedulerOptions {
  std::vector<std::string> target_conninfos;  // every target database this daemon serves
  /// The limits of each target, by position in target_conninfos (its instance's configured
  /// connection cap and capacity limits); a target without an entry gets Limits{}.
  std::vector<Limits> target_limits;
  std::string daemon_id;  // unique per process; empty: host-pid-random
  std::chrono::milliseconds lease_ttl{10000};
  /// How often leases are renewed and tables discovered; also how soon a requested update or
  /// a due schedule starts. At most a third of lease_ttl, so a renewal can fail twice safely.
  std::chrono::milliseconds poll_interval{1000};
  /// How often a CONTINUOUS pipeline lists its source's log for new commits.
  std::chrono::milliseconds continuous_interval{1000};
  /// How often the lag of tables this daemon does not run is measured (one log listing each);
  /// the tables it runs are measured every poll.
  std::chrono::milliseconds lag_interval{30000};
};

class Scheduler {
 public:
  /// Checks the options and starts one control thread per target database. A database that
  /// cannot be reached yet is retried every poll (logged), not an error. InvalidArgument for
  /// no targets or timings that cannot work.
  static Result<std::unique_ptr<Scheduler>> Start(SchedulerOptions options);
  /// Stops taking work, lets each batch in flight commit (or roll back), then releases every
  /// lease so other daemons take the tables over at once. Idempotent.
  void Stop();
  ~Scheduler();

  const std::string& daemon_id() const;

  class Impl;

 private:
  explicit Scheduler(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// "host-pid-xxxxxxxx": unique among the daemons of a fleet.
std::string DefaultDaemonId();

}  // namespace lakesync::sync
