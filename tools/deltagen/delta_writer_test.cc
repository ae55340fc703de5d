#include "deltagen/delta_writer.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <limits>
#include <map>
#include <set>

#include "deltagen/scenario.h"
#include "deltagen/test_util.h"
#include "deltagen/user_profiles.h"

namespace lakesync::deltagen {
namespace {

using testing::MakeField;
using testing::ReadRows;
using testing::TempDir;

std::shared_ptr<storage::FileSystem> LocalFs() {
  return std::make_shared<storage::LocalFileSystem>();
}

// The actions of one commit file, each as its minified JSON with the action name.
struct Action {
  std::string kind;
  std::string json;
};

std::vector<Action> ReadCommit(const std::string& table, int64_t version) {
  storage::LocalFileSystem fs;
  auto text = fs.ReadFile(table + "/_delta_log/" + fmt::format("{:020d}.json", version));
  EXPECT_TRUE(text.ok()) << text.status();
  std::vector<Action> out;
  if (!text.ok()) return out;
  simdjson::dom::parser parser;
  size_t pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    EXPECT_NE(nl, std::string::npos) << "every action ends with a newline";
    if (nl == std::string::npos) break;
    const std::string line = text->substr(pos, nl - pos);
    pos = nl + 1;
    simdjson::dom::element doc;
    EXPECT_EQ(parser.parse(line).get(doc), simdjson::SUCCESS) << line;
    simdjson::dom::object obj;
    EXPECT_EQ(doc.get(obj), simdjson::SUCCESS);
    EXPECT_EQ(obj.size(), 1u) << "one action per line";
    for (auto [k, v] : obj) out.push_back({std::string(k), simdjson::minify(v)});
  }
  return out;
}

std::vector<Action> OfKind(const std::vector<Action>& actions, const std::string& kind) {
  std::vector<Action> out;
  for (const Action& a : actions) {
    if (a.kind == kind) out.push_back(a);
  }
  return out;
}

simdjson::dom::element Parse(simdjson::dom::parser& p, const std::string& json) {
  simdjson::dom::element e;
  EXPECT_EQ(p.parse(json).get(e), simdjson::SUCCESS) << json;
  return e;
}

std::string Str(simdjson::dom::element e) {
  std::string_view s;
  return e.get(s) == simdjson::SUCCESS ? std::string(s) : std::string("<not a string>");
}

int64_t Int(simdjson::dom::element e) {
  int64_t v = -1;
  EXPECT_EQ(e.get(v), simdjson::SUCCESS);
  return v;
}

TEST(DeltaTableWriterTest, CreateWritesProtocolMetadataAndAddsWithStats) {
  TempDir dir;
  const std::string root = dir.Join("t");
  auto t = Scenario::UserProfiles(1000).Files(2).Run(LocalFs(), root);
  ASSERT_TRUE(t.ok()) << t.status();
  const auto actions = ReadCommit(root, 0);
  ASSERT_FALSE(actions.empty());
  EXPECT_EQ(actions[0].kind, "commitInfo");
  simdjson::dom::parser p;
  const auto protocol = OfKind(actions, "protocol");
  ASSERT_EQ(protocol.size(), 1u);
  EXPECT_EQ(Int(Parse(p, protocol[0].json)["minReaderVersion"]), 1);
  EXPECT_EQ(Int(Parse(p, protocol[0].json)["minWriterVersion"]), 4);
  const auto md = OfKind(actions, "metaData");
  ASSERT_EQ(md.size(), 1u);
  {
    auto e = Parse(p, md[0].json);
    EXPECT_EQ(Str(e["configuration"]["delta.enableChangeDataFeed"]), "true");
    EXPECT_EQ(Str(e["format"]["provider"]), "parquet");
    const std::string schema = Str(e["schemaString"]);
    simdjson::dom::parser p2;
    auto s = Parse(p2, schema);
    simdjson::dom::array fields;
    ASSERT_EQ(s["fields"].get(fields), simdjson::SUCCESS);
    EXPECT_EQ(fields.size(), 9u);
    EXPECT_EQ(Str(fields.at(0)["name"]), "user_id");
    EXPECT_EQ(Str(fields.at(0)["type"]), "long");
    EXPECT_EQ(Str(fields.at(8)["type"]), "decimal(12,2)");
  }
  const auto adds = OfKind(actions, "add");
  ASSERT_EQ(adds.size(), 2u);
  int64_t records = 0;
  for (const Action& a : adds) {
    auto e = Parse(p, a.json);
    const std::string path = Str(e["path"]);
    EXPECT_EQ(std::filesystem::file_size(root + "/" + path),
              static_cast<uintmax_t>(Int(e["size"])));
    bool data_change = false;
    ASSERT_EQ(e["dataChange"].get(data_change), simdjson::SUCCESS);
    EXPECT_TRUE(data_change);
    EXPECT_GT(Int(e["modificationTime"]), 0);
    simdjson::dom::parser p2;
    auto stats = Parse(p2, Str(e["stats"]));
    records += Int(stats["numRecords"]);
    EXPECT_EQ(Int(stats["nullCount"]["user_id"]), 0);
    EXPECT_GE(Int(stats["minValues"]["user_id"]), 1);
    EXPECT_LE(Int(stats["maxValues"]["user_id"]), 1000);
    EXPECT_FALSE(Str(stats["minValues"]["created_at"]).empty());
    auto rows = ReadRows(root + "/" + path);
    ASSERT_TRUE(rows.ok()) << rows.status();
    EXPECT_EQ(static_cast<int64_t>(rows->size()), Int(stats["numRecords"]));
  }
  EXPECT_EQ(records, 1000);
}

TEST(DeltaTableWriterTest, CdfUpdateWritesPreAndPostImages) {
  TempDir dir;
  const std::string root = dir.Join("t");
  auto t = Scenario::UserProfiles(1000)
               .Files(2)
               .Update(100, {SetExpr::Parse("score", "+1"), SetExpr::Parse("country", "XX")})
               .Run(LocalFs(), root);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->version(), 1);
  const auto actions = ReadCommit(root, 1);
  EXPECT_EQ(actions[0].kind, "commitInfo");
  EXPECT_EQ(OfKind(actions, "remove").size(), 2u);
  EXPECT_EQ(OfKind(actions, "add").size(), 2u);
  const auto cdcs = OfKind(actions, "cdc");
  ASSERT_EQ(cdcs.size(), 2u);
  simdjson::dom::parser p;
  {
    auto rm = Parse(p, OfKind(actions, "remove")[0].json);
    bool ext = false;
    EXPECT_EQ(rm["extendedFileMetadata"].get(ext), simdjson::SUCCESS);
    EXPECT_TRUE(ext);
    EXPECT_GT(Int(rm["deletionTimestamp"]), 0);
    EXPECT_GT(Int(rm["size"]), 0);
  }
  std::map<int64_t, std::vector<Value>> pre, post;
  for (const Action& a : cdcs) {
    auto e = Parse(p, a.json);
    const std::string path = Str(e["path"]);
    EXPECT_EQ(path.rfind("_change_data/", 0), 0u);
    bool data_change = true;
    ASSERT_EQ(e["dataChange"].get(data_change), simdjson::SUCCESS);
    EXPECT_FALSE(data_change);
    auto rows = ReadRows(root + "/" + path);
    ASSERT_TRUE(rows.ok()) << rows.status();
    for (const auto& row : *rows) {
      ASSERT_EQ(row.size(), 10u);  // 9 columns + _change_type
      const int64_t id = row[0].i;
      EXPECT_EQ(id % 100, 0);
      if (row[9].s == "update_preimage") {
        pre[id] = row;
      } else {
        ASSERT_EQ(row[9].s, "update_postimage");
        post[id] = row;
      }
    }
  }
  ASSERT_EQ(pre.size(), 10u);
  ASSERT_EQ(post.size(), 10u);
  for (const auto& [id, before] : pre) {
    const auto& after = post[id];
    EXPECT_EQ(after[3].s, "XX");
    if (before[5].is_null()) {
      EXPECT_TRUE(after[5].is_null());
    } else {
      EXPECT_DOUBLE_EQ(after[5].d, before[5].d + 1);
    }
    EXPECT_EQ(after[1].s, before[1].s);
  }
  // The rewritten data files hold every row once, with the update applied.
  int64_t rows_now = 0;
  for (const auto& [path, add] : (*t)->writer().active_files()) {
    auto rows = ReadRows(root + "/" + path);
    ASSERT_TRUE(rows.ok());
    for (const auto& row : *rows) {
      if (row[0].i % 100 == 0) {
        EXPECT_EQ(row[3].s, "XX");
      }
    }
    rows_now += static_cast<int64_t>(rows->size());
  }
  EXPECT_EQ(rows_now, 1000);
}

