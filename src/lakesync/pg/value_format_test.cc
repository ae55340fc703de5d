#include <gtest/gtest.h>

#include <limits>

#include "lakesync/pg/connection.h"
#include "lakesync/pg/value_format_internal.h"
#include "lakesync/testing/pg_test_env.h"

namespace lakesync::pg::internal {
namespace {

const char* const kValidJson[] = {
    "{}",
    "[]",
    "0",
    "-0",
    "1.5e+10",
    "-12.25E-3",
    "\"\"",
    "true",
    "false",
    "null",
    " \t\n{ \"a\" : [ 1 , { \"b\" : null } ] }\r\n",
    "\"\\ud83d\\ude00\"",
    "\"\\u00e9\\n\\/\"",
    "[[[[[]]]]]",
    "{\"a\":{},\"b\":[]}",
    "\"é\"",
    "123456789012345678901234567890",
};
const char* const kInvalidJson[] = {
    "",         " ",         "{",           "[1,]",        "{\"a\":1,}",  "{\"a\"}",
    "{a:1}",    "01",        "1.",          ".5",          "+1",          "1e",
    "--1",      "tru",       "nul",         "[1 2]",       "{} {}",       "\"abc",
    "\"\\x\"",  "\"\\u12\"", "\"\\u0000\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"",
    "\"a\nb\"", "NaN",       "[1]]",        "'a'",
};

TEST(JsonProblemTest, AcceptsValidJson) {
  for (const char* json : kValidJson) EXPECT_EQ(JsonProblem(json), "") << json;
}

TEST(JsonProblemTest, RejectsInvalidJson) {
  for (const char* json : kInvalidJson) EXPECT_NE(JsonProblem(json), "") << json;
}

TEST(JsonProblemTest, DeepNestingDoesNotOverflowTheStack) {
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  EXPECT_EQ(JsonProblem(deep), "");
  EXPECT_NE(JsonProblem(std::string(1000000, '[')), "");
}

// The client-side verdict must agree with the server's, so no row the server would take is
// refused and every row it would refuse is caught with its key.
TEST(JsonProblemTest, AgreesWithJsonbInput) {
  LAKESYNC_TEST_DATABASE(db);
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto check = [&](const char* json) {
    auto r = (*conn)->Query("SELECT $1::jsonb", {Param(std::string(json))});
    const bool server_ok = r.ok();
    const bool client_ok = JsonProblem(json).empty();
    EXPECT_EQ(client_ok, server_ok) << "'" << json << "': " << r.status().ToString();
  };
  for (const char* json : kValidJson) check(json);
  for (const char* json : kInvalidJson) {
    if (*json != '\0' && JsonProblem(json).find("unexpected end") == std::string::npos) {
      check(json);
    }
  }
}

TEST(TextProblemTest, AcceptsUtf8AndRejectsTheRest) {
  EXPECT_EQ(TextProblem(""), "");
  EXPECT_EQ(TextProblem("plain ascii text longer than eight bytes"), "");
  EXPECT_EQ(TextProblem("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf"), "");
  EXPECT_NE(TextProblem(std::string("abcdefgh\0ijk", 12)), "");
  EXPECT_NE(TextProblem("abcdefghij\xff"), "");
  EXPECT_NE(TextProblem("\xc1\xbf"), "");          // overlong
  EXPECT_NE(TextProblem("\xe0\x80\xaf"), "");      // overlong
  EXPECT_NE(TextProblem("\xed\xbf\xbf"), "");      // surrogate
  EXPECT_NE(TextProblem("\xf4\x90\x80\x80"), "");  // past U+10FFFF
  EXPECT_NE(TextProblem("\xf0\x9f\x98"), "");      // truncated
}

TEST(ValueTextTest, DatesTimesDecimalsBase64) {
  std::string out;
  AppendDateText(-2440588, out);
  EXPECT_EQ(out, "4714-11-24 BC");
  out.clear();
  AppendDateText(-719528, out);  // 0000-01-01 is 1 BC
  EXPECT_EQ(out, "0001-01-01 BC");
  out.clear();
  AppendTimestampText(-1, true, out);
  EXPECT_EQ(out, "1969-12-31T23:59:59.999999+00:00");
  out.clear();
  AppendTimestampText(std::numeric_limits<int64_t>::min(), false, out);  // -290308 = 290309 BC
  EXPECT_EQ(out, "290309-12-21T19:59:05.224192 BC");
  out.clear();
  AppendTimestampText(1700000000120000, false, out);
  EXPECT_EQ(out, "2023-11-14T22:13:20.12");
  out.clear();
  AppendDecimalText(-5, 3, out);
  EXPECT_EQ(out, "-0.005");
  out.clear();
  AppendDecimalText(1234, 0, out);
  EXPECT_EQ(out, "1234");
  out.clear();
  AppendDecimalText(0, 2, out);
  EXPECT_EQ(out, "0.00");
  out.clear();
  AppendDecimalText(-12345, 2, out);
  EXPECT_EQ(out, "-123.45");
  out.clear();
  AppendDecimalText(7, 60, out);  // scales wider than any __int128 value
  EXPECT_EQ(out, "0." + std::string(59, '0') + "7");
  out.clear();
  AppendBase64("", out);
  AppendBase64("f", out);
  out += "|";
  AppendBase64("fo", out);
  out += "|";
  AppendBase64("foobar", out);
  EXPECT_EQ(out, "Zg==|Zm8=|Zm9vYmFy");
  out.clear();
  AppendJsonString(std::string("q\"\\\x01\x1f/\t", 7), out);
  EXPECT_EQ(out, "\"q\\\"\\\\\\u0001\\u001f/\\t\"");
}

}  // namespace
}  // namespace lakesync::pg::internal
