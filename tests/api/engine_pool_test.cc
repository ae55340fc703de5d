// The per-instance connection cap of the API's engine pool, against the fixture PostgreSQL.
#include "lakesync/api/engine_pool.h"

#include <gtest/gtest.h>

#include "api_test_util.h"

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

}  // namespace
}  // namespace lakesync
