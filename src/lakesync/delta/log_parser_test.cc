#include "lakesync/delta/log_parser.h"

#include <gtest/gtest.h>

#include "lakesync/delta/schema.h"

namespace lakesync::delta {
namespace {

TEST(LogParserTest, ParsesEveryActionKind) {
  const std::string log =
      R"({"commitInfo":{"timestamp":10,"operation":"WRITE","inCommitTimestamp":11}}
{"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors","domainMetadata"]}}
{"metaData":{"id":"abc","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[]}","partitionColumns":["p"],"configuration":{"delta.enableChangeDataFeed":"true"},"createdTime":5}}
{"add":{"path":"p=a%20b/f%25.parquet","partitionValues":{"p":"a b","q":null},"size":100,"modificationTime":7,"dataChange":true,"stats":"{\"numRecords\":4}","tags":{"k":"v"},"baseRowId":9,"deletionVector":{"storageType":"i","pathOrInlineDv":"wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L","sizeInBytes":40,"cardinality":6}}}
{"remove":{"path":"old.parquet","deletionTimestamp":8,"dataChange":false}}
{"cdc":{"path":"_change_data/c.parquet","partitionValues":{},"size":3,"dataChange":false}}
{"txn":{"appId":"app","version":42}}
{"domainMetadata":{"domain":"delta.rowTracking","configuration":"{}","removed":false}}
{"someFutureAction":{"x":1}}

)";
  auto actions = ParseActions(log, "00000000000000000000.json");
  ASSERT_TRUE(actions.ok()) << actions.status();
  ASSERT_EQ(actions->size(), 8u);
  const auto& info = std::get<CommitInfo>((*actions)[0]);
  EXPECT_EQ(info.in_commit_timestamp, 11);
  EXPECT_EQ(info.operation, "WRITE");
  const auto& protocol = std::get<Protocol>((*actions)[1]);
  EXPECT_TRUE(protocol.HasReaderFeature("deletionVectors"));
  EXPECT_TRUE(protocol.HasWriterFeature("domainMetadata"));
  const auto& metadata = std::get<Metadata>((*actions)[2]);
  EXPECT_EQ(metadata.partition_columns, std::vector<std::string>{"p"});
  EXPECT_EQ(metadata.configuration.at("delta.enableChangeDataFeed"), "true");
  EXPECT_EQ(metadata.created_time, 5);
  const auto& add = std::get<AddFile>((*actions)[3]);
  EXPECT_EQ(add.path, "p=a b/f%.parquet");
  EXPECT_EQ(add.partition_values.at("p"), "a b");
  EXPECT_EQ(add.partition_values.at("q"), std::nullopt);
  EXPECT_EQ(add.base_row_id, 9);
  ASSERT_TRUE(add.deletion_vector.has_value());
  EXPECT_EQ(add.deletion_vector->cardinality, 6);
  EXPECT_EQ(*add.NumRecords(), 4);
  const auto& remove = std::get<RemoveFile>((*actions)[4]);
  EXPECT_FALSE(remove.data_change);
  EXPECT_EQ(std::get<AddCDCFile>((*actions)[5]).path, "_change_data/c.parquet");
  EXPECT_EQ(std::get<SetTransaction>((*actions)[6]).version, 42);
  EXPECT_EQ(std::get<DomainMetadata>((*actions)[7]).domain, "delta.rowTracking");
}

TEST(LogParserTest, MalformedJsonNamesFileAndLine) {
  auto actions = ParseActions("{\"txn\":{\"appId\":\"a\",\"version\":1}}\n{\"add\":", "v1.json");
  ASSERT_TRUE(actions.status().IsCorruption());
  EXPECT_NE(actions.status().message().find("v1.json: line 2"), std::string::npos)
      << actions.status();
}

TEST(LogParserTest, WrongFieldTypeIsCorruption) {
  auto actions = ParseActions(R"({"add":{"path":"a","size":"big"}})", "v.json");
  ASSERT_TRUE(actions.status().IsCorruption());
  EXPECT_NE(actions.status().message().find("add.size"), std::string::npos) << actions.status();
  auto no_path = ParseActions(R"({"remove":{"deletionTimestamp":1}})", "v.json");
  EXPECT_TRUE(no_path.status().IsCorruption());
  auto bad_escape = ParseActions(R"({"add":{"path":"a%zz"}})", "v.json");
  EXPECT_TRUE(bad_escape.status().IsCorruption());
}

TEST(LogParserTest, PrettyPrintedActionsAreAccepted) {
  auto actions = ParseActions(
      "{\n  \"txn\": {\n    \"appId\": \"a\",\n    \"version\": 1\n  }\n}\n"
      "{\n  \"txn\": {\"appId\": \"b\", \"version\": 2}\n}\n",
      "v.json");
  ASSERT_TRUE(actions.ok()) << actions.status();
  EXPECT_EQ(actions->size(), 2u);
}

TEST(LogParserTest, PathHelpers) {
  EXPECT_EQ(*DecodeUriPath("a%3Ab%2520c"), "a:b%20c");
  EXPECT_TRUE(IsAbsolutePath("s3://bucket/x.parquet"));
  EXPECT_TRUE(IsAbsolutePath("file:///tmp/x.parquet"));
  EXPECT_TRUE(IsAbsolutePath("/tmp/x.parquet"));
  EXPECT_FALSE(IsAbsolutePath("part=a://b/x.parquet"));
  EXPECT_FALSE(IsAbsolutePath("x.parquet"));
}

