// End to end: connection and capacity limits (limits.h) with small configured limits against
// the fixture PostgreSQL: what the server, a role and lakesync's own cap allow, how a load
// clamps its connections to them, and how the capacity limit refuses a load before it starts.
#include "lakesync/sync/limits.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <random>

#include "deltagen/scenario.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/sync/snapshot_loader.h"
#include "lakesync/sync/sync_engine.h"
#include "lakesync/testing/pg_test_env.h"
#include "table_assertions.h"

namespace lakesync::sync {
namespace {

using testing::TempDir;

class LimitsTest : public testing::DatabaseTest {
 protected:
  void SetUp() override {
    DatabaseTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto table = deltagen::Scenario::UserProfiles(5'000).Files(4).RowGroupRows(1'000).Run(
        fs_, dir_.path() + "/up");
    ASSERT_TRUE(table.ok()) << table.status();
    table_ = std::move(*table);
  }

  SnapshotLoadOptions Options(const std::string& target) {
    SnapshotLoadOptions options;
    options.source = dir_.path() + "/up";
    options.conninfo = db_->conninfo();
    options.target = target;
    options.primary_key = {"user_id"};
    options.bytes_per_connection = 1;
    return options;
  }

  int64_t Int(const std::string& sql) {
    auto rows = testing::QueryRows(*conn_, sql);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() && !rows->empty() ? std::stoll((*rows)[0][0].value_or("-1")) : -1;
  }

