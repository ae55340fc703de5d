// End to end: synced tables through the SyncEngine (state in schema `lakesync`), TRIGGERED
// from the change data feed and SNAPSHOT, against deltagen tables in the fixture PostgreSQL.
#include "lakesync/sync/sync_engine.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "deltagen/column_builder.h"
#include "deltagen/delta_writer.h"
#include "deltagen/scenario.h"
#include "engine_test_base.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/testing/pg_test_env.h"
#include "table_assertions.h"

namespace lakesync::sync {
namespace {

using deltagen::Value;
using testing::ExpectTableEquals;
using testing::TempDir;

class SyncEngineTest : public testing::EngineTestBase {
 protected:
  std::unique_ptr<deltagen::UserProfilesTable> MakeProfiles(int64_t rows, bool cdf = true) {
    auto t = deltagen::Scenario::UserProfiles(rows).Files(3).Cdf(cdf).Run(
        fs_, dir_.path() + "/user_profiles");
    EXPECT_TRUE(t.ok()) << t.status();
    return t.ok() ? std::move(*t) : nullptr;
  }

  SyncedTableSpec Spec(SchedulingPolicy policy = SchedulingPolicy::kTriggered) {
    SyncedTableSpec spec;
    spec.name = "gold.user_profiles";
    spec.source = dir_.path() + "/user_profiles";
    spec.primary_key = {"user_id"};
    spec.policy = policy;
    return spec;
  }

  void ExpectSourceEqualsTarget(deltagen::UserProfilesTable& table) {
    auto rows = table.CurrentRows();
    ASSERT_TRUE(rows.ok()) << rows.status();
    ExpectTableEquals(*conn_, "gold.user_profiles", *rows, "user_id");
  }

  std::string Scalar(const std::string& sql) {
    auto rows = testing::QueryRows(*conn_, sql);
    EXPECT_TRUE(rows.ok()) << rows.status();
    return rows.ok() && !rows->empty() ? (*rows)[0][0].value_or("NULL") : "";
  }

