// `lakesync serve`: the daemon. Loads the configuration, serves the REST API and runs the
// Scheduler (continuous pipelines, schedules, requested updates) for every database a catalog
// names, until SIGTERM or SIGINT.
#pragma once

#include <CLI/CLI.hpp>

namespace lakesync::cli {

/// Adds the subcommand to `app`; when it runs it stores its exit code in `*exit_code`.
void AddServeCommand(CLI::App& app, int* exit_code);

}  // namespace lakesync::cli