  TempDir dir_;
  std::shared_ptr<storage::FileSystem> fs_ = std::make_shared<storage::LocalFileSystem>();
  std::unique_ptr<deltagen::UserProfilesTable> table_;
};

TEST_F(LimitsTest, ServerLimitsRefuseATableThatCannotFitAndLakesyncsCapOnlyWarns) {
  auto capacity = ConnectionCapacity::Query(*conn_);
  ASSERT_TRUE(capacity.ok()) << capacity.status();
  const int max = static_cast<int>(Int("SELECT current_setting('max_connections')::int"));
  EXPECT_EQ(capacity->max_connections, max);
  EXPECT_GE(capacity->in_use, 1);  // this test's own connection at least
  EXPECT_TRUE(capacity->superuser);

  EXPECT_TRUE(CheckConnectionsFit(*capacity, "gold.t", 16).ok());
  Status too_many = CheckConnectionsFit(*capacity, "gold.t", max + 1);
  EXPECT_TRUE(too_many.IsInvalidArgument()) << too_many;
  EXPECT_NE(too_many.message().find(
                fmt::format("max_connections {} minus {} superuser_reserved_connections", max,
                            capacity->superuser_reserved_connections)),
            std::string::npos)
      << too_many;
  EXPECT_NE(too_many.message().find("postgresql.conf"), std::string::npos) << too_many;

  // lakesync's own cap is a budget the target's tables share: a table allowed more is not
  // refused (its loads are clamped), but warned about.
  Limits capped;
  capped.max_target_connections = 4;
  const std::string over_cap = ConnectionCapWarning(capped, "gold.t", 16);
  EXPECT_NE(over_cap.find("gold.t may use up to 16 connections"), std::string::npos) << over_cap;
  EXPECT_NE(over_cap.find("lakesync holds at most 4 on this instance"), std::string::npos)
      << over_cap;
  EXPECT_EQ(ConnectionCapWarning(capped, "gold.t", 4), "");
  EXPECT_EQ(ConnectionCapWarning({}, "gold.t", 16), "");

  // A load under the cap uses no more than it allows (other tests' lakesync connections may
  // take some of it), and its rows are all there.
  SnapshotLoadOptions options = Options("gold.capped");
  options.max_connections = 16;
  options.limits.max_target_connections = 2;
  auto loaded = LoadSnapshot(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_GE(loaded->connections, 1);
  EXPECT_LE(loaded->connections, 2);
  EXPECT_EQ(Int("SELECT count(*) FROM gold.capped"), 5'000);
}

TEST_F(LimitsTest, RoleConnectionLimitClampsALoadAndRefusesATableAboveIt) {
  const std::string role = fmt::format("lakesync_limited_{:08x}", std::random_device()());
  ASSERT_TRUE(conn_
                  ->Exec(fmt::format("CREATE ROLE {0} LOGIN CONNECTION LIMIT 3; "
                                     "GRANT CREATE ON DATABASE {1} TO {0}",
                                     pg::QuoteIdent(role), pg::QuoteIdent(db_->name())))
                  .ok());
  const std::string conninfo = db_->conninfo() + " user=" + role;
  {
    auto as_role = pg::Connection::Open(conninfo);
    ASSERT_TRUE(as_role.ok()) << as_role.status();
    auto capacity = ConnectionCapacity::Query(**as_role);
    ASSERT_TRUE(capacity.ok()) << capacity.status();
    EXPECT_FALSE(capacity->superuser);
    EXPECT_EQ(capacity->role_limit, 3);
    EXPECT_EQ(capacity->role_in_use, 1);
    Status refused = CheckConnectionsFit(*capacity, "gold.t", 16);
    EXPECT_TRUE(refused.IsInvalidArgument()) << refused;
    EXPECT_NE(refused.message().find(fmt::format("role {} allows at most 3", role)),
              std::string::npos)
        << refused;
    EXPECT_NE(refused.message().find("ALTER ROLE"), std::string::npos) << refused;
    EXPECT_EQ(ConnectionsAvailable(*capacity, {}, 16), 3);
  }

  // The load asks for 16 and gets the role's 3; every row arrives.
  SnapshotLoadOptions options = Options("gold.limited");
  options.conninfo = conninfo;
  options.max_connections = 16;
  auto loaded = LoadSnapshot(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->connections, 3);
  auto rows = table_->CurrentRows();
  ASSERT_TRUE(rows.ok());
  testing::ExpectTableEquals(*conn_, "gold.limited", *rows, "user_id");

  ASSERT_TRUE(
      conn_->Exec(fmt::format("DROP OWNED BY {0}; DROP ROLE {0}", pg::QuoteIdent(role))).ok());
}

TEST_F(LimitsTest, CapacityLimitCountsTheOtherSyncedTablesAndRefusesALoadBeforeItStarts) {
  auto engine = SyncEngine::Open(db_->conninfo());
  ASSERT_TRUE(engine.ok()) << engine.status();
  SyncedTableSpec spec;
  spec.name = "gold.first";
  spec.source = dir_.path() + "/up";
  spec.primary_key = {"user_id"};
  spec.policy = SchedulingPolicy::kSnapshot;
  ASSERT_TRUE((*engine)->Create(spec).ok());
  const int64_t first = Int("SELECT pg_total_relation_size('gold.first')");
  ASSERT_GT(first, 0);
  auto other = SyncedDataBytes(*conn_, "gold.second");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(*other, first);
  auto none = SyncedDataBytes(*conn_, "gold.first");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0);

  // The estimate from the Delta log is in the right range of what PostgreSQL took.
  auto snapshot = delta::Snapshot::Open(dir_.path() + "/up");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status();
  auto estimate = EstimateTableBytes(**snapshot, {"user_id"});
  ASSERT_TRUE(estimate.ok()) << estimate.status();
  EXPECT_GT(*estimate, first / 2);
  EXPECT_LT(*estimate, first * 2);

  // A second table that would take the target past its limit is refused up front.
  SnapshotLoadOptions options = Options("gold.second");
  options.limits.max_target_bytes = first + *estimate / 2;
  auto refused = LoadSnapshot(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(refused.status().IsInvalidArgument()) << refused.status();
  const std::string& message = refused.status().message();
  EXPECT_NE(message.find("capacity limit"), std::string::npos) << message;
  EXPECT_NE(message.find(FormatBytes(first) + " in the other synced tables"), std::string::npos)
      << message;
  EXPECT_NE(message.find(FormatBytes(options.limits.max_target_bytes) + " per target"),
            std::string::npos)
      << message;
  EXPECT_EQ(Int("SELECT count(*) FROM pg_class WHERE relname LIKE 'second%'"), 0);

  // Room for both: it loads, with a warning when the table alone passes the warning size.
  options.limits.max_target_bytes = first + *estimate * 2;
  options.limits.warn_table_bytes = *estimate / 2;
  auto loaded = LoadSnapshot(options);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->estimated_bytes, *estimate);
  ASSERT_EQ(loaded->warnings.size(), 1u);
  EXPECT_NE(loaded->warnings[0].find("gold.second is estimated at"), std::string::npos)
      << loaded->warnings[0];
}

TEST_F(LimitsTest, EngineChecksLimitsAtCreationAndBeforeEachRun) {
  auto opened = SyncEngine::Open(db_->conninfo());
  ASSERT_TRUE(opened.ok()) << opened.status();
  SyncEngine& engine = **opened;
  SyncedTableSpec spec;
  spec.name = "gold.up";
  spec.source = dir_.path() + "/up";
  spec.primary_key = {"user_id"};

  // Creation: a table estimated above the capacity limit is refused; nothing is stored.
  Limits limits;
  limits.max_target_connections = 4;
  limits.max_target_bytes = 10'000;
  spec.max_connections = 4;
  engine.set_limits(limits);
  auto refused = engine.Create(spec);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("capacity limit"), std::string::npos)
      << refused.status();
  EXPECT_TRUE(engine.Get("gold.up").status().IsNotFound());

  // Within the limits it is created, and keeps its max_connections, even above lakesync's
  // cap of 4 (which only clamps its loads).
  limits.max_target_bytes = 2 * kTerabyte;
  spec.max_connections = 16;
  engine.set_limits(limits);
  auto created = engine.Create(spec);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->spec.max_connections, 16);
  EXPECT_EQ(created->state, DetailedState::kOnlineNoPendingUpdate) << created->message;

  // Before each run: a target now over its limit fails the run, and the rows stay.
  ASSERT_TRUE(table_->Insert(10).ok());
  limits.max_target_bytes = 10'000;
  engine.set_limits(limits);
  auto run = engine.Sync("gold.up");
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("capacity limit"), std::string::npos) << run.status();
  EXPECT_EQ(Int("SELECT count(*) FROM gold.up"), 5'000);
  auto state = engine.Get("gold.up");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, DetailedState::kOnlinePipelineFailed);
  auto full = engine.Sync("gold.up", SyncOptions{.full_refresh = true});
  ASSERT_FALSE(full.ok());
  EXPECT_NE(full.status().message().find("capacity limit"), std::string::npos) << full.status();
}

}  // namespace
}  // namespace lakesync::sync