  TempDir dir_;
  std::shared_ptr<storage::FileSystem> fs_ = std::make_shared<storage::LocalFileSystem>();
};

TEST_F(SyncEngineTest, TriggeredAppliesEachBatchOfChangesIncrementallyAndRecordsState) {
  auto table = MakeProfiles(5'000);
  ASSERT_TRUE(table);
  auto created = engine_->Create(Spec());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->state, DetailedState::kOnlineNoPendingUpdate) << created->message;
  EXPECT_EQ(created->last_processed_version, 0);
  EXPECT_EQ(created->synced_row_count, 5'000);
  EXPECT_TRUE(created->last_sync_start && created->last_sync_end);
  ExpectSourceEqualsTarget(*table);

  // Several commits of updates, deletes and inserts, applied as one incremental batch.
  ASSERT_TRUE(
      table->Update({.every = 100, .offset = 7}, {deltagen::SetExpr::Parse("score", "+1")}).ok());
  ASSERT_TRUE(table->Delete({.every = 250, .offset = 1}).ok());
  ASSERT_TRUE(table->Insert(40).ok());
  ASSERT_TRUE(
      table->Update({.every = 500, .offset = 7}, {deltagen::SetExpr::Parse("name", "Renamed")})
          .ok());
  auto run = engine_->Sync("gold.user_profiles");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->mode, "INCREMENTAL");
  EXPECT_EQ(run->from_version, 1);
  EXPECT_EQ(run->to_version, 4);
  EXPECT_EQ(run->rows_inserted, 40);
  EXPECT_EQ(run->rows_deleted, 20);
  EXPECT_EQ(run->rows_updated, 50);  // user_id % 100 == 7 (those % 500 == 7 among them)
  ExpectSourceEqualsTarget(*table);

  auto state = engine_->Get("gold.user_profiles");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, DetailedState::kOnlineNoPendingUpdate);
  EXPECT_EQ(state->last_processed_version, 4);
  EXPECT_EQ(state->synced_row_count, 5'000 - 20 + 40);
  EXPECT_EQ(Scalar("SELECT last_processed_version FROM lakesync.synced_tables"), "4");

  // Nothing new: a no-op run.
  auto idle = engine_->Sync("gold.user_profiles");
  ASSERT_TRUE(idle.ok()) << idle.status();
  EXPECT_EQ(idle->rows_inserted + idle->rows_updated + idle->rows_deleted, 0);
  auto runs = engine_->Runs("gold.user_profiles");
  ASSERT_TRUE(runs.ok());
  ASSERT_EQ(runs->size(), 3u);
  EXPECT_EQ((*runs)[2].mode, "SNAPSHOT");
  EXPECT_EQ((*runs)[1].rows_inserted, 40);
}

TEST_F(SyncEngineTest, LargeBatchFallsBackToASnapshot) {
  auto table = MakeProfiles(1'000);
  ASSERT_TRUE(table);
  SyncedTableSpec spec = Spec();
  spec.full_refresh_min_changes = 100;
  ASSERT_TRUE(engine_->Create(spec).ok());
  ASSERT_TRUE(table->Update({.every = 2, .offset = 0}, {deltagen::SetExpr::Parse("age", "+1")})
                  .ok());  // half the table: more than the 10% default
  auto run = engine_->Sync("gold.user_profiles");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->mode, "SNAPSHOT");
  ExpectSourceEqualsTarget(*table);
}

TEST_F(SyncEngineTest, TriggeredRefusesASourceWithoutChangeDataFeedAndSaysHowToEnableIt) {
  ASSERT_TRUE(MakeProfiles(10, /*cdf=*/false));
  auto created = engine_->Create(Spec());
  ASSERT_FALSE(created.ok());
  EXPECT_TRUE(created.status().IsInvalidArgument()) << created.status();
  EXPECT_NE(created.status().message().find(
                "ALTER TABLE <table> SET TBLPROPERTIES (delta.enableChangeDataFeed = true)"),
            std::string::npos)
      << created.status();
  EXPECT_TRUE(engine_->Get("gold.user_profiles").status().IsNotFound())
      << "a refused spec is not stored";

  // SNAPSHOT needs no change data feed, and copies the whole table each run.
  auto snap = engine_->Create(Spec(SchedulingPolicy::kSnapshot));
  ASSERT_TRUE(snap.ok()) << snap.status();
  EXPECT_EQ(snap->state, DetailedState::kOnlineNoPendingUpdate) << snap->message;
  EXPECT_EQ(Scalar("SELECT count(*) FROM gold.user_profiles"), "10");
}

TEST_F(SyncEngineTest, SnapshotPolicyCopiesTheWholeTableEachRun) {
  auto table = MakeProfiles(300);
  ASSERT_TRUE(table);
  ASSERT_TRUE(engine_->Create(Spec(SchedulingPolicy::kSnapshot)).ok());
  ASSERT_TRUE(table->Delete({.every = 3, .offset = 0}).ok());
  auto run = engine_->Sync("gold.user_profiles");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->mode, "SNAPSHOT");
  EXPECT_EQ(run->rows_inserted, 200);
  ExpectSourceEqualsTarget(*table);
}

// A hand-written table for key edge cases: id BIGINT, ts BIGINT, v STRING, with CDF.
class KeyEdgeCaseTest : public SyncEngineTest {
 protected:
  void SetUp() override {
    SyncEngineTest::SetUp();
    if (IsSkipped()) return;
    deltagen::DeltaTableOptions options;
    options.schema = {Field{"id", DataType::Primitive(TypeId::kInt64), true},
                      Field{"ts", DataType::Primitive(TypeId::kInt64), true},
                      Field{"v", DataType::Primitive(TypeId::kString), true}};
    options.change_data_feed = true;
    auto writer = deltagen::DeltaTableWriter::Create(fs_, dir_.path() + "/t", options);
    ASSERT_TRUE(writer.ok()) << writer.status();
    writer_ = std::move(*writer);
  }

