// `lakesync create | sync | get | list | delete`: synced tables, driven directly against the
// target database (--dsn) through the SyncEngine.
#pragma once

#include <CLI/CLI.hpp>

namespace lakesync::cli {

/// Adds the subcommands to `app`; the one that runs stores its exit code in `*exit_code`.
void AddSyncedTableCommands(CLI::App& app, int* exit_code);

}  // namespace lakesync::cli
