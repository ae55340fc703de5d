// `lakesync serve` processes as an operator runs them: two daemons on the same database share
// the work through leases and survive the holder's SIGKILL; SIGTERM hands the work over at once;
// /metrics shows what a sync did.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>

#include "api_test_util.h"
#include "daemon_test_util.h"

namespace lakesync {
namespace {

using std::chrono::milliseconds;

class ServeTest : public testing::SyncedTableTest {
 protected:
  void SetUp() override {
    SyncedTableTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    CreateTable(sync::SchedulingPolicy::kContinuous);
  }
  void TearDown() override {
    daemons_.clear();  // before the database is dropped
    SyncedTableTest::TearDown();
  }

  // Writes a configuration serving the test database, with `lease_ttl_ms`.
  std::string WriteConfig(int lease_ttl_ms) {
    const std::string path = dir_.path() + fmt::format("/lakesync-{}.toml", lease_ttl_ms);
    std::ofstream(path) << testing::ApiConfigText(*db_, dir_.path())
                        << fmt::format("\n[daemon]\nlease_ttl_ms = {}\npoll_interval_ms = 100\n",
                                       lease_ttl_ms);
    return path;
  }

  testing::ServeProcess& StartDaemon(const std::string& config,
                                     std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--config", config};
    args.insert(args.end(), extra.begin(), extra.end());
    daemons_.push_back(std::make_unique<testing::ServeProcess>(
        args, dir_.path() + fmt::format("/daemon-{}.log", daemons_.size())));
    return *daemons_.back();
  }

  std::string Logs() {
    std::string out;
    for (auto& d : daemons_) out += d->Logs();
    return out;
  }

  // The lease holder's id, or "" when none holds the table.
  std::string Holder() {
    auto l = Leases();
    return l.size() == 1 ? l[0].holder : "";
  }
  static bool IsProcess(const std::string& holder, const testing::ServeProcess& p) {
    return holder.find(fmt::format("-{}-", p.pid())) != std::string::npos;
  }

