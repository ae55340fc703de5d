// ConnectionBudget: how many connections this process may hold on one PostgreSQL instance
// (the configured max_connections of the instance), shared by everything in the process that
// connects there: the API's pooled engines, the daemon's pipelines, the CLI's engine and the
// extra connections of snapshot loads. It makes the cap exact within a process; lakesync
// connections of other processes are counted on the server instead (limits.h).
// Thread-safety: every member may be called from any thread. A reclaimer is called without
// the budget's lock held, and may Give.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace lakesync::sync {

class ConnectionBudget {
 public:
  explicit ConnectionBudget(int cap) : cap_(cap) {}
  ConnectionBudget(const ConnectionBudget&) = delete;
  ConnectionBudget& operator=(const ConnectionBudget&) = delete;

  int cap() const { return cap_; }
  int in_use() const;

  /// Takes up to `n` slots without waiting; returns how many it took.
  int TakeUpTo(int n);
  /// As TakeUpTo, but when fewer are free first asks the reclaimers to close idle
  /// connections (the API pool's) and takes what they gave back.
  int TakeUpToReclaiming(int n);
  /// Gives back `n` slots (their connections are closed).
  void Give(int n);

  /// A function that closes up to `want` idle connections holding slots of this budget and
  /// returns how many it closed (each gives its slot back). Returns an id for RemoveReclaimer.
  /// REQUIRES: the reclaimer never calls TakeUpToReclaiming.
  int AddReclaimer(std::function<int(int want)> reclaimer);
  /// After it returns, the reclaimer is not running and will not be called again.
  void RemoveReclaimer(int id);

 private:
  const int cap_;
  mutable std::mutex mu_;
  int in_use_ = 0;
  std::mutex reclaimers_mu_;  // held while reclaimers run, so removal waits for them
  std::map<int, std::function<int(int)>> reclaimers_;
  int next_id_ = 0;
};

/// Slots taken from a budget, given back when this dies: keep it as long as the connections
/// they stand for are open. Move-only; empty (no budget, 0 slots) by default.
class BudgetSlots {
 public:
  BudgetSlots() = default;
  BudgetSlots(std::shared_ptr<ConnectionBudget> budget, int n)
      : budget_(std::move(budget)), n_(n) {}
  BudgetSlots(BudgetSlots&& other) noexcept
      : budget_(std::move(other.budget_)), n_(std::exchange(other.n_, 0)) {}
  BudgetSlots& operator=(BudgetSlots&& other) noexcept;
  BudgetSlots(const BudgetSlots&) = delete;
  BudgetSlots& operator=(const BudgetSlots&) = delete;
  ~BudgetSlots() { GiveBack(n_); }

  int count() const { return n_; }
  /// Gives back `n` of the slots (connections that were not opened after all).
  void GiveBack(int n);

 private:
  std::shared_ptr<ConnectionBudget> budget_;
  int n_ = 0;
};

/// The process's budget for `key` (one instance: its name and conninfo), made with `cap` on
/// first use; every caller naming the same key and cap shares it.
std::shared_ptr<ConnectionBudget> ProcessConnectionBudget(const std::string& key, int cap);

}  // namespace lakesync::sync
