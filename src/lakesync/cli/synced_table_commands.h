// `lakesync create | sync | get | list | update | delete`: synced tables, either straight
// against the target databases (--dsn, or --config whose catalogs name them) or through a
// daemon's REST API (--host with --token).
#pragma once

#include <CLI/CLI.hpp>

namespace lakesync::cli {

/// Adds the subcommands to `app`; the one that runs stores its exit code in `*exit_code`.
void AddSyncedTableCommands(CLI::App& app, int* exit_code);

}  // namespace lakesync::cli
