// The `lakesync` command line: parses arguments and dispatches to the subcommands.
#pragma once

namespace lakesync::cli {

/// Runs the CLI; returns the process exit code (see README.md, "Exit codes").
int Main(int argc, char** argv);

}  // namespace lakesync::cli
