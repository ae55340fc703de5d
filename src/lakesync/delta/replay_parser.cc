#include "lakesync/delta/replay_parser.h"

#include <simdjson.h>

#include <cstring>

#include "lakesync/common/macros.h"
#include "lakesync/delta/log_parser.h"

namespace lakesync::delta {

namespace {

namespace od = simdjson::ondemand;

// The key of one add or remove body, or false when the fast reading cannot take it: the path
// is missing, not a plain string, empty or badly escaped, or a deletion vector is present
// (LogParser then reads the line, with its precise errors).
bool ReadKey(od::object body, ReplayCommit* out, std::string_view* key) {
  std::string_view token;
  for (auto field : body) {
    od::raw_json_string name;
    if (field.key().get(name) != simdjson::SUCCESS) return false;
    if (name == "path") {
      if (!token.empty()) continue;  // a repeated key: the first counts, as in LogParser
      od::value value;
      if (field.value().get(value) != simdjson::SUCCESS) return false;
      token = value.raw_json_token();
    } else if (name == "deletionVector") {
      od::value value;
      if (field.value().get(value) != simdjson::SUCCESS) return false;
      bool is_null = false;
      if (value.is_null().get(is_null) != simdjson::SUCCESS || !is_null) return false;
    }
  }
  // A string token is its quotes around the raw text, then maybe spaces.
  const size_t close = token.rfind('"');
  if (token.size() < 3 || token.front() != '"' || close == 0 || close == std::string_view::npos) {
    return false;
  }
  const std::string_view raw = token.substr(1, close - 1);
  if (raw.find('\\') != std::string_view::npos) return false;
  if (raw.find('%') == std::string_view::npos) {
    *key = raw;
    return true;
  }
  auto decoded = DecodeUriPath(raw);
  if (!decoded.ok()) return false;
  *key = out->owned_keys.emplace_back(std::move(decoded).value());
  return true;
}

// Reads a line whose actions are all adds and removes without deletion vectors into
// out->files; false (with nothing appended) for any other line.
bool ReadFileKeysFast(od::parser& parser, std::string_view line, size_t capacity, uint32_t line_no,
                      ReplayCommit* out) {
  const size_t files_before = out->files.size();
  const size_t keys_before = out->owned_keys.size();
  auto fail = [&] {
    out->files.resize(files_before);
    out->owned_keys.resize(keys_before);
    return false;
  };
  od::document doc;
  if (parser.iterate(line.data(), line.size(), capacity).get(doc) != simdjson::SUCCESS) {
    return false;
  }
  od::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return false;
  for (auto field : object) {
    od::raw_json_string name;
    if (field.key().get(name) != simdjson::SUCCESS) return fail();
    const bool is_add = name == "add";
    if (!is_add && name != "remove") return fail();
    od::object body;
    if (field.value().get_object().get(body) != simdjson::SUCCESS) return fail();
    std::string_view key;
    if (!ReadKey(body, out, &key)) return fail();
    out->files.push_back(FileKey{.key = key,
                                 .hash = HashFileKey(key),
                                 .line = is_add ? line : std::string_view(),
                                 .line_no = line_no,
                                 .is_add = is_add});
  }
  // Content after the object (a location still inside the document) is malformed.
  if (out->files.size() == files_before || doc.current_location().error() == simdjson::SUCCESS) {
    return fail();
  }
  return true;
}

// Moves the adds and removes LogParser read by key out of `actions` into out->files.
void TakeFileKeys(std::vector<Action>& actions, std::string_view line, uint32_t line_no,
                  ReplayCommit* out) {
  for (auto& action : actions) {
    auto take = [&](const auto& file, bool is_add) {
      const std::string_view key =
          out->owned_keys.emplace_back(LogicalFileKey(file.path, file.deletion_vector));
      out->files.push_back(FileKey{.key = key,
                                   .hash = HashFileKey(key),
                                   .line = is_add ? line : std::string_view(),
                                   .line_no = line_no,
                                   .is_add = is_add});
    };
    if (const auto* add = std::get_if<AddFile>(&action)) {
      take(*add, true);
    } else if (const auto* remove = std::get_if<RemoveFile>(&action)) {
      take(*remove, false);
    } else {
      out->actions.push_back(std::move(action));
    }
  }
}

}  // namespace

size_t ReplayPadding() { return simdjson::SIMDJSON_PADDING; }

Status ParseCommitForReplay(std::string_view contents, std::string_view file_name,
                            ReplayCommit* out) {
  out->Clear();
  // One parser per thread, reused across files: allocating it per commit cost more than
  // parsing a small commit.
  thread_local od::parser parser;
  thread_local std::vector<Action> line_actions;
  const char* const end = contents.data() + contents.size();
  uint32_t line_no = 0;
  size_t pos = 0;
  while (pos < contents.size()) {
    const void* nl = std::memchr(contents.data() + pos, '\n', contents.size() - pos);
    const size_t stop =
        nl ? static_cast<size_t>(static_cast<const char*>(nl) - contents.data()) : contents.size();
    const std::string_view line = TrimLogLine(contents.substr(pos, stop - pos));
    pos = stop + 1;
    ++line_no;
    if (line.empty()) continue;
    // The rest of the buffer, padding included, is simdjson's padding for this line.
    const size_t capacity = static_cast<size_t>(end - line.data()) + ReplayPadding();
    if (ReadFileKeysFast(parser, line, capacity, line_no, out)) continue;

    line_actions.clear();
    Status parsed =
        ParseActionLine(line, file_name, line_no,
                        ParseOptions{.removes_as_keys = true, .adds_as_keys = true}, &line_actions);
    if (!parsed.ok()) {
      // Some hand-made logs pretty-print each action over several lines: LogParser reads
      // those as a stream of documents, adds in full.
      auto stream = ParseActions(contents, file_name, ParseOptions{.removes_as_keys = true});
      if (!stream.ok()) return parsed;
      out->Clear();
      out->actions = std::move(stream).value();
      return Status::OK();
    }
    TakeFileKeys(line_actions, line, line_no, out);
  }
  return Status::OK();
}

}  // namespace lakesync::delta
