// End to end through the SyncEngine, the acceptance cases sync_engine_test.cc leaves out: every
// mapped type round-trips (snapshot and incremental), a source whose change data feed is
// switched off later, a log cleaned up past the last processed version, and a vacuumed
// change-data file. Expected values come from deltagen's own row values, never our reader.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "deltagen/all_types.h"
#include "deltagen/column_builder.h"
#include "deltagen/delta_writer.h"
#include "deltagen/scenario.h"
#include "engine_test_base.h"
#include "lakesync/common/value_text.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/sync/sync_engine.h"
#include "lakesync/testing/pg_test_env.h"
#include "pg_text.h"
#include "table_assertions.h"

namespace lakesync::sync {
namespace {

using deltagen::Value;

class SyncEdgeCaseTest : public testing::EngineTestBase {
 protected:
  void SetUp() override {
    EngineTestBase::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(conn_->Exec("SET TimeZone TO 'UTC'; SET DateStyle TO ISO").ok());
  }

  std::vector<std::vector<std::optional<std::string>>> Rows(const std::string& sql) {
    auto rows = testing::QueryRows(*conn_, sql);
    EXPECT_TRUE(rows.ok()) << sql << ": " << rows.status();
    return rows.ok() ? std::move(*rows) : std::vector<std::vector<std::optional<std::string>>>{};
  }

  std::string Scalar(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.empty() ? "" : rows[0][0].value_or("NULL");
  }

  // A user_profiles table (one data file, change data feed on) synced TRIGGERED as
  // gold.user_profiles.
  std::unique_ptr<deltagen::UserProfilesTable> CreateProfiles(int64_t rows) {
    auto t = deltagen::Scenario::UserProfiles(rows).Files(1).Cdf(true).Run(fs_, Root());
    EXPECT_TRUE(t.ok()) << t.status();
    if (!t.ok()) return nullptr;
    SyncedTableSpec spec;
    spec.name = "gold.user_profiles";
    spec.source = Root();
    spec.primary_key = {"user_id"};
    spec.policy = SchedulingPolicy::kTriggered;
    auto created = engine_->Create(spec);
    EXPECT_TRUE(created.ok()) << created.status();
    return created.ok() ? std::move(*t) : nullptr;
  }
  std::string Root() const { return dir_.path() + "/user_profiles"; }

  // Every row of the target, as one text, to show the last good rows stay untouched.
  std::string TargetDigest() {
    return Scalar(
        "SELECT count(*) || ':' || md5(string_agg(t::text, ',' ORDER BY user_id)) "
        "FROM gold.user_profiles t");
  }

  // Checks a failed sync left the table online with its last good rows at `version`.
  void ExpectFailedButOnline(const std::string& digest, int64_t version) {
    auto state = engine_->Get("gold.user_profiles");
    ASSERT_TRUE(state.ok()) << state.status();
    EXPECT_EQ(state->state, DetailedState::kOnlinePipelineFailed);
    EXPECT_EQ(state->last_processed_version, version);
    EXPECT_EQ(TargetDigest(), digest) << "the last good rows are kept";
  }

  // A full refresh rebuilds the table as the source's current snapshot.
  void ExpectFullRefreshRepairs(deltagen::UserProfilesTable& table) {
    auto run = engine_->Sync("gold.user_profiles", /*full_refresh=*/true);
    ASSERT_TRUE(run.ok()) << run.status();
    EXPECT_EQ(run->mode, "SNAPSHOT");
    EXPECT_EQ(run->to_version, table.writer().version());
    auto rows = table.CurrentRows();
    ASSERT_TRUE(rows.ok()) << rows.status();
    testing::ExpectTableEquals(*conn_, "gold.user_profiles", *rows, "user_id");
    EXPECT_EQ(engine_->Get("gold.user_profiles")->state, DetailedState::kOnlineNoPendingUpdate);
  }