  std::vector<std::unique_ptr<testing::ServeProcess>> daemons_;
};

TEST_F(ServeTest, TwoDaemonsOneRunsTheTableAndTheOtherTakesOverAfterSigkill) {
  const std::string config = WriteConfig(3000);
  testing::ServeProcess& a = StartDaemon(config);
  testing::ServeProcess& b = StartDaemon(config);
  ASSERT_GT(a.pid(), 0) << Logs();
  ASSERT_GT(b.pid(), 0) << Logs();
  ASSERT_TRUE(testing::WaitUntil([&] { return !Holder().empty(); }, milliseconds(10000))) << Logs();
  const std::string first = Holder();
  ASSERT_TRUE(IsProcess(first, a) || IsProcess(first, b)) << first;
  testing::ServeProcess& holder = IsProcess(first, a) ? a : b;
  testing::ServeProcess& other = IsProcess(first, a) ? b : a;

  Commit(0);
  ASSERT_TRUE(CaughtUp()) << Logs();
  ExpectTargetEqualsSource();
  EXPECT_EQ(Holder(), first) << "exactly one daemon runs the table, and it keeps it";
  // Only the holder wrote rows: the other's counters have no series for the table.
  const std::string updates = fmt::format(
      "lakesync_rows_synced_total{{database=\"{}\",operation=\"update\",table=\"gold.up\"}}",
      db_->name());
  EXPECT_EQ(testing::SampleValue(testing::HttpGet(holder.port(), "/metrics"), updates), 50);
  const std::string other_metrics = testing::HttpGet(other.port(), "/metrics");
  EXPECT_EQ(testing::SampleValue(other_metrics, updates), -1) << other_metrics;

  EXPECT_EQ(holder.Signal(SIGKILL), -1);
  Commit(1);
  Commit(2);
  // The lease expires 3 s after the last renewal; the survivor takes the table then.
  ASSERT_TRUE(CaughtUp()) << "no takeover after SIGKILL\n" << Logs();
  EXPECT_TRUE(IsProcess(Holder(), other)) << Holder();
  ExpectTargetEqualsSource();
}

TEST_F(ServeTest, SigtermExitsZeroAndReleasesTheLeaseSoAnotherDaemonTakesOverAtOnce) {
  // With a 60 s ttl, a takeover within 20 s can only come from a released lease.
  const std::string config = WriteConfig(60000);
  testing::ServeProcess& a = StartDaemon(config, {"--log-format", "json"});
  ASSERT_GT(a.pid(), 0) << Logs();
  ASSERT_TRUE(testing::WaitUntil([&] { return IsProcess(Holder(), a); }, milliseconds(10000)))
      << Logs();
  testing::ServeProcess& b = StartDaemon(config);
  ASSERT_GT(b.pid(), 0) << Logs();
  const std::string a_logs_path = dir_.path() + "/daemon-0.log";
  EXPECT_EQ(a.Signal(SIGTERM), 0) << Logs();
  ASSERT_TRUE(testing::WaitUntil([&] { return IsProcess(Holder(), b); }, milliseconds(20000)))
      << "the lease was not released on SIGTERM\n"
      << Logs();
  Commit(0);
  ASSERT_TRUE(CaughtUp()) << Logs();
  ExpectTargetEqualsSource();
  // a logged as JSON lines, the last ones saying it released its leases.
  std::ifstream in(a_logs_path);
  std::string line;
  bool released = false;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_TRUE(line.starts_with("{\"ts\":\"") && line.ends_with("}")) << line;
    if (line.find("\"msg\":\"released leases\"") != std::string::npos) released = true;
  }
  EXPECT_GT(lines, 0);
  EXPECT_TRUE(released) << Logs();
}

TEST_F(ServeTest, MetricsShowRowsSyncedAndNoLagAfterARealSync) {
  testing::ServeProcess& a = StartDaemon(WriteConfig(10000));
  ASSERT_GT(a.pid(), 0) << Logs();
  Commit(0);
  ASSERT_TRUE(CaughtUp()) << Logs();
  const std::string labels = fmt::format("database=\"{}\",table=\"gold.up\"", db_->name());
  std::string text;
  // The lag is measured on the daemon's next poll after the run.
  ASSERT_TRUE(testing::WaitUntil(
      [&] {
        text = testing::HttpGet(a.port(), "/metrics");
        return testing::SampleValue(text, fmt::format("lakesync_source_version{{{}}}", labels)) ==
                   table_->version() &&
               testing::SampleValue(text, fmt::format("lakesync_lag_versions{{{}}}", labels)) == 0;
      },
      milliseconds(10000)))
      << text;
  // Round 0 updated 50 rows and deleted 7 (user_id % 40 == 0, user_id % 300 == 1).
  EXPECT_EQ(
      testing::SampleValue(
          text, fmt::format("lakesync_rows_synced_total{{database=\"{}\",operation=\"update\","
                            "table=\"gold.up\"}}",
                            db_->name())),
      50)
      << text;
  EXPECT_EQ(
      testing::SampleValue(
          text, fmt::format("lakesync_rows_synced_total{{database=\"{}\",operation=\"delete\","
                            "table=\"gold.up\"}}",
                            db_->name())),
      7)
      << text;
  EXPECT_EQ(
      testing::SampleValue(text, fmt::format("lakesync_last_processed_version{{{}}}", labels)),
      table_->version());
  EXPECT_EQ(testing::SampleValue(text, fmt::format("lakesync_lag_seconds{{{}}}", labels)), 0);
  EXPECT_EQ(testing::SampleValue(text, fmt::format("lakesync_lease_held{{{}}}", labels)), 1);
  // One batch, or two when the daemon polled between the update and the delete commit.
  EXPECT_GE(
      testing::SampleValue(text, fmt::format("lakesync_batches_synced_total{{database=\"{}\",mode="
                                             "\"incremental\",table=\"gold.up\"}}",
                                             db_->name())),
      1)
      << text;
  EXPECT_NE(text.find("lakesync_sync_duration_seconds_bucket{database="), std::string::npos);
}

}  // namespace
}  // namespace lakesync
