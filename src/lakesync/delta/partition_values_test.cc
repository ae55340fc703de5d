#include "lakesync/delta/partition_values.h"

#include <gtest/gtest.h>

#include "lakesync/delta/column_convert.h"
#include "lakesync/delta/schema.h"

namespace lakesync::delta {
namespace {

TEST(PartitionValuesTest, DatesAndTimestamps) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(*ParseDate("2021-09-08"), 18878);
  EXPECT_FALSE(ParseDate("2021-02-30").ok());
  EXPECT_FALSE(ParseDate("2021-9-8").ok());
  EXPECT_EQ(*ParseTimestampMicros("1970-01-01 00:00:00"), 0);
  EXPECT_EQ(*ParseTimestampMicros("1970-01-01 00:00:01.5"), 1500000);
  EXPECT_EQ(*ParseTimestampMicros("1970-01-01 00:00:00.123456"), 123456);
  EXPECT_EQ(*ParseTimestampMicros("1970-01-01T00:00:00.123456Z"), 123456);
  EXPECT_EQ(*ParseTimestampMicros("1970-01-01T01:00:00+01:00"), 0);
  EXPECT_EQ(*ParseTimestampMicros("2021-09-08 11:11:11"), 1631099471000000);
  EXPECT_EQ(*ParseTimestampMicros("1969-12-31 23:59:59"), -1000000);
  EXPECT_FALSE(ParseTimestampMicros("2021-09-08 11:11").ok() &&
               *ParseTimestampMicros("2021-09-08 11:11") != 1631099460000000);
  EXPECT_FALSE(ParseTimestampMicros("yesterday").ok());
}

TEST(PartitionValuesTest, Decimals) {
  EXPECT_EQ(static_cast<int64_t>(*ParseDecimal("12.5", 10, 2)), 1250);
  EXPECT_EQ(static_cast<int64_t>(*ParseDecimal("-0.01", 10, 2)), -1);
  EXPECT_EQ(static_cast<int64_t>(*ParseDecimal("1E+3", 10, 0)), 1000);
  EXPECT_EQ(static_cast<int64_t>(*ParseDecimal("1.230", 5, 2)), 123);
  EXPECT_FALSE(ParseDecimal("1.234", 5, 2).ok());
  EXPECT_FALSE(ParseDecimal("123456", 5, 2).ok());
  EXPECT_FALSE(ParseDecimal("abc", 5, 2).ok());
}

TEST(PartitionValuesTest, TypedConstantColumns) {
  auto col = PartitionColumn(DataType::Primitive(TypeId::kInt64), std::string("42"), 3, "p");
  ASSERT_TRUE(col.ok()) << col.status();
  EXPECT_EQ(col->length(), 3);
  EXPECT_EQ(col->Value<int64_t>(2), 42);
  EXPECT_FALSE(col->has_nulls());

  auto null_col = PartitionColumn(DataType::Primitive(TypeId::kInt32), std::string(""), 2, "p");
  ASSERT_TRUE(null_col.ok());
  EXPECT_TRUE(null_col->IsNull(0) && null_col->IsNull(1));
  auto absent = PartitionColumn(DataType::Primitive(TypeId::kString), std::nullopt, 2, "p");
  ASSERT_TRUE(absent.ok());
  EXPECT_TRUE(absent->IsNull(1));

  auto str = PartitionColumn(DataType::Primitive(TypeId::kString), std::string("a b"), 2, "p");
  ASSERT_TRUE(str.ok());
  EXPECT_EQ(str->StringValue(1), "a b");

  auto date =
      PartitionColumn(DataType::Primitive(TypeId::kDate), std::string("1970-01-02"), 1, "d");
  EXPECT_EQ(date->Value<int32_t>(0), 1);
  auto ts = PartitionColumn(DataType::Timestamp(TimeUnit::kMicros, true),
                            std::string("1970-01-01 00:00:02"), 1, "t");
  EXPECT_EQ(ts->Value<int64_t>(0), 2000000);
  auto b = PartitionColumn(DataType::Primitive(TypeId::kBoolean), std::string("true"), 1, "b");
  EXPECT_EQ(b->Value<uint8_t>(0), 1);
  auto dec = PartitionColumn(DataType::Decimal(5, 2), std::string("3.14"), 1, "x");
  EXPECT_EQ(static_cast<int64_t>(dec->Value<Int128>(0)), 314);

  auto bad = PartitionColumn(DataType::Primitive(TypeId::kInt8), std::string("300"), 1, "small");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("small"), std::string::npos) << bad.status();
}

ColumnVector Int32Column(std::vector<int32_t> values) {
  ColumnVector col(DataType::Primitive(TypeId::kInt32));
  col.set_length(static_cast<int64_t>(values.size()));
  col.values().resize(values.size() * 4);
  std::memcpy(col.values().data(), values.data(), values.size() * 4);
  return col;
}

