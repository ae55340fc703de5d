#include "lakesync/delta/scan.h"

#include <algorithm>
#include <set>

#include "lakesync/common/macros.h"
#include "lakesync/common/strings.h"
#include "lakesync/delta/column_convert.h"
#include "lakesync/delta/deletion_vector.h"
#include "lakesync/delta/partition_values.h"
#include "lakesync/delta/scan_internal.h"
#include "lakesync/parquet/file_reader.h"

namespace lakesync::delta {

FileTask ScanPlan::Task(size_t i) const {
  if (files) return FileTask{(*files)[i], std::nullopt, std::nullopt, -1, 0, nullptr};
  return tasks[i];
}

struct ScanIterator::State {
  std::shared_ptr<const ScanPlan> plan;
  size_t next_file = 0;
  size_t end_file = 0;

  // The open file.
  FileTask task;
  const AddFile* file = nullptr;  // &task.file once a file is open
  std::string file_path;
  std::unique_ptr<parquet::FileReader> reader;
  std::vector<int> read_columns;  // file column indices to read
  std::vector<int> source;        // per output column: position in read_columns, or -1
  int next_row_group = 0;
  int64_t rows_left_without_data = 0;     // files that need no data column
  std::optional<DeletedRows> deleted;     // the file's deletion vector
  std::optional<DeletedRows> only;        // FileTask::only_rows, loaded
  uint64_t row_offset = 0;                // index in the file of the next row group's first row
  std::vector<bool> row_group_may_match;  // empty = read every row group
  int64_t row_groups_skipped = 0;

