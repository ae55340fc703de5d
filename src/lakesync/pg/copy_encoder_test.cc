#include "lakesync/pg/copy_encoder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "lakesync/common/macros.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/pg/value_format_internal.h"
#include "lakesync/testing/column_builder.h"
#include "lakesync/testing/pg_test_env.h"

namespace lakesync::pg {
namespace {

using ::lakesync::testing::FixedColumn;
using ::lakesync::testing::ListColumn;
using ::lakesync::testing::MakeBatch;
using ::lakesync::testing::MapColumn;
using ::lakesync::testing::NullColumn;
using ::lakesync::testing::QueryRows;
using ::lakesync::testing::StringColumn;
using ::lakesync::testing::StructColumn;
using Texts = std::vector<std::optional<std::string>>;

constexpr std::nullopt_t kNull = std::nullopt;

DataType T(TypeId id) { return DataType::Primitive(id); }
DataType TimeType(TimeUnit unit) {
  DataType t = T(TypeId::kTime);
  t.unit = unit;
  return t;
}
DataType StringKindType(StringKind kind) {
  DataType t = T(TypeId::kString);
  t.string_kind = kind;
  return t;
}
Field F(std::string name, DataType type) { return Field{std::move(name), std::move(type)}; }

Int128 ParseInt128(std::string_view s) {
  const bool neg = !s.empty() && s[0] == '-';
  Int128 v = 0;
  for (char c : s.substr(neg ? 1 : 0)) v = v * 10 + (c - '0');
  return neg ? -v : v;
}

ColumnVector Int64Column(int64_t n, int64_t first = 0) {
  std::vector<std::optional<int64_t>> v;
  for (int64_t i = 0; i < n; ++i) v.push_back(first + i);
  return FixedColumn<int64_t>(T(TypeId::kInt64), v);
}

class CopyEncoderTest : public ::lakesync::testing::DatabaseTest {
 protected:
  // COPYs `batch` (all its columns) into a new table and returns the rows the server reports.
  Status Load(const QualifiedName& name, const ColumnBatch& batch, int64_t* copied) {
    LAKESYNC_ASSIGN_OR_RETURN(std::string create, CreateTableSql(name, batch.schema, {}));
    LAKESYNC_RETURN_NOT_OK(conn_->Exec(create));
    LAKESYNC_ASSIGN_OR_RETURN(auto enc, CopyBinaryEncoder::Make(batch.schema));
    enc->AppendHeader();
    LAKESYNC_RETURN_NOT_OK(enc->AppendBatch(batch));
    enc->AppendTrailer();
    LAKESYNC_ASSIGN_OR_RETURN(std::string copy, CopyFromStdinSql(name, batch.schema));
    LAKESYNC_RETURN_NOT_OK(conn_->BeginCopy(copy));
    LAKESYNC_RETURN_NOT_OK(conn_->PutCopyData(enc->data(), enc->size()));
    LAKESYNC_ASSIGN_OR_RETURN(*copied, conn_->EndCopy());
    return Status::OK();
  }

  // Loads `col` (with an "ord" column giving the row number) and returns SELECT c::text in
  // row order; the rows a selection drops are not there.
  Texts RoundTrip(ColumnVector col, std::optional<std::vector<uint32_t>> selection = {}) {
    const int64_t n = col.length();
    const std::string table = "t" + std::to_string(++tables_);
    ColumnBatch batch = MakeBatch(
        {{F("ord", T(TypeId::kInt64)), Int64Column(n)}, {F("c", col.type()), std::move(col)}});
    batch.selection = std::move(selection);
    int64_t copied = -1;
    Status st = Load(QualifiedName{"public", table}, batch, &copied);
    EXPECT_TRUE(st.ok()) << st.ToString();
    if (!st.ok()) return {};
    EXPECT_EQ(copied, batch.num_selected());
    auto rows = QueryRows(*conn_, "SELECT c::text FROM " + table + " ORDER BY ord");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok()) return {};
    Texts out;
    for (auto& r : *rows) out.push_back(r[0]);
    return out;
  }

  // Encodes `col` as column "c" and returns the error (OK if there was none).
  static Status EncodeError(ColumnVector col, const RowDescriber& describe = {}) {
    ColumnBatch batch = MakeBatch({{F("c", col.type()), std::move(col)}});
    auto enc = CopyBinaryEncoder::Make(batch.schema);
    if (!enc.ok()) return enc.status();
    (*enc)->AppendHeader();
    const size_t before = (*enc)->size();
    Status st = (*enc)->AppendBatch(batch, describe);
    if (!st.ok()) {
      EXPECT_EQ((*enc)->size(), before) << "a failed batch must append nothing";
    }
    return st;
  }

