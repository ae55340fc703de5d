// `lakesync delta history|schema|cat|changes` run as a user runs them, on real tables from
// $LAKESYNC_SHARED_DIR/delta-tables: output lines, canonical JSON and exit codes.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "lakesync/testing/test_paths.h"

namespace lakesync::cli {
namespace {

struct CommandRun {
  int exit_code = -1;
  std::vector<std::string> lines;  // stdout
  std::string all;                 // stdout and stderr
};

CommandRun Lakesync(const std::string& args) {
  CommandRun run;
  const std::string command = fmt::format("{}/lakesync {} 2>/tmp/lakesync_delta_cli_err_{}",
                                          testing::BinaryDir(), args, ::getpid());
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);) run.lines.push_back(line);
  const std::string err_path = fmt::format("/tmp/lakesync_delta_cli_err_{}", ::getpid());
  FILE* err = std::fopen(err_path.c_str(), "r");
  std::string err_text;
  if (err) {
    while ((n = std::fread(buf, 1, sizeof(buf), err)) > 0) err_text.append(buf, n);
    std::fclose(err);
    std::remove(err_path.c_str());
  }
  run.all = out + err_text;
  return run;
}

std::string Table(const std::string& relative) {
  const std::string path = testing::SharedDir() + "/delta-tables/" + relative;
  return std::filesystem::exists(path) ? path : "";
}

#define REQUIRE_TABLE(var, relative)                                            \
  const std::string var = Table(relative);                                      \
  if (var.empty()) GTEST_SKIP() << "shared table " << relative << " not found"; \
  if (!std::filesystem::exists(testing::BinaryDir() + "/lakesync"))             \
  GTEST_SKIP() << "lakesync binary not built"

TEST(DeltaCommandTest, CatPrintsRowsWithPartitionValuesAsOfAVersion) {
  REQUIRE_TABLE(t, "delta-kernel-rs/unpacked/data/cdf-table");
  CommandRun latest = Lakesync("delta cat " + t);
  ASSERT_EQ(latest.exit_code, 0) << latest.all;
  EXPECT_EQ(latest.lines.size(), 9u) << latest.all;  // 10 inserted, Dennis deleted at v3
  EXPECT_EQ(latest.lines[0], R"({"id":1,"name":"Steve","birthday":"2023-12-22"})");
  CommandRun v0 = Lakesync("delta cat " + t + " --version 0 --columns birthday,id --limit 2");
  ASSERT_EQ(v0.exit_code, 0) << v0.all;
  EXPECT_EQ(v0.lines, (std::vector<std::string>{R"({"birthday":"2023-12-22","id":1})",
                                                R"({"birthday":"2023-12-23","id":2})"}));
  CommandRun full_v0 = Lakesync("delta cat " + t + " --version 0");
  EXPECT_EQ(full_v0.lines.size(), 10u) << full_v0.all;
  CommandRun unknown = Lakesync("delta cat " + t + " --columns nope");
  EXPECT_EQ(unknown.exit_code, 3) << unknown.all;
  EXPECT_NE(unknown.all.find("nope"), std::string::npos) << unknown.all;
}

TEST(DeltaCommandTest, CatLeavesOutRowsDeletedByDeletionVectors) {
  REQUIRE_TABLE(t, "delta-kernel-rs/kernel/tests/data/table-with-dv-small");
  CommandRun before = Lakesync("delta cat " + t + " --version 0");
  ASSERT_EQ(before.exit_code, 0) << before.all;
  EXPECT_EQ(before.lines.size(), 10u);
  CommandRun after = Lakesync("delta cat " + t);
  ASSERT_EQ(after.exit_code, 0) << after.all;
  EXPECT_EQ(after.lines.size(), 8u);
  for (const auto& line : after.lines) {
    EXPECT_NE(line, R"({"value":0})");
    EXPECT_NE(line, R"({"value":9})");
  }
}

