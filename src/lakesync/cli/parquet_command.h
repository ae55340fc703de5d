// `lakesync parquet`: inspection commands for one Parquet file, for users debugging a file and
// for conformance checks against other readers (tests/duckdb):
//   schema FILE                            the footer's schema tree and the lakesync types
//   meta FILE                              row groups, column chunks, encodings, codecs, sizes,
//                                          statistics
//   cat FILE [--columns a,b] [--limit N]   one canonical-JSON object per row
//                                          (common/canonical_json.h)
#pragma once

#include <CLI/CLI.hpp>

namespace lakesync::cli {

/// Adds the subcommand to `app`; when it runs, it stores its exit code in `*exit_code`.
void AddParquetCommand(CLI::App& app, int* exit_code);

}  // namespace lakesync::cli