  Status OpenNextFile();
  // The output columns as the open file's schema names them.
  const std::vector<OutputColumn>& columns() const {
    return task.columns ? *task.columns : plan->columns;
  }
  Result<ColumnBatch> Assemble(ColumnBatch read, int64_t num_rows);
  // The rows of the next `n` rows of the file that are not deleted; false when none is left.
  bool SelectRows(int64_t n, std::optional<std::vector<uint32_t>>* selection);
};

Status ScanIterator::State::OpenNextFile() {
  task = plan->Task(next_file++);
  file = &task.file;
  file_path = ResolveTablePath(plan->table_root, file->path);
  reader.reset();
  read_columns.clear();
  source.clear();
  next_row_group = 0;
  rows_left_without_data = 0;
  deleted.reset();
  only.reset();
  row_offset = 0;
  if (file->deletion_vector) {
    auto rows = LoadDeletionVector(*plan->fs, *file->deletion_vector, plan->table_root);
    if (!rows.ok()) return rows.status().WithContext(fmt::format("data file {}", file_path));
    deleted = std::move(rows).value();
  }
  if (task.only_rows) {
    auto rows = LoadDeletionVector(*plan->fs, *task.only_rows, plan->table_root);
    if (!rows.ok()) return rows.status().WithContext(fmt::format("data file {}", file_path));
    only = std::move(rows).value();
  }
  // A missing file of a change range was most likely vacuumed; opened with the size its action
  // gives (no HEAD request on object stores), it shows missing at the footer read.
  auto failed = [&](const Status& st) {
    if (task.commit_version >= 0 && st.IsNotFound()) {
      return Status::NotFound(
          "the changes of version {} of Delta table {} cannot be read: file {} is missing "
          "(removed by VACUUM after its retention period?); a full refresh is needed",
          task.commit_version, plan->table_root, file_path);
    }
    return st.WithContext(fmt::format("data file {}", file_path));
  };
  // A size below the smallest Parquet file (magic, footer length, magic: 12 bytes) is wrong
  // whatever the file holds; the store is asked then, so a missing file still reads as missing.
  auto opened = file->size >= 12 ? plan->fs->OpenForReadKnownSize(file_path, file->size)
                                 : plan->fs->OpenForRead(file_path);
  if (!opened.ok()) return failed(opened.status());
  std::shared_ptr<storage::RandomAccessFile> handle = std::move(opened).value();
  auto parsed = parquet::FileReader::Open(std::move(handle),
                                          parquet::ReaderOptions{plan->options.num_threads});
  if (!parsed.ok()) return failed(parsed.status());
  reader = std::move(parsed).value();

  const std::vector<Field>& file_fields = reader->schema();
  if (plan->mode == ColumnMappingMode::kId) {
    // Id mode resolves columns by Parquet field id; a file without any would read as all
    // nulls, so refuse it (PROTOCOL.md "Reader Requirements for Column Mapping").
    const bool has_ids = std::any_of(file_fields.begin(), file_fields.end(),
                                     [](const Field& f) { return f.field_id >= 0; });
    const bool reads_data =
        std::any_of(plan->columns.begin(), plan->columns.end(),
                    [](const OutputColumn& c) { return c.kind == OutputKind::kData; });
    if (!has_ids && reads_data && !file_fields.empty()) {
      return Status::NotSupported(
          "data file {} has no Parquet field ids, which column mapping mode 'id' needs", file_path);
    }
  }
  for (const auto& column : columns()) {
    int idx = -1;
    if (column.kind == OutputKind::kData ||
        (column.kind == OutputKind::kChangeType && !task.change_type)) {
      idx = FindFileField(file_fields, column.field, column.meta, plan->mode);
    }
    if (idx < 0) {
      source.push_back(-1);
      continue;
    }
    auto it = std::find(read_columns.begin(), read_columns.end(), idx);
    if (it == read_columns.end()) {
      read_columns.push_back(idx);
      it = read_columns.end() - 1;
    }
    source.push_back(static_cast<int>(it - read_columns.begin()));
  }
  if (read_columns.empty()) rows_left_without_data = reader->num_rows();
  row_group_may_match.clear();
  if (plan->filter && !read_columns.empty()) {
    row_group_may_match = plan->filter->RowGroupsMayMatch(*reader);
  }
  return Status::OK();
}

bool ScanIterator::State::SelectRows(int64_t n, std::optional<std::vector<uint32_t>>* selection) {
  const uint64_t first = row_offset;
  row_offset += static_cast<uint64_t>(n);
  selection->reset();
  if (only) {
    // Only the rows `only` marks, minus those `deleted` marks.
    std::vector<uint32_t> keep;
    auto it = std::lower_bound(only->rows.begin(), only->rows.end(), first);
    for (; it != only->rows.end() && *it < first + static_cast<uint64_t>(n); ++it) {
      if (deleted && std::binary_search(deleted->rows.begin(), deleted->rows.end(), *it)) continue;
      keep.push_back(static_cast<uint32_t>(*it - first));
    }
    const bool any = !keep.empty();
    *selection = std::move(keep);
    return any;
  }
  if (!deleted) return n > 0;
  *selection = deleted->Selection(first, static_cast<uint64_t>(n));
  return n > 0 && !(*selection && (*selection)->empty());
}

Result<ColumnBatch> ScanIterator::State::Assemble(ColumnBatch read, int64_t num_rows) {
  ColumnBatch out;
  out.schema = plan->schema;
  out.num_rows = num_rows;
  out.selection = std::move(read.selection);
  out.columns.reserve(plan->columns.size());
  std::vector<bool> used(read.columns.size(), false);
  const std::vector<OutputColumn>& cols = columns();
  for (size_t i = 0; i < cols.size(); ++i) {
    const OutputColumn& column = cols[i];
    const std::string& name = column.field.name;
    if (column.kind == OutputKind::kCommitVersion) {
      out.columns.push_back(ColumnVector::Constant(
          column.field.type, num_rows,
          std::string(reinterpret_cast<const char*>(&task.commit_version), 8)));
      continue;
    }
    if (column.kind == OutputKind::kCommitTimestamp) {
      const int64_t micros = task.commit_timestamp_ms * 1000;
      out.columns.push_back(ColumnVector::Constant(
          column.field.type, num_rows, std::string(reinterpret_cast<const char*>(&micros), 8)));
      continue;
    }
    if (column.kind == OutputKind::kChangeType && task.change_type) {
      out.columns.push_back(ColumnVector::Constant(column.field.type, num_rows, task.change_type));
      continue;
    }
    if (column.kind == OutputKind::kPartition) {
      std::optional<std::string> value;
      auto it = file->partition_values.find(column.partition_key);
      if (it == file->partition_values.end()) {
        for (auto p = file->partition_values.begin(); p != file->partition_values.end(); ++p) {
          if (EqualsIgnoreCase(p->first, column.partition_key)) it = p;
        }
      }
      if (it != file->partition_values.end()) value = it->second;
      auto col = PartitionColumn(column.field.type, value, num_rows, name);
      if (!col.ok()) return col.status().WithContext(fmt::format("data file {}", file_path));
      out.columns.push_back(std::move(col).value());
      continue;
    }
    const int pos = source[i];
    if (pos < 0 || column.kind == OutputKind::kAbsent) {
      out.columns.push_back(NullColumn(column.field.type, num_rows));
      continue;
    }
    if (static_cast<size_t>(pos) >= read.columns.size()) {
      return Status::Internal("data file {}: reader returned {} columns, expected {}", file_path,
                              read.columns.size(), read_columns.size());
    }
    // A file column feeds one output column, except when a projection names it twice.
    ColumnVector input = used[pos] ? read.columns[pos] : std::move(read.columns[pos]);
    used[pos] = true;
    if (input.length() != num_rows) {
      return Status::Corruption("data file {}: column '{}' has {} rows, the row group {}",
                                file_path, name, input.length(), num_rows);
    }
    auto converted = ConvertColumn(std::move(input), column.field, column.meta, plan->mode, name);
    if (!converted.ok()) {
      return converted.status().WithContext(fmt::format("data file {}", file_path));
    }
    out.columns.push_back(std::move(converted).value());
  }
  return out;
}

ScanIterator::ScanIterator(std::unique_ptr<State> state) : state_(std::move(state)) {}
ScanIterator::~ScanIterator() = default;

const AddFile* ScanIterator::current_file() const { return state_->file; }
int64_t ScanIterator::row_groups_skipped() const { return state_->row_groups_skipped; }

Result<std::optional<ColumnBatch>> ScanIterator::Next() {
  State& s = *state_;
  while (true) {
    if (s.reader) {
      if (s.read_columns.empty() && s.rows_left_without_data > 0) {
        const int64_t n =
            std::min(s.rows_left_without_data, s.plan->options.max_rows_without_data_columns);
        s.rows_left_without_data -= n;
        ColumnBatch none;
        if (!s.SelectRows(n, &none.selection)) continue;
        LAKESYNC_ASSIGN_OR_RETURN(auto batch, s.Assemble(std::move(none), n));
        return std::optional<ColumnBatch>(std::move(batch));
      }
      if (!s.read_columns.empty() && s.next_row_group < s.reader->num_row_groups()) {
        const int rg = s.next_row_group++;
        if (static_cast<size_t>(rg) < s.row_group_may_match.size() && !s.row_group_may_match[rg]) {
          // Keep row_offset in step so deletion vectors still address the right rows.
          s.row_offset += static_cast<uint64_t>(s.reader->metadata().row_groups[rg].num_rows);
          ++s.row_groups_skipped;
          continue;
        }
        auto read = s.reader->ReadRowGroup(rg, s.read_columns);
        if (!read.ok()) {
          return read.status().WithContext(
              fmt::format("data file {} row group {}", s.file_path, rg));
        }
        const int64_t n = read->num_rows;
        if (read->selection) {
          return Status::Internal("data file {}: the Parquet reader selected rows", s.file_path);
        }
        if (!s.SelectRows(n, &read->selection)) continue;
        LAKESYNC_ASSIGN_OR_RETURN(auto batch, s.Assemble(std::move(read).value(), n));
        return std::optional<ColumnBatch>(std::move(batch));
      }
      s.reader.reset();
    }
    if (s.next_file >= s.end_file) return std::optional<ColumnBatch>();
    LAKESYNC_RETURN_NOT_OK(s.OpenNextFile());
  }
}

Result<std::vector<OutputColumn>> ProjectColumns(const Snapshot& snapshot,
                                                 const std::vector<std::string>& columns) {
  const TableSchema& schema = snapshot.schema();
  if (schema.fields.empty()) {
    return Status::Corruption("Delta table {} version {} has no columns in its schema",
                              snapshot.table_root(), snapshot.version());
  }
  const ColumnMappingMode mode = snapshot.column_mapping_mode();
  std::vector<int> indices;
  if (columns.empty()) {
    for (size_t i = 0; i < schema.fields.size(); ++i) indices.push_back(static_cast<int>(i));
  } else {
    std::set<int> seen;
    for (const auto& name : columns) {
      const int idx = schema.FieldIndex(name);
      if (idx < 0) {
        return Status::InvalidArgument("column '{}' is not in Delta table {}", name,
                                       snapshot.table_root());
      }
      if (!seen.insert(idx).second) {
        return Status::InvalidArgument("column '{}' is requested twice", name);
      }
      indices.push_back(idx);
    }
  }
  std::vector<OutputColumn> out;
  for (int idx : indices) {
    OutputColumn column;
    column.field = schema.fields[idx];
    column.meta = idx < static_cast<int>(schema.metas.size()) ? schema.metas[idx] : ColumnMeta{};
    for (const auto& p : snapshot.partition_columns()) {
      if (EqualsIgnoreCase(p, column.field.name)) column.kind = OutputKind::kPartition;
    }
    column.partition_key = schema.PhysicalName(idx, mode);
    out.push_back(std::move(column));
  }
  return out;
}

std::unique_ptr<ScanIterator> NewScanIterator(std::shared_ptr<const ScanPlan> plan, size_t begin,
                                              size_t end) {
  auto state = std::make_unique<ScanIterator::State>();
  state->plan = std::move(plan);
  state->next_file = begin;
  state->end_file = end;
  return std::unique_ptr<ScanIterator>(new ScanIterator(std::move(state)));
}

Result<std::unique_ptr<Scan>> Scan::Make(const Snapshot& snapshot, ScanOptions options) {
  if (options.max_rows_without_data_columns <= 0) {
    return Status::InvalidArgument("max_rows_without_data_columns must be positive");
  }
  auto plan = std::make_shared<ScanPlan>();
  plan->fs = snapshot.file_system();
  plan->table_root = snapshot.table_root();
  plan->mode = snapshot.column_mapping_mode();
  LAKESYNC_ASSIGN_OR_RETURN(plan->columns, ProjectColumns(snapshot, options.columns));
  for (const auto& column : plan->columns) plan->schema.push_back(column.field);
  plan->files = &snapshot.files();
  if (!options.filter.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(plan->filter, ScanFilter::Make(snapshot, options.filter));
    for (const auto& file : snapshot.files()) {
      if (plan->filter->FileMayMatch(file)) {
        plan->kept_files.push_back(file);
      } else {
        ++plan->files_skipped;
      }
    }
    plan->files = &plan->kept_files;
  }
  plan->options = std::move(options);
  const auto* files = plan->files;
  return std::unique_ptr<Scan>(new Scan(std::move(plan), files));
}

const std::vector<Field>& Scan::schema() const { return plan_->schema; }
size_t Scan::files_skipped() const { return plan_->files_skipped; }

Result<std::unique_ptr<ScanIterator>> Scan::Open() const {
  return NewScanIterator(plan_, 0, plan_->num_tasks());
}

Result<std::unique_ptr<ScanIterator>> Scan::OpenFile(size_t index) const {
  if (index >= plan_->num_tasks()) {
    return Status::InvalidArgument("file index {} out of range ({} files)", index,
                                   plan_->num_tasks());
  }
  return NewScanIterator(plan_, index, index + 1);
}

}  // namespace lakesync::delta
