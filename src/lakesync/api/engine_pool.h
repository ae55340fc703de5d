// EnginePool: SyncEngines (each one PostgreSQL connection) kept open per target database and
// shared by the API's request handlers and background loads. Each open engine, idle or
// leased, holds a slot of its instance's connection budget (instance_limits.h: the configured
// max_connections, shared in the process with the daemon's pipelines and the loads' extra
// connections). A caller that finds no slot free waits, then gets Unavailable (HTTP 503);
// a load short of slots makes the pool close idle engines for it.
// Thread-safety: every member may be called from any thread; an acquired engine is used by
// one thread until its Lease dies.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lakesync/common/macros.h"
#include "lakesync/common/result.h"
#include "lakesync/config/config.h"
#include "lakesync/sync/sync_engine.h"

namespace lakesync::api {

class EnginePool {
 public:
  /// `config` must outlive the pool.
  explicit EnginePool(const config::Config& config,
                      std::chrono::milliseconds wait = std::chrono::seconds(10))
      : config_(config), wait_(wait) {}
  EnginePool(const EnginePool&) = delete;
  EnginePool& operator=(const EnginePool&) = delete;
  ~EnginePool();

  /// An engine borrowed from the pool; returned to it (or closed) when the Lease dies.
  class Lease {
   public:
    Lease(EnginePool* pool, std::string instance, std::string conninfo,
          std::unique_ptr<sync::SyncEngine> engine)
        : pool_(pool),
          instance_(std::move(instance)),
          conninfo_(std::move(conninfo)),
          engine_(std::move(engine)) {}
    Lease(Lease&&) = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    sync::SyncEngine& operator*() const { return *engine_; }
    sync::SyncEngine* operator->() const { return engine_.get(); }
    /// Closes the engine instead of pooling it (after an error that may have broken it).
    void Discard() { discard_ = true; }
    /// Passes `result` through; an IOError or Unavailable (a lost connection, say) discards
    /// the engine so the next request connects afresh.
    template <typename R>
    R Check(R result) {
      const Status& st = ToStatus(result);
      if (st.IsIOError() || st.IsUnavailable()) discard_ = true;
      return result;
    }

   private:
    EnginePool* pool_;
    std::string instance_;
    std::string conninfo_;
    std::unique_ptr<sync::SyncEngine> engine_;
    bool discard_ = false;
  };

  /// An engine on `conninfo` of `instance`, with the instance's limits. Unavailable when no
  /// slot of the instance's budget comes free for the whole wait; the engine's Open errors
  /// otherwise.
  Result<Lease> Acquire(const std::string& instance, const std::string& conninfo) {
    return Acquire(instance, conninfo, wait_);
  }
  /// As above, waiting at most `wait` for a slot (0: an idle engine or a free slot now).
  Result<Lease> Acquire(const std::string& instance, const std::string& conninfo,
                        std::chrono::milliseconds wait);
  /// How long Acquire waits for a slot by default.
  std::chrono::milliseconds wait() const { return wait_; }

 private:
  struct InstanceBudget {
    sync::Limits limits;  // with the budget
    int reclaimer = -1;   // id of CloseIdle's registration with the budget
  };
  // The instance's limits with its budget, with which the pool registered to give back its
  // idle engines when a load is short of slots. REQUIRES: mu_ not held.
  sync::Limits LimitsOf(const std::string& instance);
  // Closes up to `want` idle engines of `instance`; returns how many. REQUIRES: mu_ held.
  int CloseIdle(const std::string& instance, int want);
  void Release(const std::string& instance, const std::string& conninfo,
               std::unique_ptr<sync::SyncEngine> engine, bool discard);

  const config::Config& config_;
  const std::chrono::milliseconds wait_;
  std::mutex mu_;
  std::condition_variable released_;
  std::map<std::string, InstanceBudget> budgets_;                               // by instance
  std::map<std::string, std::vector<std::unique_ptr<sync::SyncEngine>>> idle_;  // by conninfo
  std::map<std::string, std::string> instance_of_;                              // conninfo ->
};

}  // namespace lakesync::api
