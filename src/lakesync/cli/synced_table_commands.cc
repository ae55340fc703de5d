#include "lakesync/cli/synced_table_commands.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <memory>

#include "lakesync/cli/exit_codes.h"
#include "lakesync/common/macros.h"
#include "lakesync/common/value_text.h"
#include "lakesync/sync/continuous_pipeline.h"
#include "lakesync/sync/sync_engine.h"

namespace lakesync::cli {
namespace {

// Set by SIGTERM/SIGINT: a continuous sync finishes the run in flight, then exits.
std::atomic<bool> g_stop{false};
extern "C" void RequestStop(int) { g_stop.store(true); }

struct CommonOptions {
  std::string dsn;
  bool json = false;
};

void AddCommon(CLI::App* cmd, CommonOptions& common) {
  cmd->add_option("--dsn", common.dsn, "libpq connection string of the target database")
      ->required()
      ->envname("LAKESYNC_DSN");
  cmd->add_flag("--json", common.json, "print JSON for scripts instead of text");
}

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(s, out);
  return out;
}

template <typename T>
std::string JsonOpt(const std::optional<T>& v) {
  if (!v) return "null";
  if constexpr (std::is_same_v<T, std::string>) {
    return Json(*v);
  } else {
    return fmt::format("{}", *v);
  }
}

std::string StateJson(const sync::SyncedTableState& s) {
  std::string keys;
  for (const auto& k : s.spec.primary_key) keys += (keys.empty() ? "" : ",") + Json(k);
  return fmt::format(
      R"({{"name":{},"source_table_full_name":{},"primary_key_columns":[{}],"timeseries_key":{},)"
      R"("scheduling_policy":"{}","detailed_state":"{}","message":{},)"
      R"("last_processed_commit_version":{},"last_sync_start":{},"last_sync_end":{},)"
      R"("synced_row_count":{}}})",
      Json(s.spec.name), Json(s.spec.source), keys, JsonOpt(s.spec.timeseries_key),
      sync::SchedulingPolicyName(s.spec.policy), sync::DetailedStateName(s.state), Json(s.message),
      JsonOpt(s.last_processed_version), JsonOpt(s.last_sync_start), JsonOpt(s.last_sync_end),
      s.synced_row_count);
}

std::string RunJson(const sync::SyncRun& r) {
  return fmt::format(
      R"({{"mode":"{}","from_version":{},"to_version":{},"rows_inserted":{},"rows_updated":{},)"
      R"("rows_deleted":{},"rows_skipped":{},"seconds":{:.3f},"error":{}}})",
      r.mode, JsonOpt(r.from_version), JsonOpt(r.to_version), r.rows_inserted, r.rows_updated,
      r.rows_deleted, r.rows_skipped, r.seconds, Json(r.error));
}

void PrintState(const sync::SyncedTableState& s) {
  fmt::print("{}\n  source:          {}\n  primary key:     {}\n", s.spec.name, s.spec.source,
             fmt::join(s.spec.primary_key, ", "));
  if (s.spec.timeseries_key) fmt::print("  timeseries key:  {}\n", *s.spec.timeseries_key);
  fmt::print("  policy:          {}\n  state:           {}\n",
             sync::SchedulingPolicyName(s.spec.policy), sync::DetailedStateName(s.state));
  if (!s.message.empty()) fmt::print("  message:         {}\n", s.message);
  fmt::print("  last version:    {}\n  rows:            {}\n  last sync:       {} .. {}\n",
             s.last_processed_version ? std::to_string(*s.last_processed_version) : "-",
             s.synced_row_count, s.last_sync_start.value_or("-"), s.last_sync_end.value_or("-"));
}

// Runs `body` against an engine, printing errors and setting the exit code.
template <typename Body>
void WithEngine(const CommonOptions& common, int* exit_code, std::string_view cmd, Body body) {
  auto engine = sync::SyncEngine::Open(common.dsn);
  Status st = engine.ok() ? body(**engine) : engine.status();
  if (!st.ok()) fmt::print(stderr, "lakesync {}: {}\n", cmd, st.ToString());
  *exit_code = ExitCodeFor(st);
}

}  // namespace

