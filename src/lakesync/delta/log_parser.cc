#include "lakesync/delta/log_parser.h"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <type_traits>

#include "lakesync/common/macros.h"

namespace lakesync::delta {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Reads typed fields of one JSON object; every error names the action and the field, and the
// caller adds the file and line.
class FieldReader {
 public:
  FieldReader(object obj, std::string_view action) : obj_(obj), action_(action) {}

  // Absent and JSON null both read as "absent".
  bool Find(std::string_view key, element* out) const {
    element e;
    if (obj_.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return false;
    *out = e;
    return true;
  }

  Result<std::optional<std::string>> OptString(std::string_view key) const {
    element e;
    if (!Find(key, &e)) return std::optional<std::string>();
    std::string_view s;
    if (e.get(s) != simdjson::SUCCESS) return TypeError(key, "a string");
    return std::optional<std::string>(std::string(s));
  }

  // A required string, viewed in the parsed document (valid until the parser's next parse).
  Result<std::string_view> StringView(std::string_view key) const {
    element e;
    if (!Find(key, &e)) return Missing(key);
    std::string_view s;
    if (e.get(s) != simdjson::SUCCESS) return TypeError(key, "a string");
    return s;
  }

  Result<std::string> String(std::string_view key) const {
    LAKESYNC_ASSIGN_OR_RETURN(auto s, StringView(key));
    return std::string(s);
  }

  Result<std::optional<int64_t>> OptInt(std::string_view key) const {
    element e;
    if (!Find(key, &e)) return std::optional<int64_t>();
    int64_t v = 0;
    if (e.get(v) != simdjson::SUCCESS) {
      // Some writers emit integral values as doubles (1.0).
      double d = 0;
      if (e.get(d) != simdjson::SUCCESS || d != static_cast<double>(static_cast<int64_t>(d))) {
        return TypeError(key, "an integer");
      }
      v = static_cast<int64_t>(d);
    }
    return std::optional<int64_t>(v);
  }

  Result<int64_t> Int(std::string_view key, std::optional<int64_t> fallback) const {
    LAKESYNC_ASSIGN_OR_RETURN(auto v, OptInt(key));
    if (v) return *v;
    if (fallback) return *fallback;
    return Missing(key);
  }

  Result<std::optional<bool>> OptBool(std::string_view key) const {
    element e;
    if (!Find(key, &e)) return std::optional<bool>();
    bool b = false;
    if (e.get(b) != simdjson::SUCCESS) {
      // Tolerate "true"/"false" strings from hand-written logs.
      std::string_view s;
      if (e.get(s) == simdjson::SUCCESS && (s == "true" || s == "false")) {
        return std::optional<bool>(s == "true");
      }
      return TypeError(key, "a boolean");
    }
    return std::optional<bool>(b);
  }

  /// Object `key`'s members as text: strings as themselves, other scalars as their JSON text
  /// (configuration and partition values should be strings). A null member becomes nullopt in
  /// PartitionValues and is dropped from a StringMap.
  template <typename TextMap>
  Result<TextMap> TextMembers(std::string_view key) const {
    TextMap out;
    element e;
    if (!Find(key, &e)) return out;
    object o;
    if (e.get(o) != simdjson::SUCCESS) return TypeError(key, "an object");
    for (auto field : o) {
      if (field.value.is_null()) {
        if constexpr (std::is_same_v<TextMap, PartitionValues>) {
          out.emplace(std::string(field.key), std::nullopt);
        }
        continue;
      }
      std::string_view s;
      if (field.value.get(s) == simdjson::SUCCESS) {
        out.emplace(std::string(field.key), std::string(s));
      } else {
        out.emplace(std::string(field.key), simdjson::minify(field.value));
      }
    }
    return out;
  }

  Result<StringMap> Map(std::string_view key) const { return TextMembers<StringMap>(key); }

  Result<PartitionValues> Partitions(std::string_view key) const {
    return TextMembers<PartitionValues>(key);
  }

  Result<std::optional<std::vector<std::string>>> OptStringList(std::string_view key) const {
    element e;
    if (!Find(key, &e)) return std::optional<std::vector<std::string>>();
    array a;
    if (e.get(a) != simdjson::SUCCESS) return TypeError(key, "an array of strings");
    std::vector<std::string> out;
    for (element item : a) {
      std::string_view s;
      if (item.get(s) != simdjson::SUCCESS) return TypeError(key, "an array of strings");
      out.emplace_back(s);
    }
    return std::optional<std::vector<std::string>>(std::move(out));
  }

  // A string that some writers store as a nested JSON object (e.g. stats): keep it as text.
  Result<std::optional<std::string>> StringOrJson(std::string_view key) const {
    element e;
    if (!Find(key, &e)) return std::optional<std::string>();
    std::string_view s;
    if (e.get(s) == simdjson::SUCCESS) return std::optional<std::string>(std::string(s));
    if (e.is_object()) return std::optional<std::string>(simdjson::minify(e));
    return TypeError(key, "a string");
  }

  Result<std::optional<DeletionVectorDescriptor>> DeletionVector(std::string_view key) const {
    element e;
    if (!Find(key, &e)) return std::optional<DeletionVectorDescriptor>();
    object o;
    if (e.get(o) != simdjson::SUCCESS) return TypeError(key, "an object");
    FieldReader dv(o, "deletionVector");
    DeletionVectorDescriptor out;
    LAKESYNC_ASSIGN_OR_RETURN(out.storage_type, dv.String("storageType"));
    LAKESYNC_ASSIGN_OR_RETURN(out.path_or_inline_dv, dv.String("pathOrInlineDv"));
    LAKESYNC_ASSIGN_OR_RETURN(auto offset, dv.OptInt("offset"));
    if (offset) out.offset = static_cast<int32_t>(*offset);
    LAKESYNC_ASSIGN_OR_RETURN(auto size, dv.Int("sizeInBytes", 0));
    out.size_in_bytes = static_cast<int32_t>(size);
    LAKESYNC_ASSIGN_OR_RETURN(out.cardinality, dv.Int("cardinality", 0));
    if (out.storage_type != "u" && out.storage_type != "i" && out.storage_type != "p") {
      return Status::Corruption("deletionVector.storageType '{}' is not one of u, i, p",
                                out.storage_type);
    }
    return std::optional<DeletionVectorDescriptor>(std::move(out));
  }

 private:
  Status TypeError(std::string_view key, std::string_view expected) const {
    return Status::Corruption("{}.{} is not {}", action_, key, expected);
  }
  Status Missing(std::string_view key) const {
    return Status::Corruption("{} has no {}", action_, key);
  }

  object obj_;
  std::string_view action_;
};

Result<std::string> DecodedPath(const FieldReader& r) {
  // Decoded straight from the document: one copy of the path, not two.
  LAKESYNC_ASSIGN_OR_RETURN(auto raw, r.StringView("path"));
  if (raw.empty()) return Status::Corruption("path is empty");
  return DecodeUriPath(raw);
}

Result<Action> ParseProtocol(const FieldReader& r) {
  Protocol p;
  LAKESYNC_ASSIGN_OR_RETURN(auto reader, r.Int("minReaderVersion", std::nullopt));
  LAKESYNC_ASSIGN_OR_RETURN(auto writer, r.Int("minWriterVersion", std::nullopt));
  p.min_reader_version = static_cast<int32_t>(reader);
  p.min_writer_version = static_cast<int32_t>(writer);
  LAKESYNC_ASSIGN_OR_RETURN(p.reader_features, r.OptStringList("readerFeatures"));
  LAKESYNC_ASSIGN_OR_RETURN(p.writer_features, r.OptStringList("writerFeatures"));
  return Action(std::move(p));
}

Result<Action> ParseMetadata(const FieldReader& r) {
  Metadata m;
  LAKESYNC_ASSIGN_OR_RETURN(auto id, r.OptString("id"));
  m.id = id.value_or("");
  LAKESYNC_ASSIGN_OR_RETURN(m.name, r.OptString("name"));
  LAKESYNC_ASSIGN_OR_RETURN(m.description, r.OptString("description"));
  element fmt_el;
  if (r.Find("format", &fmt_el)) {
    object fmt_obj;
    if (fmt_el.get(fmt_obj) != simdjson::SUCCESS) {
      return Status::Corruption("metaData.format is not an object");
    }
    FieldReader fr(fmt_obj, "metaData.format");
    LAKESYNC_ASSIGN_OR_RETURN(auto provider, fr.OptString("provider"));
    if (provider) m.format.provider = *provider;
    LAKESYNC_ASSIGN_OR_RETURN(m.format.options, fr.Map("options"));
  }
  // Required by the protocol, but some log-only test tables omit it: Snapshot decides.
  LAKESYNC_ASSIGN_OR_RETURN(auto schema_string, r.OptString("schemaString"));
  m.schema_string = schema_string.value_or("");
  LAKESYNC_ASSIGN_OR_RETURN(auto cols, r.OptStringList("partitionColumns"));
  if (cols) m.partition_columns = std::move(*cols);
  LAKESYNC_ASSIGN_OR_RETURN(m.created_time, r.OptInt("createdTime"));
  LAKESYNC_ASSIGN_OR_RETURN(m.configuration, r.Map("configuration"));
  return Action(std::move(m));
}

// The fields add and remove actions share, read in the order both list them: stats, tags,
// deletion vector and the row-tracking ids.
template <typename FileAction>
Status ReadStatsTagsAndRowIds(const FieldReader& r, FileAction& a) {
  LAKESYNC_ASSIGN_OR_RETURN(a.stats, r.StringOrJson("stats"));
  LAKESYNC_ASSIGN_OR_RETURN(a.tags, r.Map("tags"));
  LAKESYNC_ASSIGN_OR_RETURN(a.deletion_vector, r.DeletionVector("deletionVector"));
  LAKESYNC_ASSIGN_OR_RETURN(a.base_row_id, r.OptInt("baseRowId"));
  LAKESYNC_ASSIGN_OR_RETURN(a.default_row_commit_version, r.OptInt("defaultRowCommitVersion"));
  return Status::OK();
}

Result<Action> ParseAdd(const FieldReader& r) {
  AddFile a;
  LAKESYNC_ASSIGN_OR_RETURN(a.path, DecodedPath(r));
  LAKESYNC_ASSIGN_OR_RETURN(a.partition_values, r.Partitions("partitionValues"));
  LAKESYNC_ASSIGN_OR_RETURN(a.size, r.Int("size", 0));
  LAKESYNC_ASSIGN_OR_RETURN(a.modification_time, r.Int("modificationTime", 0));
  LAKESYNC_ASSIGN_OR_RETURN(auto data_change, r.OptBool("dataChange"));
  a.data_change = data_change.value_or(true);
  LAKESYNC_RETURN_NOT_OK(ReadStatsTagsAndRowIds(r, a));
  LAKESYNC_ASSIGN_OR_RETURN(a.clustering_provider, r.OptString("clusteringProvider"));
  return Action(std::move(a));
}

Result<Action> ParseRemove(const FieldReader& r) {
  RemoveFile a;
  LAKESYNC_ASSIGN_OR_RETURN(a.path, DecodedPath(r));
  LAKESYNC_ASSIGN_OR_RETURN(a.deletion_timestamp, r.OptInt("deletionTimestamp"));
  LAKESYNC_ASSIGN_OR_RETURN(auto data_change, r.OptBool("dataChange"));
  a.data_change = data_change.value_or(true);
  LAKESYNC_ASSIGN_OR_RETURN(a.extended_file_metadata, r.OptBool("extendedFileMetadata"));
  LAKESYNC_ASSIGN_OR_RETURN(a.partition_values, r.Partitions("partitionValues"));
  LAKESYNC_ASSIGN_OR_RETURN(a.size, r.OptInt("size"));
  LAKESYNC_RETURN_NOT_OK(ReadStatsTagsAndRowIds(r, a));
  return Action(std::move(a));
}

// ParseOptions::removes_as_keys and adds_as_keys: only what reconciliation needs.
template <typename FileAction>
Result<Action> ParseFileKey(const FieldReader& r) {
  FileAction a;
  LAKESYNC_ASSIGN_OR_RETURN(a.path, DecodedPath(r));
  LAKESYNC_ASSIGN_OR_RETURN(auto data_change, r.OptBool("dataChange"));
  a.data_change = data_change.value_or(true);
  LAKESYNC_ASSIGN_OR_RETURN(a.deletion_vector, r.DeletionVector("deletionVector"));
  return Action(std::move(a));
}

Result<Action> ParseRemoveKey(const FieldReader& r) { return ParseFileKey<RemoveFile>(r); }

// ParseAddLine reads the rest of an add parsed so.
Result<Action> ParseAddKey(const FieldReader& r) { return ParseFileKey<AddFile>(r); }

Result<Action> ParseCdc(const FieldReader& r) {
  AddCDCFile a;
  LAKESYNC_ASSIGN_OR_RETURN(a.path, DecodedPath(r));
  LAKESYNC_ASSIGN_OR_RETURN(a.partition_values, r.Partitions("partitionValues"));
  LAKESYNC_ASSIGN_OR_RETURN(a.size, r.Int("size", 0));
  LAKESYNC_ASSIGN_OR_RETURN(auto data_change, r.OptBool("dataChange"));
  a.data_change = data_change.value_or(false);
  LAKESYNC_ASSIGN_OR_RETURN(a.tags, r.Map("tags"));
  return Action(std::move(a));
}

Result<Action> ParseCommitInfo(const FieldReader& r) {
  CommitInfo c;
  LAKESYNC_ASSIGN_OR_RETURN(c.timestamp, r.OptInt("timestamp"));
  // operation is free-form provenance: do not fail on an odd type.
  auto op = r.OptString("operation");
  if (op.ok()) c.operation = *op;
  auto parameters = r.Map("operationParameters");
  if (parameters.ok()) c.operation_parameters = std::move(*parameters);
  LAKESYNC_ASSIGN_OR_RETURN(c.in_commit_timestamp, r.OptInt("inCommitTimestamp"));
  auto engine = r.OptString("engineInfo");
  if (engine.ok()) c.engine_info = *engine;
  return Action(std::move(c));
}

Result<Action> ParseTxn(const FieldReader& r) {
  SetTransaction t;
  LAKESYNC_ASSIGN_OR_RETURN(t.app_id, r.String("appId"));
  LAKESYNC_ASSIGN_OR_RETURN(t.version, r.Int("version", std::nullopt));
  LAKESYNC_ASSIGN_OR_RETURN(t.last_updated, r.OptInt("lastUpdated"));
  return Action(std::move(t));
}

Result<Action> ParseDomainMetadata(const FieldReader& r) {
  DomainMetadata d;
  LAKESYNC_ASSIGN_OR_RETURN(d.domain, r.String("domain"));
  LAKESYNC_ASSIGN_OR_RETURN(auto config, r.OptString("configuration"));
  d.configuration = config.value_or("");
  LAKESYNC_ASSIGN_OR_RETURN(auto removed, r.OptBool("removed"));
  d.removed = removed.value_or(false);
  return Action(std::move(d));
}

Result<Action> ParseSidecar(const FieldReader& r) {
  Sidecar s;
  LAKESYNC_ASSIGN_OR_RETURN(s.path, DecodedPath(r));
  LAKESYNC_ASSIGN_OR_RETURN(s.size_in_bytes, r.Int("sizeInBytes", 0));
  LAKESYNC_ASSIGN_OR_RETURN(s.modification_time, r.Int("modificationTime", 0));
  return Action(std::move(s));
}

Result<Action> ParseCheckpointMetadata(const FieldReader& r) {
  CheckpointMetadata c;
  LAKESYNC_ASSIGN_OR_RETURN(c.version, r.Int("version", std::nullopt));
  return Action(c);
}

using ActionParser = Result<Action> (*)(const FieldReader&);

ActionParser ParserFor(std::string_view kind) {
  if (kind == "add") return ParseAdd;
  if (kind == "remove") return ParseRemove;
  if (kind == "metaData") return ParseMetadata;
  if (kind == "protocol") return ParseProtocol;
  if (kind == "commitInfo") return ParseCommitInfo;
  if (kind == "txn") return ParseTxn;
  if (kind == "cdc") return ParseCdc;
  if (kind == "domainMetadata") return ParseDomainMetadata;
  if (kind == "sidecar") return ParseSidecar;
  if (kind == "checkpointMetadata") return ParseCheckpointMetadata;
  return nullptr;
}

// Appends the actions of one JSON document; `where` names the file and line for errors (made
// only when there is one: formatting it for every line was a tenth of the parse time).
template <typename Where>
Status AppendActions(element doc, const Where& where, ParseOptions options,
                     std::vector<Action>* actions) {
  object obj;
  if (doc.get(obj) != simdjson::SUCCESS) {
    return Status::Corruption("{}: an action must be a JSON object", where());
  }
  for (auto field : obj) {
    ActionParser parse = ParserFor(field.key);
    if (parse == nullptr) continue;  // unknown action kinds are ignored
    if (options.removes_as_keys && parse == ParseRemove) parse = ParseRemoveKey;
    if (options.adds_as_keys && parse == ParseAdd) parse = ParseAddKey;
    if (field.value.is_null()) continue;
    object body;
    if (field.value.get(body) != simdjson::SUCCESS) {
      return Status::Corruption("{}: action '{}' is not an object", where(), field.key);
    }
    auto action = parse(FieldReader(body, field.key));
    if (!action.ok()) return action.status().WithContext(where());
    actions->push_back(std::move(action).value());
  }
  return Status::OK();
}

// An upper bound of the lines in `text`. memchr is vectorised; std::count is a byte loop that
// cost as much as a third of simdjson's own parse of a commit file.
size_t CountLines(std::string_view text) {
  size_t lines = 1;
  const char* p = text.data();
  const char* end = p + text.size();
  while (const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
    ++lines;
    p = static_cast<const char*>(nl) + 1;
  }
  return lines;
}

// Some hand-made logs pretty-print each action over several lines. When line-by-line parsing
// fails, the file is retried as a whitespace-separated stream of JSON documents.
Result<std::vector<Action>> ParseDocumentStream(std::string_view contents,
                                                std::string_view file_name, ParseOptions options) {
  options.adds_as_keys = false;  // no lines to keep: a document may span several
  simdjson::dom::parser parser;
  simdjson::padded_string padded(contents);
  simdjson::dom::document_stream stream;
  if (parser.parse_many(padded).get(stream) != simdjson::SUCCESS) {
    return Status::Corruption("{}: not a JSON document stream", file_name);
  }
  std::vector<Action> actions;
  size_t index = 0;
  for (auto doc : stream) {
    ++index;
    element el;
    if (doc.get(el) != simdjson::SUCCESS) {
      return Status::Corruption("{}: document {} is malformed", file_name, index);
    }
    LAKESYNC_RETURN_NOT_OK(AppendActions(
        el, [&] { return fmt::format("{}: document {}", file_name, index); }, options, &actions));
  }
  if (stream.truncated_bytes() != 0) {
    return Status::Corruption("{}: truncated JSON document", file_name);
  }
  return actions;
}

}  // namespace

std::string_view TrimLogLine(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
    line.remove_suffix(1);
  }
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  return line;
}

