// Schema evolution between a Delta table and its synced PostgreSQL table: additive changes
// (new source columns) become ALTER TABLE ... ADD COLUMN; anything else (a column dropped,
// renamed or retyped) is refused with a message that says a full refresh rebuilds the table.
// Thread-safety: pure function.
#pragma once

#include <string>
#include <vector>

#include "lakesync/common/data_type.h"
#include "lakesync/common/result.h"
#include "lakesync/pg/ddl.h"

namespace lakesync::sync {

/// The ALTER TABLE statements that bring `table` (its current columns) up to `fields`.
/// Errors: InvalidArgument naming every non-additive difference.
Result<std::vector<std::string>> PlanSchemaChanges(const pg::QualifiedName& table,
                                                   const std::vector<pg::ColumnInfo>& columns,
                                                   const std::vector<Field>& fields);

}  // namespace lakesync::sync
