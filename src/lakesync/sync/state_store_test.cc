#include "lakesync/sync/state_store.h"

#include <gtest/gtest.h>

#include "lakesync/sync/sync_engine.h"
#include "lakesync/sync/update_request.h"
#include "lakesync/testing/pg_test_env.h"

namespace lakesync::sync {
namespace {

SyncedTableSpec Spec(const std::string& name) {
  SyncedTableSpec spec;
  spec.name = name;
  spec.source = "/nowhere/" + name;
  spec.primary_key = {"id"};
  return spec;
}

using StateStoreTest = testing::DatabaseTest;

// The schema of lakesync 0.1 (before pipeline ids, schedules, progress, leases and update
// requests), as a database created by it holds it.
constexpr const char* kOldSchema = R"sql(
CREATE SCHEMA lakesync;
CREATE TABLE lakesync.synced_tables (
  name text PRIMARY KEY, source text NOT NULL, primary_key text[] NOT NULL,
  timeseries_key text, scheduling_policy text NOT NULL,
  full_refresh_fraction double precision NOT NULL DEFAULT 0.1,
  full_refresh_min_changes bigint NOT NULL DEFAULT 10000, detailed_state text NOT NULL,
  message text NOT NULL DEFAULT '', last_processed_version bigint,
  last_sync_start timestamptz, last_sync_end timestamptz,
  synced_row_count bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE lakesync.sync_runs (
  id bigserial PRIMARY KEY,
  name text NOT NULL REFERENCES lakesync.synced_tables ON DELETE CASCADE,
  mode text NOT NULL, from_version bigint, to_version bigint,
  rows_inserted bigint NOT NULL DEFAULT 0, rows_updated bigint NOT NULL DEFAULT 0,
  rows_deleted bigint NOT NULL DEFAULT 0, rows_skipped bigint NOT NULL DEFAULT 0,
  seconds double precision NOT NULL DEFAULT 0, error text NOT NULL DEFAULT '',
  ended_at timestamptz NOT NULL DEFAULT now());
INSERT INTO lakesync.synced_tables (name, source, primary_key, scheduling_policy,
  detailed_state, last_processed_version, synced_row_count)
VALUES ('public.a', '/a', '{id}', 'TRIGGERED', 'SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE', 7, 70),
       ('public.b', '/b', '{id}', 'SNAPSHOT', 'SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE', 3, 30);
)sql";

TEST_F(StateStoreTest, DatabaseOfThePreviousVersionIsMigratedInPlace) {
  ASSERT_TRUE(conn_->Exec(kOldSchema).ok());
  StateStore store(*conn_);
  ASSERT_TRUE(store.EnsureSchema().ok());
  auto a = store.Get("public.a");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->last_processed_version, 7);
  EXPECT_EQ(a->synced_row_count, 70);
  EXPECT_EQ(a->pipeline_id.size(), 36u) << a->pipeline_id;
  EXPECT_FALSE(a->spec.schedule.has_value());
  auto b = store.Get("public.b");
  ASSERT_TRUE(b.ok());
  EXPECT_NE(a->pipeline_id, b->pipeline_id);
  auto found = store.FindByPipelineId(b->pipeline_id);
  ASSERT_TRUE(found.ok()) << found.status();
  EXPECT_EQ(found->spec.name, "public.b");
  // The new tables work on the migrated database.
  auto id = RequestUpdate(*conn_, "public.a", true);
  ASSERT_TRUE(id.ok()) << id.status();
  // And running it again changes nothing.
  ASSERT_TRUE(store.EnsureSchema().ok());
  EXPECT_EQ(store.Get("public.a")->pipeline_id, a->pipeline_id);
}

TEST_F(StateStoreTest, PipelineIdScheduleAndProgressRoundTrip) {
  StateStore store(*conn_);
  ASSERT_TRUE(store.EnsureSchema().ok());
  SyncedTableSpec spec = Spec("public.t");
  spec.schedule = "every 5m";
  ASSERT_TRUE(store.Create(spec).ok());
  auto t = store.Get("public.t");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->spec.schedule, "every 5m");
  EXPECT_FALSE(t->rows_total.has_value());
  EXPECT_TRUE(store.FindByPipelineId(t->pipeline_id).ok());
  EXPECT_TRUE(store.FindByPipelineId("not-a-uuid").status().IsNotFound());
  EXPECT_TRUE(store.FindByPipelineId("00000000-0000-0000-0000-000000000000").status().IsNotFound());
  ASSERT_TRUE(store.SetProgress("public.t", 250, 1000, 125.5).ok());
  t = store.Get("public.t");
  EXPECT_EQ(t->rows_done, 250);
  EXPECT_EQ(t->rows_total, 1000);
  EXPECT_DOUBLE_EQ(t->rows_per_second, 125.5);