  int tables_ = 0;
};

TEST_F(CopyEncoderTest, Integers) {
  EXPECT_EQ(RoundTrip(FixedColumn<int8_t>(T(TypeId::kInt8), {-128, 127, kNull, 0})),
            (Texts{"-128", "127", kNull, "0"}));
  EXPECT_EQ(RoundTrip(FixedColumn<int16_t>(T(TypeId::kInt16), {-32768, 32767, kNull})),
            (Texts{"-32768", "32767", kNull}));
  EXPECT_EQ(RoundTrip(FixedColumn<uint8_t>(T(TypeId::kUInt8), {0, 255})), (Texts{"0", "255"}));
  EXPECT_EQ(RoundTrip(FixedColumn<int32_t>(
                T(TypeId::kInt32),
                {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), kNull})),
            (Texts{"-2147483648", "2147483647", kNull}));
  EXPECT_EQ(RoundTrip(FixedColumn<uint16_t>(T(TypeId::kUInt16), {65535, 1})),
            (Texts{"65535", "1"}));
  EXPECT_EQ(RoundTrip(FixedColumn<int64_t>(
                T(TypeId::kInt64),
                {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), kNull})),
            (Texts{"-9223372036854775808", "9223372036854775807", kNull}));
  EXPECT_EQ(RoundTrip(FixedColumn<uint32_t>(T(TypeId::kUInt32), {4294967295u, 0})),
            (Texts{"4294967295", "0"}));
  EXPECT_EQ(RoundTrip(FixedColumn<uint64_t>(T(TypeId::kUInt64),
                                            {18446744073709551615ull, 0, 10000, kNull})),
            (Texts{"18446744073709551615", "0", "10000", kNull}));
}

TEST_F(CopyEncoderTest, Floats) {
  const float finf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(RoundTrip(FixedColumn<float>(T(TypeId::kFloat32), {1.5f, 0.1f, -0.0f, std::nanf(""),
                                                               finf, -finf, 3.4028235e38f, kNull})),
            (Texts{"1.5", "0.1", "-0", "NaN", "Infinity", "-Infinity", "3.4028235e+38", kNull}));
  EXPECT_EQ(RoundTrip(FixedColumn<float>(T(TypeId::kFloat16), {65504.0f, 0.5f})),
            (Texts{"65504", "0.5"}));
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(RoundTrip(FixedColumn<double>(T(TypeId::kFloat64),
                                          {0.1, 1e300, 5e-324, std::nan(""), inf, -inf, kNull})),
            (Texts{"0.1", "1e+300", "5e-324", "NaN", "Infinity", "-Infinity", kNull}));
}

TEST_F(CopyEncoderTest, Decimals) {
  EXPECT_EQ(RoundTrip(FixedColumn<Int128>(DataType::Decimal(10, 2),
                                          {12345, -5, 0, 100, -100000, 99999999, kNull})),
            (Texts{"123.45", "-0.05", "0.00", "1.00", "-1000.00", "999999.99", kNull}));
  EXPECT_EQ(RoundTrip(FixedColumn<Int128>(DataType::Decimal(18, 0),
                                          {999999999999999999, -1, 0, 10000, 100000000})),
            (Texts{"999999999999999999", "-1", "0", "10000", "100000000"}));
  EXPECT_EQ(RoundTrip(FixedColumn<Int128>(
                DataType::Decimal(38, 18),
                {ParseInt128("-12345678901234567890123456789012345678"), Int128{1},
                 ParseInt128("99999999999999999999999999999999999999"), Int128{0},
                 ParseInt128("1000000000000000000")})),
            (Texts{"-12345678901234567890.123456789012345678", "0.000000000000000001",
                   "99999999999999999999.999999999999999999", "0.000000000000000000",
                   "1.000000000000000000"}));
  EXPECT_EQ(
      RoundTrip(FixedColumn<Int128>(DataType::Decimal(38, 0),
                                    {ParseInt128("-99999999999999999999999999999999999999"),
                                     ParseInt128("10000000000000000000000000000000000000")})),
      (Texts{"-99999999999999999999999999999999999999", "10000000000000000000000000000000000000"}));
  EXPECT_EQ(RoundTrip(FixedColumn<Int128>(DataType::Decimal(9, 5), {100000, 123456789, -1})),
            (Texts{"1.00000", "1234.56789", "-0.00001"}));
}

TEST_F(CopyEncoderTest, DecimalWiderThanPrecisionNamesRow) {
  Status st = EncodeError(FixedColumn<Int128>(DataType::Decimal(4, 2), {9999, 10000}));
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("row 1"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("100.00"), std::string::npos) << st.ToString();
}

