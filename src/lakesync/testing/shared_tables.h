// The shared Delta test tables (SharedDir()/delta-tables) and their MANIFEST.tsv, for the tests
// that sweep every table: one row per table, cells by column name.
// Thread-safety: free functions with no shared state.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace lakesync::testing {

/// One MANIFEST.tsv row: column name -> cell ("" where the row is short).
using ManifestRow = std::map<std::string, std::string>;

/// SharedDir()/delta-tables, or "" when it holds no MANIFEST.tsv (the tests then skip).
std::string SharedTablesDir();

/// Splits `line` at every `sep`; a trailing separator yields a final empty cell.
std::vector<std::string> Split(const std::string& line, char sep);

/// The rows of `dir`/MANIFEST.tsv, keyed by its header line.
std::vector<ManifestRow> LoadManifest(const std::string& dir);

/// True when `s` contains `part`.
bool Has(const std::string& s, std::string_view part);

}  // namespace lakesync::testing