  spec.schedule = "0 3 * * *";
  spec.policy = SchedulingPolicy::kSnapshot;
  ASSERT_TRUE(store.UpdateSpec(spec).ok());
  t = store.Get("public.t");
  EXPECT_EQ(t->spec.schedule, "0 3 * * *");
  EXPECT_EQ(t->spec.policy, SchedulingPolicy::kSnapshot);
  spec.policy = SchedulingPolicy::kContinuous;
  EXPECT_TRUE(store.UpdateSpec(spec).IsInvalidArgument()) << "a continuous table has no schedule";
}

TEST_F(StateStoreTest, SpecWithBadScheduleIsRefused) {
  SyncedTableSpec spec = Spec("public.t");
  spec.schedule = "every 5 minutes";
  Status st = ValidateSpec(spec);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_NE(st.message().find("public.t"), std::string::npos) << st;
}

TEST_F(StateStoreTest, UpdateRequestsAreQueuedClaimedAndSettled) {
  StateStore store(*conn_);
  ASSERT_TRUE(store.EnsureSchema().ok());
  ASSERT_TRUE(store.Create(Spec("public.t")).ok());
  EXPECT_TRUE(RequestUpdate(*conn_, "public.none", false).status().IsNotFound());
  auto first = RequestUpdate(*conn_, "public.t", false);
  auto second = RequestUpdate(*conn_, "public.t", true);
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_NE(*first, *second);
  EXPECT_EQ(*TablesWithQueuedUpdates(*conn_), std::vector<std::string>{"public.t"});
  auto claimed = ClaimUpdates(*conn_, "public.t");
  ASSERT_TRUE(claimed.ok());
  EXPECT_EQ(claimed->ids.size(), 2u);
  EXPECT_TRUE(claimed->full_refresh) << "one of them asked for a full refresh";
  EXPECT_TRUE(TablesWithQueuedUpdates(*conn_)->empty());
  EXPECT_EQ(GetUpdate(*conn_, *first)->state, UpdateState::kRunning);
  ASSERT_TRUE(FinishUpdates(*conn_, *claimed, Status::IOError("disk on fire"), "").ok());
  auto done = GetUpdate(*conn_, *second);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->state, UpdateState::kFailed);
  EXPECT_NE(done->message.find("disk on fire"), std::string::npos);
  EXPECT_TRUE(done->finished_at.has_value());
  EXPECT_EQ(ListUpdates(*conn_, "public.t")->size(), 2u);
  EXPECT_TRUE(GetUpdate(*conn_, "nope").status().IsNotFound());
}

TEST_F(StateStoreTest, SecondSyncOfATableGetsConflictNamingIt) {
  auto engine = SyncEngine::Open(db_->conninfo());
  ASSERT_TRUE(engine.ok()) << engine.status();
  ASSERT_TRUE(StateStore(*conn_).Create(Spec("public.t")).ok());
  // Another process is syncing public.t: it holds the table's run lock.
  auto lock = testing::QueryRows(
      *conn_, "SELECT pg_advisory_lock(hashtext('lakesync.run'), hashtext('public.t'))");
  ASSERT_TRUE(lock.ok());
  auto run = (*engine)->Sync("t");
  EXPECT_TRUE(run.status().IsConflict()) << run.status();
  EXPECT_NE(run.status().message().find("a sync of public.t is running"), std::string::npos)
      << run.status();
  // Nothing was recorded: the table is as it was.
  auto state = (*engine)->Get("t");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, DetailedState::kProvisioning);
  EXPECT_TRUE((*engine)->Runs("t")->empty());
  // Once the other run ended, this one runs (and fails on the missing source, as it should).
  ASSERT_TRUE(conn_->Exec("SELECT pg_advisory_unlock_all()").ok());
  run = (*engine)->Sync("t");
  EXPECT_FALSE(run.status().IsConflict()) << run.status();
  EXPECT_EQ((*engine)->Get("t")->state, DetailedState::kOfflineFailed);
}

}  // namespace
}  // namespace lakesync::sync
