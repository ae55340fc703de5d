// End to end from S3: a deltagen table written to s3rver (through our S3 client), synced into
// PostgreSQL by the `lakesync` binary configured only by AWS_* environment variables:
// create (initial snapshot), then an incremental sync of updates and deletes, then the
// inspection commands on s3:// paths.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include "deltagen/scenario.h"
#include "lakesync/storage/s3_file_system.h"
#include "lakesync/testing/pg_test_env.h"
#include "lakesync/testing/s3_server.h"
#include "lakesync/testing/test_paths.h"
#include "table_assertions.h"

namespace lakesync {
namespace {

TEST(S3SyncTest, CreateAndSyncFromAnS3Source) {
  LAKESYNC_TEST_DATABASE(db);
  auto server = testing::S3Server::Start({"lake"});
  if (!server.ok() && server.status().IsNotFound()) GTEST_SKIP() << server.status();
  ASSERT_TRUE(server.ok()) << server.status();
  auto s3 = storage::S3FileSystem::Make((*server)->Options());
  ASSERT_TRUE(s3.ok());
  auto table = deltagen::Scenario::UserProfiles(3'000).Files(3).Cdf(true).Run(
      *s3, "s3://lake/gold/user_profiles");
  ASSERT_TRUE(table.ok()) << table.status();

  const std::string env = fmt::format(
      "env AWS_ENDPOINT_URL={} AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER "
      "AWS_REGION=us-east-1 HOME=/nonexistent",
      (*server)->endpoint());
  const std::string bin = testing::BinaryDir() + "/lakesync";
  auto run = [&](const std::string& args, std::string* out) {
    out->clear();
    return testing::RunCommand(fmt::format("{} {} {} --dsn '{}'", env, bin, args, db->conninfo()),
                               out);
  };
  std::string out;
  ASSERT_EQ(run("create gold.up --source s3://lake/gold/user_profiles --primary-key user_id", &out),
            0)
      << out;
  auto conn = db->Connect();
  ASSERT_TRUE(conn.ok());
  auto rows = (*table)->CurrentRows();
  ASSERT_TRUE(rows.ok());
  testing::ExpectTableEquals(**conn, "gold.up", *rows, "user_id");

  ASSERT_TRUE((*table)->Update({.every = 10}, {deltagen::SetExpr::Parse("age", "+1")}).ok());
  ASSERT_TRUE((*table)->Delete({.every = 100, .offset = 5}).ok());
  ASSERT_EQ(run("sync gold.up --json", &out), 0) << out;
  EXPECT_NE(out.find(R"("mode":"INCREMENTAL")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("rows_updated":300)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("rows_deleted":30)"), std::string::npos) << out;
  rows = (*table)->CurrentRows();
  ASSERT_TRUE(rows.ok());
  testing::ExpectTableEquals(**conn, "gold.up", *rows, "user_id");

  // A one-off copy of an older version, and a source that is not there.
  ASSERT_EQ(run("copy --source s3://lake/gold/user_profiles --table gold.v0 --primary-key "
                "user_id --version 0",
                &out),
            0)
      << out;
  auto count = testing::QueryRows(**conn, "SELECT count(*) FROM gold.v0");
  ASSERT_TRUE(count.ok()) << count.status();
  EXPECT_EQ((*count)[0][0], "3000");
  EXPECT_EQ(run("create gold.x --source s3://lake/gold/nothing_here --primary-key user_id", &out),
            4)
      << out;
}

TEST(S3SyncTest, InspectionCommandsTakeS3Urls) {
  auto server = testing::S3Server::Start({"lake"});
  if (!server.ok() && server.status().IsNotFound()) GTEST_SKIP() << server.status();
  ASSERT_TRUE(server.ok()) << server.status();
  auto s3 = storage::S3FileSystem::Make((*server)->Options());
  ASSERT_TRUE(s3.ok());
  auto table =
      deltagen::Scenario::UserProfiles(50).Files(1).Cdf(true).Delete(10).Run(*s3, "s3://lake/t");
  ASSERT_TRUE(table.ok()) << table.status();
  const std::string env = fmt::format(
      "env AWS_ENDPOINT_URL_S3={} AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER",
      (*server)->endpoint());
  const std::string bin = testing::BinaryDir() + "/lakesync";
  std::string out;
  auto run = [&](const std::string& args) {
    out.clear();
    return testing::RunCommand(fmt::format("{} {} {}", env, bin, args), &out);
  };
  ASSERT_EQ(run("delta cat s3://lake/t"), 0) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 45) << out;
  ASSERT_EQ(run("delta changes s3://lake/t --from 1"), 0) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 5) << out;
  EXPECT_NE(out.find("\"_change_type\":\"delete\""), std::string::npos) << out;
  auto listing = (*s3)->ListDir("s3://lake/t");
  ASSERT_TRUE(listing.ok());
  // The first file (50 rows) and its rewrite without the 5 deleted rows.
  int64_t lines = 0, files = 0;
  for (const auto& f : *listing) {
    if (!f.path.ends_with(".parquet")) continue;
    ASSERT_EQ(run("parquet cat " + f.path), 0) << out;
    lines += std::count(out.begin(), out.end(), '\n');
    ++files;
  }
  EXPECT_EQ(files, 2);
  EXPECT_EQ(lines, 95);
  EXPECT_EQ(run("delta cat s3://lake/missing"), 4) << out;
}

}  // namespace
}  // namespace lakesync
