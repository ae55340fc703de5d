// The incremental path of TRIGGERED and CONTINUOUS synced tables: read the change data feed
// from the last processed version + 1 to the snapshot's version, collapse it to one net change
// per key, and apply it in one transaction: COPY BINARY into staging tables, one upsert, one
// delete, and the new last processed version. A crash at any instant neither loses nor
// repeats a change.
// Thread-safety: none; one call per connection at a time.
#pragma once

#include <cstdint>
#include <functional>

#include "lakesync/common/result.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/pg/connection.h"
#include "lakesync/sync/limits.h"
#include "lakesync/sync/state_store.h"
#include "lakesync/sync/synced_table_spec.h"

namespace lakesync::sync {

struct IncrementalResult {
  SyncRun run;
  /// True when nothing was written because the batch is large enough that a full refresh is
  /// cheaper (spec.full_refresh_fraction of the target's rows); the caller loads a snapshot.
  bool needs_full_refresh = false;
  int64_t row_count = 0;  // rows in the target afterwards
};

/// Applies the changes of versions (last_processed_version, end.version()] to the target,
/// after checking that the synced data is within `limits` (capacity). `keep_going`, when set,
/// is asked inside the transaction just before the commit; its error rolls the batch back (a
/// canceled run).
/// REQUIRES: the target exists with its primary key; state.last_processed_version is set.
/// Errors: Conflict PRIMARY_KEY_CONSTRAINT_VIOLATION for duplicate keys; InvalidArgument for
/// non-additive schema changes, values PostgreSQL refuses and a target over its capacity
/// limit; NotFound for vacuumed files or a cleaned-up log; Conflict when another process
/// advanced the version meanwhile.
Result<IncrementalResult> ApplyIncremental(pg::Connection& conn, const SyncedTableState& state,
                                           const delta::Snapshot& end, const Limits& limits = {},
                                           const std::function<Status()>& keep_going = {});

}  // namespace lakesync::sync