TEST(SchemaTest, ParsesAllTypes) {
  auto schema = ParseSchema(R"json({"type":"struct","fields":[
    {"name":"s","type":"string","nullable":true,"metadata":{}},
    {"name":"l","type":"long","nullable":false,"metadata":{}},
    {"name":"i","type":"integer","nullable":true,"metadata":{}},
    {"name":"sh","type":"short","nullable":true,"metadata":{}},
    {"name":"b","type":"byte","nullable":true,"metadata":{}},
    {"name":"f","type":"float","nullable":true,"metadata":{}},
    {"name":"d","type":"double","nullable":true,"metadata":{}},
    {"name":"dec","type":"decimal(12, 2)","nullable":true,"metadata":{}},
    {"name":"bo","type":"boolean","nullable":true,"metadata":{}},
    {"name":"bi","type":"binary","nullable":true,"metadata":{}},
    {"name":"da","type":"date","nullable":true,"metadata":{}},
    {"name":"ts","type":"timestamp","nullable":true,"metadata":{}},
    {"name":"tn","type":"timestamp_ntz","nullable":true,"metadata":{}},
    {"name":"v","type":"variant","nullable":true,"metadata":{}},
    {"name":"vo","type":"void","nullable":true,"metadata":{}},
    {"name":"a","type":{"type":"array","elementType":"integer","containsNull":false},"nullable":true,"metadata":{}},
    {"name":"m","type":{"type":"map","keyType":"string","valueType":{"type":"struct","fields":[{"name":"x","type":"long","nullable":true,"metadata":{}}]},"valueContainsNull":true},"nullable":true,"metadata":{}}
  ]})json");
  ASSERT_TRUE(schema.ok()) << schema.status();
  ASSERT_EQ(schema->fields.size(), 17u);
  std::vector<std::string> names;
  for (const auto& f : schema->fields) names.push_back(DeltaTypeName(f.type));
  EXPECT_EQ(names, (std::vector<std::string>{"string", "long", "integer", "short", "byte", "float",
                                             "double", "decimal(12,2)", "boolean", "binary", "date",
                                             "timestamp", "timestamp_ntz", "variant", "void",
                                             "array<integer>", "map<string,struct<x:long>>"}));
  EXPECT_FALSE(schema->fields[1].nullable);
  EXPECT_FALSE(schema->fields[15].type.children[0].nullable);
  EXPECT_EQ(schema->fields[13].type.string_kind, StringKind::kVariant);
  EXPECT_EQ(schema->FieldIndex("DEC"), 7);
}

TEST(SchemaTest, UnknownTypeNamesColumn) {
  auto schema = ParseSchema(
      R"({"type":"struct","fields":[{"name":"g","type":"geometry","nullable":true,"metadata":{}}]})");
  ASSERT_TRUE(schema.status().IsNotSupported());
  EXPECT_NE(schema.status().message().find("'g'"), std::string::npos) << schema.status();
  EXPECT_TRUE(ParseSchema("not json").status().IsCorruption());
}

}  // namespace
}  // namespace lakesync::delta

namespace lakesync::delta {
namespace {

// Truncations and byte flips of a realistic commit: every outcome is a value, never a crash.
TEST(LogParserTest, MangledCommitsNeverCrash) {
  const std::string commit =
      R"({"commitInfo":{"timestamp":1,"operation":"WRITE","operationParameters":{"mode":"Append"}}})"
      "\n"
      R"({"protocol":{"minReaderVersion":3,"minWriterVersion":7,"readerFeatures":["deletionVectors"],"writerFeatures":["deletionVectors"]}})"
      "\n"
      R"({"metaData":{"id":"x","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"decimal(5,2)\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":[],"configuration":{},"createdTime":1}})"
      "\n"
      R"({"add":{"path":"a%20b.parquet","partitionValues":{},"size":1,"modificationTime":1,"dataChange":true,"stats":"{\"numRecords\":2}","deletionVector":{"storageType":"u","pathOrInlineDv":"ab^-aqEH.-t@S}K{vb[*k^","offset":1,"sizeInBytes":4,"cardinality":1}}})"
      "\n";
  ASSERT_TRUE(ParseActions(commit, "c.json").ok());
  int failures = 0;
  for (size_t cut = 0; cut < commit.size(); cut += 3) {
    auto r = ParseActions(commit.substr(0, cut), "c.json");
    if (!r.ok()) ++failures;
  }
  const std::string noise = "{}[]\":,\\0a%\n";
  for (size_t i = 0; i < commit.size(); i += 2) {
    std::string mangled = commit;
    mangled[i] = noise[i % noise.size()];
    auto r = ParseActions(mangled, "c.json");
    if (!r.ok()) {
      ++failures;
      EXPECT_NE(r.status().code(), StatusCode::kInternal) << r.status();
      continue;
    }
    for (const auto& action : *r) {
      if (const auto* m = std::get_if<Metadata>(&action)) (void)ParseSchema(m->schema_string);
      if (const auto* a = std::get_if<AddFile>(&action)) (void)a->NumRecords();
    }
  }
  EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace lakesync::delta
