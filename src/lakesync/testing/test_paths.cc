#include "lakesync/testing/test_paths.h"

#include <cstdlib>

namespace lakesync::testing {
namespace {

std::string FromEnv(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}

}  // namespace

std::string SharedDir() { return FromEnv("LAKESYNC_SHARED_DIR", LAKESYNC_TEST_SHARED_DIR); }
std::string PgEnvFile() { return FromEnv("LAKESYNC_PG_ENV", LAKESYNC_TEST_PG_ENV_FILE); }
std::string BinaryDir() { return FromEnv("LAKESYNC_BINARY_DIR", LAKESYNC_TEST_BINARY_DIR); }

}  // namespace lakesync::testing