TEST(ColumnConvertTest, WidensIntegers) {
  auto col = Int32Column({1, -2, 3});
  col.MaterializeValidity();
  col.validity()[1] = 0;
  Field target{"x", DataType::Primitive(TypeId::kInt64)};
  auto out = ConvertColumn(std::move(col), target, ColumnMeta{}, ColumnMappingMode::kNone, "x");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->type().id, TypeId::kInt64);
  EXPECT_EQ(out->Value<int64_t>(0), 1);
  EXPECT_TRUE(out->IsNull(1));
  EXPECT_EQ(out->Value<int64_t>(2), 3);

  Field dbl{"x", DataType::Primitive(TypeId::kFloat64)};
  auto d = ConvertColumn(Int32Column({7}), dbl, ColumnMeta{}, ColumnMappingMode::kNone, "x");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->Value<double>(0), 7.0);

  Field dec{"x", DataType::Decimal(10, 2)};
  auto dc = ConvertColumn(Int32Column({7}), dec, ColumnMeta{}, ColumnMappingMode::kNone, "x");
  ASSERT_TRUE(dc.ok());
  EXPECT_EQ(static_cast<int64_t>(dc->Value<Int128>(0)), 700);

  Field narrow{"x", DataType::Primitive(TypeId::kInt8)};
  auto n = ConvertColumn(Int32Column({1000}), narrow, ColumnMeta{}, ColumnMappingMode::kNone, "x");
  EXPECT_FALSE(n.ok());
  Field str{"x", DataType::Primitive(TypeId::kString)};
  auto s = ConvertColumn(Int32Column({1}), str, ColumnMeta{}, ColumnMappingMode::kNone, "x");
  EXPECT_TRUE(s.status().IsNotSupported()) << s.status();
}

TEST(ColumnConvertTest, TimestampsBecomeMicros) {
  ColumnVector col(DataType::Timestamp(TimeUnit::kNanos, true));
  col.set_length(2);
  col.values().resize(16);
  int64_t vals[] = {1500, -1500};
  std::memcpy(col.values().data(), vals, 16);
  Field target{"t", DataType::Timestamp(TimeUnit::kMicros, true)};
  auto out = ConvertColumn(std::move(col), target, ColumnMeta{}, ColumnMappingMode::kNone, "t");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->Value<int64_t>(0), 1);
  EXPECT_EQ(out->Value<int64_t>(1), -2);

  // INT96: 1 second into Julian day 2440589 (1970-01-02).
  ColumnVector int96(DataType::Primitive(TypeId::kBinary));
  int96.mutable_type().fixed_length = 12;
  int96.set_length(1);
  int64_t nanos = 1000000000;
  int32_t julian = 2440589;
  int96.bytes().resize(12);
  std::memcpy(int96.bytes().data(), &nanos, 8);
  std::memcpy(int96.bytes().data() + 8, &julian, 4);
  int96.offsets().assign({0, 12});
  auto ts = ConvertColumn(std::move(int96), target, ColumnMeta{}, ColumnMappingMode::kNone, "t");
  ASSERT_TRUE(ts.ok()) << ts.status();
  EXPECT_EQ(ts->Value<int64_t>(0), 86400LL * 1000000 + 1000000);
}

TEST(ColumnConvertTest, StructFieldsByPhysicalNameAndMissingAsNull) {
  auto schema = ParseSchema(
      R"({"type":"struct","fields":[{"name":"s","type":{"type":"struct","fields":[
        {"name":"a","type":"long","nullable":true,"metadata":{"delta.columnMapping.id":2,"delta.columnMapping.physicalName":"col-a"}},
        {"name":"b","type":"string","nullable":true,"metadata":{"delta.columnMapping.id":3,"delta.columnMapping.physicalName":"col-b"}}]},
        "nullable":true,"metadata":{"delta.columnMapping.id":1,"delta.columnMapping.physicalName":"col-s"}}]})");
  ASSERT_TRUE(schema.ok()) << schema.status();
  EXPECT_EQ(schema->PhysicalName(0, ColumnMappingMode::kName), "col-s");
  EXPECT_EQ(schema->fields[0].field_id, 1);

  ColumnVector s(DataType::Struct({Field{"col-a", DataType::Primitive(TypeId::kInt32)}}));
  s.set_length(1);
  s.children().push_back(Int32Column({5}));
  auto out = ConvertColumn(std::move(s), schema->fields[0], schema->metas[0],
                           ColumnMappingMode::kName, "s");
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->children().size(), 2u);
  EXPECT_EQ(out->children()[0].Value<int64_t>(0), 5);
  EXPECT_TRUE(out->children()[1].IsNull(0));
  EXPECT_EQ(out->type(), schema->fields[0].type);
}

}  // namespace
}  // namespace lakesync::delta
