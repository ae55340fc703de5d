#include "lakesync/sync/schema_evolution.h"

#include <fmt/format.h>

#include <map>

#include "lakesync/common/macros.h"
#include "lakesync/pg/type_map.h"

namespace lakesync::sync {

Result<std::vector<std::string>> PlanSchemaChanges(const pg::QualifiedName& table,
                                                   const std::vector<pg::ColumnInfo>& columns,
                                                   const std::vector<Field>& fields) {
  std::map<std::string, const pg::ColumnInfo*> existing;
  for (const auto& c : columns) existing[c.name] = &c;
  std::vector<std::string> problems;
  std::vector<std::string> statements;
  for (const auto& f : fields) {
    LAKESYNC_ASSIGN_OR_RETURN(pg::PgType type, pg::MapType(f.type));
    auto it = existing.find(f.name);
    if (it == existing.end()) {
      statements.push_back(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", table.ToSql(),
                                       pg::QuoteIdent(f.name), type.name));
      continue;
    }
    if (it->second->type != type.name) {
      problems.push_back(fmt::format("column {} changed type from {} to {} (Delta {})", f.name,
                                     it->second->type, type.name, f.type.ToString()));
    }
    existing.erase(it);
  }
  for (const auto& [name, col] : existing) {
    problems.push_back(
        fmt::format("column {} is no longer in the source (dropped or renamed)", name));
  }
  if (!problems.empty()) {
    return Status::InvalidArgument(
        "the source schema changed in a way that cannot be applied in place: {}; run a full "
        "refresh to rebuild {}",
        fmt::join(problems, "; "), table.ToString());
  }
  return statements;
}

}  // namespace lakesync::sync
