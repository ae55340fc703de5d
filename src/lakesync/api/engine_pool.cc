#include "lakesync/api/engine_pool.h"

namespace lakesync::api {

EnginePool::Lease::~Lease() {
  if (pool_ != nullptr && engine_ != nullptr) {
    pool_->Release(instance_, conninfo_, std::move(engine_), discard_);
  }
}

Result<EnginePool::Lease> EnginePool::Acquire(const std::string& instance,
                                              const std::string& conninfo) {
  auto it = config_.instances().find(instance);
  const int cap = it == config_.instances().end() ? 1 : it->second.max_connections;
  {
    std::unique_lock lock(mu_);
    instance_of_[conninfo] = instance;
    const auto deadline = std::chrono::steady_clock::now() + wait_;
    while (true) {
      auto& idle = idle_[conninfo];
      if (!idle.empty()) {
        auto engine = std::move(idle.back());
        idle.pop_back();
        return Lease(this, instance, conninfo, std::move(engine));
      }
      if (open_[instance] < cap) {
        ++open_[instance];
        break;
      }
      // At the cap: an idle engine of another database of this instance makes room.
      bool closed_other = false;
      for (auto& [other, engines] : idle_) {
        if (other == conninfo || engines.empty() || instance_of_[other] != instance) continue;
        engines.pop_back();
        --open_[instance];
        closed_other = true;
        break;
      }
      if (closed_other) continue;
      if (released_.wait_until(lock, deadline) == std::cv_status::timeout) {
        return Status::Unavailable(
            "all {} connections of database instance {} are busy; retry later", cap, instance);
      }
    }
  }
  // Connect outside the lock: it may take a while and must not hold up other instances.
  auto engine = sync::SyncEngine::Open(conninfo);
  if (!engine.ok()) {
    std::lock_guard lock(mu_);
    --open_[instance];
    released_.notify_one();
    return engine.status();
  }
  return Lease(this, instance, conninfo, std::move(engine).value());
}

void EnginePool::Release(const std::string& instance, const std::string& conninfo,
                         std::unique_ptr<sync::SyncEngine> engine, bool discard) {
  std::lock_guard lock(mu_);
  if (discard) {
    // What broke this connection (a restart, a failover) broke its idle siblings too.
    engine.reset();
    auto& idle = idle_[conninfo];
    open_[instance] -= 1 + static_cast<int>(idle.size());
    idle.clear();
  } else {
    idle_[conninfo].push_back(std::move(engine));
  }
  released_.notify_all();
}

}  // namespace lakesync::api