TEST(DeltaTableWriterTest, DeleteRewritesFilesAndWritesDeleteRows) {
  TempDir dir;
  const std::string root = dir.Join("t");
  auto t = Scenario::UserProfiles(1000).Files(4).Delete(250).Run(LocalFs(), root);
  ASSERT_TRUE(t.ok()) << t.status();
  const auto actions = ReadCommit(root, 1);
  simdjson::dom::parser p;
  EXPECT_EQ(Str(Parse(p, actions[0].json)["operation"]), "DELETE");
  int deleted = 0;
  for (const Action& a : OfKind(actions, "cdc")) {
    auto rows = ReadRows(root + "/" + Str(Parse(p, a.json)["path"]));
    ASSERT_TRUE(rows.ok());
    for (const auto& row : *rows) {
      EXPECT_EQ(row.back().s, "delete");
      EXPECT_EQ(row[0].i % 250, 0);
      ++deleted;
    }
  }
  EXPECT_EQ(deleted, 4);
  auto count = (*t)->CountRows();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 996);
}

TEST(DeltaTableWriterTest, NoCdfMeansNoChangeData) {
  TempDir dir;
  const std::string root = dir.Join("t");
  auto t = Scenario::UserProfiles(500)
               .Cdf(false)
               .Update(10, {SetExpr::Parse("age", "+1")})
               .Delete(7)
               .Run(LocalFs(), root);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_TRUE(OfKind(ReadCommit(root, 1), "cdc").empty());
  EXPECT_TRUE(OfKind(ReadCommit(root, 2), "cdc").empty());
  EXPECT_FALSE(std::filesystem::exists(root + "/_change_data"));
  simdjson::dom::parser p;
  EXPECT_EQ(Int(Parse(p, OfKind(ReadCommit(root, 0), "protocol")[0].json)["minWriterVersion"]), 2);
}

