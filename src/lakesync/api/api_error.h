// ApiError: an error as the Databricks REST API reports it, an HTTP status plus
// {"error_code": "...", "message": "..."}. The one mapping from Status codes to HTTP statuses
// and error codes lives here.
// Thread-safety: plain values and pure functions.
#pragma once

#include <string>
#include <string_view>

#include "lakesync/common/status.h"

namespace lakesync::api {

struct ApiError {
  int http_status = 500;
  std::string error_code;  // e.g. "RESOURCE_DOES_NOT_EXIST"
  std::string message;

  /// {"error_code":"...","message":"..."}
  std::string ToJson() const;
};

/// What the request was doing, for the one code that depends on it: a Conflict while creating
/// is RESOURCE_ALREADY_EXISTS, elsewhere RESOURCE_CONFLICT (e.g. a sync already running).
enum class Operation { kCreate, kOther };

/// REQUIRES: !status.ok().
///   NotFound -> 404 RESOURCE_DOES_NOT_EXIST      InvalidArgument -> 400 INVALID_PARAMETER_VALUE
///   Conflict -> 409 RESOURCE_ALREADY_EXISTS (create) / RESOURCE_CONFLICT
///   NotSupported -> 501 NOT_IMPLEMENTED          Unavailable, IOError -> 503
///   TEMPORARILY_UNAVAILABLE Corruption -> 500 DATA_LOSS                  Internal -> 500
///   INTERNAL_ERROR
ApiError ErrorFor(const Status& status, Operation op = Operation::kOther);

/// 401: no bearer token (or not a bearer token).
ApiError Unauthenticated();
/// 403: a token that is not one of the configured ones.
ApiError PermissionDenied();
/// 400: the body is not JSON of the expected shape.
ApiError MalformedRequest(std::string message);
/// 404: no route for this method and path.
ApiError EndpointNotFound(std::string_view method, std::string_view path);

/// The inverse, for clients: the Status code an API error stands for (401 and 403 are
/// InvalidArgument: fix the token), with "error_code: message" as its message.
Status StatusFromApiError(int http_status, std::string_view error_code, std::string_view message);

}  // namespace lakesync::api