  // Appends the rows as one commit of inserts.
  void Append(std::vector<std::vector<Value>> rows) {
    auto batch = deltagen::BuildBatch(writer_->options().schema, rows);
    ASSERT_TRUE(batch.ok()) << batch.status();
    auto add = writer_->WriteDataFile(*batch, {});
    ASSERT_TRUE(add.ok()) << add.status();
    deltagen::CommitSpec commit;
    commit.adds.push_back(*add);
    ASSERT_TRUE(writer_->Commit(commit).ok());
  }

  SyncedTableSpec TSpec(std::optional<std::string> timeseries_key = {}) {
    SyncedTableSpec spec;
    spec.name = "t";
    spec.source = dir_.path() + "/t";
    spec.primary_key = {"id"};
    spec.timeseries_key = std::move(timeseries_key);
    return spec;
  }

  std::unique_ptr<deltagen::DeltaTableWriter> writer_;
};

TEST_F(KeyEdgeCaseTest, NullKeysAreSkippedAndCountedInBothPaths) {
  Append({{Value::Int(1), Value::Int(1), Value::String("a")},
          {Value::Null(), Value::Int(1), Value::String("no key")}});
  auto created = engine_->Create(TSpec());
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_NE(created->message.find("1 rows with a NULL key skipped"), std::string::npos)
      << created->message;
  Append({{Value::Null(), Value::Int(2), Value::String("no key")},
          {Value::Int(2), Value::Int(2), Value::String("b")}});
  auto run = engine_->Sync("t");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->mode, "INCREMENTAL");
  EXPECT_EQ(run->rows_skipped, 1);
  EXPECT_EQ(run->rows_inserted, 1);
  EXPECT_EQ(Scalar("SELECT string_agg(id || v, ',' ORDER BY id) FROM t"), "1a,2b");
}

TEST_F(KeyEdgeCaseTest, DuplicateKeysFailTheSyncAndKeepTheLastGoodRows) {
  Append({{Value::Int(1), Value::Int(1), Value::String("a")}});
  ASSERT_TRUE(engine_->Create(TSpec()).ok());
  Append({{Value::Int(2), Value::Int(1), Value::String("x")},
          {Value::Int(2), Value::Int(2), Value::String("y")}});
  auto run = engine_->Sync("t");
  ASSERT_FALSE(run.ok());
  EXPECT_TRUE(run.status().IsConflict()) << run.status();
  EXPECT_NE(run.status().message().find("PRIMARY_KEY_CONSTRAINT_VIOLATION"), std::string::npos);
  auto state = engine_->Get("t");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, DetailedState::kOnlinePipelineFailed);
  EXPECT_NE(state->message.find("PRIMARY_KEY_CONSTRAINT_VIOLATION"), std::string::npos);
  EXPECT_EQ(state->last_processed_version, 0);
  EXPECT_EQ(Scalar("SELECT string_agg(id || v, ',' ORDER BY id) FROM t"), "1a");
  // A full refresh hits the same duplicate (the snapshot has both rows) and also keeps them.
  EXPECT_TRUE(engine_->Sync("t", /*full_refresh=*/true).status().IsConflict());
  EXPECT_EQ(Scalar("SELECT string_agg(id || v, ',' ORDER BY id) FROM t"), "1a");
}