TEST(DeltaTableWriterTest, StateMatchesDataFilesAfterManyCommits) {
  TempDir dir;
  const std::string root = dir.Join("t");
  auto t = Scenario::UserProfiles(3000)
               .Files(3)
               .Update(7, {SetExpr::Parse("score", "*2"), SetExpr::Parse("is_active", "!")})
               .Delete(11)
               .Insert(200, 2)
               .Update(5, {SetExpr::Parse("name", "null"), SetExpr::Parse("balance", "+0.5")})
               .Delete(13, 1)
               .Run(LocalFs(), root);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->version(), 5);
  // Expected rows re-derived from the generator vs what the data files hold.
  auto expected_batches = (*t)->CurrentRows();
  ASSERT_TRUE(expected_batches.ok());
  std::map<int64_t, std::vector<Value>> expected, actual;
  for (const ColumnBatch& b : *expected_batches) {
    for (uint32_t r : *b.selection) {
      std::vector<Value> row;
      for (const ColumnVector& c : b.columns) row.push_back(GetValue(c, r));
      expected[row[0].i] = row;
    }
  }
  for (const auto& [path, add] : (*t)->writer().active_files()) {
    auto rows = ReadRows(root + "/" + path);
    ASSERT_TRUE(rows.ok()) << rows.status();
    for (auto& row : *rows) actual[row[0].i] = row;
  }
  ASSERT_EQ(expected.size(), actual.size());
  for (const auto& [id, row] : expected) {
    ASSERT_TRUE(actual.count(id)) << id;
    testing::ExpectRowsEqual({row}, {actual[id]});
    if (id <= 3000) {
      EXPECT_NE(id % 11, 0) << "deleted row survived";  // inserts came after the delete
    }
  }
  EXPECT_TRUE(actual.count(3001));  // inserted
  EXPECT_TRUE(actual.count(3200));
}

