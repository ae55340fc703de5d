// Property tests for the COPY encoder with random values: whatever the encoder accepts,
// PostgreSQL accepts, and reads back as the text lakesync's own formatting predicts. Rows the
// encoder refuses are left out (a refused batch appends nothing), so one COPY carries the rest.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <random>

#include "lakesync/common/macros.h"
#include "lakesync/pg/copy_encoder.h"
#include "lakesync/pg/ddl.h"
#include "lakesync/pg/value_format_internal.h"
#include "lakesync/testing/column_builder.h"
#include "lakesync/testing/pg_test_env.h"

namespace lakesync::pg {
namespace {

using ::lakesync::testing::FixedColumn;
using ::lakesync::testing::MakeBatch;
using ::lakesync::testing::QueryRows;
using ::lakesync::testing::StringColumn;

constexpr int kRows = 1500;

struct Expected {
  int64_t ord;
  std::string text;  // what SELECT c::text must print
};

class CopyEncoderPropertyTest : public ::lakesync::testing::DatabaseTest {
 protected:
  // Encodes each one-row batch that make_column(i) returns; those the encoder accepts are
  // copied, then compared with expected(i) (nullopt: only check the server took it).
  template <typename MakeColumn, typename ExpectFn>
  void Check(const DataType& type, MakeColumn make_column, ExpectFn expected_text,
             int* accepted_out = nullptr) {
    const std::string table = "p" + std::to_string(++tables_);
    const QualifiedName name{"public", table};
    const std::vector<Field> fields = {Field{"ord", DataType::Primitive(TypeId::kInt64)},
                                       Field{"c", type}};
    auto create = CreateTableSql(name, fields, {});
    ASSERT_TRUE(create.ok()) << create.status().ToString();
    ASSERT_TRUE(conn_->Exec(*create).ok());
    auto enc = CopyBinaryEncoder::Make(fields);
    ASSERT_TRUE(enc.ok()) << enc.status().ToString();
    (*enc)->AppendHeader();
    std::vector<Expected> expected;
    int accepted = 0;
    for (int64_t i = 0; i < kRows; ++i) {
      ColumnBatch batch = MakeBatch(
          {{fields[0], FixedColumn<int64_t>(fields[0].type, {i})}, {fields[1], make_column(i)}});
      Status st = (*enc)->AppendBatch(batch);
      if (!st.ok()) {
        EXPECT_TRUE(st.IsInvalidArgument()) << st.ToString();
        continue;
      }
      ++accepted;
      std::optional<std::string> text = expected_text(i);
      if (text) expected.push_back(Expected{i, std::move(*text)});
    }
    (*enc)->AppendTrailer();
    auto copy = CopyFromStdinSql(name, fields);
    ASSERT_TRUE(copy.ok());
    ASSERT_TRUE(conn_->BeginCopy(*copy).ok());
    ASSERT_TRUE(conn_->PutCopyData((*enc)->data(), (*enc)->size()).ok());
    auto n = conn_->EndCopy();
    ASSERT_TRUE(n.ok()) << "the server refused what the encoder accepted: "
                        << n.status().ToString();
    EXPECT_EQ(*n, accepted);
    auto rows = QueryRows(*conn_, "SELECT ord, c::text FROM " + table + " ORDER BY ord");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    std::map<int64_t, std::string> got;
    for (auto& r : *rows) got[std::stoll(*r[0])] = r[1].value_or("<null>");
    for (const Expected& e : expected) {
      ASSERT_TRUE(got.count(e.ord)) << e.ord;
      EXPECT_EQ(got[e.ord], e.text) << "row " << e.ord;
    }
    if (accepted_out != nullptr) *accepted_out = accepted;
  }

