// The Scheduler in-process, as a fleet of daemons uses it: leases decide who runs a table,
// continuous tables follow their source, triggered tables run on request and on schedule, a
// daemon that lost its lease stops, Stop hands tables over at once.
#include "lakesync/sync/scheduler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <thread>

#include "api_test_util.h"
#include "daemon_test_util.h"
#include "lakesync/common/metrics.h"
#include "lakesync/sync/lease.h"
#include "lakesync/sync/sync_engine.h"
#include "lakesync/sync/sync_metrics.h"
#include "lakesync/sync/update_request.h"

namespace lakesync {
namespace {

using std::chrono::milliseconds;

sync::SchedulerOptions Options(const std::string& conninfo, const std::string& id) {
  sync::SchedulerOptions o;
  o.target_conninfos = {conninfo};
  o.daemon_id = id;
  o.lease_ttl = milliseconds(30000);  // a takeover that waited for expiry would time out
  o.poll_interval = milliseconds(100);
  o.continuous_interval = milliseconds(100);
  o.lag_interval = milliseconds(100);
  return o;
}

using SchedulerTest = testing::SyncedTableTest;

TEST_F(SchedulerTest, OneOfTwoDaemonsRunsAContinuousTableAndTheOtherTakesOverWhenItStops) {
  CreateTable(sync::SchedulingPolicy::kContinuous);
  auto a = sync::Scheduler::Start(Options(db_->conninfo(), "daemon-a"));
  auto b = sync::Scheduler::Start(Options(db_->conninfo(), "daemon-b"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(testing::WaitUntil([&] { return Leases().size() == 1; }, milliseconds(10000)));
  const std::string first = Leases()[0].holder;
  for (int round = 0; round < 2; ++round) {
    Commit(round);
    ASSERT_TRUE(CaughtUp()) << "round " << round;
    ExpectTargetEqualsSource();
    auto leases = Leases();
    ASSERT_EQ(leases.size(), 1u);
    EXPECT_EQ(leases[0].holder, first) << "the lease stays with one daemon while it lives";
  }

  // The holder stops: it releases the lease, so the other takes over at once (the ttl is 30 s).
  (first == "daemon-a" ? *a : *b)->Stop();
  const std::string second = first == "daemon-a" ? "daemon-b" : "daemon-a";
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        auto l = Leases();
        return l.size() == 1 && l[0].holder == second;
      },
      milliseconds(10000)))
      << "no takeover before the ttl: the stopped daemon did not release its lease";
  Commit(5);
  ASSERT_TRUE(CaughtUp());
  ExpectTargetEqualsSource();
}

TEST_F(SchedulerTest, DaemonThatLostItsLeaseStopsThePipeline) {
  CreateTable(sync::SchedulingPolicy::kContinuous);
  auto a = sync::Scheduler::Start(Options(db_->conninfo(), "daemon-a"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(testing::WaitUntil([&] { return Leases().size() == 1; }, milliseconds(10000)));
  // Another daemon holds the table now (as after a's lease expired during a network outage).
  ASSERT_TRUE(conn_
                  ->Exec("UPDATE lakesync.leases SET holder = 'daemon-z', expires_at = "
                         "clock_timestamp() + interval '1 hour'")
                  .ok());
  const int64_t before = *engine_->Get("gold.up")->last_processed_version;
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        return metrics::Global().Value("lakesync_lease_held",
                                       sync::TableLabels(db_->name(), "gold.up")) == 0;
      },
      milliseconds(10000)))
      << "a did not notice it lost the lease";
  Commit(0);
  // a's pipeline polls every 100 ms; give it 20 polls to (wrongly) apply the commit.
  std::this_thread::sleep_for(milliseconds(2000));
  EXPECT_EQ(engine_->Get("gold.up")->last_processed_version, before)
      << "a daemon without the lease synced the table";
  EXPECT_EQ(Leases()[0].holder, "daemon-z");
}

