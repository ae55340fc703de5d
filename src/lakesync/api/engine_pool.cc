#include "lakesync/api/engine_pool.h"

#include "lakesync/api/instance_limits.h"

namespace lakesync::api {

EnginePool::Lease::~Lease() {
  if (pool_ != nullptr && engine_ != nullptr) {
    pool_->Release(instance_, conninfo_, std::move(engine_), discard_);
  }
}

EnginePool::~EnginePool() {
  // Unregistered first, outside mu_ (a reclaimer running now holds the budget's reclaimer
  // lock and waits for mu_); the idle engines then close and give their slots back.
  std::map<std::string, InstanceBudget> budgets;
  {
    std::lock_guard lock(mu_);
    budgets = budgets_;
  }
  for (auto& [instance, b] : budgets) b.limits.budget->RemoveReclaimer(b.reclaimer);
}

sync::Limits EnginePool::LimitsOf(const std::string& instance) {
  {
    std::lock_guard lock(mu_);
    auto it = budgets_.find(instance);
    if (it != budgets_.end()) return it->second.limits;
  }
  // Registered without mu_ held: a reclaimer runs under the budget's reclaimer lock and takes
  // mu_, so taking them the other way round could deadlock.
  InstanceBudget b;
  b.limits = InstanceLimits(config_, instance);
  // An instance the configuration does not name: one connection at a time.
  if (!b.limits.budget) b.limits.budget = std::make_shared<sync::ConnectionBudget>(1);
  b.reclaimer = b.limits.budget->AddReclaimer([this, instance](int want) {
    std::lock_guard lock(mu_);
    return CloseIdle(instance, want);
  });
  sync::Limits out;
  bool raced = false;
  {
    std::lock_guard lock(mu_);
    auto [it, inserted] = budgets_.emplace(instance, b);
    raced = !inserted;
    out = it->second.limits;
  }
  if (raced) b.limits.budget->RemoveReclaimer(b.reclaimer);
  return out;
}

int EnginePool::CloseIdle(const std::string& instance, int want) {
  int closed = 0;
  for (auto& [conninfo, engines] : idle_) {
    if (instance_of_[conninfo] != instance) continue;
    while (closed < want && !engines.empty()) {
      engines.pop_back();  // its slot goes back to the budget
      ++closed;
    }
  }
  return closed;
}

Result<EnginePool::Lease> EnginePool::Acquire(const std::string& instance,
                                              const std::string& conninfo,
                                              std::chrono::milliseconds wait) {
  const sync::Limits limits = LimitsOf(instance);
  sync::BudgetSlots slot;
  {
    std::unique_lock lock(mu_);
    instance_of_[conninfo] = instance;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (true) {
      auto& idle = idle_[conninfo];
      if (!idle.empty()) {
        auto engine = std::move(idle.back());
        idle.pop_back();
        return Lease(this, instance, conninfo, std::move(engine));
      }
      slot = sync::BudgetSlots(limits.budget, limits.budget->TakeUpTo(1));
      if (slot.count() == 1) break;
      // At the cap: an idle engine of another database of this instance makes room.
      if (CloseIdle(instance, 1) > 0) continue;
      // Slots also come back from loads and pipelines, which do not signal released_.
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        return Status::Unavailable(
            "all {} connections of database instance {} are busy; retry later",
            limits.budget->cap(), instance);
      }
      released_.wait_until(lock, std::min(deadline, now + std::chrono::milliseconds(50)));
    }
  }
  // Connect outside the lock: it may take a while and must not hold up other instances.
  auto engine = sync::SyncEngine::Open(conninfo);
  if (!engine.ok()) return engine.status();  // the slot goes back with `slot`
  (*engine)->set_limits(limits);
  (*engine)->HoldSlot(std::move(slot));
  return Lease(this, instance, conninfo, std::move(engine).value());
}

void EnginePool::Release(const std::string& instance, const std::string& conninfo,
                         std::unique_ptr<sync::SyncEngine> engine, bool discard) {
  std::lock_guard lock(mu_);
  (void)instance;
  if (discard) {
    // What broke this connection (a restart, a failover) broke its idle siblings too.
    engine.reset();
    idle_[conninfo].clear();
  } else {
    idle_[conninfo].push_back(std::move(engine));
  }
  released_.notify_all();
}

}  // namespace lakesync::api
