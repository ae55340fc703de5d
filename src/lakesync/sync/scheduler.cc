#include "lakesync/sync/scheduler.h"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "lakesync/common/logging.h"
#include "lakesync/common/macros.h"
#include "lakesync/pg/connection.h"
#include "lakesync/sync/continuous_pipeline.h"
#include "lakesync/sync/lease.h"
#include "lakesync/sync/schedule.h"
#include "lakesync/sync/state_store.h"
#include "lakesync/sync/sync_engine.h"
#include "lakesync/sync/sync_metrics.h"

namespace lakesync::sync {
namespace {

using Clock = std::chrono::steady_clock;

// What the scheduler needs to know of a synced table, read in one query per poll. Times are
// the database's (ms since the epoch), so daemons with skewed clocks agree on what is due.
struct Candidate {
  std::string name;
  std::string source;
  SchedulingPolicy policy = SchedulingPolicy::kTriggered;
  std::optional<std::string> schedule;
  std::optional<int64_t> last_processed_version;
  DetailedState state = DetailedState::kProvisioning;
  int64_t last_start_ms = 0;  // last run's start, or creation
  int64_t now_ms = 0;
  bool queued = false;   // an update request waits
  bool stopped = false;  // the pipeline was stopped (pipeline_control.h)
};

constexpr std::string_view kCandidatesSql =
    "SELECT name, source, scheduling_policy, schedule, last_processed_version, detailed_state, "
    "(extract(epoch FROM coalesce(last_sync_start, created_at)) * 1000)::bigint, "
    "(extract(epoch FROM clock_timestamp()) * 1000)::bigint, EXISTS (SELECT 1 FROM "
    "lakesync.update_requests u WHERE u.name = t.name AND u.state = 'QUEUED'), "
    "stop_requested_at IS NOT NULL FROM "
    "lakesync.synced_tables t WHERE $1::text IS NULL OR name = $1 ORDER BY name";

Result<std::vector<Candidate>> LoadCandidates(pg::Connection& conn,
                                              std::optional<std::string> only = std::nullopt) {
  LAKESYNC_ASSIGN_OR_RETURN(auto r, conn.Query(kCandidatesSql, {std::move(only)}));
  std::vector<Candidate> out;
  for (int i = 0; i < r.rows(); ++i) {
    Candidate c;
    c.name = r.Get(i, 0);
    c.source = r.Get(i, 1);
    LAKESYNC_ASSIGN_OR_RETURN(c.policy, ParseSchedulingPolicy(r.Get(i, 2)));
    c.schedule = r.GetOptional(i, 3);
    if (!r.IsNull(i, 4)) {
      LAKESYNC_ASSIGN_OR_RETURN(c.last_processed_version, r.GetInt64(i, 4));
    }
    c.state = ParseDetailedState(r.Get(i, 5));
    LAKESYNC_ASSIGN_OR_RETURN(c.last_start_ms, r.GetInt64(i, 6));
    LAKESYNC_ASSIGN_OR_RETURN(c.now_ms, r.GetInt64(i, 7));
    c.queued = r.Get(i, 8) == "t";
    c.stopped = r.Get(i, 9) == "t";
    out.push_back(std::move(c));
  }
  return out;
}

// Whether the table needs a run now. `why` says which reason, for the log.
bool IsDue(const Candidate& c, std::string& why) {
  if (c.policy == SchedulingPolicy::kContinuous && !c.stopped) {
    why = "continuous";
    return true;
  }
  if (c.queued) {
    why = "update requested";
    return true;
  }
  if (c.policy == SchedulingPolicy::kContinuous) return false;  // stopped
  // An initial load that never ran, or whose process died, is picked up unless stopped.
  if (!c.last_processed_version && !c.stopped &&
      (c.state == DetailedState::kProvisioning ||
       c.state == DetailedState::kProvisioningInitialSnapshot)) {
    why = "initial load";
    return true;
  }
  if (!c.schedule) return false;
  auto schedule = Schedule::Parse(*c.schedule);
  if (!schedule.ok()) return false;  // ValidateSpec refuses these; a hand-edited row is skipped
  const int64_t next = schedule->NextAfter(c.last_start_ms);
  if (next < 0 || next > c.now_ms) return false;
  why = fmt::format("schedule '{}'", *c.schedule);
  return true;
}

// One pipeline run by this daemon, on its own thread.
struct Worker {
  std::string table;
  SchedulingPolicy policy = SchedulingPolicy::kTriggered;
  std::thread thread;
  std::atomic<bool> stop{false};   // end after the batch in flight
  std::atomic<bool> pause{false};  // ends RunContinuous between runs (stop, or a request)
  std::atomic<bool> done{false};
  std::atomic<bool> failed{false};  // did not run: no connection, or another sync was running
  bool lost = false;                // control thread only
};

// The control loop of one target database.
class TargetLoop {
 public:
  TargetLoop(std::string conninfo, Limits limits, const SchedulerOptions& options)
      : conninfo_(std::move(conninfo)), limits_(limits), options_(options) {}

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  void RequestStop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
  }
  void Join() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    while (true) {
      const auto tick_start = Clock::now();
      bool stopping;
      {
        std::lock_guard lock(mu_);
        stopping = stopping_;
      }
      Tick(stopping);
      if (stopping && workers_.empty()) break;
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, tick_start + options_.poll_interval,
                     [&] { return stopping_ && !stopping; });
    }
    ReleaseAll();
  }

  bool Connect() {
    if (conn_ && conn_->IsOk()) return true;
    conn_.reset();
    conn_slot_ = BudgetSlots();
    // The control connection counts against the instance's cap like the pipelines' do.
    BudgetSlots slot;
    if (limits_.budget) slot = BudgetSlots(limits_.budget, limits_.budget->TakeUpToReclaiming(1));
    auto conn = limits_.budget && slot.count() == 0
                    ? Result<std::unique_ptr<pg::Connection>>(Status::Unavailable(
                          "all {} connections lakesync may hold on this database instance are "
                          "in use in this process (max_connections of the instance)",
                          limits_.budget->cap()))
                    : pg::Connection::Open(conninfo_);
    Status st = conn.status();
    if (st.ok()) st = (*conn)->SetApplicationName("lakesync daemon");
    if (st.ok()) st = (*conn)->Exec("SET client_min_messages TO warning");
    if (st.ok()) st = StateStore(**conn).EnsureSchema();
    Result<pg::QueryResult> db =
        st.ok() ? (*conn)->Query("SELECT current_database()") : Result<pg::QueryResult>(st);
    if (!db.ok()) {
      if (Clock::now() - last_connect_warning_ > std::chrono::seconds(30)) {
        last_connect_warning_ = Clock::now();
        log::Warn("cannot reach target database; retrying",
                  {{"daemon", options_.daemon_id}, {"error", db.status()}});
      }
      return false;
    }
    database_ = db->Get(0, 0);
    conn_slot_ = std::move(slot);
    conn_ = std::move(conn).value();
    log::Info("serving target database", {{"daemon", options_.daemon_id}, {"database", database_}});
    return true;
  }

  void Tick(bool stopping) {
    if (stopping) {
      for (auto& [name, w] : workers_) {
        w->stop = true;
        w->pause = true;
      }
    }
    if (!Connect()) {
      LoseAllIfExpired();
      // Shutting down without the database: the leases expire on their own.
      if (stopping) Reap(/*release=*/false);
      return;
    }
    if (!Renew()) {
      if (stopping) Reap(/*release=*/false);
      return;
    }
    Reap(/*release=*/true);
    if (stopping) return;
    auto candidates = LoadCandidates(*conn_);
    if (!candidates.ok()) {
      log::Warn("cannot list synced tables",
                {{"database", database_}, {"error", candidates.status()}});
      return;
    }
    for (const Candidate& c : *candidates) Consider(c);
    MeasureLags(*candidates);
  }

  // Renews every lease; a worker whose table is not renewed lost its lease.
  bool Renew() {
    const auto sent = Clock::now();
    auto held = RenewLeases(*conn_, options_.daemon_id, options_.lease_ttl);
    if (!held.ok()) {
      log::Warn("cannot renew leases", {{"database", database_}, {"error", held.status()}});
      LoseAllIfExpired();
      return false;
    }
    last_renewed_ = sent;
    const std::set<std::string> still(held->begin(), held->end());
    for (auto& [name, w] : workers_) {
      if (!w->lost && !w->done && !still.count(name)) MarkLost(*w);
    }
    return true;
  }

  // Without a successful renewal for a whole ttl, every lease may have passed to another daemon.
  void LoseAllIfExpired() {
    if (Clock::now() - last_renewed_ < options_.lease_ttl) return;
    for (auto& [name, w] : workers_) {
      if (!w->lost && !w->done) MarkLost(*w);
    }
  }

  void MarkLost(Worker& w) {
    w.lost = true;
    w.stop = true;
    w.pause = true;
    log::Warn(
        "lease lost; stopping the pipeline after its batch in flight (whose commit the "
        "lease fence refuses)",
        {{"daemon", options_.daemon_id}, {"database", database_}, {"table", w.table}});
    RecordLeaseHeld(database_, w.table, false);
    RecordLeaseEvent(database_, w.table, "lost");
  }

  // Joins finished workers and (when `release`) releases their leases.
  void Reap(bool release) {
    for (auto it = workers_.begin(); it != workers_.end();) {
      Worker& w = *it->second;
      if (!w.done) {
        ++it;
        continue;
      }
      w.thread.join();
      // A pipeline that could not start is retried with backoff, not on every poll.
      if (w.failed) {
        auto& backoff = backoff_[w.table];
        backoff = std::min<std::chrono::milliseconds>(std::max(backoff * 2, options_.poll_interval),
                                                      std::chrono::milliseconds(60000));
        retry_after_[w.table] = Clock::now() + backoff;
      } else {
        backoff_.erase(w.table);
        retry_after_.erase(w.table);
      }
      if (!w.lost && release) {
        Status st = ReleaseLease(*conn_, w.table, options_.daemon_id);
        if (!st.ok()) {
          log::Warn("cannot release lease", {{"table", w.table}, {"error", st}});
        }
        RecordLeaseHeld(database_, w.table, false);
        RecordLeaseEvent(database_, w.table, "released");
      }
      it = workers_.erase(it);
    }
  }

  void Consider(const Candidate& c) {
    auto running = workers_.find(c.name);
    if (running != workers_.end()) {
      Worker& w = *running->second;
      if (w.policy == SchedulingPolicy::kContinuous && c.policy != SchedulingPolicy::kContinuous &&
          !w.stop) {
        // The table is no longer CONTINUOUS (PATCH): its pipeline ends after the batch in flight.
        log::Info("scheduling policy changed; stopping the continuous pipeline",
                  {{"database", database_}, {"table", c.name}});
        w.stop = true;
        w.pause = true;
      } else if (w.policy == SchedulingPolicy::kContinuous && c.stopped && !w.stop) {
        log::Info("pipeline stopped; ending the continuous pipeline",
                  {{"database", database_}, {"table", c.name}});
        w.stop = true;
        w.pause = true;
      } else if (c.queued && c.policy == SchedulingPolicy::kContinuous) {
        w.pause = true;  // a continuous pipeline takes a requested update between two runs
      }
      return;
    }
    if (auto retry = retry_after_.find(c.name);
        retry != retry_after_.end() && Clock::now() < retry->second) {
      return;
    }
    std::string why;
    if (!IsDue(c, why)) return;
    auto got = AcquireLease(*conn_, c.name, options_.daemon_id, options_.lease_ttl);
    if (!got.ok()) {
      log::Warn("cannot take lease", {{"table", c.name}, {"error", got.status()}});
      return;
    }
    if (!*got) return;  // another daemon runs it
    if (c.policy != SchedulingPolicy::kContinuous) {
      // Under the lease, look again: another daemon may have just run it and let go.
      auto fresh = LoadCandidates(*conn_, c.name);
      std::string why_now;
      if (!fresh.ok() || fresh->empty() || !IsDue(fresh->front(), why_now)) {
        (void)ReleaseLease(*conn_, c.name, options_.daemon_id);
        return;
      }
    }
    log::Info("lease acquired; starting pipeline", {{"daemon", options_.daemon_id},
                                                    {"database", database_},
                                                    {"table", c.name},
                                                    {"policy", SchedulingPolicyName(c.policy)},
                                                    {"reason", why}});
    RecordLeaseHeld(database_, c.name, true);
    RecordLeaseEvent(database_, c.name, "acquired");
    auto w = std::make_unique<Worker>();
    w->table = c.name;
    w->policy = c.policy;
    Worker* raw = w.get();
    w->thread = std::thread([this, raw] { RunWorker(*raw); });
    workers_.emplace(c.name, std::move(w));
  }

  void RunWorker(Worker& w) {
    // With the target's limits: the pipeline's connection holds a slot of the instance's
    // budget, and its loads keep within the cap.
    auto engine = SyncEngine::Open(conninfo_, limits_);
    if (!engine.ok()) {
      log::Error("cannot open the target database for a pipeline",
                 {{"database", database_}, {"table", w.table}, {"error", engine.status()}});
      w.failed = true;
      w.done = true;
      return;
    }
    (*engine)->set_lease_holder(options_.daemon_id);
    if (w.policy != SchedulingPolicy::kContinuous) {
      Result<SyncRun> run = (*engine)->Sync(w.table);
      if (run.status().IsConflict()) {
        // Another process is syncing it (or took it over): retry later, with backoff.
        log::Debug("run skipped", {{"table", w.table}, {"reason", run.status()}});
        w.failed = true;
      }
      w.done = true;
      return;
    }
    ContinuousOptions copts;
    copts.interval = options_.continuous_interval;
    bool first = true;
    while (true) {
      // Cleared before stop is read, so a stop set meanwhile is never missed.
      w.pause = false;
      if (w.stop) break;
      // Re-entered after a pause for an update request: run it (the Sync claims it).
      if (!first) (void)(*engine)->Sync(w.table);
      first = false;
      Status st = RunContinuous(**engine, w.table, w.pause, copts);
      if (!st.ok()) {
        log::Warn("continuous pipeline ended", {{"table", w.table}, {"error", st}});
        break;
      }
      // Ended by a stop through the API rather than a pause: the pipeline stays down.
      auto now = (*engine)->Get(w.table);
      if (!now.ok() || now->stop_requested_at) break;
    }
    w.done = true;
  }

  void MeasureLags(const std::vector<Candidate>& candidates) {
    const bool all = Clock::now() - last_lag_all_ >= options_.lag_interval;
    if (all) last_lag_all_ = Clock::now();
    std::set<std::string> present;
    for (const Candidate& c : candidates) {
      present.insert(c.name);
      if (!all && !workers_.count(c.name)) continue;
      auto lag = MeasureLag(c.source, c.last_processed_version);
      if (!lag.ok()) {
        log::Debug("cannot measure lag", {{"table", c.name}, {"error", lag.status()}});
        continue;
      }
      RecordLagMetrics(database_, c.name, c.last_processed_version, *lag);
    }
    for (const auto& name : known_) {
      if (!present.count(name)) ForgetTableMetrics(database_, name);
    }
    known_ = std::move(present);
  }

  // After every worker ended: give up whatever this daemon still holds.
  void ReleaseAll() {
    if (!Connect()) return;
    auto r = conn_->Query("DELETE FROM lakesync.leases WHERE holder = $1 RETURNING name",
                          {options_.daemon_id});
    if (!r.ok()) {
      log::Warn("cannot release leases", {{"database", database_}, {"error", r.status()}});
      return;
    }
    for (int i = 0; i < r->rows(); ++i) {
      RecordLeaseHeld(database_, std::string(r->Get(i, 0)), false);
    }
    log::Info("released leases", {{"daemon", options_.daemon_id}, {"database", database_}});
  }

  const std::string conninfo_;
  const Limits limits_;  // for every engine of this target's pipelines
  const SchedulerOptions& options_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_

  // Control thread only.
  BudgetSlots conn_slot_;  // outlives conn_: given back once it is closed
  std::unique_ptr<pg::Connection> conn_;
  std::string database_;
  std::map<std::string, std::unique_ptr<Worker>> workers_;
  Clock::time_point last_renewed_ = Clock::now();
  Clock::time_point last_connect_warning_{};
  Clock::time_point last_lag_all_{};
  std::set<std::string> known_;
  std::map<std::string, std::chrono::milliseconds> backoff_;
  std::map<std::string, Clock::time_point> retry_after_;
};

}  // namespace

