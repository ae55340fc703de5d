// JsonWriter: builds one JSON document into a string, placing commas and escaping strings, so
// the REST API's responses are written without a DOM.
// Thread-safety: none; one writer per document.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lakesync::api {

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  /// The next member's name. REQUIRES: inside an object.
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  /// Finite values as numbers; NaN and infinities as null (JSON has no spelling for them).
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();

  /// Key + value shorthands; the optional ones write nothing when empty (Databricks omits
  /// unset fields rather than writing null).
  JsonWriter& Member(std::string_view key, std::string_view value) {
    return Key(key).String(value);
  }
  JsonWriter& Member(std::string_view key, const char* value) { return Key(key).String(value); }
  JsonWriter& Member(std::string_view key, int64_t value) { return Key(key).Int(value); }
  JsonWriter& Member(std::string_view key, bool value) { return Key(key).Bool(value); }
  JsonWriter& OptionalMember(std::string_view key, const std::optional<std::string>& value);
  JsonWriter& OptionalMember(std::string_view key, const std::optional<int64_t>& value);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  // One entry per open object or array: whether it already holds a member.
  std::vector<bool> has_member_;
  bool after_key_ = false;
};

}  // namespace lakesync::api