TEST_F(CopyEncoderTest, TextBooleanBytea) {
  EXPECT_EQ(RoundTrip(StringColumn(T(TypeId::kString),
                                   {"", "héllo", "a\tb\nc", "\xF0\x9F\x98\x80", kNull, "x'\"\\"})),
            (Texts{"", "héllo", "a\tb\nc", "\xF0\x9F\x98\x80", kNull, "x'\"\\"}));
  EXPECT_EQ(RoundTrip(FixedColumn<uint8_t>(T(TypeId::kBoolean), {1, 0, kNull})),
            (Texts{"true", "false", kNull}));
  EXPECT_EQ(RoundTrip(StringColumn(T(TypeId::kBinary), {std::string("\0\x01\xff", 3), "", kNull,
                                                        std::string(2, '\0')})),
            (Texts{"\\x0001ff", "\\x", kNull, "\\x0000"}));
}

TEST_F(CopyEncoderTest, JsonAndVariantStringsBecomeJsonb) {
  EXPECT_EQ(RoundTrip(StringColumn(StringKindType(StringKind::kJson),
                                   {R"({"b": 1, "a": [true, null]})", "3", kNull, R"("é")"})),
            (Texts{R"({"a": [true, null], "b": 1})", "3", kNull, R"("é")"}));
  EXPECT_EQ(RoundTrip(StringColumn(StringKindType(StringKind::kVariant), {"[1,2]"})),
            (Texts{"[1, 2]"}));
}

TEST_F(CopyEncoderTest, Dates) {
  EXPECT_EQ(RoundTrip(FixedColumn<int32_t>(
                T(TypeId::kDate), {0, 10956, -719162, -2440588, 2145042905, 19723, kNull})),
            (Texts{"1970-01-01", "1999-12-31", "0001-01-01", "4714-11-24 BC", "5874897-12-31",
                   "2024-01-01", kNull}));
}

TEST_F(CopyEncoderTest, DatesOutsidePostgresRangeNameColumnAndKey) {
  auto describe = [](int64_t row) { return "user_id=" + std::to_string(40 + row); };
  Status st = EncodeError(FixedColumn<int32_t>(T(TypeId::kDate), {0, 0, -2440589}), describe);
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("column \"c\""), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("user_id=42"), std::string::npos) << st.ToString();
  st = EncodeError(FixedColumn<int32_t>(T(TypeId::kDate), {2145042906}));
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("row 0"), std::string::npos) << st.ToString();
  // A null holds no date, whatever its storage says.
  ColumnVector col = FixedColumn<int32_t>(T(TypeId::kDate), {std::numeric_limits<int32_t>::min()});
  col.validity().assign(1, 0);
  EXPECT_TRUE(EncodeError(std::move(col)).ok());
}

TEST_F(CopyEncoderTest, TimestampsInEveryUnit) {
  const DataType ntz_us = DataType::Timestamp(TimeUnit::kMicros, false);
  EXPECT_EQ(RoundTrip(FixedColumn<int64_t>(
                ntz_us, {0, 1500000, -1, 946684800000000, -210866803200000000,
                         std::numeric_limits<int64_t>::max(), -62135596800000000, kNull})),
            (Texts{"1970-01-01 00:00:00", "1970-01-01 00:00:01.5", "1969-12-31 23:59:59.999999",
                   "2000-01-01 00:00:00", "4714-11-24 00:00:00 BC", "294247-01-10 04:00:54.775807",
                   "0001-01-01 00:00:00", kNull}));
  EXPECT_EQ(
      RoundTrip(FixedColumn<int64_t>(DataType::Timestamp(TimeUnit::kMillis, false),
                                     {1700000000123, -1, 9223372036854775})),
      (Texts{"2023-11-14 22:13:20.123", "1969-12-31 23:59:59.999", "294247-01-10 04:00:54.775"}));
  EXPECT_EQ(RoundTrip(FixedColumn<int64_t>(DataType::Timestamp(TimeUnit::kNanos, false),
                                           {1700000000123456789, -1, -1000, 999})),
            (Texts{"2023-11-14 22:13:20.123456", "1969-12-31 23:59:59.999999",
                   "1969-12-31 23:59:59.999999", "1970-01-01 00:00:00"}));
  EXPECT_EQ(RoundTrip(FixedColumn<int64_t>(DataType::Timestamp(TimeUnit::kMillis, true),
                                           {1700000000123, kNull})),
            (Texts{"2023-11-14 22:13:20.123+00", kNull}));
  EXPECT_EQ(
      RoundTrip(FixedColumn<int64_t>(DataType::Timestamp(TimeUnit::kNanos, true), {-1000000000})),
      (Texts{"1969-12-31 23:59:59+00"}));
}

TEST_F(CopyEncoderTest, TimestampsOutsidePostgresRangeAreErrors) {
  Status st = EncodeError(
      FixedColumn<int64_t>(DataType::Timestamp(TimeUnit::kMicros, true), {0, -210866803200000001}));
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("row 1"), std::string::npos) << st.ToString();
  st = EncodeError(
      FixedColumn<int64_t>(DataType::Timestamp(TimeUnit::kMillis, false), {9223372036854776}));
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  st = EncodeError(
      FixedColumn<int64_t>(DataType::Timestamp(TimeUnit::kMillis, false), {-210866803200001}));
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
}

