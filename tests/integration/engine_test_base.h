// The base of SyncEngine end-to-end tests: a fresh database in the fixture PostgreSQL, an engine
// on it and a connection of the test's own (skips when no fixture is configured).
// Thread-safety: one test thread.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "lakesync/pg/connection.h"
#include "lakesync/sync/sync_engine.h"
#include "lakesync/testing/pg_test_env.h"

namespace lakesync::testing {

class EngineTestBase : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = TestDatabase::Create();
    if (!db.ok() && db.status().IsNotFound()) GTEST_SKIP() << db.status();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = std::move(*db);
    auto engine = sync::SyncEngine::Open(db_->conninfo());
    ASSERT_TRUE(engine.ok()) << engine.status();
    engine_ = std::move(*engine);
    auto conn = db_->Connect();
    ASSERT_TRUE(conn.ok()) << conn.status();
    conn_ = std::move(*conn);
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<sync::SyncEngine> engine_;
  std::unique_ptr<pg::Connection> conn_;
};

}  // namespace lakesync::testing