TEST_F(SchedulerTest, ContinuousPipelineStopsWhenThePolicyIsNoLongerContinuous) {
  CreateTable(sync::SchedulingPolicy::kContinuous);
  auto a = sync::Scheduler::Start(Options(db_->conninfo(), "daemon-a"));
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(testing::WaitUntil([&] { return Leases().size() == 1; }, milliseconds(10000)));
  auto state = engine_->Get("gold.up");
  ASSERT_TRUE(state.ok());
  sync::SyncedTableSpec spec = state->spec;
  spec.policy = sync::SchedulingPolicy::kTriggered;
  ASSERT_TRUE(sync::StateStore(*conn_).UpdateSpec(spec).ok());
  EXPECT_TRUE(testing::WaitUntil([&] { return Leases().empty(); }, milliseconds(10000)))
      << "the continuous pipeline kept running";
  Commit(0);
  std::this_thread::sleep_for(milliseconds(1000));  // 10 polls
  EXPECT_NE(engine_->Get("gold.up")->last_processed_version, table_->version())
      << "a TRIGGERED table without schedule or request was synced";
}

TEST_F(SchedulerTest, TriggeredTableRunsOnRequestThenOnItsSchedule) {
  CreateTable(sync::SchedulingPolicy::kTriggered);
  auto a = sync::Scheduler::Start(Options(db_->conninfo(), "daemon-a"));
  ASSERT_TRUE(a.ok());
  Commit(0);
  // Without a schedule or a request, nothing runs.
  std::this_thread::sleep_for(milliseconds(1000));
  EXPECT_NE(engine_->Get("gold.up")->last_processed_version, table_->version());

  auto update = sync::RequestUpdate(*conn_, "gold.up", /*full_refresh=*/false);
  ASSERT_TRUE(update.ok()) << update.status();
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        auto u = sync::GetUpdate(*conn_, *update);
        return u.ok() && u->state == sync::UpdateState::kCompleted;
      },
      milliseconds(20000)));
  EXPECT_EQ(engine_->Get("gold.up")->last_processed_version, table_->version());
  ExpectTargetEqualsSource();
  EXPECT_EQ(engine_->Runs("gold.up")->front().mode, "INCREMENTAL");
  EXPECT_TRUE(testing::WaitUntil([&] { return Leases().empty(); }, milliseconds(5000)))
      << "a triggered run gives its lease back when it ends";

  auto refresh = sync::RequestUpdate(*conn_, "gold.up", /*full_refresh=*/true);
  ASSERT_TRUE(refresh.ok());
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        auto u = sync::GetUpdate(*conn_, *refresh);
        return u.ok() && u->state == sync::UpdateState::kCompleted;
      },
      milliseconds(20000)));
  EXPECT_EQ(engine_->Runs("gold.up")->front().mode, "SNAPSHOT") << "full refresh requested";

  auto state = engine_->Get("gold.up");
  ASSERT_TRUE(state.ok());
  sync::SyncedTableSpec spec = state->spec;
  spec.schedule = "every 1s";
  ASSERT_TRUE(sync::StateStore(*conn_).UpdateSpec(spec).ok());
  Commit(1);
  ASSERT_TRUE(CaughtUp()) << "the schedule did not run the table";
  ExpectTargetEqualsSource();
}

