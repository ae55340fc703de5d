#include "lakesync/cli/app.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "lakesync/cli/copy_command.h"
#include "lakesync/cli/delta_command.h"
#include "lakesync/cli/exit_codes.h"
#include "lakesync/cli/parquet_command.h"
#include "lakesync/cli/serve_command.h"
#include "lakesync/cli/synced_table_commands.h"
#include "lakesync/common/logging.h"
#include "lakesync/parquet/batch_memory.h"

namespace lakesync::cli {

int Main(int argc, char** argv) {
  parquet::RetainBatchMemory();
  CLI::App app{"lakesync: keep PostgreSQL tables in sync with Delta Lake tables"};
  app.require_subcommand(1);
  // One-shot commands print their own results, so their logs show warnings and errors only
  // unless asked for more; `serve` takes its level from the configuration.
  log::SetLevel(log::Level::kWarn);
  if (Status st = log::ConfigureFromEnvironment(); !st.ok()) {
    fmt::print(stderr, "lakesync: {}\n", st.ToString());
    return kExitUsage;
  }
  app.add_option_function<std::string>(
         "--log-format", [](const std::string& v) { log::SetFormat(*log::ParseFormat(v)); },
         "text or json (one JSON object per line): the format of log lines on stderr "
         "(default: $LAKESYNC_LOG_FORMAT, else text)")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_option_function<std::string>(
         "--log-level", [](const std::string& v) { log::SetLevel(*log::ParseLevel(v)); },
         "debug, info, warn or error (default: $LAKESYNC_LOG_LEVEL, else warn; serve: info)")
      ->check(CLI::IsMember({"debug", "info", "warn", "error"}));
  int exit_code = kExitOk;
  AddCopyCommand(app, &exit_code);
  AddDeltaCommand(app, &exit_code);
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
