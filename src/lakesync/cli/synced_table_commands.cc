#include "lakesync/cli/synced_table_commands.h"

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "lakesync/cli/backend.h"
#include "lakesync/cli/exit_codes.h"
#include "lakesync/cli/progress_bar.h"
#include "lakesync/common/macros.h"
#include "lakesync/common/value_text.h"
#include "lakesync/sync/continuous_pipeline.h"
#include "lakesync/sync/sync_engine.h"

namespace lakesync::cli {
namespace {

// Set by SIGTERM/SIGINT: a continuous sync finishes the run in flight, then exits.
std::atomic<bool> g_stop{false};
extern "C" void RequestStop(int) { g_stop.store(true); }

// Where a command acts: the first of --host, --dsn, --config given on the command line, then
// of LAKESYNC_HOST, LAKESYNC_DSN, LAKESYNC_CONFIG in the environment, then ./lakesync.toml.
struct TargetOptions {
  std::string host;
  std::string token;
  std::string dsn;
  std::string config;
  bool json = false;
};

void AddTarget(CLI::App* cmd, TargetOptions& t) {
  cmd->add_option("--host", t.host,
                  "URL of a lakesync daemon's API (http://HOST:PORT); env LAKESYNC_HOST");
  cmd->add_option("--token", t.token, "bearer token for --host; env LAKESYNC_TOKEN")
      ->envname("LAKESYNC_TOKEN");
  cmd->add_option("--dsn", t.dsn,
                  "libpq connection string of the target database (names are [schema.]table); "
                  "env LAKESYNC_DSN");
  cmd->add_option("--config", t.config,
                  "configuration file whose catalogs resolve catalog.schema.table names; env "
                  "LAKESYNC_CONFIG, default ./lakesync.toml when present");
  cmd->add_flag("--json", t.json, "print JSON for scripts instead of text");
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

Result<std::unique_ptr<Backend>> OpenBackend(const TargetOptions& t) {
  std::string host = t.host;
  std::string dsn = t.dsn;
  std::string config = t.config;
  if (host.empty() && dsn.empty() && config.empty()) {
    host = Env("LAKESYNC_HOST");
    if (host.empty()) dsn = Env("LAKESYNC_DSN");
    if (host.empty() && dsn.empty()) config = Env("LAKESYNC_CONFIG");
    if (host.empty() && dsn.empty() && config.empty() && std::filesystem::exists("lakesync.toml")) {
      config = "lakesync.toml";
    }
  }
  if (!host.empty()) return MakeRestBackend(host, t.token);
  if (!dsn.empty()) return MakeDirectBackend(dsn);
  if (!config.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(config::Config loaded, config::Config::Load(config));
    loaded.s3().ExportToEnvironment();
    return MakeConfigBackend(std::move(loaded));
  }
  return Status::InvalidArgument(
      "no target: give --host (a daemon), --dsn (a database) or --config (catalogs); see "
      "--help");
}

// Opens the backend and runs `body`, printing errors and setting the exit code. A missing
// target is a usage error (exit 2).
template <typename Body>
void Run(const TargetOptions& t, int* exit_code, std::string_view cmd, Body body) {
  auto backend = OpenBackend(t);
  if (!backend.ok() && backend.status().message().rfind("no target", 0) == 0) {
    fmt::print(stderr, "lakesync {}: {}\n", cmd, backend.status().message());
    *exit_code = kExitUsage;
    return;
  }
  Status st = backend.ok() ? body(**backend) : backend.status();
  if (!st.ok()) fmt::print(stderr, "lakesync {}: {}\n", cmd, st.ToString());
  *exit_code = ExitCodeFor(st);
}

void Show(const TableView& view, bool json) {
  if (json) {
    fmt::print("{}\n", ViewJson(view));
  } else {
    PrintView(view);
  }
}

void AddCreate(CLI::App& app, int* exit_code) {
  auto t = std::make_shared<TargetOptions>();
  auto args = std::make_shared<CreateArgs>();
  auto ts = std::make_shared<std::string>();
  auto schedule = std::make_shared<std::string>();
  auto no_wait = std::make_shared<bool>(false);
  CLI::App* cmd =
      app.add_subcommand("create", "Create a synced table and load its initial snapshot");
  AddTarget(cmd, *t);
  cmd->add_option("name", args->name,
                  "the synced table: [schema.]table with --dsn, catalog.schema.table otherwise")
      ->required();
  cmd->add_option("--source", args->source,
                  "the Delta table: a path or URL, or catalog.schema.table of a lakehouse "
                  "catalog")
      ->required();
  cmd->add_option("--primary-key", args->primary_key, "primary key column(s)")
      ->required()
      ->delimiter(',');
  cmd->add_option("--timeseries-key", *ts, "of rows with one key, keep the latest by this");
  cmd->add_option("--policy", args->policy, "SNAPSHOT, TRIGGERED or CONTINUOUS")
      ->capture_default_str();
  cmd->add_option("--schedule", *schedule,
                  "for TRIGGERED and SNAPSHOT tables run by a daemon: 'every 5m' or a cron "
                  "expression");
  auto max_connections = std::make_shared<int>(0);
  cmd->add_option("--max-connections", *max_connections,
                  "most connections a snapshot load of this table opens on the target (default "
                  "16; fewer when the server, or the instance's max_connections in the "
                  "configuration, has fewer to spare); direct mode only");
  cmd->add_flag("--no-wait", *no_wait,
                "with --host: return once the table is created, without waiting for its first "
                "load");
  cmd->callback([=] {
    Run(*t, exit_code, "create", [&](Backend& backend) -> Status {
      if (!ts->empty()) args->timeseries_key = *ts;
      if (!schedule->empty()) args->schedule = *schedule;
      if (cmd->count("--max-connections") > 0) args->max_connections = *max_connections;
      args->wait = !*no_wait;
      ProgressBar bar(args->name, !t->json);
      LAKESYNC_ASSIGN_OR_RETURN(
          TableView view,
          backend.Create(*args, [&](const sync::SyncProgress& p) { bar.Update(p); }));
      bar.Finish();
      Show(view, t->json);
      // The synced table exists either way; a failed first load still fails the command.
      if (IsOnlineState(view.state) || (*no_wait && IsProvisioning(view.state))) {
        return Status::OK();
      }
      return Status::IOError("the initial load failed: {}", view.message);
    });
  });
}

void AddSync(CLI::App& app, int* exit_code) {
  auto t = std::make_shared<TargetOptions>();
  auto name = std::make_shared<std::string>();
  auto full = std::make_shared<bool>(false);
  auto wait = std::make_shared<bool>(false);
  auto continuous = std::make_shared<bool>(false);
  auto interval_ms = std::make_shared<int>(1000);
  CLI::App* cmd = app.add_subcommand(
      "sync", "Bring a synced table up to date (changes since the last sync, or a full copy)");
  AddTarget(cmd, *t);
  cmd->add_option("name", *name, "the synced table")->required();
  cmd->add_flag("--full-refresh", *full, "reload the whole table (repairs schema changes)");
  cmd->add_flag("--wait", *wait,
                "with --host: wait until the daemon has run the update (direct mode always "
                "waits)");
  cmd->add_flag("--continuous", *continuous,
                "direct mode: keep running, applying new commits as they land, until SIGTERM "
                "or Ctrl-C");
  cmd->add_option("--interval-ms", *interval_ms, "with --continuous: how often to look")
      ->capture_default_str()
      ->check(CLI::Range(10, 3'600'000));
  cmd->callback([=] {
    if (*continuous) {
      Run(*t, exit_code, "sync", [&](Backend& backend) -> Status {
        std::signal(SIGTERM, RequestStop);
        std::signal(SIGINT, RequestStop);
        sync::ContinuousOptions options;
        options.interval = std::chrono::milliseconds(*interval_ms);
        options.on_run = [&](const Result<sync::SyncRun>& run) {
          if (t->json) {
            std::string error;
            AppendJsonString(run.ok() ? "" : run.status().ToString(), error);
            fmt::print("{}\n", run.ok() ? RunJson(*run) : error);
          } else if (run.ok()) {
            fmt::print("{}: version {}: {} inserted, {} updated, {} deleted\n", *name,
                       run->to_version.value_or(-1), run->rows_inserted, run->rows_updated,
                       run->rows_deleted);
          } else {
            fmt::print(stderr, "{}: {}\n", *name, run.status().ToString());
          }
          std::fflush(stdout);
        };
        return backend.SyncContinuously(*name, *full, options, g_stop);
      });
      return;
    }
    Run(*t, exit_code, "sync", [&](Backend& backend) -> Status {
      ProgressBar bar(*name, !t->json);
      LAKESYNC_ASSIGN_OR_RETURN(
          SyncResult result,
          backend.Sync(*name, *full, *wait, [&](const sync::SyncProgress& p) { bar.Update(p); }));
      bar.Finish();
      if (result.run) {
        if (t->json) {
          fmt::print("{}\n", RunJson(*result.run));
        } else {
          PrintRun(*name, *result.run);
        }
        return Status::OK();
      }
      if (t->json) {
        fmt::print("{{\"update_id\":\"{}\",\"state\":\"{}\"", result.update_id,
                   result.update_state);
        if (result.table) fmt::print(",\"synced_table\":{}", ViewJson(*result.table));
        fmt::print("}}\n");
      } else if (result.table) {
        fmt::print("{}: update {} {}: {}\n", *name, result.update_id, result.update_state,
                   result.table->message);
      } else {
        fmt::print("{}: update {} queued (follow it with --wait)\n", *name, result.update_id);
      }
      return Status::OK();
    });
  });
}

void AddGet(CLI::App& app, int* exit_code) {
  auto t = std::make_shared<TargetOptions>();
  auto name = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("get", "Show a synced table's spec and state");
  AddTarget(cmd, *t);
  cmd->add_option("name", *name, "the synced table")->required();
  cmd->callback([=] {
    Run(*t, exit_code, "get", [&](Backend& backend) -> Status {
      LAKESYNC_ASSIGN_OR_RETURN(TableView view, backend.Get(*name));
      Show(view, t->json);
      return Status::OK();
    });
  });
}

void AddList(CLI::App& app, int* exit_code) {
  auto t = std::make_shared<TargetOptions>();
  CLI::App* cmd = app.add_subcommand("list", "List the synced tables");
  AddTarget(cmd, *t);
  cmd->callback([=] {
    Run(*t, exit_code, "list", [&](Backend& backend) -> Status {
      LAKESYNC_ASSIGN_OR_RETURN(auto views, backend.List());
      PrintViews(views, t->json);
      return Status::OK();
    });
  });
}

void AddUpdate(CLI::App& app, int* exit_code) {
  auto t = std::make_shared<TargetOptions>();
  auto name = std::make_shared<std::string>();
  auto policy = std::make_shared<std::string>();
  auto schedule = std::make_shared<std::string>();
  auto no_schedule = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "update", "Change what can change without a rebuild: the scheduling policy and schedule");
  AddTarget(cmd, *t);
  cmd->add_option("name", *name, "the synced table")->required();
  cmd->add_option("--policy", *policy, "SNAPSHOT, TRIGGERED or CONTINUOUS");
  auto* sched = cmd->add_option("--schedule", *schedule, "'every 5m' or a cron expression");
  cmd->add_flag("--no-schedule", *no_schedule, "remove the schedule")->excludes(sched);
  cmd->callback([=] {
    Run(*t, exit_code, "update", [&](Backend& backend) -> Status {
      api::SpecChanges changes;
      if (!policy->empty()) {
        LAKESYNC_ASSIGN_OR_RETURN(changes.policy, sync::ParseSchedulingPolicy(*policy));
      }
      if (!schedule->empty() || *no_schedule) {
        changes.change_schedule = true;
        if (!schedule->empty()) changes.schedule = *schedule;
      }
      if (!changes.policy && !changes.change_schedule) {
        return Status::InvalidArgument(
            "nothing to change: give --policy, --schedule or "
            "--no-schedule");
      }
      LAKESYNC_ASSIGN_OR_RETURN(TableView view, backend.Update(*name, changes));
      Show(view, t->json);
      return Status::OK();
    });
  });
}

void AddDelete(CLI::App& app, int* exit_code) {
  auto t = std::make_shared<TargetOptions>();
  auto name = std::make_shared<std::string>();
  auto purge = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("delete", "Stop syncing a table (and drop it with --purge)");
  AddTarget(cmd, *t);
  cmd->add_option("name", *name, "the synced table")->required();
  cmd->add_flag("--purge", *purge, "also drop the PostgreSQL table");
  cmd->callback([=] {
    Run(*t, exit_code, "delete", [&](Backend& backend) -> Status {
      LAKESYNC_RETURN_NOT_OK(backend.Delete(*name, *purge));
      if (!t->json) {
        fmt::print("deleted synced table {}{}\n", *name, *purge ? " and its PostgreSQL table" : "");
      }
      return Status::OK();
    });
  });
}

}  // namespace

void AddSyncedTableCommands(CLI::App& app, int* exit_code) {
  AddCreate(app, exit_code);
  AddSync(app, exit_code);
  AddGet(app, exit_code);
  AddList(app, exit_code);
  AddUpdate(app, exit_code);
  AddDelete(app, exit_code);
}

}  // namespace lakesync::cli
