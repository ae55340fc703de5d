#include "lakesync/pg/errors.h"

#include <gtest/gtest.h>

namespace lakesync::pg {
namespace {

TEST(ErrorsTest, SqlStatesMapToWhatTheCallerCanDo) {
  struct Case {
    const char* sqlstate;
    StatusCode code;
  };
  const Case cases[] = {
      {"08006", StatusCode::kUnavailable},
      {"08001", StatusCode::kUnavailable},
      {"40001", StatusCode::kUnavailable},
      {"40P01", StatusCode::kUnavailable},
      {"57P01", StatusCode::kUnavailable},
      {"53300", StatusCode::kUnavailable},
      {"23505", StatusCode::kConflict},
      {"42P01", StatusCode::kNotFound},
      {"3F000", StatusCode::kNotFound},
      {"3D000", StatusCode::kNotFound},
      {"22P02", StatusCode::kInvalidArgument},
      {"22003", StatusCode::kInvalidArgument},
      {"23502", StatusCode::kInvalidArgument},
      {"23503", StatusCode::kInvalidArgument},
      {"42501", StatusCode::kInvalidArgument},
      {"42601", StatusCode::kIOError},
      {"53100", StatusCode::kIOError},
      {"XX000", StatusCode::kIOError},
      {"", StatusCode::kIOError},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(StatusCodeForSqlState(c.sqlstate, /*connection_ok=*/true), c.code) << c.sqlstate;
  }
  // A lost connection is retryable whatever the statement's error was.
  EXPECT_EQ(StatusCodeForSqlState("23505", false), StatusCode::kUnavailable);
  EXPECT_EQ(StatusCodeForSqlState("", false), StatusCode::kUnavailable);
}

TEST(ErrorsTest, NullResultAndConnectionGiveAStatusNotACrash) {
  Status st = StatusFromResult(nullptr, nullptr, "Query");
  EXPECT_FALSE(st.ok());
  EXPECT_TRUE(st.IsUnavailable());
  st = StatusFromConnection(nullptr, "connect");
  EXPECT_TRUE(st.IsUnavailable());
  EXPECT_EQ(SqlStateOf(nullptr), "");
}

}  // namespace
}  // namespace lakesync::pg
