// `lakesync copy`: loads the current (or a given) snapshot of a Delta table into PostgreSQL.
#pragma once

#include <CLI/CLI.hpp>

namespace lakesync::cli {

/// Adds the subcommand to `app`; when it runs, it stores its exit code in `*exit_code`.
void AddCopyCommand(CLI::App& app, int* exit_code);

}  // namespace lakesync::cli
