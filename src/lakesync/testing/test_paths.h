// Where tests find what the build and the checkout provide: the shared Delta tables, the
// PostgreSQL fixture's conninfo file, and the built binaries. Each comes from an environment
// variable when set, else from the path CMake compiled in (ctest keeps only one ENVIRONMENT
// entry for discovered GoogleTest cases, so paths cannot all travel that way).
#pragma once

#include <string>

namespace lakesync::testing {

/// ../shared beside the checkout (env LAKESYNC_SHARED_DIR); may not exist.
std::string SharedDir();
/// The file scripts/pg_fixture.sh writes the conninfo to (env LAKESYNC_PG_ENV).
std::string PgEnvFile();
/// The CMake build directory holding `lakesync` and tools/deltagen/deltagen
/// (env LAKESYNC_BINARY_DIR).
std::string BinaryDir();

}  // namespace lakesync::testing