TEST_F(KeyEdgeCaseTest, TimeseriesKeyKeepsTheLatestRowInSnapshotsAndChanges) {
  Append({{Value::Int(1), Value::Int(5), Value::String("newer")},
          {Value::Int(1), Value::Int(3), Value::String("older")}});
  auto created = engine_->Create(TSpec("ts"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->state, DetailedState::kOnlineNoPendingUpdate) << created->message;
  EXPECT_EQ(Scalar("SELECT v FROM t WHERE id = 1"), "newer");
  // In one commit the later timeseries value wins; a later commit with an older timeseries
  // value does not replace the row.
  Append({{Value::Int(2), Value::Int(1), Value::String("b-old")},
          {Value::Int(2), Value::Int(9), Value::String("b-new")},
          {Value::Int(1), Value::Int(4), Value::String("stale")}});
  auto run = engine_->Sync("t");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(Scalar("SELECT string_agg(id || v, ',' ORDER BY id) FROM t"), "1newer,2b-new");
}

TEST_F(SyncEngineTest, DeleteForgetsTheSyncedTableAndPurgeDropsIt) {
  ASSERT_TRUE(MakeProfiles(10));
  ASSERT_TRUE(engine_->Create(Spec()).ok());
  EXPECT_TRUE(engine_->Create(Spec()).status().IsConflict());
  ASSERT_TRUE(engine_->Delete("gold.user_profiles", /*purge_data=*/false).ok());
  EXPECT_EQ(Scalar("SELECT count(*) FROM gold.user_profiles"), "10");
  ASSERT_TRUE(engine_->Create(Spec()).ok());
  ASSERT_TRUE(engine_->Delete("gold.user_profiles", /*purge_data=*/true).ok());
  EXPECT_EQ(Scalar("SELECT to_regclass('gold.user_profiles') IS NULL"), "t");
  EXPECT_TRUE(engine_->Get("gold.user_profiles").status().IsNotFound());
}

}  // namespace
}  // namespace lakesync::sync

namespace lakesync::sync {
namespace {

// Schema changes: a commit carrying a new metaData (as ALTER TABLE in Spark writes) plus a data
// file in the new schema, assembled from a second deltagen table written with that schema.
class SchemaChangeTest : public SyncEngineTest {
 protected:
  static std::vector<Field> Fields(std::vector<std::pair<std::string, TypeId>> cols) {
    std::vector<Field> out;
    for (auto& [name, id] : cols) out.push_back(Field{name, DataType::Primitive(id), true});
    return out;
  }

  void CreateTable(const std::vector<Field>& schema, std::vector<std::vector<Value>> rows) {
    deltagen::DeltaTableOptions options;
    options.schema = schema;
    options.change_data_feed = true;
    auto writer = deltagen::DeltaTableWriter::Create(fs_, dir_.path() + "/t", options);
    ASSERT_TRUE(writer.ok()) << writer.status();
    Commit(**writer, std::move(rows));
  }

  static void Commit(deltagen::DeltaTableWriter& writer, std::vector<std::vector<Value>> rows) {
    auto batch = deltagen::BuildBatch(writer.options().schema, rows);
    ASSERT_TRUE(batch.ok()) << batch.status();
    auto add = writer.WriteDataFile(*batch, {});
    ASSERT_TRUE(add.ok()) << add.status();
    deltagen::CommitSpec commit;
    commit.adds.push_back(*add);
    ASSERT_TRUE(writer.Commit(commit).ok());
  }

  // Commits to dir/t a new schema and one file of rows in it, as version `version`.
  void CommitWithNewSchema(int64_t version, const std::vector<Field>& schema,
                           std::vector<std::vector<Value>> rows) {
    const std::string other = dir_.path() + "/other" + std::to_string(version);
    deltagen::DeltaTableOptions options;
    options.schema = schema;
    options.change_data_feed = true;
    options.seed = 1000 + static_cast<uint64_t>(version);  // file names unlike the table's
    auto writer = deltagen::DeltaTableWriter::Create(fs_, other, options);
    ASSERT_TRUE(writer.ok()) << writer.status();
    Commit(**writer, std::move(rows));
    auto log = fs_->ReadFile(other + "/_delta_log/00000000000000000000.json");
    ASSERT_TRUE(log.ok());
    std::string commit;
    size_t start = 0;
    while (start < log->size()) {
      size_t end = log->find('\n', start);
      if (end == std::string::npos) end = log->size();
      std::string line = log->substr(start, end - start);
      if (line.starts_with("{\"metaData\"") || line.starts_with("{\"add\"")) {
        commit += line + "\n";
      }
      if (line.starts_with("{\"add\"")) {
        const size_t p = line.find("\"path\":\"") + 8;
        const std::string path = line.substr(p, line.find('"', p) - p);
        auto data = fs_->ReadFile(other + "/" + path);
        ASSERT_TRUE(data.ok());
        ASSERT_TRUE(fs_->WriteFile(dir_.path() + "/t/" + path, *data).ok());
      }
      start = end + 1;
    }
    ASSERT_TRUE(
        fs_->WriteFile(fmt::format("{}/t/_delta_log/{:020}.json", dir_.path(), version), commit)
            .ok());
  }

