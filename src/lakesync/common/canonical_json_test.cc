#include "lakesync/common/canonical_json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "lakesync/common/value_text.h"

namespace lakesync {
namespace {

// Hand-built vectors: each helper fills the buffers exactly as column_batch.h lays them out.

template <typename T>
ColumnVector Fixed(DataType type, const std::vector<std::optional<T>>& values) {
  ColumnVector col(std::move(type));
  col.set_length(static_cast<int64_t>(values.size()));
  col.values().resize(values.size() * sizeof(T));
  col.MaterializeValidity();
  for (size_t i = 0; i < values.size(); ++i) {
    T v = values[i].value_or(T{});
    std::memcpy(col.values().data() + i * sizeof(T), &v, sizeof(T));
    col.validity()[i] = values[i].has_value() ? 1 : 0;
  }
  col.CompactValidity();
  return col;
}

ColumnVector Strings(DataType type, const std::vector<std::optional<std::string>>& values) {
  ColumnVector col(std::move(type));
  col.set_length(static_cast<int64_t>(values.size()));
  col.MaterializeValidity();
  col.offsets().push_back(0);
  for (size_t i = 0; i < values.size(); ++i) {
    const std::string s = values[i].value_or("");
    col.bytes().insert(col.bytes().end(), s.begin(), s.end());
    col.offsets().push_back(static_cast<uint32_t>(col.bytes().size()));
    col.validity()[i] = values[i].has_value() ? 1 : 0;
  }
  col.CompactValidity();
  return col;
}

// A list or map column: `sizes[i]` child rows for row i, nullopt for a null row.
ColumnVector Nested(DataType type, const std::vector<std::optional<uint32_t>>& sizes,
                    std::vector<ColumnVector> children) {
  ColumnVector col(std::move(type));
  col.set_length(static_cast<int64_t>(sizes.size()));
  col.MaterializeValidity();
  col.offsets().push_back(0);
  uint32_t total = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    total += sizes[i].value_or(0);
    col.offsets().push_back(total);
    col.validity()[i] = sizes[i].has_value() ? 1 : 0;
  }
  col.CompactValidity();
  col.children() = std::move(children);
  return col;
}

std::string Json(const ColumnVector& col, int64_t row) {
  std::string out;
  Status st = AppendCanonicalJson(col, row, out);
  EXPECT_TRUE(st.ok()) << st;
  return out;
}

std::vector<std::string> All(const ColumnVector& col) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < col.length(); ++i) out.push_back(Json(col, i));
  return out;
}

using Strs = std::vector<std::string>;

TEST(CanonicalJsonTest, IntegersAreExactNumbers) {
  EXPECT_EQ(All(Fixed<int8_t>(DataType::Primitive(TypeId::kInt8), {-128, 127, std::nullopt})),
            (Strs{"-128", "127", "null"}));
  EXPECT_EQ(All(Fixed<int64_t>(DataType::Primitive(TypeId::kInt64),
                               {std::numeric_limits<int64_t>::min(), 0})),
            (Strs{"-9223372036854775808", "0"}));
  EXPECT_EQ(All(Fixed<uint64_t>(DataType::Primitive(TypeId::kUInt64),
                                {std::numeric_limits<uint64_t>::max()})),
            (Strs{"18446744073709551615"}));
  EXPECT_EQ(All(Fixed<uint8_t>(DataType::Primitive(TypeId::kUInt8), {255})), (Strs{"255"}));
  EXPECT_EQ(All(Fixed<uint8_t>(DataType::Primitive(TypeId::kBoolean), {1, 0, std::nullopt})),
            (Strs{"true", "false", "null"}));
}

TEST(CanonicalJsonTest, DecimalsAreStringsWithTheirScale) {
  const Int128 big = static_cast<Int128>(1) << 126;
  EXPECT_EQ(All(Fixed<Int128>(DataType::Decimal(10, 2), {1230, -5, 0, 7, -100, std::nullopt})),
            (Strs{R"("12.30")", R"("-0.05")", R"("0.00")", R"("0.07")", R"("-1.00")", "null"}));
  EXPECT_EQ(All(Fixed<Int128>(DataType::Decimal(5, 0), {7, -12345})),
            (Strs{R"("7")", R"("-12345")"}));
  EXPECT_EQ(All(Fixed<Int128>(DataType::Decimal(38, 38), {big})),
            (Strs{R"("0.85070591730234615865843651857942052864")"}));
  EXPECT_EQ(All(Fixed<Int128>(DataType::Decimal(38, 0), {-big - big})),
            (Strs{R"("-170141183460469231731687303715884105728")"}));
}

