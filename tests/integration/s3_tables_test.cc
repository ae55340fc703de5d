// The shared Delta tables read through S3 (s3rver on loopback) give exactly the rows they give
// from local disk: every version's snapshot, one time travel by timestamp, and the change
// feed, for tables with checkpoints (classic, multi-part, V2 with sidecars), deletion vectors,
// column mapping and CDF. The tables are uploaded with our own client (PUT).
// Commit times come from file modification times where a table has no in-commit timestamps;
// S3 keeps them to the second, so the local copy's times are truncated to the second too, and
// s3rver's stored objects get the same times.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "lakesync/common/canonical_json.h"
#include "lakesync/common/macros.h"
#include "lakesync/delta/change_scan.h"
#include "lakesync/delta/scan.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/storage/local_file_system.h"
#include "lakesync/storage/s3_file_system.h"
#include "lakesync/testing/s3_server.h"
#include "lakesync/testing/shared_tables.h"
#include "table_assertions.h"

namespace lakesync {
namespace {

namespace fs = std::filesystem;

// Tables by what they exercise; all small.
const std::vector<std::string> kTables = {
    // classic checkpoint at v10, deletion vectors, column mapping (name)
    "delta-kernel-rs/unpacked/golden_data/dv-with-columnmapping/delta",
    // multi-part checkpoint
    "delta-kernel-rs/unpacked/golden_data/multi-part-checkpoint/delta",
    // V2 checkpoint with Parquet sidecars
    "delta-kernel-rs/unpacked/golden_data/v2-checkpoint-parquet/delta",
    // CDF with cdc files and deletion vectors, 26 versions
    "delta-kernel-rs/unpacked/data/cdf-table-with-cdc-and-dvs",
    // CDF with column mapping (id)
    "delta-kernel-rs/unpacked/data/cdf-column-mapping-id-mode",
    // partitioned CDF table with change data files
    "delta-kernel-rs/unpacked/data/cdf-table",
};

// Every row of every batch, as canonical JSON, sorted (file order is not part of the contract).
template <typename ScanT>
Result<std::vector<std::string>> Rows(const ScanT& scan) {
  LAKESYNC_ASSIGN_OR_RETURN(auto it, scan.Open());
  std::vector<std::string> rows;
  while (true) {
    LAKESYNC_ASSIGN_OR_RETURN(auto batch, it->Next());
    if (!batch) break;
    auto emit = [&](int64_t r) -> Status {
      LAKESYNC_ASSIGN_OR_RETURN(std::string row, CanonicalJsonRow(*batch, r));
      rows.push_back(std::move(row));
      return Status::OK();
    };
    if (batch->selection) {
      for (uint32_t r : *batch->selection) LAKESYNC_RETURN_NOT_OK(emit(r));
    } else {
      for (int64_t r = 0; r < batch->num_rows; ++r) LAKESYNC_RETURN_NOT_OK(emit(r));
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

struct Read {
  Status status;
  int64_t version = -1;
  std::vector<std::string> rows;
};

// Opens the snapshot at `options` and reads every row of the scan `make_scan` plans on it.
template <typename MakeScan>
Read ReadAll(std::shared_ptr<storage::FileSystem> fs, const std::string& root,
             delta::SnapshotOptions options, MakeScan make_scan) {
  Read out;
  auto rows = [&]() -> Result<std::vector<std::string>> {
    LAKESYNC_ASSIGN_OR_RETURN(auto snap, delta::Snapshot::Open(fs, root, options));
    out.version = snap->version();
    LAKESYNC_ASSIGN_OR_RETURN(auto scan, make_scan(*snap));
    return Rows(*scan);
  }();
  if (rows.ok()) {
    out.rows = std::move(rows).value();
  } else {
    out.status = rows.status();
  }
  return out;
}

Read SnapshotRows(std::shared_ptr<storage::FileSystem> fs, const std::string& root,
                  delta::SnapshotOptions options) {
  return ReadAll(fs, root, options, [](const delta::Snapshot& s) { return delta::Scan::Make(s); });
}

Read ChangeRows(std::shared_ptr<storage::FileSystem> fs, const std::string& root, int64_t start) {
  return ReadAll(fs, root, {},
                 [start](const delta::Snapshot& s) { return delta::ChangeScan::Make(s, start); });
}

void SetMtimeSeconds(const std::string& path, int64_t seconds) {
  timespec times[2] = {{static_cast<time_t>(seconds), 0}, {static_cast<time_t>(seconds), 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

// Both reads agree: the same outcome (code), and the same version and rows when they succeed.
void ExpectSame(const Read& local, const Read& s3, const std::string& what) {
  ASSERT_EQ(local.status.code(), s3.status.code())
      << what << ": local " << local.status << " vs S3 " << s3.status;
  EXPECT_EQ(local.version, s3.version) << what;
  EXPECT_EQ(local.rows.size(), s3.rows.size()) << what;
  EXPECT_TRUE(local.rows == s3.rows) << what << ": rows differ";
}

// Each test starts its own s3rver (buckets "lakesync" and "all"); the tests skip where
// ../shared or node's s3rver is absent.
class S3TablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shared_ = testing::SharedTablesDir();
    if (shared_.empty()) GTEST_SKIP() << "LAKESYNC_SHARED_DIR/delta-tables not found";
    auto server = testing::S3Server::Start({"lakesync", "all"});
    if (!server.ok() && server.status().IsNotFound()) GTEST_SKIP() << server.status();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(server).value();
    auto s3 = storage::S3FileSystem::Make(server_->Options());
    ASSERT_TRUE(s3.ok()) << s3.status();
    s3_ = std::move(s3).value();
  }

  std::string shared_;
  std::unique_ptr<testing::S3Server> server_;
  std::shared_ptr<storage::S3FileSystem> s3_;
  std::shared_ptr<storage::LocalFileSystem> local_ = std::make_shared<storage::LocalFileSystem>();
};

TEST_F(S3TablesTest, SharedTablesReadTheSameThroughS3AsFromDisk) {
  testing::TempDir tmp;

  int versions_compared = 0, feeds_compared = 0, rows_compared = 0;
  for (size_t t = 0; t < kTables.size(); ++t) {
    const std::string& name = kTables[t];
    const fs::path source = fs::path(shared_) / name;
    if (!fs::exists(source)) {
      ADD_FAILURE() << "shared_ table missing: " << source;
      continue;
    }
    const std::string local_root = tmp.path() + "/t" + std::to_string(t);
    const std::string key_root = "t" + std::to_string(t);
    const std::string s3_root = "s3://lakesync/" + key_root;
    fs::copy(source, local_root, fs::copy_options::recursive);
    for (const auto& entry : fs::recursive_directory_iterator(local_root)) {
      if (!entry.is_regular_file()) continue;
      const std::string rel = fs::relative(entry.path(), local_root).string();
      struct stat st;
      ASSERT_EQ(::stat((source / rel).c_str(), &st), 0);
      SetMtimeSeconds(entry.path().string(), st.st_mtim.tv_sec);
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), {});
      Status put = s3_->WriteFile(s3_root + "/" + rel, bytes);
      ASSERT_TRUE(put.ok()) << put;
      SetMtimeSeconds(server_->ObjectFile("lakesync", key_root + "/" + rel), st.st_mtim.tv_sec);
    }

    const Read latest_local = SnapshotRows(local_, local_root, {});
    ASSERT_TRUE(latest_local.status.ok()) << name << ": " << latest_local.status;
    ExpectSame(latest_local, SnapshotRows(s3_, s3_root, {}), name + " latest");
    for (int64_t v = 0; v < latest_local.version; ++v) {
      const std::string what = name + " version " + std::to_string(v);
      const Read l = SnapshotRows(local_, local_root, {.version = v});
      ExpectSame(l, SnapshotRows(s3_, s3_root, {.version = v}), what);
      ++versions_compared;
      rows_compared += static_cast<int>(l.rows.size());
    }
    // Time travel by timestamp resolves commit times the same way on both stores.
    auto first = delta::Snapshot::Open(local_, local_root, {.version = latest_local.version});
    ASSERT_TRUE(first.ok());
    const int64_t ts = (*first)->commits().empty() ? 0 : (*first)->commits().back().timestamp_ms;
    if (ts > 0) {
      ExpectSame(SnapshotRows(local_, local_root, {.timestamp_ms = ts}),
                 SnapshotRows(s3_, s3_root, {.timestamp_ms = ts}), name + " at timestamp");
    }
    if (testing::Has(name, "cdf")) {
      // From the first version whose change feed can be read (CDF may be enabled later).
      int64_t start = 0;
      Read l = ChangeRows(local_, local_root, start);
      while (!l.status.ok() && l.status.IsInvalidArgument() && start < latest_local.version) {
        l = ChangeRows(local_, local_root, ++start);
      }
      EXPECT_TRUE(l.status.ok()) << name << " changes: " << l.status;
      ExpectSame(l, ChangeRows(s3_, s3_root, start),
                 name + " changes from version " + std::to_string(start));
      EXPECT_FALSE(l.rows.empty()) << name;
      ++feeds_compared;
      rows_compared += static_cast<int>(l.rows.size());
    }
    rows_compared += static_cast<int>(latest_local.rows.size());
  }
  std::cout << "compared through S3: " << kTables.size() << " tables, " << versions_compared
            << " earlier versions, " << feeds_compared << " change feeds, " << rows_compared
            << " rows\n";
  EXPECT_EQ(feeds_compared, 3);
}

// Every shared_ table up to 1 MB, latest snapshot: the same rows through S3 as from disk, or the
// same error code where the table cannot be read. The tables go into s3rver's store directly (its
// on-disk layout: one "<key>._S3rver_object" file per object) to keep this sweep quick; the
// PUT path is covered above. Keys include spaces, '%', '=' and non-ASCII names. Snapshot rows
// do not depend on commit times, so the local side reads the shared_ tables in place.
TEST_F(S3TablesTest, EveryTableLatestSnapshotReadsTheSameThroughS3) {
  int same_rows = 0, same_errors = 0;
  for (const auto& row : testing::LoadManifest(shared_)) {
    const std::string& name = row.at("path");
    // The three tables over 1 MB (54 MB together) decode for seconds on either side and add
    // nothing to what the S3 path is asked to do; the local sweep reads them.
    if (!row.at("size_kb").empty() && std::stoi(row.at("size_kb")) > 1000) continue;
    const fs::path source = fs::path(shared_) / name;
    for (const auto& entry : fs::recursive_directory_iterator(source)) {
      if (!entry.is_regular_file()) continue;
      const std::string object =
          server_->ObjectFile("all", name + "/" + fs::relative(entry.path(), source).string());
      fs::create_directories(fs::path(object).parent_path());
      fs::copy_file(entry.path(), object);
    }
    const Read l = SnapshotRows(local_, source.string(), {});
    const Read r = SnapshotRows(s3_, "s3://all/" + name, {});
    if (testing::Has(name, "canonicalized-paths")) {
      // Their logs name data files by absolute local paths, which no S3 table can reach.
      EXPECT_TRUE(r.status.IsInvalidArgument()) << name << ": " << r.status;
      EXPECT_TRUE(testing::Has(r.status.message(), "is not an s3:// URL")) << r.status;
      continue;
    }
    ExpectSame(l, r, name);
    (l.status.ok() ? same_rows : same_errors)++;
  }
  std::cout << "latest snapshots through S3: " << same_rows << " tables with the same rows, "
            << same_errors << " with the same error\n";
  EXPECT_GT(same_rows, 150);  // of the 224 tables swept
}

// Data files open with the size their add action gives, so a scan sends no HEAD request (one
// round trip per file saved); an object of another size then fails naming both sizes, and a
// missing one NotFound naming it (for a change range: the VACUUM advice), as from local disk.
TEST_F(S3TablesTest, DataFilesOpenWithoutAHeadRequestAndAWrongSizeOrMissingFileFailsNamingIt) {
  testing::TempDir tmp;
  const fs::path source = fs::path(shared_) / "delta-kernel-rs/unpacked/data/cdf-table";
  ASSERT_TRUE(fs::exists(source)) << source;
  const std::string local_root = tmp.path() + "/t";
  const std::string s3_root = "s3://lakesync/t";
  fs::copy(source, local_root, fs::copy_options::recursive);
  int data_files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(local_root)) {
    if (!entry.is_regular_file()) continue;
    const std::string rel = fs::relative(entry.path(), local_root).string();
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    ASSERT_TRUE(s3_->WriteFile(s3_root + "/" + rel, bytes).ok());
    if (rel.ends_with(".parquet") && !rel.starts_with("_change_data")) ++data_files;
  }

  const int64_t heads = s3_->client().requests("HEAD");
  const int64_t gets = s3_->client().requests("GET");
  const Read latest = SnapshotRows(s3_, s3_root, {});
  ASSERT_TRUE(latest.status.ok()) << latest.status;
  EXPECT_FALSE(latest.rows.empty());
  EXPECT_EQ(s3_->client().requests("HEAD") - heads, 0);
  EXPECT_GT(s3_->client().requests("GET") - gets, data_files / 2);
  ExpectSame(SnapshotRows(local_, local_root, {}), latest, "latest");

  // A data file of version 0, still live, missing: NotFound naming it, and for a change range
  // that reads it, the VACUUM advice.
  const std::string missing =
      "birthday=2023-12-25/part-00007-8cd4b5a3-b4dd-4bbc-8bb3-721fa82961c6.c000.snappy.parquet";
  ASSERT_TRUE(fs::exists(fs::path(local_root) / missing));
  fs::rename(fs::path(local_root) / missing, tmp.path() + "/kept.parquet");
  ASSERT_TRUE(s3_->DeleteFile(s3_root + "/" + missing).ok());
  using Store = std::pair<std::shared_ptr<storage::FileSystem>, std::string>;
  for (const auto& [store, root] : {std::pair<std::string, Store>{"local", {local_, local_root}},
                                    std::pair<std::string, Store>{"S3", {s3_, s3_root}}}) {
    const Read snapshot = SnapshotRows(root.first, root.second, {});
    EXPECT_TRUE(snapshot.status.IsNotFound()) << store << ": " << snapshot.status;
    EXPECT_TRUE(testing::Has(snapshot.status.message(), missing)) << snapshot.status;
    const Read changes = ChangeRows(root.first, root.second, 0);
    EXPECT_TRUE(changes.status.IsNotFound()) << store << ": " << changes.status;
    EXPECT_TRUE(testing::Has(changes.status.message(), missing)) << changes.status;
    EXPECT_TRUE(testing::Has(changes.status.message(), "VACUUM")) << changes.status;
  }
  fs::rename(tmp.path() + "/kept.parquet", fs::path(local_root) / missing);
  std::ifstream kept(fs::path(local_root) / missing, std::ios::binary);
  ASSERT_TRUE(s3_->WriteFile(s3_root + "/" + missing,
                             std::string((std::istreambuf_iterator<char>(kept)), {}))
                  .ok());

  // One replaced by a longer one: both stores refuse it, naming it and both sizes.
  const std::string longer =
      "birthday=2023-12-22/part-00000-592a7e14-f790-4236-9c61-120d006eb3b8.c000.snappy.parquet";
  const int64_t size = static_cast<int64_t>(fs::file_size(fs::path(local_root) / longer));
  {
    std::ofstream out(fs::path(local_root) / longer, std::ios::binary | std::ios::app);
    out << "0123456789";
  }
  std::ifstream in(fs::path(local_root) / longer, std::ios::binary);
  ASSERT_TRUE(
      s3_->WriteFile(s3_root + "/" + longer, std::string((std::istreambuf_iterator<char>(in)), {}))
          .ok());
  for (const auto& [store, read] : {std::pair{"local", SnapshotRows(local_, local_root, {})},
                                    std::pair{"S3", SnapshotRows(s3_, s3_root, {})}}) {
    EXPECT_TRUE(read.status.IsCorruption()) << store << ": " << read.status;
    EXPECT_TRUE(testing::Has(read.status.message(), longer)) << read.status;
    EXPECT_TRUE(testing::Has(read.status.message(),
                             std::to_string(size + 10) + " bytes, not the " + std::to_string(size)))
        << store << ": " << read.status;
  }
}

}  // namespace
}  // namespace lakesync