  SyncedTableSpec TSpec() {
    SyncedTableSpec spec;
    spec.name = "t";
    spec.source = dir_.path() + "/t";
    spec.primary_key = {"id"};
    return spec;
  }
};

TEST_F(SchemaChangeTest, AddedColumnIsAddedToTheTargetAndSyncGoesOn) {
  CreateTable(Fields({{"id", TypeId::kInt64}, {"v", TypeId::kString}}),
              {{Value::Int(1), Value::String("a")}});
  ASSERT_TRUE(engine_->Create(TSpec()).ok());
  CommitWithNewSchema(
      1, Fields({{"id", TypeId::kInt64}, {"v", TypeId::kString}, {"w", TypeId::kInt32}}),
      {{Value::Int(2), Value::String("b"), Value::Int(7)}});
  auto run = engine_->Sync("t");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->mode, "INCREMENTAL");
  EXPECT_EQ(Scalar("SELECT string_agg(id || ':' || v || ':' || coalesce(w::text, 'null'), ',' "
                   "ORDER BY id) FROM t"),
            "1:a:null,2:b:7");
  EXPECT_EQ(Scalar("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
                   "'t'::regclass AND attname = 'w'"),
            "integer");
}

TEST_F(SchemaChangeTest, DroppedColumnFailsClearlyKeepsDataAndFullRefreshRepairs) {
  CreateTable(Fields({{"id", TypeId::kInt64}, {"v", TypeId::kString}}),
              {{Value::Int(1), Value::String("a")}});
  ASSERT_TRUE(engine_->Create(TSpec()).ok());
  CommitWithNewSchema(1, Fields({{"id", TypeId::kInt64}, {"w", TypeId::kInt32}}),
                      {{Value::Int(2), Value::Int(7)}});
  auto run = engine_->Sync("t");
  ASSERT_FALSE(run.ok());
  EXPECT_NE(run.status().message().find("column v is no longer in the source"), std::string::npos)
      << run.status();
  EXPECT_NE(run.status().message().find("full refresh"), std::string::npos) << run.status();
  auto state = engine_->Get("t");
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->state, DetailedState::kOnlinePipelineFailed);
  EXPECT_EQ(Scalar("SELECT string_agg(id || v, ',') FROM t"), "1a") << "last good data kept";

  auto repaired = engine_->Sync("t", /*full_refresh=*/true);
  ASSERT_TRUE(repaired.ok()) << repaired.status();
  EXPECT_EQ(repaired->mode, "SNAPSHOT");
  EXPECT_EQ(Scalar("SELECT string_agg(id || ':' || coalesce(w::text, 'null'), ',' ORDER BY id) "
                   "FROM t"),
            "1:null,2:7");
  EXPECT_EQ(engine_->Get("t")->state, DetailedState::kOnlineNoPendingUpdate);
}

}  // namespace
}  // namespace lakesync::sync

