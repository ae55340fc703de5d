#include "lakesync/delta/checkpoint_reader.h"

namespace lakesync::delta {

Result<std::vector<Action>> ReadCheckpoint(storage::FileSystem& /*fs*/,
                                           const std::string& /*log_dir*/,
                                           const CheckpointFiles& checkpoint) {
  return Status::NotSupported("reading checkpoints is not implemented yet (version {})",
                              checkpoint.version);
}

}  // namespace lakesync::delta
