// The per-instance connection cap of the API's engine pool, shared with loads through the
// instance's budget, against the fixture PostgreSQL.
#include "lakesync/api/engine_pool.h"

#include <gtest/gtest.h>

#include "api_test_util.h"
#include "lakesync/api/instance_limits.h"

namespace lakesync {
namespace {

class EnginePoolTest : public testing::DatabaseTest {};

TEST_F(EnginePoolTest, CapsEnginesPerInstanceAndReusesReturnedOnes) {
  std::string text = testing::ApiConfigText(*db_, "/nowhere");
  text.replace(text.find("max_connections = 4"), 19, "max_connections = 1");
  auto config = config::Config::Parse(text, "t.toml");
  ASSERT_TRUE(config.ok()) << config.status();
  auto target = config->ResolveSyncedTable("lb.gold.t");
  ASSERT_TRUE(target.ok()) << target.status();
  api::EnginePool pool(*config, std::chrono::milliseconds(200));
  {
    auto first = pool.Acquire("pg", target->conninfo);
    ASSERT_TRUE(first.ok()) << first.status();
    auto second = pool.Acquire("pg", target->conninfo);
    ASSERT_FALSE(second.ok());
    EXPECT_TRUE(second.status().IsUnavailable()) << second.status();
    EXPECT_NE(second.status().message().find("all 1 connections of database instance pg"),
              std::string::npos)
        << second.status();
  }
  // Returned to the pool: the next caller gets it back.
  auto again = pool.Acquire("pg", target->conninfo);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)->List().ok());
}

TEST_F(EnginePoolTest, ALoadShortOfSlotsClosesIdleEnginesAndThePoolWaitsForThemBack) {
  std::string text = testing::ApiConfigText(*db_, "/nowhere");
  text.replace(text.find("max_connections = 4"), 19, "max_connections = 2");
  auto config = config::Config::Parse(text, "t.toml");
  ASSERT_TRUE(config.ok()) << config.status();
  auto target = config->ResolveSyncedTable("lb.gold.t");
  ASSERT_TRUE(target.ok()) << target.status();
  api::EnginePool pool(*config, std::chrono::milliseconds(200));
  {
    auto a = pool.Acquire("pg", target->conninfo);
    auto b = pool.Acquire("pg", target->conninfo);
    ASSERT_TRUE(a.ok() && b.ok());
  }
  // The pool's two idle engines hold the instance's whole budget, which loads share.
  std::shared_ptr<sync::ConnectionBudget> budget = api::InstanceLimits(*config, "pg").budget;
  ASSERT_NE(budget, nullptr);
  EXPECT_EQ(budget->in_use(), 2);
  {
    sync::BudgetSlots load(budget, budget->TakeUpToReclaiming(2));
    EXPECT_EQ(load.count(), 2) << "the pool closed its idle engines for the load";
    auto refused = pool.Acquire("pg", target->conninfo);
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(refused.status().IsUnavailable()) << refused.status();
  }
  auto again = pool.Acquire("pg", target->conninfo);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_TRUE((*again)->List().ok());
  EXPECT_EQ(budget->in_use(), 1);
}

}  // namespace
}  // namespace lakesync