TEST_F(CopyEncoderTest, Times) {
  EXPECT_EQ(RoundTrip(FixedColumn<int64_t>(TimeType(TimeUnit::kMicros),
                                           {0, 86400000000, 45296123456, kNull})),
            (Texts{"00:00:00", "24:00:00", "12:34:56.123456", kNull}));
  EXPECT_EQ(RoundTrip(FixedColumn<int64_t>(TimeType(TimeUnit::kNanos), {45296123456789})),
            (Texts{"12:34:56.123456"}));
  EXPECT_EQ(RoundTrip(FixedColumn<int64_t>(TimeType(TimeUnit::kMillis), {45296123})),
            (Texts{"12:34:56.123"}));
  EXPECT_TRUE(EncodeError(FixedColumn<int64_t>(TimeType(TimeUnit::kMicros), {86400000001}))
                  .IsInvalidArgument());
  EXPECT_TRUE(
      EncodeError(FixedColumn<int64_t>(TimeType(TimeUnit::kMicros), {-1})).IsInvalidArgument());
}

TEST_F(CopyEncoderTest, NullTypeIsAlwaysNull) {
  EXPECT_EQ(RoundTrip(NullColumn(3)), (Texts{kNull, kNull, kNull}));
}

TEST_F(CopyEncoderTest, SelectionIsHonoured) {
  EXPECT_EQ(RoundTrip(StringColumn(T(TypeId::kString), {"a", "b", "c", "d"}),
                      std::vector<uint32_t>{1, 3}),
            (Texts{"b", "d"}));
  EXPECT_EQ(RoundTrip(FixedColumn<int32_t>(T(TypeId::kInt32), {1, 2, 3}), std::vector<uint32_t>{}),
            (Texts{}));
  // Rows a selection drops are not checked either.
  EXPECT_EQ(RoundTrip(StringColumn(T(TypeId::kString), {"\xff", "ok"}), std::vector<uint32_t>{1}),
            (Texts{"ok"}));
}

TEST_F(CopyEncoderTest, NestedValuesBecomeJsonb) {
  const DataType list_of_string = DataType::List(F("element", T(TypeId::kString)));
  const DataType map_string_double =
      DataType::Map(F("key", T(TypeId::kString)), F("value", T(TypeId::kFloat64)));
  const DataType struct_type = DataType::Struct({
      F("id", T(TypeId::kInt32)),
      F("name", T(TypeId::kString)),
      F("tags", list_of_string),
      F("scores", map_string_double),
      F("price", DataType::Decimal(5, 2)),
      F("day", T(TypeId::kDate)),
      F("at", DataType::Timestamp(TimeUnit::kMicros, true)),
      F("raw", T(TypeId::kBinary)),
      F("f", T(TypeId::kFloat32)),
      F("ok", T(TypeId::kBoolean)),
  });
  std::vector<ColumnVector> children;
  children.push_back(FixedColumn<int32_t>(T(TypeId::kInt32), {1, 0, kNull}));
  children.push_back(StringColumn(T(TypeId::kString), {"x\"y\n", "", kNull}));
  children.push_back(ListColumn(list_of_string, {0, 2, 2, 2},
                                StringColumn(T(TypeId::kString), {"a", kNull}), {1, 1, 0}));
  children.push_back(
      MapColumn(map_string_double, {0, 2, 2, 2}, StringColumn(T(TypeId::kString), {"k", "n"}),
                FixedColumn<double>(T(TypeId::kFloat64), {1.5, std::nan("")}), {1, 1, 0}));
  children.push_back(FixedColumn<Int128>(DataType::Decimal(5, 2), {12345, 0, kNull}));
  children.push_back(FixedColumn<int32_t>(T(TypeId::kDate), {0, 0, kNull}));
  children.push_back(
      FixedColumn<int64_t>(DataType::Timestamp(TimeUnit::kMicros, true), {1500000, 0, kNull}));
  children.push_back(StringColumn(T(TypeId::kBinary), {std::string("\0\xff", 2), "", kNull}));
  children.push_back(
      FixedColumn<float>(T(TypeId::kFloat32), {std::numeric_limits<float>::infinity(), 0, kNull}));
  children.push_back(FixedColumn<uint8_t>(T(TypeId::kBoolean), {1, 0, kNull}));
  ColumnVector col = StructColumn(struct_type, 3, std::move(children), {1, 0, 1});
  EXPECT_EQ(RoundTrip(std::move(col)),
            (Texts{R"({"f": "Infinity", "at": "1970-01-01T00:00:01.5+00:00", "id": 1, )"
                   R"("ok": true, "day": "1970-01-01", "raw": "AP8=", "name": "x\"y\n", )"
                   R"("tags": ["a", null], "price": 123.45, "scores": {"k": 1.5, "n": "NaN"}})",
                   kNull,
                   R"({"f": null, "at": null, "id": null, "ok": null, "day": null, "raw": null, )"
                   R"("name": null, "tags": null, "price": null, "scores": null})"}));
}

