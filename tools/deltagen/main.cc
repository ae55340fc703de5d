// deltagen: writes Delta Lake test tables (development tool, not installed). See --help.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "deltagen/all_types.h"
#include "deltagen/compression.h"
#include "deltagen/scenario.h"
#include "deltagen/synthetic_log.h"
#include "deltagen/user_profiles.h"
#include "lakesync/common/macros.h"
#include "lakesync/storage/local_file_system.h"

namespace {

using lakesync::Result;
using lakesync::Status;
using namespace lakesync::deltagen;

constexpr const char* kDescription =
    R"(deltagen: writes Delta Lake tables for lakesync tests, benchmarks and the demo.

Tables are written as Spark does: Parquet data files (snappy by default, dictionary
encoding, statistics), _delta_log/%020d.json commits, copy-on-write UPDATE/DELETE (remove the
old file, add the rewritten one) with _change_data/ files when change data feed is on, and
classic checkpoints. Tables made with --deletion-vectors take later DELETEs as deletion
vectors (merge-on-read) instead; all-types --column-mapping name|id writes column-mapped tables.

The user_profiles table: user_id BIGINT NOT NULL (1..N), email, name, country (few values),
age INT, score DOUBLE, created_at TIMESTAMP, is_active BOOLEAN, balance DECIMAL(12,2); values
are a function of --seed and user_id, with 1-5% nulls in the nullable columns.

State for `change`: the table folder holds _deltagen_state.json (seed, options, the operations
applied so far and the user_id range of every live data file). `change` re-derives the rows
of each file from the generator plus those operations; it reads no Parquet. It refuses to
run when the Delta log has moved past the state file (another writer committed).

Examples:
  deltagen user-profiles --out /tmp/up --rows 100000 --files 4 --codec snappy
  deltagen change --table /tmp/up --update-every 100 --set score=+1 --delete-every 1000 --insert 500
  deltagen checkpoint --table /tmp/up
  deltagen scenario --out /tmp/up2 scenario.json
  deltagen all-types --out /tmp/at --rows 1000
  deltagen info --table /tmp/up
  deltagen synthetic-log --out /tmp/log --commits 100000 --checkpoint-every 10000)";

