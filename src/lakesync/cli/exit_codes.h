// The one mapping from Status codes to process exit codes (documented in README.md).
#pragma once

#include "lakesync/common/status.h"

namespace lakesync::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,      // a bug in lakesync, or an error with no better code
  kExitUsage = 2,         // bad command line (CLI11 also uses 2... see README)
  kExitInvalidInput = 3,  // InvalidArgument, NotSupported: fix the input or the request
  kExitNotFound = 4,      // a table, file, version or database does not exist
  kExitCorruption = 5,    // the source data is malformed
  kExitRetryable = 6,     // IOError, Unavailable: storage or PostgreSQL trouble; retry later
  kExitConflict = 7,      // lost a race (lease, unique key); look, then retry
};

int ExitCodeFor(const Status& status);

}  // namespace lakesync::cli
