#include "lakesync/delta/actions.h"

#include "lakesync/storage/file_system.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>
#include <functional>

namespace lakesync::delta {

namespace {

bool Contains(const std::optional<std::vector<std::string>>& list, std::string_view name) {
  return list && std::find(list->begin(), list->end(), name) != list->end();
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool Protocol::HasReaderFeature(std::string_view name) const {
  return Contains(reader_features, name);
}

bool Protocol::HasWriterFeature(std::string_view name) const {
  return Contains(writer_features, name);
}

std::string DeletionVectorDescriptor::UniqueId() const {
  std::string id = storage_type + path_or_inline_dv;
  if (offset) id += "@" + std::to_string(*offset);
  return id;
}

Result<std::optional<int64_t>> AddFile::NumRecords() const {
  if (!stats || stats->empty()) return std::optional<int64_t>();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(stats->data(), stats->size()).get(doc) != simdjson::SUCCESS) {
    return Status::Corruption("malformed stats JSON for data file '{}'", path);
  }
  simdjson::dom::element num;
  if (doc.at_key("numRecords").get(num) != simdjson::SUCCESS || num.is_null()) {
    return std::optional<int64_t>();
  }
  int64_t n = 0;
  if (num.get(n) != simdjson::SUCCESS || n < 0) {
    return Status::Corruption("stats.numRecords of data file '{}' is not a count", path);
  }
  return std::optional<int64_t>(n);
}

std::string LogicalFileKey(std::string_view path,
                           const std::optional<DeletionVectorDescriptor>& dv) {
  std::string key(path);
  if (dv) {
    key += '\0';
    key += dv->UniqueId();
  }
  return key;
}

size_t HashFileKey(std::string_view key) { return std::hash<std::string_view>{}(key); }

Result<std::string> DecodeUriPath(std::string_view encoded) {
  if (encoded.find('%') == std::string_view::npos) return std::string(encoded);
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c != '%') {
      out += c;
      continue;
    }
    const int hi = i + 2 < encoded.size() ? HexValue(encoded[i + 1]) : -1;
    const int lo = i + 2 < encoded.size() ? HexValue(encoded[i + 2]) : -1;
    if (hi < 0 || lo < 0) {
      return Status::Corruption("bad percent-escape at offset {} in path '{}'", i, encoded);
    }
    out += static_cast<char>(hi * 16 + lo);
    i += 2;
  }
  return out;
}

bool IsAbsolutePath(std::string_view path) {
  if (path.starts_with("/")) return true;
  const auto colon = path.find("://");
  if (colon == std::string_view::npos || colon == 0) return false;
  // A scheme is letters, digits, '+', '-', '.'; a relative path like "a=b://x" is not a URI.
  return std::all_of(path.begin(), path.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

std::string ResolveTablePath(std::string_view table_root, std::string_view path) {
  if (path.starts_with("file:")) {
    // file:///abs, file:/abs (Hadoop style) and file://localhost/abs name local files.
    std::string_view rest = path.substr(5);
    if (rest.starts_with("//")) {
      rest.remove_prefix(2);
      const auto slash = rest.find('/');
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    }
    return std::string(rest);
  }
  if (IsAbsolutePath(path)) return std::string(path);
  return storage::JoinPath(table_root, path);
}

}  // namespace lakesync::delta