  testing::TempDir dir_;
  std::shared_ptr<storage::FileSystem> fs_ = std::make_shared<storage::LocalFileSystem>();
};

// ---- every mapped type ----

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// The JSON a nested deltagen value stands for: structs as objects by field name, maps as
// objects by key, lists as arrays (Databricks' ARRAY/MAP/STRUCT -> JSONB).
std::string ExpectedJson(const Value& v, const DataType& type) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return v.b ? "true" : "false";
    case Value::Kind::kInt:
      return std::to_string(v.i);
    case Value::Kind::kDouble:
      return fmt::format("{}", v.d);
    case Value::Kind::kString:
      return JsonString(v.s);
    case Value::Kind::kDecimal: {
      std::string out;
      AppendDecimalText(v.dec, type.scale, out);
      return out;
    }
    case Value::Kind::kList: {
      std::vector<std::string> items;
      for (const Value& e : v.items) items.push_back(ExpectedJson(e, type.children[0].type));
      return fmt::format("[{}]", fmt::join(items, ","));
    }
    case Value::Kind::kStruct: {
      std::vector<std::string> items;
      for (size_t i = 0; i < v.items.size(); ++i) {
        items.push_back(JsonString(type.children[i].name) + ":" +
                        ExpectedJson(v.items[i], type.children[i].type));
      }
      return fmt::format("{{{}}}", fmt::join(items, ","));
    }
    case Value::Kind::kMap: {
      std::vector<std::string> items;
      for (size_t i = 0; i + 1 < v.items.size(); i += 2) {
        items.push_back(JsonString(v.items[i].s) + ":" +
                        ExpectedJson(v.items[i + 1], type.children[1].type));
      }
      return fmt::format("{{{}}}", fmt::join(items, ","));
    }
  }
  return "?";
}