TEST(DeltaTableWriterTest, ReopenFromStateAndCommitAgain) {
  TempDir dir;
  const std::string root = dir.Join("t");
  {
    auto t = Scenario::UserProfiles(800)
                 .Files(2)
                 .Update(3, {SetExpr::Parse("age", "=33")})
                 .Run(LocalFs(), root);
    ASSERT_TRUE(t.ok()) << t.status();
  }
  auto t = UserProfilesTable::Open(LocalFs(), root);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ((*t)->version(), 1);
  ASSERT_EQ((*t)->ops().size(), 1u);
  EXPECT_EQ((*t)->ops()[0].set[0].kind, SetExpr::Kind::kLiteralNumber);
  auto v = (*t)->Delete({2, 0});
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(*v, 2);
  auto count = (*t)->CountRows();
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 400);
  // Another writer's commit makes the state stale.
  storage::LocalFileSystem fs;
  ASSERT_TRUE(fs.WriteFile(root + "/_delta_log/00000000000000000003.json",
                           "{\"commitInfo\":{\"timestamp\":1}}\n")
                  .ok());
  auto stale = UserProfilesTable::Open(LocalFs(), root);
  EXPECT_TRUE(stale.status().IsConflict()) << stale.status();
}

TEST(DeltaTableWriterTest, PartitionedByCountry) {
  TempDir dir;
  const std::string root = dir.Join("t");
  auto t = Scenario::UserProfiles(2000)
               .Files(2)
               .PartitionBy("country")
               .Update(10, {SetExpr::Parse("score", "+5")})
               .Run(LocalFs(), root);
  ASSERT_TRUE(t.ok()) << t.status();
  simdjson::dom::parser p;
  const auto v0 = ReadCommit(root, 0);
  auto md = Parse(p, OfKind(v0, "metaData")[0].json);
  simdjson::dom::array pcols;
  ASSERT_EQ(md["partitionColumns"].get(pcols), simdjson::SUCCESS);
  ASSERT_EQ(pcols.size(), 1u);
  EXPECT_EQ(Str(pcols.at(0)), "country");
  bool saw_null = false;
  int64_t total = 0;
  for (const Action& a : OfKind(v0, "add")) {
    auto e = Parse(p, a.json);
    const std::string path = Str(e["path"]);
    simdjson::dom::element pv = e["partitionValues"]["country"];
    if (pv.is_null()) {
      saw_null = true;
      EXPECT_EQ(path.rfind("country=__HIVE_DEFAULT_PARTITION__/", 0), 0u) << path;
    } else {
      EXPECT_EQ(path.rfind("country=" + Str(pv) + "/", 0), 0u) << path;
    }
    auto reader = testing::OpenParquet(root + "/" + path);
    ASSERT_TRUE(reader.ok());
    EXPECT_EQ((*reader)->schema().size(), 8u) << "partition column stays out of the file";
    total += (*reader)->num_rows();
  }
  EXPECT_TRUE(saw_null);
  EXPECT_EQ(total, 2000);
  const auto v1 = ReadCommit(root, 1);
  for (const Action& a : OfKind(v1, "cdc")) {
    const std::string path = Str(Parse(p, a.json)["path"]);
    EXPECT_EQ(path.rfind("_change_data/country=", 0), 0u) << path;
  }
  // Updating the partition column is refused.
  auto bad = (*t)->Update({2, 0}, {SetExpr::Parse("country", "ZZ")});
  EXPECT_TRUE(bad.status().IsNotSupported());
}

