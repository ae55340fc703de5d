// `lakesync delta`: inspection commands for one Delta table (a local path or an s3:// URL), in
// the canonical JSON of `lakesync parquet cat` (common/canonical_json.h):
//   history TABLE [--json] [--limit N]       versions, commit times, operations, parameters
//   schema TABLE [--version N] [--json]      columns, types, nullability, partitioning
//   cat TABLE [--version N|--timestamp TS] [--columns a,b] [--limit N]
//                                            the snapshot's rows (partition columns filled,
//                                            deleted rows excluded)
//   changes TABLE --from A [--to B] [--columns a,b] [--limit N]
//                                            the change data feed with _change_type,
//                                            _commit_version and _commit_timestamp
#pragma once

#include <CLI/CLI.hpp>

namespace lakesync::cli {

/// Adds the subcommand to `app`; when it runs, it stores its exit code in `*exit_code`.
void AddDeltaCommand(CLI::App& app, int* exit_code);

}  // namespace lakesync::cli
