#include "lakesync/cli/app.h"

#include <CLI/CLI.hpp>

#include "lakesync/cli/copy_command.h"
#include "lakesync/cli/exit_codes.h"
#include "lakesync/cli/parquet_command.h"
#include "lakesync/cli/serve_command.h"
#include "lakesync/cli/synced_table_commands.h"

namespace lakesync::cli {

int Main(int argc, char** argv) {
  CLI::App app{"lakesync: keep PostgreSQL tables in sync with Delta Lake tables"};
  app.require_subcommand(1);
  int exit_code = kExitOk;
  AddCopyCommand(app, &exit_code);
  AddParquetCommand(app, &exit_code);
  AddSyncedTableCommands(app, &exit_code);
  AddServeCommand(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 reports --help as a "success" parse error.
    return app.exit(e) == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}

}  // namespace lakesync::cli