TEST(DeltaTableWriterTest, CheckpointHoldsTheSnapshot) {
  TempDir dir;
  const std::string root = dir.Join("t");
  auto t =
      Scenario::UserProfiles(600).Files(3).Delete(100).Insert(50).Checkpoint().Run(LocalFs(), root);
  ASSERT_TRUE(t.ok()) << t.status();
  const int64_t v = (*t)->version();
  EXPECT_EQ(v, 2);
  storage::LocalFileSystem fs;
  auto last = fs.ReadFile(root + "/_delta_log/_last_checkpoint");
  ASSERT_TRUE(last.ok());
  simdjson::dom::parser p;
  auto e = Parse(p, *last);
  EXPECT_EQ(Int(e["version"]), 2);
  const size_t adds = (*t)->writer().active_files().size();
  auto rows = ReadRows(root + "/_delta_log/00000000000000000002.checkpoint.parquet");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(Int(e["size"]), static_cast<int64_t>(rows->size()));
  // Columns: txn, add, remove, metaData, protocol.
  size_t n_add = 0, n_remove = 0, n_md = 0, n_protocol = 0;
  for (const auto& row : *rows) {
    ASSERT_EQ(row.size(), 5u);
    n_add += !row[1].is_null();
    n_remove += !row[2].is_null();
    n_md += !row[3].is_null();
    n_protocol += !row[4].is_null();
    if (!row[1].is_null()) {
      const std::string path = row[1].items[0].s;
      EXPECT_TRUE((*t)->writer().active_files().count(path)) << path;
      EXPECT_EQ(row[1].items[1].kind, Value::Kind::kMap);
    }
    if (!row[3].is_null()) {
      EXPECT_EQ(row[3].items[4].s.rfind("{\"type\":\"struct\"", 0), 0u);
      // configuration map holds the CDF flag
      ASSERT_EQ(row[3].items[6].items.size(), 2u);
      EXPECT_EQ(row[3].items[6].items[0].s, "delta.enableChangeDataFeed");
    }
  }
  EXPECT_EQ(n_add, adds);
  EXPECT_EQ(n_remove, 3u);
  EXPECT_EQ(n_md, 1u);
  EXPECT_EQ(n_protocol, 1u);
}

TEST(DeltaTableWriterTest, GenericTableWithNestedAndNtzColumns) {
  TempDir dir;
  const std::string root = dir.Join("g");
  DeltaTableOptions o;
  o.name = "generic";
  o.schema = {
      MakeField("id", DataType::Primitive(TypeId::kInt32), false),
      MakeField("part", DataType::Primitive(TypeId::kDate)),
      MakeField("ts", DataType::Timestamp(TimeUnit::kMicros, false)),
      MakeField("s", DataType::Struct({MakeField("x", DataType::Primitive(TypeId::kInt64))})),
      MakeField("tags",
                DataType::List(MakeField("element", DataType::Primitive(TypeId::kString))))};
  o.partition_columns = {"part"};
  o.clock_ms = 1'700'000'000'000;
  auto w = DeltaTableWriter::Create(LocalFs(), root, o);
  ASSERT_TRUE(w.ok()) << w.status();
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 20; ++i) {
    rows.push_back({Value::Int(i), i % 4 == 3 ? Value::Null() : Value::Int(19000 + i % 2),
                    Value::Int(1'000'000LL * i), Value::Struct({Value::Int(i * 2)}),
                    Value::List({Value::String("t" + std::to_string(i))})});
  }
  auto batch = BuildBatch(o.schema, rows);
  ASSERT_TRUE(batch.ok());
  auto adds = (*w)->WritePartitioned(std::move(*batch));
  ASSERT_TRUE(adds.ok()) << adds.status();
  EXPECT_EQ(adds->size(), 3u);  // 2022-01-08, 2022-01-09, null
  CommitSpec commit;
  commit.adds = *adds;
  ASSERT_TRUE((*w)->Commit(commit).ok());
  const auto actions = ReadCommit(root, 0);
  simdjson::dom::parser p;
  auto protocol = Parse(p, OfKind(actions, "protocol")[0].json);
  EXPECT_EQ(Int(protocol["minReaderVersion"]), 3);
  EXPECT_EQ(Int(protocol["minWriterVersion"]), 7);
  std::set<std::string> dirs;
  for (const AddAction& a : *adds) dirs.insert(a.path.substr(0, a.path.find('/')));
  EXPECT_TRUE(dirs.count("part=2022-01-08"));
  EXPECT_TRUE(dirs.count("part=__HIVE_DEFAULT_PARTITION__"));
  // Nested struct stats are nested objects.
  auto stats = Parse(p, (*adds)[0].stats);
  EXPECT_GE(Int(stats["minValues"]["s"]["x"]), 0);
  EXPECT_EQ(Str(stats["minValues"]["ts"]).size(), 23u);  // no zone for timestamp_ntz
  ASSERT_TRUE((*w)->Checkpoint(2).ok());
  EXPECT_TRUE(std::filesystem::exists(
      root + "/_delta_log/00000000000000000000.checkpoint.0000000001.0000000002.parquet"));
}