TEST_F(CopyEncoderTest, NestedListsAndMaps) {
  const DataType list_int = DataType::List(F("element", T(TypeId::kInt32)));
  EXPECT_EQ(
      RoundTrip(ListColumn(list_int, {0, 3, 3, 4},
                           FixedColumn<int32_t>(T(TypeId::kInt32), {1, 2, 3, kNull}), {1, 1, 0})),
      (Texts{"[1, 2, 3]", "[]", kNull}));
  const DataType map_int_string =
      DataType::Map(F("key", T(TypeId::kInt32)), F("value", T(TypeId::kString)));
  EXPECT_EQ(RoundTrip(MapColumn(map_int_string, {0, 2, 2},
                                FixedColumn<int32_t>(T(TypeId::kInt32), {2, 10}),
                                StringColumn(T(TypeId::kString), {"b", kNull}))),
            (Texts{R"({"2": "b", "10": null})", "{}"}));
  // array<struct<a: long, d: date>> with a BC date and a big decimal inside a map value.
  const DataType elem = DataType::Struct({F("a", T(TypeId::kInt64)), F("d", T(TypeId::kDate))});
  std::vector<ColumnVector> fields;
  fields.push_back(FixedColumn<int64_t>(T(TypeId::kInt64), {1, -2}));
  fields.push_back(FixedColumn<int32_t>(T(TypeId::kDate), {-2440588, 19723}));
  const DataType list_struct = DataType::List(F("element", elem));
  EXPECT_EQ(RoundTrip(ListColumn(list_struct, {0, 2}, StructColumn(elem, 2, std::move(fields)))),
            (Texts{R"([{"a": 1, "d": "4714-11-24 BC"}, {"a": -2, "d": "2024-01-01"}])"}));
  const DataType map_date_dec =
      DataType::Map(F("key", T(TypeId::kDate)), F("value", DataType::Decimal(38, 10)));
  EXPECT_EQ(RoundTrip(MapColumn(map_date_dec, {0, 1}, FixedColumn<int32_t>(T(TypeId::kDate), {0}),
                                FixedColumn<Int128>(DataType::Decimal(38, 10),
                                                    {ParseInt128("-12345678901234567890123")}))),
            (Texts{R"({"1970-01-01": -1234567890123.4567890123})"}));
}

