#include "lakesync/cli/delta_command.h"

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lakesync/cli/exit_codes.h"
#include "lakesync/common/canonical_json.h"
#include "lakesync/common/macros.h"
#include "lakesync/common/strings.h"
#include "lakesync/common/value_text.h"
#include "lakesync/delta/change_scan.h"
#include "lakesync/delta/commit_timestamps.h"
#include "lakesync/delta/log_files.h"
#include "lakesync/delta/log_parser.h"
#include "lakesync/delta/scan.h"
#include "lakesync/delta/scan_filter.h"
#include "lakesync/delta/snapshot.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::cli {
namespace {

Status Write(std::string& out, bool force = false) {
  if (out.empty() || (!force && out.size() < (1 << 20))) return Status::OK();
  if (std::fwrite(out.data(), 1, out.size(), stdout) != out.size()) {
    return Status::IOError("writing to stdout failed: {}", std::strerror(errno));
  }
  out.clear();
  return Status::OK();
}

Status Flush(std::string& out) {
  LAKESYNC_RETURN_NOT_OK(Write(out, true));
  return std::fflush(stdout) == 0
             ? Status::OK()
             : Status::IOError("writing to stdout failed: {}", std::strerror(errno));
}

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(s, out);
  return out;
}

// ---- history

struct HistoryOptions {
  std::string table;
  bool json = false;
  int64_t limit = -1;
};

Status RunHistory(const HistoryOptions& options) {
  LAKESYNC_ASSIGN_OR_RETURN(auto fs, storage::FileSystemForPath(options.table));
  std::string root = options.table;
  if (root.starts_with("file://")) root = root.substr(7);
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  const std::string log_dir = storage::JoinPath(root, "_delta_log");
  LAKESYNC_ASSIGN_OR_RETURN(auto entries, fs->ListDir(log_dir));
  const delta::LogListing listing = delta::ClassifyLogListing(entries);
  if (listing.commits.empty() && listing.checkpoints.empty()) {
    return Status::NotFound("not a Delta table: {}", options.table);
  }
  std::string out;
  if (!options.json)
    out +=
        fmt::format("{:<8} {:<24} {:<24} {}\n", "VERSION", "TIMESTAMP", "OPERATION", "PARAMETERS");
  int64_t printed = 0;
  // Newest first, as DESCRIBE HISTORY lists them.
  for (auto it = listing.commits.rbegin(); it != listing.commits.rend(); ++it) {
    if (options.limit >= 0 && printed >= options.limit) break;
    const auto& [version, info] = *it;
    LAKESYNC_ASSIGN_OR_RETURN(auto contents, fs->ReadFile(info.path));
    LAKESYNC_ASSIGN_OR_RETURN(auto actions, delta::ParseActions(contents, info.path));
    delta::CommitInfo commit_info;
    for (auto& action : actions) {
      if (auto* ci = std::get_if<delta::CommitInfo>(&action)) commit_info = std::move(*ci);
    }
    // The time time travel goes by: the in-commit timestamp, else the file's time.
    const int64_t ts = commit_info.in_commit_timestamp.value_or(info.mtime_ms);
    const std::string operation = commit_info.operation.value_or("");
    std::string parameters = "{";
    for (const auto& [name, value] : commit_info.operation_parameters) {
      if (parameters.size() > 1) parameters += ",";
      parameters += JsonString(name) + ":" + JsonString(value);
    }
    parameters += "}";
    if (options.json) {
      out += fmt::format(
          R"({{"version":{},"timestamp":"{}","operation":{},"operation_parameters":{},"engine_info":{}}})",
          version, delta::FormatTimestampMs(ts), JsonString(operation), parameters,
          commit_info.engine_info ? JsonString(*commit_info.engine_info) : "null");
      out += "\n";
    } else {
      out += fmt::format("{:<8} {:<24} {:<24} {}\n", version, delta::FormatTimestampMs(ts),
                         operation.empty() ? "-" : operation, parameters);
    }
    ++printed;
    LAKESYNC_RETURN_NOT_OK(Write(out));
  }
  return Flush(out);
}

// ---- schema

struct SnapshotChoice {
  std::string table;
  std::optional<int64_t> version;
  std::optional<std::string> timestamp;

  Result<std::unique_ptr<delta::Snapshot>> Open() const {
    delta::SnapshotOptions options;
    options.version = version;
    if (timestamp) {
      LAKESYNC_ASSIGN_OR_RETURN(options.timestamp_ms, delta::ParseTimestampMs(*timestamp));
    }
    return delta::Snapshot::Open(table, options);
  }
};