void AddSyncedTableCommands(CLI::App& app, int* exit_code) {
  // create
  {
    auto common = std::make_shared<CommonOptions>();
    auto spec = std::make_shared<sync::SyncedTableSpec>();
    auto policy = std::make_shared<std::string>("TRIGGERED");
    auto ts = std::make_shared<std::string>();
    CLI::App* cmd =
        app.add_subcommand("create", "Create a synced table and load its initial snapshot");
    AddCommon(cmd, *common);
    cmd->add_option("name", spec->name, "the PostgreSQL table, [schema.]table")->required();
    cmd->add_option("--source", spec->source, "the Delta table (a directory holding _delta_log/)")
        ->required();
    cmd->add_option("--primary-key", spec->primary_key, "primary key column(s)")
        ->required()
        ->delimiter(',');
    cmd->add_option("--timeseries-key", *ts, "of rows with one key, keep the latest by this");
    cmd->add_option("--policy", *policy, "SNAPSHOT, TRIGGERED or CONTINUOUS")
        ->capture_default_str();
    cmd->callback([=] {
      WithEngine(*common, exit_code, "create", [&](sync::SyncEngine& engine) -> Status {
        auto p = sync::ParseSchedulingPolicy(*policy);
        if (!p.ok()) return p.status();
        spec->policy = *p;
        if (!ts->empty()) spec->timeseries_key = *ts;
        auto state = engine.Create(*spec);
        if (!state.ok()) return state.status();
        if (common->json) {
          fmt::print("{}\n", StateJson(*state));
        } else {
          PrintState(*state);
        }
        // The synced table exists either way; a failed first load still fails the command.
        return sync::IsOnline(state->state)
                   ? Status::OK()
                   : Status::IOError("the initial load failed: {}", state->message);
      });
    });
  }
  // sync
  {
    auto common = std::make_shared<CommonOptions>();
    auto name = std::make_shared<std::string>();
    auto full = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand(
        "sync", "Bring a synced table up to date (changes since the last sync, or a full copy)");
    AddCommon(cmd, *common);
    cmd->add_option("name", *name, "the synced table")->required();
    cmd->add_flag("--full-refresh", *full, "reload the whole table (repairs schema changes)");
    auto continuous = std::make_shared<bool>(false);
    auto interval_ms = std::make_shared<int>(1000);
    cmd->add_flag("--continuous", *continuous,
                  "keep running: apply new commits as they land, until SIGTERM or Ctrl-C");
    cmd->add_option("--interval-ms", *interval_ms, "with --continuous: how often to look")
        ->capture_default_str()
        ->check(CLI::Range(10, 3'600'000));
    cmd->callback([=] {
      WithEngine(*common, exit_code, "sync", [&](sync::SyncEngine& engine) -> Status {
        if (*continuous) {
          if (*full) LAKESYNC_RETURN_NOT_OK(engine.Sync(*name, true).status());
          std::signal(SIGTERM, RequestStop);
          std::signal(SIGINT, RequestStop);
          sync::ContinuousOptions options;
          options.interval = std::chrono::milliseconds(*interval_ms);
          options.on_run = [&](const Result<sync::SyncRun>& run) {
            if (common->json) {
              fmt::print("{}\n", run.ok() ? RunJson(*run) : Json(run.status().ToString()));
            } else if (run.ok()) {
              fmt::print("{}: version {}: {} inserted, {} updated, {} deleted\n", *name,
                         run->to_version.value_or(-1), run->rows_inserted, run->rows_updated,
                         run->rows_deleted);
            } else {
              fmt::print(stderr, "{}: {}\n", *name, run.status().ToString());
            }
            std::fflush(stdout);
          };
          return sync::RunContinuous(engine, *name, g_stop, options);
        }
        auto run = engine.Sync(*name, *full);
        if (!run.ok()) return run.status();
        if (common->json) {
          fmt::print("{}\n", RunJson(*run));
        } else {
          fmt::print("{}: {} to version {}: {} inserted, {} updated, {} deleted", *name,
                     run->mode == "SNAPSHOT" ? "copied" : "applied changes",
                     run->to_version.value_or(-1), run->rows_inserted, run->rows_updated,
                     run->rows_deleted);
          if (run->rows_skipped) fmt::print(", {} rows with a NULL key skipped", run->rows_skipped);
          fmt::print(" in {:.2f}s\n", run->seconds);
        }
        return Status::OK();
      });
    });
  }
  // get
  {
    auto common = std::make_shared<CommonOptions>();
    auto name = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand("get", "Show a synced table's spec and state");
    AddCommon(cmd, *common);
    cmd->add_option("name", *name, "the synced table")->required();
    cmd->callback([=] {
      WithEngine(*common, exit_code, "get", [&](sync::SyncEngine& engine) -> Status {
        auto state = engine.Get(*name);
        if (!state.ok()) return state.status();
        if (common->json) {
          fmt::print("{}\n", StateJson(*state));
        } else {
          PrintState(*state);
        }
        return Status::OK();
      });
    });
  }
  // list
  {
    auto common = std::make_shared<CommonOptions>();
    CLI::App* cmd = app.add_subcommand("list", "List the synced tables of a database");
    AddCommon(cmd, *common);
    cmd->callback([=] {
      WithEngine(*common, exit_code, "list", [&](sync::SyncEngine& engine) -> Status {
        auto all = engine.List();
        if (!all.ok()) return all.status();
        if (common->json) {
          std::vector<std::string> items;
          for (const auto& s : *all) items.push_back(StateJson(s));
          fmt::print("[{}]\n", fmt::join(items, ","));
          return Status::OK();
        }
        fmt::print("{:<32} {:<10} {:<40} {:>8} {:>12}\n", "NAME", "POLICY", "STATE", "VERSION",
                   "ROWS");
        for (const auto& s : *all) {
          fmt::print("{:<32} {:<10} {:<40} {:>8} {:>12}\n", s.spec.name,
                     sync::SchedulingPolicyName(s.spec.policy), sync::DetailedStateName(s.state),
                     s.last_processed_version ? std::to_string(*s.last_processed_version) : "-",
                     s.synced_row_count);
        }
        return Status::OK();
      });
    });
  }
  // delete
  {
    auto common = std::make_shared<CommonOptions>();
    auto name = std::make_shared<std::string>();
    auto purge = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand("delete", "Stop syncing a table (and drop it with --purge)");
    AddCommon(cmd, *common);
    cmd->add_option("name", *name, "the synced table")->required();
    cmd->add_flag("--purge", *purge, "also drop the PostgreSQL table");
    cmd->callback([=] {
      WithEngine(*common, exit_code, "delete", [&](sync::SyncEngine& engine) -> Status {
        LAKESYNC_RETURN_NOT_OK(engine.Delete(*name, *purge));
        if (!common->json)
          fmt::print("deleted synced table {}{}\n", *name,
                     *purge ? " and its PostgreSQL table" : "");
        return Status::OK();
      });
    });
  }
}

}  // namespace lakesync::cli
