// The few S3 XML documents lakesync reads: ListObjectsV2 results and error bodies, plus the two
// time formats S3 uses (ISO 8601 in listings, RFC 1123 in Last-Modified headers).
// These documents are flat and machine-written, so a tag scanner suffices (no XML library).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"

namespace lakesync::storage {

struct S3ListedObject {
  std::string key;
  int64_t size = 0;
  int64_t mtime_ms = 0;
};

struct S3ListPage {
  std::vector<S3ListedObject> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_continuation_token;
};

/// Parses a ListBucketResult. Corruption when it is not one, or a truncated page has no token.
Result<S3ListPage> ParseListObjectsV2(std::string_view xml);

struct S3ErrorBody {
  std::string code;  // "NoSuchKey", "SlowDown", ... ("" when the body is not an S3 error)
  std::string message;
};
S3ErrorBody ParseS3Error(std::string_view xml);

/// Milliseconds since the epoch of "2013-09-17T18:07:53.000Z" or
/// "Tue, 17 Sep 2013 18:07:53 GMT". InvalidArgument for anything else.
Result<int64_t> ParseS3TimeMs(std::string_view text);

/// XML character data with its five entities and numeric references decoded.
std::string XmlUnescape(std::string_view text);

}  // namespace lakesync::storage
