// CheckpointReader: reads the actions of a checkpoint (classic or multi-part Parquet, V2
// UUID-named JSON/Parquet with sidecars) so a SnapshotBuilder can start from it instead of
// replaying every commit.
// Thread-safety: free functions without shared state.
#pragma once

#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/delta/actions.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::delta {

/// Reads every action of `checkpoint` (whose files live in `log_dir`). NotSupported for
/// checkpoint kinds lakesync cannot read yet: the caller may then replay JSON commits instead.
Result<std::vector<Action>> ReadCheckpoint(storage::FileSystem& fs, const std::string& log_dir,
                                           const CheckpointFiles& checkpoint);

}  // namespace lakesync::delta