TEST(CanonicalJsonTest, FloatsAreShortestRoundTrip) {
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(All(Fixed<double>(DataType::Primitive(TypeId::kFloat64),
                              {0.1, -2.5, 1e300, 5e-324, -0.0, 100.0, std::nan(""), inf, -inf})),
            (Strs{"0.1", "-2.5", "1e+300", "5e-324", "-0", "100", R"("NaN")", R"("Infinity")",
                  R"("-Infinity")"}));
  // A float prints the shortest text for its own width, not for the double it widens to.
  EXPECT_EQ(All(Fixed<float>(DataType::Primitive(TypeId::kFloat32),
                             {0.1f, 16777216.0f, std::numeric_limits<float>::quiet_NaN()})),
            (Strs{"0.1", "16777216", R"("NaN")"}));
  EXPECT_EQ(All(Fixed<float>(DataType::Primitive(TypeId::kFloat16), {0.5f})), (Strs{"0.5"}));
}

TEST(CanonicalJsonTest, DatesIncludingBeforeYearOneAndAfter9999) {
  EXPECT_EQ(All(Fixed<int32_t>(DataType::Primitive(TypeId::kDate),
                               {0, 19753, -1, -719528, -719529, 2932897, 11017, std::nullopt})),
            (Strs{R"("1970-01-01")", R"("2024-01-31")", R"("1969-12-31")", R"("0000-01-01")",
                  R"("-0001-12-31")", R"("+10000-01-01")", R"("2000-03-01")", "null"}));
}

TEST(CanonicalJsonTest, TimestampsByUnitAndUtc) {
  const int64_t micros = 1706708701123456;  // 2024-01-31T13:45:01.123456
  EXPECT_EQ(All(Fixed<int64_t>(DataType::Timestamp(TimeUnit::kMicros, true), {micros, 0})),
            (Strs{R"("2024-01-31T13:45:01.123456Z")", R"("1970-01-01T00:00:00.000000Z")"}));
  EXPECT_EQ(All(Fixed<int64_t>(DataType::Timestamp(TimeUnit::kMicros, false), {micros})),
            (Strs{R"("2024-01-31T13:45:01.123456")"}));
  EXPECT_EQ(All(Fixed<int64_t>(DataType::Timestamp(TimeUnit::kMillis, true), {1706708701123})),
            (Strs{R"("2024-01-31T13:45:01.123000Z")"}));
  EXPECT_EQ(
      All(Fixed<int64_t>(DataType::Timestamp(TimeUnit::kNanos, false), {micros * 1000 + 789, -1})),
      (Strs{R"("2024-01-31T13:45:01.123456789")", R"("1969-12-31T23:59:59.999999999")"}));
  // Far ends of int64 nanoseconds (1677..2262) render without overflow.
  EXPECT_EQ(All(Fixed<int64_t>(
                DataType::Timestamp(TimeUnit::kNanos, true),
                {std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()})),
            (Strs{R"("1677-09-21T00:12:43.145224192Z")", R"("2262-04-11T23:47:16.854775807Z")"}));
  EXPECT_EQ(
      All(Fixed<int64_t>(DataType::Timestamp(TimeUnit::kMicros, true), {-62167219200000000 - 1})),
      (Strs{R"("-0001-12-31T23:59:59.999999Z")"}));
}

TEST(CanonicalJsonTest, TimesOfDay) {
  DataType millis = DataType::Primitive(TypeId::kTime);
  millis.unit = TimeUnit::kMillis;
  DataType nanos = DataType::Primitive(TypeId::kTime);
  nanos.unit = TimeUnit::kNanos;
  EXPECT_EQ(All(Fixed<int64_t>(DataType::Primitive(TypeId::kTime), {0, 49501000001})),
            (Strs{R"("00:00:00.000000")", R"("13:45:01.000001")"}));
  EXPECT_EQ(All(Fixed<int64_t>(millis, {86399999})), (Strs{R"("23:59:59.999000")"}));
  EXPECT_EQ(All(Fixed<int64_t>(nanos, {86400000000000})), (Strs{R"("24:00:00.000000000")"}));
}