TEST_F(CopyEncoderTest, NestedJsonAndVariantAreEmbeddedAsJson) {
  const DataType s =
      DataType::Struct({F("j", StringKindType(StringKind::kJson)),
                        F("v", StringKindType(StringKind::kVariant)), F("t", T(TypeId::kString))});
  std::vector<ColumnVector> children;
  children.push_back(StringColumn(StringKindType(StringKind::kJson), {R"({"x": [1, "y"]})"}));
  children.push_back(StringColumn(StringKindType(StringKind::kVariant), {"42"}));
  children.push_back(StringColumn(T(TypeId::kString), {R"({"x": 1})"}));
  EXPECT_EQ(RoundTrip(StructColumn(s, 1, std::move(children))),
            (Texts{R"({"j": {"x": [1, "y"]}, "t": "{\"x\": 1}", "v": 42})"}));
  std::vector<ColumnVector> bad;
  bad.push_back(StringColumn(StringKindType(StringKind::kJson), {"{"}));
  bad.push_back(StringColumn(StringKindType(StringKind::kVariant), {"1"}));
  bad.push_back(StringColumn(T(TypeId::kString), {"x"}));
  Status st = EncodeError(StructColumn(s, 1, std::move(bad)));
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("j"), std::string::npos) << st.ToString();
}

TEST_F(CopyEncoderTest, InvalidTextNamesColumnAndKey) {
  auto describe = [](int64_t row) { return "user_id=" + std::to_string(40 + row); };
  Status st = EncodeError(StringColumn(T(TypeId::kString), {"ok", "ok", "bad\xc3("}), describe);
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("column \"c\""), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("user_id=42"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("UTF-8"), std::string::npos) << st.ToString();

  st = EncodeError(StringColumn(T(TypeId::kString), {std::string("a\0b", 3)}), describe);
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("NUL"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("user_id=40"), std::string::npos) << st.ToString();

  // Overlong encodings, surrogates and truncated sequences are all invalid.
  for (const char* bad : {"\xc0\xaf", "\xed\xa0\x80", "\xe2\x82", "\xf4\x90\x80\x80", "\x80"}) {
    EXPECT_TRUE(EncodeError(StringColumn(T(TypeId::kString), {bad})).IsInvalidArgument()) << bad;
  }
  EXPECT_TRUE(EncodeError(StringColumn(StringKindType(StringKind::kJson), {"\"\xff\""}))
                  .IsInvalidArgument());
  st = EncodeError(StringColumn(StringKindType(StringKind::kJson), {"{}", R"({"a": "\u0000"})"}),
                   describe);
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("user_id=41"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("invalid JSON"), std::string::npos) << st.ToString();
  EXPECT_TRUE(
      EncodeError(StringColumn(StringKindType(StringKind::kVariant), {"{"})).IsInvalidArgument());
}

TEST_F(CopyEncoderTest, InvalidNestedTextNamesColumnPathAndKey) {
  const DataType list_of_string = DataType::List(F("element", T(TypeId::kString)));
  const DataType s = DataType::Struct({F("tags", list_of_string)});
  std::vector<ColumnVector> children;
  children.push_back(
      ListColumn(list_of_string, {0, 1}, StringColumn(T(TypeId::kString), {std::string("\0", 1)})));
  Status st = EncodeError(StructColumn(s, 1, std::move(children)),
                          [](int64_t) { return std::string("id=7"); });
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  EXPECT_NE(st.message().find("column \"c\""), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("id=7"), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find("tags[]"), std::string::npos) << st.ToString();
}

TEST_F(CopyEncoderTest, MalformedBatchesAreErrorsNotCrashes) {
  // Offsets past the data.
  ColumnVector s = StringColumn(T(TypeId::kString), {"abc"});
  s.offsets()[1] = 1000;
  EXPECT_TRUE(EncodeError(std::move(s)).IsCorruption());
  // Values shorter than the column.
  ColumnVector i = FixedColumn<int32_t>(T(TypeId::kInt32), {1, 2});
  i.values().resize(4);
  EXPECT_TRUE(EncodeError(std::move(i)).IsCorruption());
  // List offsets past the element column.
  const DataType list_int = DataType::List(F("element", T(TypeId::kInt32)));
  EXPECT_TRUE(
      EncodeError(ListColumn(list_int, {0, 5}, FixedColumn<int32_t>(T(TypeId::kInt32), {1})))
          .IsCorruption());
  // Selection past the batch.
  ColumnBatch batch =
      MakeBatch({{F("c", T(TypeId::kInt32)), FixedColumn<int32_t>(T(TypeId::kInt32), {1})}});
  batch.selection = std::vector<uint32_t>{5};
  auto enc = CopyBinaryEncoder::Make(batch.schema);
  ASSERT_TRUE(enc.ok());
  EXPECT_TRUE((*enc)->AppendBatch(batch).IsCorruption());
}

TEST_F(CopyEncoderTest, MissingOrMistypedColumnIsInvalidArgument) {
  ColumnBatch batch =
      MakeBatch({{F("a", T(TypeId::kInt32)), FixedColumn<int32_t>(T(TypeId::kInt32), {1})}});
  auto enc = CopyBinaryEncoder::Make({F("b", T(TypeId::kInt32))});
  ASSERT_TRUE(enc.ok());
  EXPECT_TRUE((*enc)->AppendBatch(batch).IsInvalidArgument());
  auto enc2 = CopyBinaryEncoder::Make({F("a", T(TypeId::kInt64))});
  ASSERT_TRUE(enc2.ok());
  Status st = (*enc2)->AppendBatch(batch);
  EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
  // int8 and int16 both land in smallint; a narrower decimal fits a wider one of equal scale.
  auto enc3 = CopyBinaryEncoder::Make({F("a", T(TypeId::kInt16))});
  ColumnBatch small =
      MakeBatch({{F("a", T(TypeId::kInt8)), FixedColumn<int8_t>(T(TypeId::kInt8), {1})}});
  ASSERT_TRUE(enc3.ok());
  EXPECT_TRUE((*enc3)->AppendBatch(small).ok());
  auto enc4 = CopyBinaryEncoder::Make({F("a", DataType::Decimal(20, 2))});
  ColumnBatch dec = MakeBatch(
      {{F("a", DataType::Decimal(10, 2)), FixedColumn<Int128>(DataType::Decimal(10, 2), {1})}});
  ASSERT_TRUE(enc4.ok());
  EXPECT_TRUE((*enc4)->AppendBatch(dec).ok());
}

TEST_F(CopyEncoderTest, ManyBatchesManyColumnsInTargetOrder) {
  // Target order differs from the batch order; two batches share one COPY.
  const std::vector<Field> target = {F("s", T(TypeId::kString)), F("id", T(TypeId::kInt64)),
                                     F("d", DataType::Decimal(12, 3))};
  const QualifiedName name{"public", "many"};
  auto create = CreateTableSql(name, target, {"id"});
  ASSERT_TRUE(create.ok());
  ASSERT_TRUE(conn_->Exec(*create).ok());
  auto enc = CopyBinaryEncoder::Make(target);
  ASSERT_TRUE(enc.ok());
  (*enc)->AppendHeader();
  constexpr int64_t kRows = 50000;
  for (int b = 0; b < 2; ++b) {
    std::vector<std::optional<std::string>> strings;
    std::vector<std::optional<Int128>> decimals;
    for (int64_t i = 0; i < kRows; ++i) {
      strings.push_back(i % 7 == 0 ? std::nullopt : std::optional<std::string>(std::to_string(i)));
      decimals.push_back(Int128{i * 1001});
    }
    ColumnBatch batch =
        MakeBatch({{F("d", DataType::Decimal(12, 3)),
                    FixedColumn<Int128>(DataType::Decimal(12, 3), decimals)},
                   {F("id", T(TypeId::kInt64)), Int64Column(kRows, b * kRows)},
                   {F("s", T(TypeId::kString)), StringColumn(T(TypeId::kString), strings)}});
    ASSERT_TRUE((*enc)->AppendBatch(batch).ok());
  }
  (*enc)->AppendTrailer();
  EXPECT_EQ((*enc)->rows_encoded(), 2 * kRows);
  auto copy = CopyFromStdinSql(name, target);
  ASSERT_TRUE(copy.ok());
  ASSERT_TRUE(conn_->BeginCopy(*copy).ok());
  ASSERT_TRUE(conn_->PutCopyData((*enc)->data(), (*enc)->size()).ok());
  auto n = conn_->EndCopy();
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, 2 * kRows);
  auto rows = QueryRows(*conn_,
                        "SELECT count(*), count(s), sum(d)::text, max(id), "
                        "bool_and(s IS NULL OR s = (id % 50000)::text) FROM many");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  // Both batches sum i * 1.001 for i < 50000: 2 * 1.001 * (49999 * 50000 / 2).
  EXPECT_EQ(*rows,
            (::lakesync::testing::Rows{{"100000", "85714", "2502449950.000", "99999", "t"}}));
}