  std::mt19937_64 rng_{20240601};
  int tables_ = 0;
};

TEST_F(CopyEncoderPropertyTest, RandomDecimalsReadBackAsTheirText) {
  for (int scale : {0, 1, 2, 3, 4, 5, 9, 18, 37, 38}) {
    const DataType type = DataType::Decimal(38, scale);
    std::vector<Int128> values(kRows);
    for (auto& v : values) {
      const int digits = static_cast<int>(rng_() % 39);  // 0..38 digits
      Int128 x = 0;
      for (int d = 0; d < digits; ++d) x = x * 10 + static_cast<int>(rng_() % 10);
      if (rng_() % 4 == 0) x = x - x % 10000;  // trailing zero groups
      v = (rng_() & 1) ? -x : x;
    }
    Check(
        type, [&](int64_t i) { return FixedColumn<Int128>(type, {values[i]}); },
        [&](int64_t i) -> std::optional<std::string> {
          std::string s;
          internal::AppendDecimalText(values[i], scale, s);
          return s;
        });
  }
}

TEST_F(CopyEncoderPropertyTest, RandomDatesAndTimestampsAcrossTheWholeRange) {
  const DataType date = DataType::Primitive(TypeId::kDate);
  std::vector<int32_t> days(kRows);
  for (auto& d : days) {
    switch (rng_() % 3) {
      case 0:
        d = static_cast<int32_t>(rng_());  // anywhere in int32: often out of range
        break;
      case 1:
        d = static_cast<int32_t>(-2440588 + static_cast<int64_t>(rng_() % 5) - 2);
        break;
      default:
        d = static_cast<int32_t>(static_cast<int64_t>(rng_() % 2000000) - 1000000);
    }
  }
  int accepted = 0;
  Check(
      date, [&](int64_t i) { return FixedColumn<int32_t>(date, {days[i]}); },
      [&](int64_t i) -> std::optional<std::string> {
        std::string s;
        internal::AppendDateText(days[i], s);
        return s;
      },
      &accepted);
  EXPECT_GT(accepted, kRows / 2);

  for (TimeUnit unit : {TimeUnit::kMillis, TimeUnit::kMicros, TimeUnit::kNanos}) {
    const DataType ts = DataType::Timestamp(unit, false);
    std::vector<int64_t> values(kRows);
    for (auto& v : values) {
      v = static_cast<int64_t>(rng_());
      if (rng_() % 2 == 0) v /= static_cast<int64_t>(1 + rng_() % 1000000);
    }
    Check(
        ts, [&](int64_t i) { return FixedColumn<int64_t>(ts, {values[i]}); },
        [&](int64_t i) -> std::optional<std::string> {
          int64_t micros = 0;
          if (!internal::ToMicros(values[i], unit, micros)) return std::nullopt;
          std::string s;
          internal::AppendTimestampText(micros, false, s);
          s[s.find('T')] = ' ';
          return s;
        });
  }
}

TEST_F(CopyEncoderPropertyTest, RandomBytesAsTextAreCheckedLikeTheServerDoes) {
  const char* const pieces[] = {"a",
                                "Z",
                                " ",
                                "\t",
                                "\xc3\xa9",
                                "\xe2\x82\xac",
                                "\xf0\x9f\x98\x80",
                                "\xff",
                                "\xc0\x80",
                                "\xed\xa0\x80",
                                "\xe2\x82",
                                "\x80",
                                "\0"};
  std::vector<std::string> values(kRows);
  for (auto& v : values) {
    const int n = static_cast<int>(rng_() % 8);
    for (int k = 0; k < n; ++k) {
      // Mostly valid pieces so that plenty of rows reach the server.
      const size_t p = rng_() % 10 < 8 ? rng_() % 7 : rng_() % std::size(pieces);
      v += std::string(pieces[p], p == std::size(pieces) - 1 ? 1 : std::strlen(pieces[p]));
    }
  }
  const DataType text = DataType::Primitive(TypeId::kString);
  int accepted = 0;
  Check(
      text, [&](int64_t i) { return StringColumn(text, {values[i]}); },
      [&](int64_t i) -> std::optional<std::string> { return values[i]; }, &accepted);
  EXPECT_GT(accepted, kRows / 4);
  EXPECT_LT(accepted, kRows);
}

TEST_F(CopyEncoderPropertyTest, RandomJsonTextIsCheckedLikeJsonbDoes) {
  const char* const tokens[] = {
      "{",           "}",     "[",           "]",           ",",
      ":",           "\"k\"", "\"\\u00e9\"", "\"\\u0000\"", "\"\\ud83d\\ude00\"",
      "\"\\ud83d\"", "1",     "-0.5e3",      "01",          "true",
      "null",        " ",     "\"a\\\"b\""};
  std::vector<std::string> values(kRows);
  for (size_t i = 0; i < values.size(); ++i) {
    std::string& v = values[i];
    if (i % 3 == 0) {
      // A valid document with a random scalar inside, so many rows are accepted.
      v = std::string("{\"k\": [") + tokens[11 + rng_() % 6] + "]}";
      continue;
    }
    const int n = 1 + static_cast<int>(rng_() % 7);
    for (int k = 0; k < n; ++k) v += tokens[rng_() % std::size(tokens)];
  }
  DataType json = DataType::Primitive(TypeId::kString);
  json.string_kind = StringKind::kJson;
  int accepted = 0;
  Check(
      json, [&](int64_t i) { return StringColumn(json, {values[i]}); },
      [&](int64_t) -> std::optional<std::string> { return std::nullopt; }, &accepted);
  EXPECT_GT(accepted, kRows / 4);
  // And the refused ones really are refused by the server.
  int refused_checked = 0;
  for (const std::string& v : values) {
    if (internal::JsonProblem(v).empty() || refused_checked >= 100) continue;
    if (v.find('\0') != std::string::npos) continue;
    ++refused_checked;
    auto r = conn_->Query("SELECT $1::jsonb", {Param(v)});
    EXPECT_FALSE(r.ok()) << "the encoder refused JSON the server accepts: " << v;
  }
}

}  // namespace
}  // namespace lakesync::pg