std::string SqlLiteral(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

TEST_F(SyncEdgeCaseTest, EveryMappedTypeRoundTripsThroughSnapshotAndIncrementalBatch) {
  const uint64_t seed = 7;
  deltagen::AllTypesOptions options;
  options.rows = 300;
  options.files = 2;
  options.seed = seed;
  options.cdf = true;
  const std::string root = dir_.path() + "/all_types";
  auto writer = deltagen::WriteAllTypesTable(fs_, root, options);
  ASSERT_TRUE(writer.ok()) << writer.status();
  const std::vector<Field> schema = deltagen::AllTypesSchema(/*with_ntz=*/true);
  std::vector<std::vector<Value>> expected;
  for (int64_t id = 1; id <= options.rows; ++id) {
    expected.push_back(deltagen::AllTypesRow(id, seed, true));
  }

  SyncedTableSpec spec;
  spec.name = "public.all_types";
  spec.source = root;
  spec.primary_key = {"id"};
  auto created = engine_->Create(spec);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->state, DetailedState::kOnlineNoPendingUpdate) << created->message;

  // The incremental batch carries the same edge rows again under new keys: row 1 holds every
  // extreme and row 2 every null.
  std::vector<std::vector<Value>> added;
  for (int64_t k = 1; k <= 20; ++k) {
    added.push_back(deltagen::AllTypesRow(k, seed, true));
    added.back()[0] = Value::Int(1000 + k);
  }
  auto batch = deltagen::BuildBatch(schema, added);
  ASSERT_TRUE(batch.ok()) << batch.status();
  auto adds = (*writer)->WritePartitioned(std::move(*batch));
  ASSERT_TRUE(adds.ok()) << adds.status();
  deltagen::CommitSpec commit;
  commit.adds = *adds;
  ASSERT_TRUE((*writer)->Commit(commit).ok());
  auto run = engine_->Sync("public.all_types");
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_EQ(run->mode, "INCREMENTAL");
  EXPECT_EQ(run->rows_inserted, 20);
  for (auto& row : added) expected.push_back(std::move(row));

  // Databricks' type mapping.
  const std::vector<std::pair<std::string, std::string>> want_types = {
      {"id", "bigint"},
      {"b", "boolean"},
      {"i8", "smallint"},
      {"i16", "smallint"},
      {"i32", "integer"},
      {"i64", "bigint"},
      {"f32", "real"},
      {"f64", "double precision"},
      {"d9", "numeric(9,2)"},
      {"d18", "numeric(18,6)"},
      {"d38", "numeric(38,10)"},
      {"s", "text"},
      {"bin", "bytea"},
      {"dt", "date"},
      {"ts", "timestamp with time zone"},
      {"ts_ntz", "timestamp without time zone"},
      {"st", "jsonb"},
      {"arr", "jsonb"},
      {"m", "jsonb"}};
  auto types = Rows(
      "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
      "'public.all_types'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
  ASSERT_EQ(types.size(), want_types.size());
  for (size_t i = 0; i < types.size(); ++i) {
    EXPECT_EQ(*types[i][0], want_types[i].first);
    EXPECT_EQ(*types[i][1], want_types[i].second) << want_types[i].first;
  }

  // Primitive columns, every value, as PostgreSQL prints it against the generator's values.
  auto expected_batch = deltagen::BuildBatch(schema, expected);
  ASSERT_TRUE(expected_batch.ok()) << expected_batch.status();
  std::vector<std::string> select;
  for (const auto& [name, type] : want_types) select.push_back(name + "::text");
  auto got =
      Rows(fmt::format("SELECT {} FROM public.all_types t ORDER BY t.id", fmt::join(select, ", ")));
  ASSERT_EQ(got.size(), expected.size());
  int mismatches = 0;
  for (size_t c = 0; c < schema.size(); ++c) {
    const DataType& t = schema[c].type;
    if (t.id == TypeId::kStruct || t.id == TypeId::kList || t.id == TypeId::kMap) continue;
    for (size_t r = 0; r < got.size(); ++r) {
      std::string want;
      if (!testing::MatchesPgText(expected_batch->columns[c], static_cast<int64_t>(r), got[r][c],
                                  &want) &&
          ++mismatches <= 10) {
        ADD_FAILURE() << "id " << *got[r][0] << " column " << schema[c].name << ": got "
                      << got[r][c].value_or("NULL") << ", want " << want;
      }
    }
  }
  EXPECT_EQ(mismatches, 0);

  // Nested columns, compared as jsonb values (key order and number spelling aside).
  std::vector<std::string> values;
  for (const auto& row : expected) {
    std::vector<std::string> cells = {std::to_string(row[0].i)};
    for (size_t c = schema.size() - 3; c < schema.size(); ++c) {
      cells.push_back(row[c].is_null()
                          ? "NULL::jsonb"
                          : SqlLiteral(ExpectedJson(row[c], schema[c].type)) + "::jsonb");
    }
    values.push_back(fmt::format("({})", fmt::join(cells, ",")));
  }
  auto nested_diff =
      Rows(fmt::format("SELECT t.id::text, t.st::text, e.st::text, t.arr::text, e.arr::text, "
                       "t.m::text, e.m::text FROM public.all_types t FULL JOIN (VALUES {}) "
                       "e(id, st, arr, m) ON t.id = e.id WHERE t.id IS NULL OR e.id IS NULL OR "
                       "t.st IS DISTINCT FROM e.st OR t.arr IS DISTINCT FROM e.arr OR t.m IS "
                       "DISTINCT FROM e.m ORDER BY 1 LIMIT 5",
                       fmt::join(values, ",")));
  for (const auto& d : nested_diff) {
    ADD_FAILURE() << "id " << d[0].value_or("?") << ": st " << d[1].value_or("NULL") << " vs "
                  << d[2].value_or("NULL") << "; arr " << d[3].value_or("NULL") << " vs "
                  << d[4].value_or("NULL") << "; m " << d[5].value_or("NULL") << " vs "
                  << d[6].value_or("NULL");
  }

  // The edges are really there, in both the snapshot (1, 2) and the incremental rows (1001,
  // 1002), as a user would look at them.
  for (int64_t id : {1, 1001}) {
    EXPECT_EQ(Scalar(fmt::format(
                  "SELECT concat_ws('|', i8, i16, i32, i64, f64, d9, d18, d38, dt, ts, ts_ntz) "
                  "FROM public.all_types WHERE id = {}",
                  id)),
              "-128|-32768|-2147483648|9223372036854775807|1.7976931348623157e+308|"
              "9999999.99|-999999999999.999999|9999999999999999999999999999.9999999999|"
              "0001-01-01|0001-01-01 00:00:00+00|9999-12-31 23:59:59.999999")
        << "id " << id;
  }
  for (int64_t id : {2, 1002}) {
    EXPECT_EQ(Scalar(fmt::format("SELECT num_nulls(b, i8, i16, i32, i64, f32, f64, d9, d18, d38, "
                                 "s, bin, dt, ts, ts_ntz, st, arr, m) FROM public.all_types "
                                 "WHERE id = {}",
                                 id)),
              "18");
  }
  EXPECT_EQ(Scalar("SELECT count(*) FILTER (WHERE f32 = 'NaN') > 0 AND count(*) FILTER (WHERE "
                   "f32 = 'Infinity') > 0 AND count(*) FILTER (WHERE f64 = '-Infinity') > 0 AND "
                   "count(*) FILTER (WHERE d38 < 0) > 0 AND count(*) FILTER (WHERE s ~ '日本語') "
                   "> 0 FROM public.all_types"),
            "t");
}

// ---- a source whose change data feed is switched off ----

TEST_F(SyncEdgeCaseTest, ChangeDataFeedSwitchedOffFailsNamingTheVersionAndFullRefreshRepairs) {
  auto table = CreateProfiles(200);
  ASSERT_TRUE(table);
  ASSERT_TRUE(table->Update({.every = 10}, {deltagen::SetExpr::Parse("score", "+1")}).ok());
  ASSERT_TRUE(engine_->Sync("gold.user_profiles").ok());  // version 1
  const std::string digest = TargetDigest();

  // Version 2: ALTER TABLE ... SET TBLPROPERTIES (delta.enableChangeDataFeed = false), as a
  // commit carrying a metaData action with the property false.
  deltagen::CommitSpec alter;
  alter.operation = "SET TBLPROPERTIES";
  auto version = table->writer().Commit(alter);
  ASSERT_TRUE(version.ok()) << version.status();
  ASSERT_EQ(*version, 2);
  auto first = fs_->ReadFile(Root() + "/_delta_log/00000000000000000000.json");
  ASSERT_TRUE(first.ok());
  const size_t m = first->find("{\"metaData\"");
  ASSERT_NE(m, std::string::npos);
  std::string metadata = first->substr(m, first->find('\n', m) - m);
  const std::string on = "\"delta.enableChangeDataFeed\":\"true\"";
  const size_t p = metadata.find(on);
  ASSERT_NE(p, std::string::npos) << metadata;
  metadata.replace(p, on.size(), "\"delta.enableChangeDataFeed\":\"false\"");
  const std::string log2 = Root() + "/_delta_log/00000000000000000002.json";
  auto commit2 = fs_->ReadFile(log2);
  ASSERT_TRUE(commit2.ok());
  ASSERT_TRUE(fs_->WriteFile(log2, *commit2 + metadata + "\n").ok());
  ASSERT_TRUE(table->Insert(5).ok());  // version 3

  auto run = engine_->Sync("gold.user_profiles");
  ASSERT_FALSE(run.ok());
  const std::string msg = run.status().ToString();
  EXPECT_NE(msg.find("version 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("SET TBLPROPERTIES (delta.enableChangeDataFeed = true)"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("full refresh of gold.user_profiles"), std::string::npos) << msg;
  EXPECT_NE(engine_->Get("gold.user_profiles")->message.find("version 2"), std::string::npos);
  ExpectFailedButOnline(digest, 1);

  // Switching the feed back on (version 4) does not bring back the changes of version 3: the
  // incremental sync still refuses, rather than skip them.
  deltagen::CommitSpec enable;
  enable.operation = "SET TBLPROPERTIES";
  ASSERT_TRUE(table->writer().Commit(enable).ok());
  const std::string log4 = Root() + "/_delta_log/00000000000000000004.json";
  auto commit4 = fs_->ReadFile(log4);
  ASSERT_TRUE(commit4.ok());
  ASSERT_TRUE(
      fs_->WriteFile(log4, *commit4 + first->substr(m, first->find('\n', m) - m) + "\n").ok());
  auto again = engine_->Sync("gold.user_profiles");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().message().find("not enabled at version 2"), std::string::npos)
      << again.status();
  ExpectFailedButOnline(digest, 1);

  ExpectFullRefreshRepairs(*table);
  // With the feed on again, incremental syncs go on from the refreshed version.
  ASSERT_TRUE(table->Delete({.every = 50}).ok());
  auto next = engine_->Sync("gold.user_profiles");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->mode, "INCREMENTAL");
  EXPECT_EQ(next->from_version, 5);
  EXPECT_EQ(next->rows_deleted, 4);
}

// ---- a log cleaned up past the last processed version ----

TEST_F(SyncEdgeCaseTest, TruncatedLogFailsNamingTheMissingVersionAndFullRefreshRepairs) {
  auto table = CreateProfiles(200);
  ASSERT_TRUE(table);
  ASSERT_TRUE(table->Delete({.every = 20}).ok());
  ASSERT_TRUE(engine_->Sync("gold.user_profiles").ok());  // version 1
  const std::string digest = TargetDigest();
  ASSERT_TRUE(table->Update({.every = 7}, {deltagen::SetExpr::Parse("name", "Renamed")}).ok());
  ASSERT_TRUE(table->Insert(10).ok());
  ASSERT_TRUE(table->Delete({.every = 9, .offset = 4}).ok());  // versions 2-4
  // Log cleanup: a checkpoint at 4, then the commits before it go.
  ASSERT_TRUE(table->writer().Checkpoint().ok());
  for (int v = 0; v < 4; ++v) {
    std::filesystem::remove(fmt::format("{}/_delta_log/{:020}.json", Root(), v));
  }
  ASSERT_TRUE(table->Insert(3).ok());  // version 5

  auto run = engine_->Sync("gold.user_profiles");
  ASSERT_FALSE(run.ok()) << "no change feed from version 2 exists; a silent skip loses rows";
  const std::string msg = run.status().ToString();
  EXPECT_NE(msg.find("version 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("00000000000000000002.json"), std::string::npos) << msg;
  EXPECT_NE(msg.find("full refresh"), std::string::npos) << msg;
  ExpectFailedButOnline(digest, 1);
  ExpectFullRefreshRepairs(*table);
  // Incremental syncs go on from the refreshed version.
  ASSERT_TRUE(table->Insert(2).ok());
  auto next = engine_->Sync("gold.user_profiles");
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->mode, "INCREMENTAL");
  EXPECT_EQ(next->rows_inserted, 2);
}

// ---- a vacuumed change-data file ----

TEST_F(SyncEdgeCaseTest, VacuumedChangeFileFailsNamingItAndKeepsTheLastGoodRows) {
  auto table = CreateProfiles(200);
  ASSERT_TRUE(table);
  const std::string digest = TargetDigest();
  ASSERT_TRUE(table->Update({.every = 10}, {deltagen::SetExpr::Parse("score", "+1")}).ok());
  std::vector<std::filesystem::path> cdc;
  for (const auto& e : std::filesystem::recursive_directory_iterator(Root() + "/_change_data")) {
    if (e.is_regular_file()) cdc.push_back(e.path());
  }
  ASSERT_FALSE(cdc.empty()) << "the update wrote no change-data file";
  std::filesystem::remove(cdc[0]);

  auto run = engine_->Sync("gold.user_profiles");
  ASSERT_FALSE(run.ok());
  const std::string msg = run.status().ToString();
  EXPECT_NE(msg.find(cdc[0].filename().string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("version 1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("full refresh"), std::string::npos) << msg;
  ExpectFailedButOnline(digest, 0);
  ExpectFullRefreshRepairs(*table);
}

}  // namespace
}  // namespace lakesync::sync