struct SchemaOptions {
  SnapshotChoice snapshot;
  bool json = false;
};

Status RunSchema(const SchemaOptions& options) {
  LAKESYNC_ASSIGN_OR_RETURN(auto snapshot, options.snapshot.Open());
  std::string out;
  if (options.json) {
    out = snapshot->metadata().schema_string + "\n";
    return Flush(out);
  }
  const auto& schema = snapshot->schema();
  out += fmt::format("version {}", snapshot->version());
  if (snapshot->column_mapping_mode() != delta::ColumnMappingMode::kNone) {
    out += snapshot->column_mapping_mode() == delta::ColumnMappingMode::kName
               ? ", column mapping by name"
               : ", column mapping by id";
  }
  out += "\n";
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const Field& f = schema.fields[i];
    out +=
        fmt::format("{} {}{}", f.name, delta::DeltaTypeName(f.type), f.nullable ? "" : " NOT NULL");
    for (const auto& p : snapshot->partition_columns()) {
      if (p == f.name) out += " (partition column)";
    }
    if (snapshot->column_mapping_mode() != delta::ColumnMappingMode::kNone) {
      out += fmt::format(" [physical name {}, id {}]",
                         schema.PhysicalName(i, snapshot->column_mapping_mode()),
                         i < schema.metas.size() ? schema.metas[i].id : -1);
    }
    out += "\n";
  }
  return Flush(out);
}

// ---- cat and changes

// Prints the selected rows of every batch as canonical JSON, at most `limit` (< 0: all).
// With `filter`, only rows matching it, and only the first `num_columns` columns.
Status PrintRows(delta::ScanIterator& it, int64_t limit, const std::string& table,
                 const delta::ScanFilter* filter = nullptr, size_t num_columns = 0) {
  std::string out;
  int64_t printed = 0;
  while (limit < 0 || printed < limit) {
    LAKESYNC_ASSIGN_OR_RETURN(auto batch, it.Next());
    if (!batch) break;
    if (filter) {
      LAKESYNC_RETURN_NOT_OK(filter->SelectMatching(&*batch));
      batch->columns.resize(num_columns);
      batch->schema.resize(num_columns);
    }
    const int64_t n = batch->num_selected();
    for (int64_t i = 0; i < n && (limit < 0 || printed < limit); ++i) {
      const int64_t row = batch->selection ? (*batch->selection)[static_cast<size_t>(i)] : i;
      Status st = AppendCanonicalJsonRow(*batch, row, out);
      if (!st.ok()) {
        const auto* file = it.current_file();
        return st.WithContext(
            fmt::format("Delta table {}, data file {}", table, file ? file->path : "?"));
      }
      out.push_back('\n');
      ++printed;
      LAKESYNC_RETURN_NOT_OK(Write(out));
    }
  }
  return Flush(out);
}

struct CatOptions {
  SnapshotChoice snapshot;
  std::vector<std::string> columns;
  std::vector<std::string> where;
  int64_t limit = -1;
};

Status RunCat(const CatOptions& options) {
  LAKESYNC_ASSIGN_OR_RETURN(auto snapshot, options.snapshot.Open());
  delta::ScanOptions scan_options;
  scan_options.columns = options.columns;
  for (const auto& text : options.where) {
    LAKESYNC_ASSIGN_OR_RETURN(auto predicate, delta::ScanFilter::ParsePredicate(*snapshot, text));
    scan_options.filter.push_back(std::move(predicate));
  }
  std::shared_ptr<const delta::ScanFilter> filter;
  size_t num_columns = 0;
  if (!scan_options.filter.empty()) {
    // The scan skips files and row groups; the rows are filtered here. Columns the filter
    // needs but --columns leaves out are read, then dropped before printing.
    LAKESYNC_ASSIGN_OR_RETURN(filter, delta::ScanFilter::Make(*snapshot, scan_options.filter));
    num_columns = scan_options.columns.empty() ? snapshot->schema().fields.size()
                                               : scan_options.columns.size();
    if (!scan_options.columns.empty()) {
      for (const auto& name : filter->TopLevelColumns()) {
        bool present = false;
        for (const auto& c : scan_options.columns) present = present || EqualsIgnoreCase(c, name);
        if (!present) scan_options.columns.push_back(name);
      }
    }
  }
  LAKESYNC_ASSIGN_OR_RETURN(auto scan, delta::Scan::Make(*snapshot, scan_options));
  LAKESYNC_ASSIGN_OR_RETURN(auto it, scan->Open());
  return PrintRows(*it, options.limit, options.snapshot.table, filter.get(), num_columns);
}

