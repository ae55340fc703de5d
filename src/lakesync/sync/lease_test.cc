#include "lakesync/sync/lease.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "lakesync/pg/transaction.h"
#include "lakesync/sync/state_store.h"
#include "lakesync/testing/pg_test_env.h"

namespace lakesync::sync {
namespace {

using std::chrono::milliseconds;

std::optional<bool> V(const Result<bool>& r) {
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? std::optional<bool>(*r) : std::nullopt;
}

class LeaseTest : public testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    StateStore store(*conn_);
    ASSERT_TRUE(store.EnsureSchema().ok());
    SyncedTableSpec spec;
    spec.name = "public.t";
    spec.source = "/nowhere";
    spec.primary_key = {"id"};
    ASSERT_TRUE(store.Create(spec).ok());
    auto other = db_->Connect();
    ASSERT_TRUE(other.ok());
    other_ = std::move(other).value();
  }
  std::unique_ptr<pg::Connection> other_;  // a second daemon's connection
};

TEST_F(LeaseTest, OneHolderAtATimeUntilItExpiresOrIsReleased) {
  EXPECT_EQ(V(AcquireLease(*conn_, "public.t", "a", milliseconds(10000))), true);
  EXPECT_EQ(V(AcquireLease(*other_, "public.t", "b", milliseconds(10000))), false);
  EXPECT_EQ(V(AcquireLease(*conn_, "public.t", "a", milliseconds(10000))), true) << "re-acquire";
  EXPECT_EQ(V(HoldsLease(*other_, "public.t", "a")), true);
  ASSERT_TRUE(ReleaseLease(*other_, "public.t", "b").ok());  // not b's: nothing happens
  EXPECT_EQ(V(HoldsLease(*other_, "public.t", "a")), true);
  ASSERT_TRUE(ReleaseLease(*conn_, "public.t", "a").ok());
  EXPECT_EQ(V(AcquireLease(*other_, "public.t", "b", milliseconds(10000))), true)
      << "a released lease is free at once";
  // No lease on a table that does not exist.
  EXPECT_EQ(V(AcquireLease(*conn_, "public.nope", "a", milliseconds(10000))), false);
}

TEST_F(LeaseTest, ExpiredLeaseIsTakenOverAndTheOldHolderCannotRenewIt) {
  ASSERT_EQ(V(AcquireLease(*conn_, "public.t", "a", milliseconds(300))), true);
  auto renewed = RenewLeases(*conn_, "a", milliseconds(300));
  ASSERT_TRUE(renewed.ok());
  EXPECT_EQ(*renewed, std::vector<std::string>{"public.t"});
  std::this_thread::sleep_for(milliseconds(400));  // past the ttl, by the database's clock
  EXPECT_EQ(V(AcquireLease(*other_, "public.t", "b", milliseconds(10000))), true);
  renewed = RenewLeases(*conn_, "a", milliseconds(300));
  ASSERT_TRUE(renewed.ok());
  EXPECT_TRUE(renewed->empty()) << "a must learn it lost the lease";
  auto leases = ListLeases(*conn_);
  ASSERT_TRUE(leases.ok());
  ASSERT_EQ(leases->size(), 1u);
  EXPECT_EQ((*leases)[0].holder, "b");
}

TEST_F(LeaseTest, FenceRefusesTheCommitOfAHolderThatLostItsLease) {
  ASSERT_EQ(V(AcquireLease(*conn_, "public.t", "a", milliseconds(300))), true);
  std::this_thread::sleep_for(milliseconds(400));
  ASSERT_EQ(V(AcquireLease(*other_, "public.t", "b", milliseconds(10000))), true);
  {
    // Daemon a's batch: it still thinks it runs the table.
    ASSERT_TRUE(SetFenceHolder(*conn_, "a").ok());
    auto txn = pg::Transaction::Begin(*conn_);
    ASSERT_TRUE(txn.ok());
    Status st = StateStore(*conn_).CommitVersion("public.t", 5, std::nullopt, 10);
    EXPECT_TRUE(st.IsConflict()) << st;
    EXPECT_NE(st.message().find("lease lost"), std::string::npos) << st;
  }
  ASSERT_TRUE(SetFenceHolder(*other_, "b").ok());
  EXPECT_TRUE(StateStore(*other_).CommitVersion("public.t", 5, std::nullopt, 10).ok());
  // Without a fence (the CLI) the version guard alone applies.
  ASSERT_TRUE(SetFenceHolder(*conn_, "").ok());
  EXPECT_TRUE(StateStore(*conn_).CommitVersion("public.t", 6, 5, 10).ok());
  auto state = StateStore(*conn_).Get("public.t");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->last_processed_version, 6);
}

TEST_F(LeaseTest, FenceHoldsOffATakeoverUntilTheBatchCommits) {
  ASSERT_EQ(V(AcquireLease(*conn_, "public.t", "a", milliseconds(1500))), true);
  ASSERT_TRUE(SetFenceHolder(*conn_, "a").ok());
  auto txn = pg::Transaction::Begin(*conn_);
  ASSERT_TRUE(txn.ok());
  ASSERT_TRUE(StateStore(*conn_).CommitVersion("public.t", 1, std::nullopt, 10).ok());
  // The lease expires while a's batch is committing; b's takeover waits for it.
  std::atomic<bool> committed{false};
  std::thread takeover([&] {
    std::this_thread::sleep_for(milliseconds(1600));
    EXPECT_EQ(V(AcquireLease(*other_, "public.t", "b", milliseconds(10000))), true);
    EXPECT_TRUE(committed.load()) << "b took the lease while a's fenced batch was committing";
  });
  std::this_thread::sleep_for(milliseconds(2000));
  committed = true;
  ASSERT_TRUE((*txn)->Commit().ok());
  takeover.join();
  // b sees the version a committed, so it continues from there.
  auto state = StateStore(*other_).Get("public.t");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->last_processed_version, 1);
}

}  // namespace
}  // namespace lakesync::sync