namespace lakesync::sync {
namespace {

// Readers keep querying while a full refresh swaps the table in: every query answers, with
// the old or the new rows, never an error or an empty table.
TEST_F(SyncEngineTest, FullRefreshUnderConcurrentReadersNeverShowsAnErrorOrAnEmptyTable) {
  auto table = MakeProfiles(20'000);
  ASSERT_TRUE(table);
  ASSERT_TRUE(engine_->Create(Spec()).ok());
  std::atomic<bool> done{false};
  std::atomic<int64_t> queries{0};
  std::vector<std::string> problems;
  std::mutex mu;
  auto reader = [&] {
    auto conn = db_->Connect();
    if (!conn.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      problems.push_back(conn.status().ToString());
      return;
    }
    while (!done.load()) {
      auto rows = testing::QueryRows(**conn, "SELECT count(*) FROM gold.user_profiles");
      std::lock_guard<std::mutex> lock(mu);
      if (!rows.ok()) {
        problems.push_back(rows.status().ToString());
      } else if ((*rows)[0][0] == "0") {
        problems.push_back("empty table");
      }
      ++queries;
    }
  };
  std::thread r1(reader), r2(reader);
  for (int i = 0; i < 3; ++i) {
    auto run = engine_->Sync("gold.user_profiles", /*full_refresh=*/true);
    ASSERT_TRUE(run.ok()) << run.status();
  }
  done = true;
  r1.join();
  r2.join();
  EXPECT_GT(queries.load(), 10);
  EXPECT_TRUE(problems.empty()) << problems.size() << " problems, first: " << problems[0];
}

}  // namespace
}  // namespace lakesync::sync

namespace lakesync::sync {
namespace {

TEST_F(SyncEngineTest, SyncedTablesAreReadOnlyForEveryoneButLakesyncAndKeepUserIndexes) {
  auto table = MakeProfiles(100);
  ASSERT_TRUE(table);
  ASSERT_TRUE(engine_->Create(Spec()).ok());
  // Even a superuser's writes are refused, with a message saying why and what to do.
  for (const char* sql : {"INSERT INTO gold.user_profiles (user_id) VALUES (-1)",
                          "UPDATE gold.user_profiles SET age = 1", "DELETE FROM gold.user_profiles",
                          "TRUNCATE gold.user_profiles"}) {
    Status st = conn_->Exec(sql);
    EXPECT_FALSE(st.ok()) << sql;
    EXPECT_NE(st.message().find("is synced by lakesync from a Delta table and is read-only"),
              std::string::npos)
        << sql << ": " << st;
    EXPECT_NE(st.message().find("separate table"), std::string::npos) << st;
  }
  // Another role reads.
  ASSERT_TRUE(conn_
                  ->Exec("DROP ROLE IF EXISTS lakesync_test_analyst; CREATE ROLE "
                         "lakesync_test_analyst LOGIN")
                  .ok());
  auto analyst_info = testing::ConninfoWithDatabase(db_->conninfo(), db_->name());
  ASSERT_TRUE(analyst_info.ok());
  auto analyst = pg::Connection::Open(*analyst_info + " user=lakesync_test_analyst");
  ASSERT_TRUE(analyst.ok()) << analyst.status();
  auto count = testing::QueryRows(**analyst, "SELECT count(*) FROM gold.user_profiles");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ(*(*count)[0][0], "100");
  EXPECT_FALSE((*analyst)->Exec("DELETE FROM gold.user_profiles").ok());
  analyst->reset();
  // An index of the user's own survives incremental syncs; lakesync's own writes still pass.
  ASSERT_TRUE(conn_->Exec("CREATE INDEX by_country ON gold.user_profiles (country)").ok());
  ASSERT_TRUE(table->Delete({.every = 10}).ok());
  auto run = engine_->Sync("gold.user_profiles");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->mode, "INCREMENTAL");
  EXPECT_EQ(run->rows_deleted, 10);
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'by_country'"), "1");
  ExpectSourceEqualsTarget(*table);
  // A full refresh rebuilds it on the new table, under its own name.
  ASSERT_TRUE(engine_->Sync("gold.user_profiles", /*full_refresh=*/true).ok());
  EXPECT_EQ(Scalar("SELECT indexdef FROM pg_indexes WHERE indexname = 'by_country'"),
            "CREATE INDEX by_country ON gold.user_profiles USING btree (country)");
  EXPECT_FALSE(conn_->Exec("DELETE FROM gold.user_profiles").ok()) << "still read-only";
  ASSERT_TRUE(conn_->Exec("DROP ROLE lakesync_test_analyst").ok());
}

}  // namespace
}  // namespace lakesync::sync
