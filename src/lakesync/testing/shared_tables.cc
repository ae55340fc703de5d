#include "lakesync/testing/shared_tables.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "lakesync/testing/test_paths.h"

namespace lakesync::testing {

std::string SharedTablesDir() {
  auto path = std::filesystem::path(SharedDir()) / "delta-tables";
  return std::filesystem::exists(path / "MANIFEST.tsv") ? path.string() : "";
}

std::vector<std::string> Split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string cell;
  std::istringstream in(line);
  while (std::getline(in, cell, sep)) out.push_back(cell);
  if (!line.empty() && line.back() == sep) out.push_back("");
  return out;
}

std::vector<ManifestRow> LoadManifest(const std::string& dir) {
  std::ifstream in(dir + "/MANIFEST.tsv");
  std::string line;
  std::getline(in, line);
  const auto header = Split(line, '\t');
  std::vector<ManifestRow> rows;
  while (std::getline(in, line)) {
    const auto cells = Split(line, '\t');
    ManifestRow row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = i < cells.size() ? cells[i] : "";
    rows.push_back(std::move(row));
  }
  return rows;
}

bool Has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

}  // namespace lakesync::testing
