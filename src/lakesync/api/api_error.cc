#include "lakesync/api/api_error.h"

#include <fmt/format.h>

#include "lakesync/api/json_writer.h"

namespace lakesync::api {

std::string ApiError::ToJson() const {
  JsonWriter w;
  w.BeginObject().Member("error_code", error_code).Member("message", message).EndObject();
  return w.Take();
}

ApiError ErrorFor(const Status& status, Operation op) {
  const std::string& message = status.message();
  switch (status.code()) {
    case StatusCode::kNotFound:
      return {404, "RESOURCE_DOES_NOT_EXIST", message};
    case StatusCode::kInvalidArgument:
      return {400, "INVALID_PARAMETER_VALUE", message};
    case StatusCode::kConflict:
      return {409, op == Operation::kCreate ? "RESOURCE_ALREADY_EXISTS" : "RESOURCE_CONFLICT",
              message};
    case StatusCode::kNotSupported:
      return {501, "NOT_IMPLEMENTED", message};
    case StatusCode::kIOError:
    case StatusCode::kUnavailable:
      return {503, "TEMPORARILY_UNAVAILABLE", message};
    case StatusCode::kCorruption:
      return {500, "DATA_LOSS", message};
    case StatusCode::kOk:  // a caller's bug; still an answer rather than a crash
    case StatusCode::kInternal:
      break;
  }
  return {500, "INTERNAL_ERROR", message};
}

ApiError Unauthenticated() {
  return {401, "UNAUTHENTICATED",
          "Credential was not sent or was of an unsupported type for this API. Send "
          "'Authorization: Bearer <token>'."};
}

ApiError PermissionDenied() { return {403, "PERMISSION_DENIED", "Invalid access token."}; }

ApiError MalformedRequest(std::string message) {
  return {400, "MALFORMED_REQUEST", std::move(message)};
}

ApiError EndpointNotFound(std::string_view method, std::string_view path) {
  return {404, "ENDPOINT_NOT_FOUND", fmt::format("No API found for '{} {}'", method, path)};
}

Status StatusFromApiError(int http_status, std::string_view error_code, std::string_view message) {
  StatusCode code = StatusCode::kInternal;
  if (error_code == "DATA_LOSS") {
    code = StatusCode::kCorruption;
  } else if (error_code == "NOT_IMPLEMENTED" || http_status == 501) {
    code = StatusCode::kNotSupported;
  } else if (http_status == 404) {
    code = StatusCode::kNotFound;
  } else if (http_status == 409) {
    code = StatusCode::kConflict;
  } else if (http_status == 400 || http_status == 401 || http_status == 403) {
    code = StatusCode::kInvalidArgument;
  } else if (http_status == 503 || http_status == 429 || http_status == 502 || http_status == 504) {
    code = StatusCode::kUnavailable;
  }
  return Status(
      code, fmt::format("{}: {}",
                        error_code.empty() ? std::to_string(http_status) : std::string(error_code),
                        message));
}

}  // namespace lakesync::api