// Throughput of the hot path (run by hand, ideally in a Release build):
//   lakesync_pg_test --gtest_also_run_disabled_tests --gtest_filter='*EncodeThroughput*'
TEST(CopyEncoderFormatTest, DISABLED_EncodeThroughput) {
  constexpr int64_t kBatch = 65536;
  constexpr int kBatches = 150;  // ~10M rows
  std::vector<std::optional<int64_t>> ids, ts;
  std::vector<std::optional<double>> scores;
  std::vector<std::optional<std::string>> emails;
  std::vector<std::optional<Int128>> amounts;
  for (int64_t i = 0; i < kBatch; ++i) {
    ids.push_back(i);
    ts.push_back(1700000000000000 + i);
    scores.push_back(i * 0.5);
    emails.push_back("user_" + std::to_string(i) + "@example.com");
    amounts.push_back(Int128{i * 137});
  }
  ColumnBatch batch = MakeBatch(
      {{F("id", T(TypeId::kInt64)), FixedColumn<int64_t>(T(TypeId::kInt64), ids)},
       {F("email", T(TypeId::kString)), StringColumn(T(TypeId::kString), emails)},
       {F("score", T(TypeId::kFloat64)), FixedColumn<double>(T(TypeId::kFloat64), scores)},
       {F("at", DataType::Timestamp(TimeUnit::kMicros, true)),
        FixedColumn<int64_t>(DataType::Timestamp(TimeUnit::kMicros, true), ts)},
       {F("amount", DataType::Decimal(18, 2)),
        FixedColumn<Int128>(DataType::Decimal(18, 2), amounts)}});
  auto enc = CopyBinaryEncoder::Make(batch.schema);
  ASSERT_TRUE(enc.ok());
  const auto start = std::chrono::steady_clock::now();
  size_t bytes = 0;
  for (int b = 0; b < kBatches; ++b) {
    ASSERT_TRUE((*enc)->AppendBatch(batch).ok());
    bytes += (*enc)->size();
    (*enc)->Clear();
  }
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%lld rows, %.0f MB in %.2f s: %.1f M rows/s, %.0f MB/s\n",
              static_cast<long long>((*enc)->rows_encoded()), bytes / 1e6, secs,
              (*enc)->rows_encoded() / secs / 1e6, bytes / 1e6 / secs);
}

TEST(CopyEncoderFormatTest, HeaderAndTrailerBytes) {
  auto enc = CopyBinaryEncoder::Make({F("a", T(TypeId::kInt32))});
  ASSERT_TRUE(enc.ok());
  (*enc)->AppendHeader();
  (*enc)->AppendTrailer();
  const std::string expected("PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0\xff\xff", 21);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>((*enc)->data()), (*enc)->size()), expected);
}