TEST(CanonicalJsonTest, StringsAreEscapedAndIllFormedUtf8Replaced) {
  EXPECT_EQ(
      All(Strings(DataType::Primitive(TypeId::kString),
                  {"plain", "q\"b\\s/", std::string("nl\n\t\r\b\f\x01\x1f\x7f", 10),
                   std::string("nul\0!", 5), "caf\xc3\xa9 \xf0\x9f\x98\x80", "", std::nullopt})),
      (Strs{R"("plain")", R"("q\"b\\s/")", "\"nl\\n\\t\\r\\b\\f\\u0001\\u001f\x7f\"",
            R"("nul\u0000!")", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", R"("")", "null"}));
  // Maximal subparts: a lone continuation byte, a truncated 3-byte sequence (one U+FFFD for
  // both bytes), an overlong, a surrogate, a code point past U+10FFFF, a truncated tail.
  EXPECT_EQ(All(Strings(DataType::Primitive(TypeId::kString),
                        {"a\x80z", "a\xe2\x82z", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                         "end\xf0\x9f\x98"})),
            (Strs{R"("a\ufffdz")", R"("a\ufffdz")", R"("\ufffd\ufffd")", R"("\ufffd\ufffd\ufffd")",
                  R"("\ufffd\ufffd\ufffd\ufffd")", R"("end\ufffd")"}));
}

TEST(CanonicalJsonTest, BinaryIsBase64AndUuidIsText) {
  EXPECT_EQ(
      All(Strings(DataType::Primitive(TypeId::kBinary),
                  {"", "f", "fo", "foo", "foob", std::string("\xff\x00\xfe", 3), std::nullopt})),
      (Strs{R"("")", R"("Zg==")", R"("Zm8=")", R"("Zm9v")", R"("Zm9vYg==")", R"("/wD+")", "null"}));
  DataType uuid = DataType::Primitive(TypeId::kBinary);
  uuid.fixed_length = 16;
  uuid.string_kind = StringKind::kUuid;
  EXPECT_EQ(All(Strings(uuid, {std::string("\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x23\x45\x67\x89"
                                           "\xab\xcd\xef",
                                           16)})),
            (Strs{R"("12345678-9abc-def0-0123-456789abcdef")"}));
}

TEST(CanonicalJsonTest, NestedStructListMap) {
  // struct<a:int, tags:array<string>> over three rows; row 1 is a null struct, row 2 has a null
  // list and a null a.
  Field a{"a", DataType::Primitive(TypeId::kInt32)};
  Field tags{"tags", DataType::List(Field{"element", DataType::Primitive(TypeId::kString)})};
  ColumnVector s(DataType::Struct({a, tags}));
  s.set_length(3);
  s.validity().assign(3, 1);
  s.validity()[1] = 0;
  s.children().push_back(Fixed<int32_t>(a.type, {1, 0, std::nullopt}));
  s.children().push_back(
      Nested(tags.type, {2, 0, std::nullopt},
             {Strings(DataType::Primitive(TypeId::kString), {"x", std::nullopt})}));
  EXPECT_EQ(All(s), (Strs{R"({"a":1,"tags":["x",null]})", "null", R"({"a":null,"tags":null})"}));

  // map<string, array<double>> and map<int, date> (non-string keys become their text).
  DataType list_of_double = DataType::List(Field{"element", DataType::Primitive(TypeId::kFloat64)});
  ColumnVector m1 =
      Nested(DataType::Map(Field{"key", DataType::Primitive(TypeId::kString), false},
                           Field{"value", list_of_double}),
             {2, 0, std::nullopt},
             {Strings(DataType::Primitive(TypeId::kString), {"k\"1", "k2"}),
              Nested(list_of_double, {1, std::nullopt},
                     {Fixed<double>(DataType::Primitive(TypeId::kFloat64), {std::nan("")})})});
  EXPECT_EQ(All(m1), (Strs{R"({"k\"1":["NaN"],"k2":null})", "{}", "null"}));
  ColumnVector m2 = Nested(DataType::Map(Field{"key", DataType::Primitive(TypeId::kInt32), false},
                                         Field{"value", DataType::Primitive(TypeId::kDate)}),
                           {2},
                           {Fixed<int32_t>(DataType::Primitive(TypeId::kInt32), {-1, 7}),
                            Fixed<int32_t>(DataType::Primitive(TypeId::kDate), {0, 1})});
  EXPECT_EQ(All(m2), (Strs{R"({"-1":"1970-01-01","7":"1970-01-02"})"}));
  ColumnVector m3 = Nested(DataType::Map(Field{"key", DataType::Decimal(4, 1), false},
                                         Field{"value", DataType::Primitive(TypeId::kBoolean)}),
                           {1},
                           {Fixed<Int128>(DataType::Decimal(4, 1), {-15}),
                            Fixed<uint8_t>(DataType::Primitive(TypeId::kBoolean), {1})});
  EXPECT_EQ(All(m3), (Strs{R"({"-1.5":true})"}));
}

TEST(CanonicalJsonTest, RowIsAnObjectInSchemaOrder) {
  ColumnBatch batch;
  batch.schema = {Field{"id", DataType::Primitive(TypeId::kInt64)},
                  Field{"name \"x\"", DataType::Primitive(TypeId::kString)},
                  Field{"gone", DataType::Primitive(TypeId::kNull)}};
  batch.columns.push_back(Fixed<int64_t>(batch.schema[0].type, {1, 2}));
  batch.columns.push_back(Strings(batch.schema[1].type, {"a", std::nullopt}));
  ColumnVector nulls(batch.schema[2].type);
  nulls.set_length(2);
  batch.columns.push_back(std::move(nulls));
  batch.num_rows = 2;
  EXPECT_EQ(*CanonicalJsonRow(batch, 0), R"({"id":1,"name \"x\"":"a","gone":null})");
  EXPECT_EQ(*CanonicalJsonRow(batch, 1), R"({"id":2,"name \"x\"":null,"gone":null})");
}

TEST(CanonicalJsonTest, MalformedVectorsAreCorruptionNotCrashes) {
  std::string out;
  ColumnVector short_values(DataType::Primitive(TypeId::kInt64));
  short_values.set_length(2);
  short_values.values().resize(8);
  EXPECT_TRUE(AppendCanonicalJson(short_values, 1, out).IsCorruption());
  EXPECT_TRUE(AppendCanonicalJson(short_values, 2, out).IsCorruption());

  ColumnVector bad_string = Strings(DataType::Primitive(TypeId::kString), {"abc"});
  bad_string.offsets()[1] = 99;
  EXPECT_TRUE(AppendCanonicalJson(bad_string, 0, out).IsCorruption());

  ColumnVector list_without_child =
      Nested(DataType::List(Field{"element", DataType::Primitive(TypeId::kInt32)}), {1}, {});
  EXPECT_TRUE(AppendCanonicalJson(list_without_child, 0, out).IsCorruption());

  ColumnVector list_past_child =
      Nested(DataType::List(Field{"element", DataType::Primitive(TypeId::kInt32)}), {3},
             {Fixed<int32_t>(DataType::Primitive(TypeId::kInt32), {1})});
  Status st = AppendCanonicalJson(list_past_child, 0, out);
  EXPECT_TRUE(st.IsCorruption());
  EXPECT_NE(st.message().find("[]"), std::string::npos) << st;

  ColumnVector null_key =
      Nested(DataType::Map(Field{"key", DataType::Primitive(TypeId::kInt32)},
                           Field{"value", DataType::Primitive(TypeId::kInt32)}),
             {1},
             {Fixed<int32_t>(DataType::Primitive(TypeId::kInt32), {std::nullopt}),
              Fixed<int32_t>(DataType::Primitive(TypeId::kInt32), {1})});
  EXPECT_TRUE(AppendCanonicalJson(null_key, 0, out).IsCorruption());

  ColumnBatch mismatched;
  mismatched.schema = {Field{"a", DataType::Primitive(TypeId::kInt32)}};
  EXPECT_TRUE(CanonicalJsonRow(mismatched, 0).status().IsCorruption());
}

TEST(ValueTextTest, FindInvalidUtf8) {
  EXPECT_EQ(FindInvalidUtf8("all ascii, longer than eight bytes"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("\xe2\x82\xac ok \xf0\x9f\x98\x80"), std::string_view::npos);
  EXPECT_EQ(FindInvalidUtf8("0123456789\xc3"), 10u);
  EXPECT_EQ(FindInvalidUtf8("\xef\xbf\xbf\xf4\x8f\xbf\xbf\xf5"), 7u);
}

}  // namespace
}  // namespace lakesync