TEST(DeltaTextTest, DatesTimestampsAndPartitionValues) {
  EXPECT_EQ(FormatDate(0), "1970-01-01");
  EXPECT_EQ(FormatDate(-1), "1969-12-31");
  EXPECT_EQ(FormatDate(-719162), "0001-01-01");
  EXPECT_EQ(FormatTimestamp(-1, true, true, 3), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimestamp(1'500'000, false, true, 3), "1970-01-01T00:00:01.500");
  EXPECT_EQ(FormatTimestamp(1, true, false, 6), "1970-01-01 00:00:00.000001");
  auto batch = BuildBatch({MakeField("d", DataType::Decimal(5, 2)),
                           MakeField("b", DataType::Primitive(TypeId::kBoolean)),
                           MakeField("t", DataType::Timestamp(TimeUnit::kMicros, true))},
                          {{Value::Decimal(-5), Value::Bool(true), Value::Int(86'400'000'001)},
                           {Value::Null(), Value::Null(), Value::Null()}});
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(PartitionValueString(batch->columns[0], 0), "-0.05");
  EXPECT_EQ(PartitionValueString(batch->columns[1], 0), "true");
  EXPECT_EQ(PartitionValueString(batch->columns[2], 0), "1970-01-02T00:00:00.000001Z");
  EXPECT_EQ(PartitionValueString(batch->columns[0], 1), std::nullopt);
}

TEST(DeltaTextTest, StatsJsonKeepsDeltaTypesAndBoundsTimestamps) {
  TempDir dir;
  const std::vector<Field> schema = {
      MakeField("i", DataType::Primitive(TypeId::kInt32)),
      MakeField("d", DataType::Decimal(12, 2)),
      MakeField("big", DataType::Decimal(30, 3)),
      MakeField("dt", DataType::Primitive(TypeId::kDate)),
      MakeField("ts", DataType::Timestamp(TimeUnit::kMicros, true)),
      MakeField("s", DataType::Primitive(TypeId::kString)),
      MakeField("flag", DataType::Primitive(TypeId::kBoolean)),
      MakeField("x", DataType::Primitive(TypeId::kFloat64)),
      MakeField("st", DataType::Struct({MakeField("a", DataType::Primitive(TypeId::kInt64))})),
      MakeField("l", DataType::List(MakeField("element", DataType::Primitive(TypeId::kInt32))))};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto batch = BuildBatch(
      schema, {{Value::Int(-3), Value::Decimal(-12345), Value::Decimal(-1), Value::Int(-1),
                Value::Int(1'000'500), Value::String("a\"b"), Value::Bool(true), Value::Double(nan),
                Value::Struct({Value::Int(7)}), Value::List({Value::Int(1)})},
               {Value::Int(9), Value::Decimal(5), Value::Decimal(Int128(1) << 80),
                Value::Int(19000), Value::Int(2'000'001), Value::String("zz"), Value::Null(),
                Value::Double(nan), Value::Null(), Value::Null()}});
  ASSERT_TRUE(batch.ok());
  storage::LocalFileSystem fs;
  auto summary = WriteParquetFile(fs, dir.Join("s.parquet"), schema, {&*batch}, {});
  ASSERT_TRUE(summary.ok()) << summary.status();
  const std::string json = StatsJson(*summary);
  simdjson::dom::parser p;
  auto e = Parse(p, json);
  EXPECT_EQ(Int(e["numRecords"]), 2);
  EXPECT_EQ(Int(e["minValues"]["i"]), -3);
  EXPECT_EQ(Int(e["maxValues"]["i"]), 9);
  double d = 0;
  ASSERT_EQ(e["minValues"]["d"].get(d), simdjson::SUCCESS);
  EXPECT_DOUBLE_EQ(d, -123.45);
  EXPECT_NE(json.find("\"big\":-0.001"), std::string::npos) << json;
  EXPECT_NE(json.find("\"big\":1208925819614629174706.176"), std::string::npos) << json;
  EXPECT_EQ(Str(e["minValues"]["dt"]), "1969-12-31");
  EXPECT_EQ(Str(e["minValues"]["ts"]), "1970-01-01T00:00:01.000Z");
  EXPECT_EQ(Str(e["maxValues"]["ts"]), "1970-01-01T00:00:02.001Z");  // rounded up
  EXPECT_EQ(Str(e["minValues"]["s"]), "a\"b");
  EXPECT_EQ(Int(e["minValues"]["st"]["a"]), 7);
  EXPECT_EQ(Int(e["nullCount"]["st"]["a"]), 1);
  EXPECT_EQ(Int(e["nullCount"]["flag"]), 1);
  simdjson::dom::element unused;
  EXPECT_NE(e["minValues"]["flag"].get(unused), simdjson::SUCCESS) << "no min/max for booleans";
  EXPECT_NE(e["minValues"]["x"].get(unused), simdjson::SUCCESS) << "all NaN: no bounds";
  EXPECT_NE(e["nullCount"]["l"].get(unused), simdjson::SUCCESS) << "no stats inside lists";
}

TEST(DeltaTextTest, LongStringStatsKeepA32CharacterPrefix) {
  TempDir dir;
  const std::vector<Field> schema = {MakeField("s", DataType::Primitive(TypeId::kString))};
  const std::string long_value = "ä" + std::string(40, 'x');
  auto batch = BuildBatch(schema, {{Value::String(long_value)}, {Value::String("b")}});
  ASSERT_TRUE(batch.ok());
  storage::LocalFileSystem fs;
  auto summary = WriteParquetFile(fs, dir.Join("s.parquet"), schema, {&*batch}, {});
  ASSERT_TRUE(summary.ok());
  auto batch2 = BuildBatch(schema, {{Value::String(long_value)}});
  ASSERT_TRUE(batch2.ok());
  auto summary2 = WriteParquetFile(fs, dir.Join("s2.parquet"), schema, {&*batch2}, {});
  ASSERT_TRUE(summary2.ok());
  simdjson::dom::parser p;
  auto e = Parse(p, StatsJson(*summary));
  EXPECT_EQ(Str(e["minValues"]["s"]), "b");  // "b" < "ä..." bytewise
  simdjson::dom::element cut;
  EXPECT_NE(e["maxValues"]["s"].get(cut), simdjson::SUCCESS) << "a cut max is no bound";
  auto e2 = Parse(p, StatsJson(*summary2));
  EXPECT_EQ(Str(e2["minValues"]["s"]), "ä" + std::string(31, 'x'));
  simdjson::dom::element unused;
  EXPECT_NE(e2["maxValues"]["s"].get(unused), simdjson::SUCCESS);
}

TEST(ScenarioTest, ParsesTheCompactFormat) {
  auto s = ParseScenario(R"({"table":"user_profiles","rows":100000,"files":4,"codec":"zstd",
    "cdf":true,"commits":[{"update":{"every":100,"set":{"score":"+1","age":30,"name":null,
    "is_active":false}}},{"delete":{"every":1000,"offset":7}},{"insert":{"rows":500}},
    {"checkpoint":true}]})");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->table.rows, 100000);
  EXPECT_EQ(s->table.files, 4);
  EXPECT_EQ(s->table.parquet.codec, parquet::CompressionCodec::ZSTD);
  ASSERT_EQ(s->commits.size(), 4u);
  EXPECT_EQ(s->commits[0].set.size(), 4u);
  EXPECT_EQ(s->commits[0].set[0].kind, SetExpr::Kind::kAdd);
  EXPECT_EQ(s->commits[0].set[1].kind, SetExpr::Kind::kLiteralNumber);
  EXPECT_EQ(s->commits[0].set[2].kind, SetExpr::Kind::kNull);
  EXPECT_EQ(s->commits[0].set[3].kind, SetExpr::Kind::kLiteralBool);
  EXPECT_EQ(s->commits[1].where.offset, 7);
  EXPECT_EQ(s->commits[2].rows, 500);
  EXPECT_EQ(s->commits[3].kind, ScenarioCommit::Kind::kCheckpoint);
}

TEST(ScenarioTest, RejectsUnknownKeysAndBadCommits) {
  EXPECT_TRUE(ParseScenario(R"({"rowz":1})").status().IsInvalidArgument());
  EXPECT_TRUE(ParseScenario(R"({"table":"orders"})").status().IsInvalidArgument());
  EXPECT_TRUE(ParseScenario(R"({"commits":[{"delete":{}}]})").status().IsInvalidArgument());
  EXPECT_TRUE(ParseScenario(R"({"commits":[{"merge":{}}]})").status().IsInvalidArgument());
  EXPECT_TRUE(ParseScenario(R"({"codec":"lzo"})").status().IsInvalidArgument());
  EXPECT_TRUE(ParseScenario("{").status().IsInvalidArgument());
}

TEST(UserProfilesTest, UpdatesOutOfTheColumnRangeAreRefused) {
  TempDir dir;
  auto t = Scenario::UserProfiles(100).Run(LocalFs(), dir.Join("t"));
  ASSERT_TRUE(t.ok());
  // balance is decimal(12,2): at most 9999999999.99
  EXPECT_TRUE((*t)->Update({1, 0}, {SetExpr::Parse("balance", "*1000000000")})
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(
      (*t)->Update({1, 0}, {SetExpr::Parse("age", "+3000000000")}).status().IsInvalidArgument());
  EXPECT_EQ((*t)->version(), 0);
  EXPECT_TRUE((*t)->ops().empty());
  auto ok = (*t)->Update({1, 0}, {SetExpr::Parse("balance", "=-12.5")});
  ASSERT_TRUE(ok.ok()) << ok.status();
}

TEST(UserProfilesTest, GeneratorIsDeterministicWithNulls) {
  ColumnBatch a = GenerateUserProfiles(1, 10001, 42);
  ColumnBatch b = GenerateUserProfiles(5001, 10001, 42);
  ColumnBatch c = GenerateUserProfiles(1, 10001, 43);
  for (size_t col = 0; col < a.columns.size(); ++col) {
    for (int64_t r = 0; r < 5000; ++r) {
      ASSERT_TRUE(
          testing::ValueEq(GetValue(a.columns[col], 5000 + r), GetValue(b.columns[col], r)));
    }
  }
  EXPECT_FALSE(testing::ValueEq(GetValue(a.columns[1], 0), GetValue(c.columns[1], 0)) &&
               testing::ValueEq(GetValue(a.columns[2], 0), GetValue(c.columns[2], 0)) &&
               testing::ValueEq(GetValue(a.columns[5], 0), GetValue(c.columns[5], 0)));
  EXPECT_FALSE(a.columns[0].has_nulls());
  for (int col : {1, 2, 3, 4, 5, 8}) {
    int nulls = 0;
    for (int64_t r = 0; r < a.num_rows; ++r) nulls += a.columns[col].IsNull(r);
    EXPECT_GT(nulls, 50) << col;
    EXPECT_LT(nulls, 700) << col;
  }
  std::set<std::string> countries;
  for (int64_t r = 0; r < a.num_rows; ++r) {
    if (a.columns[3].IsValid(r)) countries.insert(std::string(a.columns[3].StringValue(r)));
  }
  EXPECT_LE(countries.size(), 20u);
}

}  // namespace
}  // namespace lakesync::deltagen