struct ChangesOptions {
  std::string table;
  int64_t from = 0;
  std::optional<int64_t> to;
  std::vector<std::string> columns;
  int64_t limit = -1;
};

Status RunChanges(const ChangesOptions& options) {
  LAKESYNC_ASSIGN_OR_RETURN(
      auto end, delta::Snapshot::Open(options.table, delta::SnapshotOptions{options.to}));
  delta::ChangeScanOptions scan_options;
  scan_options.columns = options.columns;
  LAKESYNC_ASSIGN_OR_RETURN(auto scan, delta::ChangeScan::Make(*end, options.from, scan_options));
  LAKESYNC_ASSIGN_OR_RETURN(auto it, scan->Open());
  return PrintRows(*it, options.limit, options.table);
}

template <typename Fn>
void Report(const char* name, int* exit_code, Fn fn) {
  Status st = fn();
  if (!st.ok()) fmt::print(stderr, "lakesync delta {}: {}\n", name, st.ToString());
  *exit_code = ExitCodeFor(st);
}

}  // namespace

void AddDeltaCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("delta", "Inspect a Delta table (local path or s3:// URL)");
  cmd->require_subcommand(1);

  auto history = std::make_shared<HistoryOptions>();
  CLI::App* h = cmd->add_subcommand(
      "history", "List the table's commits, newest first: version, time, operation, parameters");
  h->add_option("TABLE", history->table, "Delta table path or URL")->required();
  h->add_flag("--json", history->json, "one JSON object per commit");
  h->add_option("--limit", history->limit, "at most N commits")->check(CLI::NonNegativeNumber);
  h->callback(
      [history, exit_code] { Report("history", exit_code, [&] { return RunHistory(*history); }); });

  auto schema = std::make_shared<SchemaOptions>();
  CLI::App* s = cmd->add_subcommand("schema", "Print the table's columns and types");
  s->add_option("TABLE", schema->snapshot.table, "Delta table path or URL")->required();
  s->add_option("--version", schema->snapshot.version, "as of this version")
      ->check(CLI::NonNegativeNumber);
  s->add_flag("--json", schema->json, "print the Delta schemaString");
  s->callback(
      [schema, exit_code] { Report("schema", exit_code, [&] { return RunSchema(*schema); }); });

  auto cat = std::make_shared<CatOptions>();
  CLI::App* c = cmd->add_subcommand(
      "cat", "Print the table's rows as canonical JSON, one object per line (see README.md)");
  c->add_option("TABLE", cat->snapshot.table, "Delta table path or URL")->required();
  auto* version = c->add_option("--version", cat->snapshot.version, "as of this version")
                      ->check(CLI::NonNegativeNumber);
  c->add_option("--timestamp", cat->snapshot.timestamp,
                "as of this time (YYYY-MM-DD[THH:MM:SS[.fff]][Z|+HH:MM], UTC by default, or ms "
                "since 1970)")
      ->excludes(version);
  c->add_option("--columns", cat->columns, "columns to print, in this order")->delimiter(',');
  c->add_option("--where", cat->where,
                "only rows where COL OP VALUE (= < <= > >= IN (..) IS [NOT] NULL); repeat to AND; "
                "files and row groups that cannot match are not read");
  c->add_option("--limit", cat->limit, "print at most N rows")->check(CLI::NonNegativeNumber);
  c->callback([cat, exit_code] { Report("cat", exit_code, [&] { return RunCat(*cat); }); });

  auto changes = std::make_shared<ChangesOptions>();
  CLI::App* ch = cmd->add_subcommand(
      "changes",
      "Print the change data feed of versions FROM..TO as canonical JSON, with _change_type, "
      "_commit_version and _commit_timestamp");
  ch->add_option("TABLE", changes->table, "Delta table path or URL")->required();
  ch->add_option("--from", changes->from, "first version")
      ->required()
      ->check(CLI::NonNegativeNumber);
  ch->add_option("--to", changes->to, "last version (default: the latest)")
      ->check(CLI::NonNegativeNumber);
  ch->add_option("--columns", changes->columns, "table columns to print, in this order")
      ->delimiter(',');
  ch->add_option("--limit", changes->limit, "print at most N rows")->check(CLI::NonNegativeNumber);
  ch->callback(
      [changes, exit_code] { Report("changes", exit_code, [&] { return RunChanges(*changes); }); });
}

}  // namespace lakesync::cli