TEST(DeltaCommandTest, ChangesCarryTypeVersionAndTimestamp) {
  REQUIRE_TABLE(t, "delta-kernel-rs/unpacked/data/cdf-table");
  CommandRun run = Lakesync("delta changes " + t + " --from 3 --to 3");
  ASSERT_EQ(run.exit_code, 0) << run.all;
  ASSERT_EQ(run.lines.size(), 1u) << run.all;
  EXPECT_TRUE(run.lines[0].starts_with(
      R"({"id":7,"name":"Dennis","birthday":"2023-12-29","_change_type":"delete","_commit_version":3,"_commit_timestamp":")"))
      << run.lines[0];
  CommandRun all = Lakesync("delta changes " + t + " --from 0 --columns id");
  ASSERT_EQ(all.exit_code, 0) << all.all;
  EXPECT_EQ(all.lines.size(), 23u) << all.all;  // 10 inserts, 6 updates x 2 images, 1 delete
}

TEST(DeltaCommandTest, ChangesWithoutChangeDataFeedSayHowToEnableIt) {
  REQUIRE_TABLE(t, "delta-kernel-rs/kernel/tests/data/app-txn-no-checkpoint");
  CommandRun run = Lakesync("delta changes " + t + " --from 0");
  EXPECT_EQ(run.exit_code, 3) << run.all;
  EXPECT_NE(run.all.find("not enabled at version 0"), std::string::npos) << run.all;
  EXPECT_NE(run.all.find("SET TBLPROPERTIES (delta.enableChangeDataFeed = true)"),
            std::string::npos)
      << run.all;
}

TEST(DeltaCommandTest, HistoryAndSchema) {
  REQUIRE_TABLE(t, "delta-kernel-rs/unpacked/data/cdf-table");
  CommandRun history = Lakesync("delta history " + t + " --json");
  ASSERT_EQ(history.exit_code, 0) << history.all;
  ASSERT_EQ(history.lines.size(), 4u) << history.all;
  EXPECT_TRUE(history.lines[0].starts_with(R"({"version":3,"timestamp":")")) << history.lines[0];
  EXPECT_NE(history.lines[0].find(R"("operation":"DELETE","operation_parameters":{"predicate":)"),
            std::string::npos)
      << history.lines[0];
  EXPECT_NE(history.lines[3].find(R"("operation":"WRITE")"), std::string::npos);
  CommandRun table = Lakesync("delta history " + t + " --limit 1");
  ASSERT_EQ(table.exit_code, 0) << table.all;
  ASSERT_EQ(table.lines.size(), 2u) << table.all;  // header and version 3
  EXPECT_TRUE(table.lines[1].starts_with("3 ")) << table.lines[1];

  CommandRun schema = Lakesync("delta schema " + t);
  ASSERT_EQ(schema.exit_code, 0) << schema.all;
  EXPECT_EQ(schema.lines, (std::vector<std::string>{"version 3", "id integer", "name string",
                                                    "birthday date (partition column)"}));
  CommandRun missing = Lakesync("delta schema /nonexistent/table");
  EXPECT_EQ(missing.exit_code, 4) << missing.all;
  CommandRun future = Lakesync("delta schema " + t + " --version 99");
  EXPECT_EQ(future.exit_code, 4) << future.all;
}

TEST(DeltaCommandTest, CatWherePrintsOnlyMatchingRows) {
  REQUIRE_TABLE(t, "delta-kernel-rs/kernel/tests/data/basic_partitioned");
  CommandRun a = Lakesync("delta cat " + t + " --where \"letter = 'a'\" --columns number");
  ASSERT_EQ(a.exit_code, 0) << a.all;
  std::sort(a.lines.begin(), a.lines.end());
  EXPECT_EQ(a.lines, (std::vector<std::string>{R"({"number":1})", R"({"number":4})"}));
  CommandRun both =
      Lakesync("delta cat " + t + " --where 'number >= 4' --where \"letter IN ('a', 'e')\"");
  ASSERT_EQ(both.exit_code, 0) << both.all;
  std::sort(both.lines.begin(), both.lines.end());
  EXPECT_EQ(both.lines, (std::vector<std::string>{R"({"letter":"a","number":4,"a_float":4.4})",
                                                  R"({"letter":"e","number":5,"a_float":5.5})"}));
  CommandRun nulls = Lakesync("delta cat " + t + " --where 'letter IS NULL' --columns number");
  EXPECT_EQ(nulls.lines, (std::vector<std::string>{R"({"number":6})"})) << nulls.all;
  CommandRun bad = Lakesync("delta cat " + t + " --where 'number = abc'");
  EXPECT_EQ(bad.exit_code, 3) << bad.all;
  EXPECT_NE(bad.all.find("not an integer"), std::string::npos) << bad.all;
}

}  // namespace
}  // namespace lakesync::cli
