#include "lakesync/sync/connection_budget.h"

#include <gtest/gtest.h>

namespace lakesync::sync {
namespace {

TEST(ConnectionBudgetTest, TakesNoMoreThanTheCapAndSlotsGoBackWhenTheyDie) {
  auto budget = std::make_shared<ConnectionBudget>(3);
  {
    BudgetSlots engine(budget, budget->TakeUpTo(1));
    BudgetSlots workers(budget, budget->TakeUpTo(16));
    EXPECT_EQ(engine.count(), 1);
    EXPECT_EQ(workers.count(), 2);
    EXPECT_EQ(budget->TakeUpTo(1), 0);
    workers.GiveBack(1);  // a worker that did not connect
    EXPECT_EQ(budget->in_use(), 2);
    BudgetSlots moved = std::move(workers);
    EXPECT_EQ(workers.count(), 0);
    EXPECT_EQ(moved.count(), 1);
  }
  EXPECT_EQ(budget->in_use(), 0);
}

TEST(ConnectionBudgetTest, ReclaimersCloseIdleConnectionsForATakerThatIsShort) {
  auto budget = std::make_shared<ConnectionBudget>(2);
  std::vector<BudgetSlots> idle;
  idle.emplace_back(budget, budget->TakeUpTo(1));
  idle.emplace_back(budget, budget->TakeUpTo(1));
  int asked = 0;
  const int id = budget->AddReclaimer([&](int want) {
    asked = want;
    int closed = 0;
    while (closed < want && !idle.empty()) {
      idle.pop_back();
      ++closed;
    }
    return closed;
  });
  EXPECT_EQ(budget->TakeUpTo(1), 0) << "TakeUpTo never reclaims";
  BudgetSlots load(budget, budget->TakeUpToReclaiming(5));
  EXPECT_EQ(asked, 5);
  EXPECT_EQ(load.count(), 2);
  budget->RemoveReclaimer(id);
  load.GiveBack(2);
  idle.emplace_back(budget, budget->TakeUpTo(2));
  EXPECT_EQ(BudgetSlots(budget, budget->TakeUpToReclaiming(1)).count(), 0)
      << "a removed reclaimer is not asked";
  EXPECT_EQ(asked, 5);
}

TEST(ConnectionBudgetTest, OneBudgetPerInstanceAndCapInTheProcess) {
  auto a = ProcessConnectionBudget("main\nhost=x", 4);
  EXPECT_EQ(a, ProcessConnectionBudget("main\nhost=x", 4));
  EXPECT_NE(a, ProcessConnectionBudget("main\nhost=y", 4));
  EXPECT_EQ(a->cap(), 4);
}

}  // namespace
}  // namespace lakesync::sync