int Fail(const Status& st) {
  std::fprintf(stderr, "deltagen: %s\n", st.ToString().c_str());
  switch (st.code()) {
    case lakesync::StatusCode::kInvalidArgument:
    case lakesync::StatusCode::kNotSupported:
      return 2;
    case lakesync::StatusCode::kNotFound:
      return 3;
    case lakesync::StatusCode::kConflict:
      return 4;
    default:
      return 1;
  }
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Removes `dir` when it holds a table deltagen wrote (never anything else).
Status RemoveOldTable(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return Status::OK();
  if (!fs::exists(fs::path(dir) / UserProfilesTable::kStateFile, ec)) {
    return Status::Conflict("{} exists and was not written by deltagen; not overwriting", dir);
  }
  fs::remove_all(dir, ec);
  if (ec) return Status::IOError("removing {}: {}", dir, ec.message());
  return Status::OK();
}

Status PrintInfo(UserProfilesTable& t) {
  LAKESYNC_ASSIGN_OR_RETURN(int64_t rows, t.CountRows());
  int64_t bytes = 0;
  for (const auto& [path, add] : t.writer().active_files()) bytes += add.size;
  std::printf("table %s: version %lld, %lld rows, %zu data files, %.1f MB, %zu operations\n",
              t.writer().root().c_str(), static_cast<long long>(t.version()),
              static_cast<long long>(rows), t.writer().active_files().size(), bytes / 1e6,
              t.ops().size());
  return Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{kDescription, "deltagen"};
  app.require_subcommand(1);
  app.fallthrough();  // -q may follow the subcommand
  auto fs = std::make_shared<lakesync::storage::LocalFileSystem>();

  // user-profiles
  UserProfilesOptions up;
  std::string out_dir, codec = "snappy";
  bool no_cdf = false, no_dict = false, overwrite = false, quiet = false;
  auto* cmd_up = app.add_subcommand("user-profiles", "write a new user_profiles table");
  cmd_up->add_option("--out", out_dir, "table folder (must not exist unless --overwrite)")
      ->required();
  cmd_up->add_option("--rows", up.rows, "rows")->capture_default_str();
  cmd_up->add_option("--files", up.files, "data files")->capture_default_str();
  cmd_up->add_option("--codec", codec, "none|snappy|zstd|gzip|lz4|brotli")->capture_default_str();
  cmd_up->add_option("--row-group-rows", up.parquet.row_group_rows, "rows per row group")
      ->capture_default_str();
  cmd_up->add_option("--page-size", up.parquet.page_size, "target data page bytes")
      ->capture_default_str();
  cmd_up->add_option("--seed", up.seed, "generator seed")->capture_default_str();
  cmd_up->add_option("--partition-by", up.partition_by, "partition column (country)");
  cmd_up->add_option("--name", up.name, "metaData.name")->capture_default_str();
  cmd_up->add_flag("--no-cdf", no_cdf, "do not enable change data feed");
  cmd_up->add_flag("--no-dictionary", no_dict, "PLAIN encoding only");
  cmd_up->add_flag("--data-page-v2", up.parquet.data_page_v2, "write DATA_PAGE_V2 pages");
  cmd_up->add_flag("--deletion-vectors", up.deletion_vectors,
                   "later DELETEs and UPDATEs write deletion vectors (merge-on-read) instead of "
                   "rewriting");
  std::string column_mapping = "none";
  cmd_up->add_option("--column-mapping", column_mapping, "none|name|id")
      ->check(CLI::IsMember({"none", "name", "id"}))
      ->capture_default_str();
  cmd_up->add_flag("--overwrite", overwrite, "replace a table deltagen wrote before");

  // all-types
  AllTypesOptions at;
  bool no_ntz = false, at_cdf = false;
  auto* cmd_at = app.add_subcommand(
      "all-types",
      "write the all_types table: every Delta type plus struct/array/map, edge values, nulls");
  cmd_at->add_option("--out", out_dir, "table folder")->required();
  cmd_at->add_option("--rows", at.rows, "rows")->capture_default_str();
  cmd_at->add_option("--files", at.files, "data files")->capture_default_str();
  cmd_at->add_option("--codec", codec, "none|snappy|zstd|gzip|lz4|brotli")->capture_default_str();
  cmd_at->add_option("--seed", at.seed, "generator seed")->capture_default_str();
  cmd_at->add_option("--partition-by", at.partition_by, "a primitive column to partition by");
  cmd_at->add_flag("--no-ntz", no_ntz, "leave out timestamp_ntz (keeps reader version 1)");
  cmd_at->add_flag("--cdf", at_cdf, "enable change data feed");
  cmd_at
      ->add_option("--column-mapping", column_mapping,
                   "none|name|id: physical column names col-<uuid> and field ids in files")
      ->check(CLI::IsMember({"none", "name", "id"}))
      ->capture_default_str();
  cmd_at->add_flag("--no-dictionary", no_dict, "PLAIN encoding only");
  cmd_at->add_flag("--data-page-v2", at.parquet.data_page_v2, "write DATA_PAGE_V2 pages");
  cmd_at->add_flag("--overwrite", overwrite, "replace a table deltagen wrote before");

  // scenario
  std::string scenario_file;
  auto* cmd_sc = app.add_subcommand("scenario", "write a table and commits from a JSON scenario");
  cmd_sc->add_option("--out", out_dir, "table folder")->required();
  cmd_sc->add_option("file", scenario_file, "scenario JSON file")->required();
  cmd_sc->add_flag("--overwrite", overwrite, "replace a table deltagen wrote before");

  // change
  std::string table_dir;
  int64_t update_every = 0, update_offset = 0, delete_every = 0, delete_offset = 0, insert = 0;
  int insert_files = 1;
  std::vector<std::string> sets;
  bool checkpoint_after = false;
  auto* cmd_ch = app.add_subcommand(
      "change",
      "commit changes to a table deltagen wrote: an UPDATE, then a DELETE, then an INSERT "
      "(one Delta version each, in that order)");
  cmd_ch->add_option("--table", table_dir, "table folder")->required();
  cmd_ch->add_option(
      "--update-every", update_every,
      "UPDATE rows with user_id % N = offset (copy-on-write, CDF preimage/postimage)");
  cmd_ch->add_option("--update-offset", update_offset, "offset for --update-every");
  cmd_ch->add_option("--set", sets,
                     "assignment column=value for the UPDATE (default score=+1); value: +n, -n, "
                     "*n, ! (toggle bool), null, or a literal");
  cmd_ch->add_option("--delete-every", delete_every, "DELETE rows with user_id % N = offset");
  cmd_ch->add_option("--delete-offset", delete_offset, "offset for --delete-every");
  cmd_ch->add_option("--insert", insert, "INSERT N new users (ids after the largest)");
  cmd_ch->add_option("--insert-files", insert_files, "files for the INSERT")->capture_default_str();
  cmd_ch->add_flag("--checkpoint", checkpoint_after, "write a checkpoint afterwards");

  // checkpoint
  int parts = 1;
  auto* cmd_cp = app.add_subcommand("checkpoint", "write a classic checkpoint of the last version");
  cmd_cp->add_option("--table", table_dir, "table folder")->required();
  cmd_cp->add_option("--parts", parts, "multi-part checkpoint with N parts")->capture_default_str();

  // info
  SyntheticLogOptions sl;
  auto* cmd_sl = app.add_subcommand(
      "synthetic-log",
      "write only a long _delta_log (streaming appends, periodic OPTIMIZE, optional checkpoints) "
      "for log-replay benchmarks");
  cmd_sl->add_option("--out", out_dir, "table folder (must not exist)")->required();
  cmd_sl->add_option("--commits", sl.commits, "commits")->capture_default_str();
  cmd_sl->add_option("--adds-per-commit", sl.adds_per_commit, "files each append adds")
      ->capture_default_str();
  cmd_sl->add_option("--optimize-every", sl.optimize_every, "every Nth commit is an OPTIMIZE")
      ->capture_default_str();
  cmd_sl
      ->add_option("--checkpoint-every", sl.checkpoint_every,
                   "classic checkpoint after every Nth commit (0: none)")
      ->capture_default_str();

  auto* cmd_info = app.add_subcommand("info", "print version, rows and files of a deltagen table");
  cmd_info->add_option("--table", table_dir, "table folder")->required();

  app.add_flag("-q,--quiet", quiet, "print nothing on success");
  CLI11_PARSE(app, argc, argv);

  const auto start = std::chrono::steady_clock::now();
  if (*cmd_up) {
    up.cdf = !no_cdf;
    if (Status st = ParseColumnMapping(column_mapping, &up.column_mapping); !st.ok()) {
      return Fail(st);
    }
    up.parquet.dictionary = !no_dict;
    if (Status st = ParseCodec(codec, &up.parquet.codec); !st.ok()) return Fail(st);
    if (overwrite) {
      if (Status st = RemoveOldTable(out_dir); !st.ok()) return Fail(st);
    }
    auto t = UserProfilesTable::Create(fs, out_dir, up);
    if (!t.ok()) return Fail(t.status());
    if (!quiet) {
      int64_t bytes = 0;
      for (const auto& [path, add] : (*t)->writer().active_files()) bytes += add.size;
      std::printf("wrote %s: %lld rows, %zu files, %.1f MB, version %lld in %.2f s\n",
                  out_dir.c_str(), static_cast<long long>(up.rows),
                  (*t)->writer().active_files().size(), bytes / 1e6,
                  static_cast<long long>((*t)->version()), Seconds(start));
    }
    return 0;
  }
  if (*cmd_sl) {
    auto summary = WriteSyntheticLog(fs, out_dir, sl);
    if (!summary.ok()) return Fail(summary.status());
    if (!quiet) {
      std::printf(
          "wrote %s: version %lld, %lld adds, %lld removes, %lld active files, %lld "
          "checkpoints in %.2f s\n",
          out_dir.c_str(), static_cast<long long>(summary->version),
          static_cast<long long>(summary->adds), static_cast<long long>(summary->removes),
          static_cast<long long>(summary->active_files),
          static_cast<long long>(summary->checkpoints), Seconds(start));
    }
    return 0;
  }
  if (*cmd_at) {
    at.with_ntz = !no_ntz;
    at.cdf = at_cdf;
    at.column_mapping = column_mapping == "name" ? ColumnMapping::kName
                        : column_mapping == "id" ? ColumnMapping::kId
                                                 : ColumnMapping::kNone;
    at.parquet.dictionary = !no_dict;
    if (Status st = ParseCodec(codec, &at.parquet.codec); !st.ok()) return Fail(st);
    if (overwrite) {
      if (Status st = RemoveOldTable(out_dir); !st.ok()) return Fail(st);
    }
    auto w = WriteAllTypesTable(fs, out_dir, at);
    if (!w.ok()) return Fail(w.status());
    // Marks the folder as deltagen's so --overwrite may replace it.
    if (Status st = fs->WriteFile(lakesync::storage::JoinPath(out_dir, "_deltagen_state.json"),
                                  "{\"kind\":\"all_types\"}\n");
        !st.ok()) {
      return Fail(st);
    }
    if (!quiet) {
      std::printf("wrote %s: %lld rows, %zu files in %.2f s\n", out_dir.c_str(),
                  static_cast<long long>(at.rows), (*w)->active_files().size(), Seconds(start));
    }
    return 0;
  }
  if (*cmd_sc) {
    auto fs_text = fs->ReadFile(scenario_file);
    if (!fs_text.ok()) return Fail(fs_text.status());
    auto sc = ParseScenario(*fs_text);
    if (!sc.ok()) return Fail(sc.status());
    if (overwrite) {
      if (Status st = RemoveOldTable(out_dir); !st.ok()) return Fail(st);
    }
    auto t = sc->Run(fs, out_dir);
    if (!t.ok()) return Fail(t.status());
    if (!quiet) {
      std::printf("wrote %s: version %lld in %.2f s\n", out_dir.c_str(),
                  static_cast<long long>((*t)->version()), Seconds(start));
    }
    return 0;
  }
  if (*cmd_ch || *cmd_cp || *cmd_info) {
    auto t = UserProfilesTable::Open(fs, table_dir);
    if (!t.ok()) return Fail(t.status());
    if (*cmd_info) {
      Status st = PrintInfo(**t);
      return st.ok() ? 0 : Fail(st);
    }
    if (*cmd_cp) {
      Status st = (*t)->Checkpoint(parts);
      if (!st.ok()) return Fail(st);
      if (!quiet)
        std::printf("checkpoint at version %lld\n", static_cast<long long>((*t)->version()));
      return 0;
    }
    if (update_every <= 0 && delete_every <= 0 && insert <= 0 && !checkpoint_after) {
      return Fail(Status::InvalidArgument(
          "change: give --update-every, --delete-every, --insert and/or --checkpoint"));
    }
    if (update_every > 0) {
      std::vector<SetExpr> set;
      if (sets.empty()) sets.push_back("score=+1");
      for (const std::string& s : sets) {
        const size_t eq = s.find('=');
        if (eq == std::string::npos || eq == 0) {
          return Fail(Status::InvalidArgument("--set wants column=value, got '{}'", s));
        }
        set.push_back(SetExpr::Parse(s.substr(0, eq), std::string_view(s).substr(eq + 1)));
      }
      auto v = (*t)->Update({update_every, update_offset}, set);
      if (!v.ok()) return Fail(v.status());
      if (!quiet)
        std::printf("version %lld: UPDATE every %lld\n", static_cast<long long>(*v),
                    static_cast<long long>(update_every));
    }
    if (delete_every > 0) {
      auto v = (*t)->Delete({delete_every, delete_offset});
      if (!v.ok()) return Fail(v.status());
      if (!quiet)
        std::printf("version %lld: DELETE every %lld\n", static_cast<long long>(*v),
                    static_cast<long long>(delete_every));
    }
    if (insert > 0) {
      auto v = (*t)->Insert(insert, insert_files);
      if (!v.ok()) return Fail(v.status());
      if (!quiet)
        std::printf("version %lld: INSERT %lld rows\n", static_cast<long long>(*v),
                    static_cast<long long>(insert));
    }
    if (checkpoint_after) {
      Status st = (*t)->Checkpoint(1);
      if (!st.ok()) return Fail(st);
      if (!quiet)
        std::printf("checkpoint at version %lld\n", static_cast<long long>((*t)->version()));
    }
    if (!quiet) std::printf("done in %.2f s\n", Seconds(start));
    return 0;
  }
  return 0;
}
