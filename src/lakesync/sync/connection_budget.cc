#include "lakesync/sync/connection_budget.h"

#include <algorithm>
#include <utility>

namespace lakesync::sync {

int ConnectionBudget::in_use() const {
  std::lock_guard lock(mu_);
  return in_use_;
}

int ConnectionBudget::TakeUpTo(int n) {
  std::lock_guard lock(mu_);
  const int taken = std::clamp(cap_ - in_use_, 0, std::max(0, n));
  in_use_ += taken;
  return taken;
}

int ConnectionBudget::TakeUpToReclaiming(int n) {
  int taken = TakeUpTo(n);
  if (taken >= n) return taken;
  {
    std::lock_guard lock(reclaimers_mu_);
    int want = n - taken;
    for (auto& [id, reclaim] : reclaimers_) {
      if (want <= 0) break;
      want -= reclaim(want);
    }
  }
  return taken + TakeUpTo(n - taken);
}

void ConnectionBudget::Give(int n) {
  std::lock_guard lock(mu_);
  in_use_ = std::max(0, in_use_ - n);
}

int ConnectionBudget::AddReclaimer(std::function<int(int want)> reclaimer) {
  std::lock_guard lock(reclaimers_mu_);
  reclaimers_[next_id_] = std::move(reclaimer);
  return next_id_++;
}

void ConnectionBudget::RemoveReclaimer(int id) {
  std::lock_guard lock(reclaimers_mu_);
  reclaimers_.erase(id);
}

BudgetSlots& BudgetSlots::operator=(BudgetSlots&& other) noexcept {
  if (this != &other) {
    GiveBack(n_);
    budget_ = std::move(other.budget_);
    n_ = std::exchange(other.n_, 0);
  }
  return *this;
}

void BudgetSlots::GiveBack(int n) {
  n = std::min(n, n_);
  if (n <= 0) return;
  n_ -= n;
  if (budget_) budget_->Give(n);
}

std::shared_ptr<ConnectionBudget> ProcessConnectionBudget(const std::string& key, int cap) {
  static std::mutex mu;
  static std::map<std::pair<std::string, int>, std::shared_ptr<ConnectionBudget>> budgets;
  std::lock_guard lock(mu);
  auto& budget = budgets[{key, cap}];
  if (!budget) budget = std::make_shared<ConnectionBudget>(cap);
  return budget;
}

}  // namespace lakesync::sync
