#include "lakesync/common/logging.h"

#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

namespace lakesync::log {
namespace {

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetSinkForTesting([this](std::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override {
    SetSinkForTesting({});
    SetFormat(Format::kText);
    SetLevel(Level::kInfo);
  }
  std::vector<std::string> lines_;
};

TEST_F(LoggingTest, TextLineHasLevelMessageAndQuotedFieldsWhereNeeded) {
  Info("sync finished", {{"table", "public.t"}, {"rows", 5}, {"error", "a b"}});
  ASSERT_EQ(lines_.size(), 1u);
  const std::string& l = lines_[0];
  EXPECT_EQ(l.find("Z INFO sync finished table=public.t rows=5 error=\"a b\"\n"), 23u) << l;
}

TEST_F(LoggingTest, JsonLineIsOneObjectWithTypedFields) {
  SetFormat(Format::kJson);
  Warn("lease lost", {{"table", "s.\"t\""},
                      {"version", int64_t{42}},
                      {"ok", false},
                      {"rate", 2.5},
                      {"bad", std::numeric_limits<double>::infinity()}});
  ASSERT_EQ(lines_.size(), 1u);
  const std::string& l = lines_[0];
  EXPECT_EQ(l.substr(0, 7), "{\"ts\":\"");
  EXPECT_NE(l.find(R"("level":"warn","msg":"lease lost","table":"s.\"t\"","version":42,)"
                   R"("ok":false,"rate":2.5,"bad":"inf"})"),
            std::string::npos)
      << l;
  EXPECT_EQ(l.back(), '\n');
}

TEST_F(LoggingTest, EventsBelowTheLevelAreDropped) {
  SetLevel(Level::kWarn);
  Info("quiet");
  Error("loud");
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_NE(lines_[0].find("ERROR loud"), std::string::npos);
}

TEST(LoggingParseTest, UnknownFormatOrLevelNamesTheChoices) {
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_NE(ParseFormat("xml").status().message().find("text or json"), std::string::npos);
  EXPECT_NE(ParseLevel("loud").status().message().find("debug, info, warn or error"),
            std::string::npos);
}

}  // namespace
}  // namespace lakesync::log
