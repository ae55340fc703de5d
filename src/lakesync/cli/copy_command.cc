#include "lakesync/cli/copy_command.h"

#include <fmt/format.h>

#include <memory>

#include "lakesync/cli/exit_codes.h"
#include "lakesync/sync/snapshot_loader.h"

namespace lakesync::cli {

void AddCopyCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<sync::SnapshotLoadOptions>();
  auto version = std::make_shared<int64_t>(-1);
  CLI::App* cmd = app.add_subcommand(
      "copy", "Copy a snapshot of a Delta table into a PostgreSQL table (created or replaced)");
  cmd->add_option("--source", options->source, "Delta table directory (holds _delta_log/)")
      ->required();
  cmd->add_option("--dsn", options->conninfo,
                  "libpq connection string or URI of the target database")
      ->required();
  cmd->add_option("--table", options->target, "target table, [schema.]name")->required();
  cmd->add_option("--primary-key", options->primary_key, "primary key column(s)")
      ->required()
      ->delimiter(',');
  cmd->add_option("--version", *version, "Delta version to copy (default: the latest)")
      ->check(CLI::NonNegativeNumber);
  cmd->callback([options, version, exit_code] {
    if (*version >= 0) options->version = *version;
    auto result = sync::LoadSnapshot(*options);
    if (!result.ok()) {
      fmt::print(stderr, "lakesync copy: {}\n", result.status().ToString());
      *exit_code = ExitCodeFor(result.status());
      return;
    }
    fmt::print("copied {} rows of {} (version {}, {} files) into {} in {:.2f}s",
               result->rows_loaded, options->source, result->version, result->files_read,
               options->target, result->seconds);
    if (result->rows_skipped_null_key > 0) {
      fmt::print("; skipped {} rows with a NULL primary key", result->rows_skipped_null_key);
    }
    fmt::print("\n");
    *exit_code = kExitOk;
  });
}

}  // namespace lakesync::cli