TEST(CopyEncoderFormatTest, RowLayoutIsBigEndian) {
  auto enc = CopyBinaryEncoder::Make({F("a", T(TypeId::kInt32)), F("b", T(TypeId::kInt16))});
  ASSERT_TRUE(enc.ok());
  ColumnBatch batch =
      MakeBatch({{F("a", T(TypeId::kInt32)), FixedColumn<int32_t>(T(TypeId::kInt32), {258})},
                 {F("b", T(TypeId::kInt16)), FixedColumn<int16_t>(T(TypeId::kInt16), {kNull})}});
  ASSERT_TRUE((*enc)->AppendBatch(batch).ok());
  const std::string expected("\0\x02\0\0\0\x04\0\0\x01\x02\xff\xff\xff\xff", 14);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>((*enc)->data()), (*enc)->size()), expected);
}

// A batch sent in pieces (what parallel loads do to bound their buffers) encodes to the same
// bytes as the whole batch, with and without a selection; a range past the rows is refused.
TEST(CopyEncoderFormatTest, RowRangesConcatenateToTheWholeBatch) {
  const std::vector<Field> fields{F("a", T(TypeId::kInt64)), F("s", T(TypeId::kString))};
  ColumnBatch batch =
      MakeBatch({{fields[0], Int64Column(5, 10)},
                 {fields[1], StringColumn(T(TypeId::kString), {"a", kNull, "ccc", "", "e"})}});
  auto bytes = [](const CopyBinaryEncoder& e) {
    return std::string(reinterpret_cast<const char*>(e.data()), e.size());
  };
  for (const auto& selection :
       std::vector<std::optional<std::vector<uint32_t>>>{std::nullopt, {{0, 2, 3, 4}}}) {
    batch.selection = selection;
    auto whole = CopyBinaryEncoder::Make(fields);
    auto pieces = CopyBinaryEncoder::Make(fields);
    ASSERT_TRUE(whole.ok() && pieces.ok());
    ASSERT_TRUE((*whole)->AppendBatch(batch).ok());
    const int64_t n = batch.num_selected();
    ASSERT_TRUE((*pieces)->AppendRows(batch, 0, 1).ok());
    ASSERT_TRUE((*pieces)->AppendRows(batch, 1, 1).ok());  // empty
    ASSERT_TRUE((*pieces)->AppendRows(batch, 1, n - 1).ok());
    ASSERT_TRUE((*pieces)->AppendRows(batch, n - 1, n).ok());
    EXPECT_EQ(bytes(**pieces), bytes(**whole));
    EXPECT_EQ((*pieces)->rows_encoded(), n);
    EXPECT_TRUE((*pieces)->AppendRows(batch, n - 1, n + 1).IsInvalidArgument());
    EXPECT_TRUE((*pieces)->AppendRows(batch, 2, 1).IsInvalidArgument());

    // SwapBuffer hands the bytes over and keeps encoding into the buffer given.
    PodVector<uint8_t> taken;
    (*pieces)->SwapBuffer(taken);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(taken.data()), taken.size()),
              bytes(**whole));
    EXPECT_EQ((*pieces)->size(), 0u);
  }
}

TEST(CopyEncoderFormatTest, NumericSendFormat) {
  uint8_t buf[internal::kMaxNumericBytes];
  auto enc = [&](Int128 v, int scale) {
    const bool neg = v < 0;
    const size_t n =
        internal::EncodeNumeric(neg ? UInt128(0) - UInt128(v) : UInt128(v), neg, scale, buf);
    std::vector<int> words;
    for (size_t i = 0; i < n; i += 2)
      words.push_back(static_cast<int16_t>((buf[i] << 8) | buf[i + 1]));
    return words;
  };
  // ndigits, weight, sign, dscale, digits...
  EXPECT_EQ(enc(12345, 2), (std::vector<int>{2, 0, 0, 2, 123, 4500}));
  EXPECT_EQ(enc(-5, 2), (std::vector<int>{1, -1, 0x4000, 2, 500}));
  EXPECT_EQ(enc(0, 3), (std::vector<int>{0, 0, 0, 3}));
  EXPECT_EQ(enc(100000000, 0), (std::vector<int>{1, 2, 0, 0, 1}));
  EXPECT_EQ(enc(1, 8), (std::vector<int>{1, -2, 0, 8, 1}));
}

TEST(CopyEncoderFormatTest, MakeRejectsUnmappableTypes) {
  EXPECT_TRUE(CopyBinaryEncoder::Make({}).status().IsInvalidArgument());
  EXPECT_TRUE(CopyBinaryEncoder::Make({F("a", T(TypeId::kInt32)), F("a", T(TypeId::kInt64))})
                  .status()
                  .IsInvalidArgument());
  EXPECT_TRUE(CopyBinaryEncoder::Make({F("a", DataType::Decimal(5, 7))}).status().IsNotSupported());
  EXPECT_TRUE(
      CopyBinaryEncoder::Make({F("a", DataType::Decimal(5, -1))}).status().IsNotSupported());
}

}  // namespace
}  // namespace lakesync::pg