Result<std::vector<Action>> ParseActions(std::string_view contents, std::string_view file_name,
                                         ParseOptions options) {
  options.adds_as_keys = false;
  // One parser per thread, reused across files: allocating it per commit cost more than
  // parsing a small commit. Lines are parsed in place, the bytes after each line serving as
  // simdjson's padding; only the last lines, too close to the end, go through a padded copy.
  thread_local simdjson::dom::parser parser;
  thread_local std::string tail;
  const std::string_view text = contents;
  std::vector<Action> actions;
  actions.reserve(CountLines(text));
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = TrimLogLine(text.substr(pos, end - pos));
    pos = end + 1;
    ++line_no;
    if (line.empty()) continue;

    element doc;
    const char* data = line.data();
    if (static_cast<size_t>(text.data() + text.size() - (data + line.size())) <
        simdjson::SIMDJSON_PADDING) {
      tail.assign(line);
      tail.append(simdjson::SIMDJSON_PADDING, '\0');
      data = tail.data();
    }
    auto error = parser.parse(data, line.size(), false).get(doc);
    if (error != simdjson::SUCCESS) {
      Status line_error = Status::Corruption("{}: line {}: malformed JSON: {}", file_name, line_no,
                                             simdjson::error_message(error));
      auto stream = ParseDocumentStream(contents, file_name, options);
      if (stream.ok()) return stream;
      return line_error;
    }
    LAKESYNC_RETURN_NOT_OK(AppendActions(
        doc, [&] { return fmt::format("{}: line {}", file_name, line_no); }, options, &actions));
  }
  return actions;
}

Status ParseActionLine(std::string_view line, std::string_view file_name, size_t line_no,
                       ParseOptions options, std::vector<Action>* actions) {
  thread_local simdjson::dom::parser parser;
  thread_local std::string padded;
  padded.assign(line);
  padded.append(simdjson::SIMDJSON_PADDING, '\0');
  auto where = [&] { return fmt::format("{}: line {}", file_name, line_no); };
  element doc;
  if (auto error = parser.parse(padded.data(), line.size(), false).get(doc);
      error != simdjson::SUCCESS) {
    return Status::Corruption("{}: malformed JSON: {}", where(), simdjson::error_message(error));
  }
  return AppendActions(doc, where, options, actions);
}

Result<AddFile> ParseAddLine(std::string_view line, size_t line_no, std::string_view file_name) {
  std::vector<Action> actions;
  LAKESYNC_RETURN_NOT_OK(ParseActionLine(line, file_name, line_no, ParseOptions{}, &actions));
  for (auto& action : actions) {
    if (auto* add = std::get_if<AddFile>(&action)) return std::move(*add);
  }
  return Status::Internal("{}: line {}: no add action", file_name, line_no);
}

}  // namespace lakesync::delta