class Scheduler::Impl {
 public:
  explicit Impl(SchedulerOptions options) : options_(std::move(options)) {}
  SchedulerOptions options_;
  std::vector<std::unique_ptr<TargetLoop>> loops_;
  bool stopped_ = false;
};

std::string DefaultDaemonId() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "lakesync");
  std::random_device rd;
  return fmt::format("{}-{}-{:08x}", host, getpid(), rd());
}

Result<std::unique_ptr<Scheduler>> Scheduler::Start(SchedulerOptions options) {
  if (options.target_conninfos.empty()) {
    return Status::InvalidArgument("the scheduler needs at least one target database");
  }
  if (options.lease_ttl < std::chrono::milliseconds(500) ||
      options.poll_interval * 3 > options.lease_ttl ||
      options.poll_interval < std::chrono::milliseconds(10)) {
    return Status::InvalidArgument(
        "lease ttl {} ms and poll interval {} ms: the ttl must be at least 500 ms and at least "
        "3 poll intervals, so that a lease is renewed before it can expire",
        options.lease_ttl.count(), options.poll_interval.count());
  }
  if (options.daemon_id.empty()) options.daemon_id = DefaultDaemonId();
  auto impl = std::make_unique<Impl>(std::move(options));
  const auto& targets = impl->options_.target_conninfos;
  const auto& limits = impl->options_.target_limits;
  for (size_t i = 0; i < targets.size(); ++i) {
    impl->loops_.push_back(std::make_unique<TargetLoop>(
        targets[i], i < limits.size() ? limits[i] : Limits{}, impl->options_));
  }
  log::Info("scheduler started",
            {{"daemon", impl->options_.daemon_id},
             {"targets", static_cast<int64_t>(impl->loops_.size())},
             {"lease_ttl_ms", static_cast<int64_t>(impl->options_.lease_ttl.count())}});
  for (auto& loop : impl->loops_) loop->Start();
  return std::unique_ptr<Scheduler>(new Scheduler(std::move(impl)));
}

Scheduler::Scheduler(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

void Scheduler::Stop() {
  if (impl_->stopped_) return;
  impl_->stopped_ = true;
  for (auto& loop : impl_->loops_) loop->RequestStop();
  for (auto& loop : impl_->loops_) loop->Join();
  log::Info("scheduler stopped", {{"daemon", impl_->options_.daemon_id}});
}

Scheduler::~Scheduler() { Stop(); }

const std::string& Scheduler::daemon_id() const { return impl_->options_.daemon_id; }

}  // namespace lakesync::sync
