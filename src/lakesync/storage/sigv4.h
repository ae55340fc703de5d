// AWS Signature Version 4 (SigV4): the request signing every S3-compatible store accepts.
// Pure functions over a request description, so the signer is tested against the examples in
// the AWS documentation without any network.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lakesync::storage {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only; empty otherwise

  /// No keys: requests go unsigned (public buckets, anonymous endpoints).
  bool anonymous() const { return access_key_id.empty() || secret_access_key.empty(); }
};

/// What SigV4 signs of a request.
struct SigV4Request {
  std::string method;
  /// The path, URI-encoded once as sent (S3 does not double-encode).
  std::string canonical_uri;
  /// Query parameters, not encoded.
  std::vector<std::pair<std::string, std::string>> query;
  /// Headers to sign (names in any case); must include host and x-amz-date.
  std::vector<std::pair<std::string, std::string>> headers;
  /// Lowercase hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
  std::string payload_hash;
};

/// RFC 3986 percent-encoding of everything but unreserved characters (and '/' unless
/// `encode_slash`), uppercase hex, as SigV4 requires.
std::string UriEncode(std::string_view s, bool encode_slash);
/// Lowercase hex SHA-256 of `data`.
std::string HexSha256(std::string_view data);
/// "20130524T000000Z" for `t`.
std::string AmzDate(std::chrono::system_clock::time_point t);

/// The query string in canonical form (encoded, sorted by name then value); also a valid URL
/// query string.
std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query);
/// The canonical request; `signed_headers` receives "host;range;..." when not null.
std::string CanonicalRequest(const SigV4Request& request, std::string* signed_headers = nullptr);
/// The value of the Authorization header for `request`, signed at `amz_date` (which must
/// equal the request's x-amz-date header).
std::string AuthorizationHeader(const SigV4Request& request, const AwsCredentials& credentials,
                                std::string_view region, std::string_view service,
                                std::string_view amz_date);

}  // namespace lakesync::storage
