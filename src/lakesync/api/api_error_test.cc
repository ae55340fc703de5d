#include "lakesync/api/api_error.h"

#include <gtest/gtest.h>

namespace lakesync::api {
namespace {

TEST(ApiErrorTest, StatusCodesMapToDatabricksErrors) {
  struct Case {
    Status status;
    Operation op;
    int http;
    const char* code;
  } cases[] = {
      {Status::NotFound("x"), Operation::kOther, 404, "RESOURCE_DOES_NOT_EXIST"},
      {Status::InvalidArgument("x"), Operation::kOther, 400, "INVALID_PARAMETER_VALUE"},
      {Status::Conflict("x"), Operation::kCreate, 409, "RESOURCE_ALREADY_EXISTS"},
      {Status::Conflict("x"), Operation::kOther, 409, "RESOURCE_CONFLICT"},
      {Status::NotSupported("x"), Operation::kOther, 501, "NOT_IMPLEMENTED"},
      {Status::Unavailable("x"), Operation::kOther, 503, "TEMPORARILY_UNAVAILABLE"},
      {Status::IOError("x"), Operation::kOther, 503, "TEMPORARILY_UNAVAILABLE"},
      {Status::Corruption("x"), Operation::kOther, 500, "DATA_LOSS"},
      {Status::Internal("x"), Operation::kOther, 500, "INTERNAL_ERROR"},
  };
  for (const Case& c : cases) {
    ApiError e = ErrorFor(c.status, c.op);
    EXPECT_EQ(e.http_status, c.http) << c.status;
    EXPECT_EQ(e.error_code, c.code) << c.status;
    EXPECT_EQ(e.message, "x");
    // ... and a client reading the error back gets the same kind of Status.
    EXPECT_EQ(StatusFromApiError(e.http_status, e.error_code, e.message).code(),
              c.status.code() == StatusCode::kIOError ? StatusCode::kUnavailable : c.status.code())
        << c.status;
  }
  EXPECT_EQ(Unauthenticated().http_status, 401);
  EXPECT_EQ(PermissionDenied().http_status, 403);
  EXPECT_EQ(StatusFromApiError(403, "PERMISSION_DENIED", "Invalid access token.").ToString(),
            "InvalidArgument: PERMISSION_DENIED: Invalid access token.");
}

TEST(ApiErrorTest, JsonShape) {
  EXPECT_EQ((ApiError{404, "RESOURCE_DOES_NOT_EXIST", "table \"a\" is gone"}).ToJson(),
            R"({"error_code":"RESOURCE_DOES_NOT_EXIST","message":"table \"a\" is gone"})");
}

}  // namespace
}  // namespace lakesync::api
