#include "lakesync/cli/exit_codes.h"

namespace lakesync::cli {

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
    case StatusCode::kNotSupported:
      return kExitInvalidInput;
    case StatusCode::kNotFound:
      return kExitNotFound;
    case StatusCode::kCorruption:
      return kExitCorruption;
    case StatusCode::kIOError:
    case StatusCode::kUnavailable:
      return kExitRetryable;
    case StatusCode::kConflict:
      return kExitConflict;
    case StatusCode::kInternal:
      return kExitInternal;
  }
  return kExitInternal;
}

}  // namespace lakesync::cli
