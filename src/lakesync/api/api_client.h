// ApiClient: a small client of lakesync's (and Databricks') REST API for the CLI's daemon mode:
// bearer token, JSON bodies, and Databricks errors turned back into Status values.
// Thread-safety: none; one client per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "lakesync/common/result.h"

namespace httplib {
class Client;
}

namespace lakesync::api {

class ApiClient {
 public:
  /// `url`: http://host:port or https://host[:port]. InvalidArgument for anything else.
  static Result<std::unique_ptr<ApiClient>> Make(const std::string& url, const std::string& token);
  ~ApiClient();

  /// The response body of a 2xx answer; otherwise the API's error as a Status
  /// (StatusFromApiError), or Unavailable when the server cannot be reached.
  Result<std::string> Get(const std::string& path);
  Result<std::string> Post(const std::string& path, std::string_view body);
  Result<std::string> Patch(const std::string& path, std::string_view body);
  Result<std::string> Delete(const std::string& path);

  const std::string& url() const { return url_; }

 private:
  ApiClient(std::string url, std::unique_ptr<httplib::Client> client);
  std::string url_;
  std::unique_ptr<httplib::Client> client_;
};

/// Percent-encodes a path segment or query value (RFC 3986 unreserved characters stay).
std::string UrlEncode(std::string_view text);

}  // namespace lakesync::api