TEST_F(SchedulerTest, MetricsCountTheRowsAndShowNoLagOnceCaughtUp) {
  CreateTable(sync::SchedulingPolicy::kContinuous);
  const auto labels = sync::TableLabels(db_->name(), "gold.up");
  auto with = [&](const char* k, const char* v) {
    auto l = labels;
    l.emplace_back(k, v);
    return l;
  };
  const double updates_before =
      metrics::Global()
          .Value("lakesync_rows_synced_total", with("operation", "update"))
          .value_or(0);
  auto a = sync::Scheduler::Start(Options(db_->conninfo(), "daemon-a"));
  ASSERT_TRUE(a.ok());
  Commit(0);
  ASSERT_TRUE(CaughtUp());
  const auto last = sync::SyncedTableState(*engine_->Get("gold.up"));
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        return metrics::Global().Value("lakesync_lag_versions", labels) == 0 &&
               metrics::Global().Value("lakesync_source_version", labels) == table_->version();
      },
      milliseconds(10000)));
  // Round 0 updates user_id % 40 == 0 (50 rows) and deletes % 300 == 1 (7 rows).
  EXPECT_EQ(metrics::Global().Value("lakesync_rows_synced_total", with("operation", "update")),
            updates_before + 50);
  EXPECT_EQ(metrics::Global().Value("lakesync_lag_seconds", labels), 0);
  EXPECT_EQ(metrics::Global().Value("lakesync_last_processed_version", labels), table_->version());
  EXPECT_EQ(metrics::Global().Value("lakesync_target_rows", labels), last.synced_row_count);
  EXPECT_EQ(metrics::Global().Value("lakesync_lease_held", labels), 1);
  const std::string text = metrics::Global().RenderPrometheus();
  EXPECT_NE(text.find("# TYPE lakesync_sync_duration_seconds histogram"), std::string::npos);
}

TEST_F(SchedulerTest, FailedRequestedRunIsReportedInTheUpdateTheStateAndTheErrorCounter) {
  CreateTable(sync::SchedulingPolicy::kTriggered);
  const auto labels = sync::TableLabels(db_->name(), "gold.up");
  auto a = sync::Scheduler::Start(Options(db_->conninfo(), "daemon-a"));
  ASSERT_TRUE(a.ok());
  Commit(0);
  // The new commit's change files vanish (as after a VACUUM): the run cannot read them.
  std::filesystem::remove_all(dir_.path() + "/up/_change_data");
  for (const auto& f : std::filesystem::directory_iterator(dir_.path() + "/up")) {
    if (f.path().extension() == ".parquet") std::filesystem::remove(f.path());
  }
  auto update = sync::RequestUpdate(*conn_, "gold.up", /*full_refresh=*/false);
  ASSERT_TRUE(update.ok());
  std::optional<sync::UpdateRequest> done;
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        auto u = sync::GetUpdate(*conn_, *update);
        if (u.ok() &&
            (u->state == sync::UpdateState::kFailed || u->state == sync::UpdateState::kCompleted)) {
          done = *u;
        }
        return done.has_value();
      },
      milliseconds(20000)));
  EXPECT_EQ(done->state, sync::UpdateState::kFailed);
  EXPECT_FALSE(done->message.empty());
  auto state = engine_->Get("gold.up");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, sync::DetailedState::kOnlinePipelineFailed);
  EXPECT_EQ(state->message, done->message);
  EXPECT_EQ(metrics::Global().Value("lakesync_sync_errors_total", labels), 1);
}

TEST_F(SchedulerTest, UnreachableDatabaseDoesNotHoldUpTheOthers) {
  CreateTable(sync::SchedulingPolicy::kContinuous);
  sync::SchedulerOptions options = Options(db_->conninfo(), "daemon-a");
  options.target_conninfos.insert(options.target_conninfos.begin(),
                                  "host=127.0.0.1 port=1 dbname=nowhere connect_timeout=2");
  auto a = sync::Scheduler::Start(options);
  ASSERT_TRUE(a.ok()) << a.status();
  Commit(0);
  ASSERT_TRUE(CaughtUp());
  ExpectTargetEqualsSource();
}

TEST(SchedulerOptionsTest, TimingsThatCannotWorkAreRefused) {
  sync::SchedulerOptions options;
  EXPECT_TRUE(sync::Scheduler::Start(options).status().IsInvalidArgument()) << "no targets";
  options.target_conninfos = {"dbname=x"};
  options.lease_ttl = milliseconds(1000);
  options.poll_interval = milliseconds(500);
  auto started = sync::Scheduler::Start(options);
  ASSERT_TRUE(started.status().IsInvalidArgument());
  EXPECT_NE(started.status().message().find("3 poll intervals"), std::string::npos);
}

}  // namespace
}  // namespace lakesync
