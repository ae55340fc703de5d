#include "lakesync/delta/checkpoint_reader.h"

#include <array>

#include "lakesync/common/macros.h"
#include "lakesync/delta/log_parser.h"
#include "lakesync/parquet/file_reader.h"

namespace lakesync::delta {

namespace {

// Typed access to the fields of one row of a checkpoint's struct columns. A checkpoint's
// action columns are structs that mirror the JSON actions (PROTOCOL.md "Checkpoint Schema").
class RowReader {
 public:
  RowReader(const ColumnVector* col, int64_t row) : col_(col), row_(row) {}

  bool present() const { return col_ != nullptr && col_->IsValid(row_); }

  RowReader Child(std::string_view name) const {
    if (!present() || col_->type().id != TypeId::kStruct) return RowReader(nullptr, row_);
    const auto& fields = col_->type().children;
    for (size_t i = 0; i < fields.size() && i < col_->children().size(); ++i) {
      if (fields[i].name == name) return RowReader(&col_->children()[i], row_);
    }
    return RowReader(nullptr, row_);
  }

  std::optional<std::string> String(std::string_view name) const {
    RowReader c = Child(name);
    if (!c.present() || !c.col_->type().IsVarLength()) return std::nullopt;
    return std::string(c.col_->StringValue(row_));
  }

  std::optional<int64_t> Int(std::string_view name) const {
    RowReader c = Child(name);
    if (!c.present()) return std::nullopt;
    switch (c.col_->type().id) {
      case TypeId::kInt8:
        return c.col_->Value<int8_t>(row_);
      case TypeId::kInt16:
        return c.col_->Value<int16_t>(row_);
      case TypeId::kInt32:
        return c.col_->Value<int32_t>(row_);
      case TypeId::kInt64:
        return c.col_->Value<int64_t>(row_);
      default:
        return std::nullopt;
    }
  }

  std::optional<bool> Bool(std::string_view name) const {
    RowReader c = Child(name);
    if (!c.present() || c.col_->type().id != TypeId::kBoolean) return std::nullopt;
    return c.col_->Value<uint8_t>(row_) != 0;
  }

  // map<string,string>; null values become nullopt.
  PartitionValues OptionalMap(std::string_view name) const {
    PartitionValues out;
    RowReader c = Child(name);
    if (!c.present() || c.col_->type().id != TypeId::kMap || c.col_->children().size() != 2) {
      return out;
    }
    const ColumnVector& keys = c.col_->children()[0];
    const ColumnVector& values = c.col_->children()[1];
    if (!keys.type().IsVarLength() || !values.type().IsVarLength()) return out;
    for (uint32_t i = c.col_->offsets()[row_]; i < c.col_->offsets()[row_ + 1]; ++i) {
      if (keys.IsNull(i)) continue;
      std::optional<std::string> value;
      if (values.IsValid(i)) value = std::string(values.StringValue(i));
      out.emplace(std::string(keys.StringValue(i)), std::move(value));
    }
    return out;
  }

  StringMap Map(std::string_view name) const {
    StringMap out;
    for (auto& [k, v] : OptionalMap(name)) {
      if (v) out.emplace(k, std::move(*v));
    }
    return out;
  }

  std::optional<std::vector<std::string>> List(std::string_view name) const {
    RowReader c = Child(name);
    if (!c.present() || c.col_->type().id != TypeId::kList || c.col_->children().size() != 1) {
      return std::nullopt;
    }
    const ColumnVector& items = c.col_->children()[0];
    if (!items.type().IsVarLength()) return std::nullopt;
    std::vector<std::string> out;
    for (uint32_t i = c.col_->offsets()[row_]; i < c.col_->offsets()[row_ + 1]; ++i) {
      if (items.IsValid(i)) out.emplace_back(items.StringValue(i));
    }
    return out;
  }

 private:
  const ColumnVector* col_;
  int64_t row_;
};

Result<std::string> Path(const RowReader& r, std::string_view action) {
  auto path = r.String("path");
  if (!path || path->empty()) return Status::Corruption("{} action without a path", action);
  return DecodeUriPath(*path);
}

Result<std::optional<DeletionVectorDescriptor>> DeletionVector(const RowReader& r) {
  RowReader dv = r.Child("deletionVector");
  if (!dv.present()) return std::optional<DeletionVectorDescriptor>();
  DeletionVectorDescriptor out;
  out.storage_type = dv.String("storageType").value_or("");
  out.path_or_inline_dv = dv.String("pathOrInlineDv").value_or("");
  if (auto offset = dv.Int("offset")) out.offset = static_cast<int32_t>(*offset);
  out.size_in_bytes = static_cast<int32_t>(dv.Int("sizeInBytes").value_or(0));
  out.cardinality = dv.Int("cardinality").value_or(0);
  if (out.storage_type != "u" && out.storage_type != "i" && out.storage_type != "p") {
    return Status::Corruption("deletionVector.storageType '{}' is not one of u, i, p",
                              out.storage_type);
  }
  return std::optional<DeletionVectorDescriptor>(std::move(out));
}

Result<AddFile> ReadAdd(const RowReader& r) {
  AddFile a;
  LAKESYNC_ASSIGN_OR_RETURN(a.path, Path(r, "add"));
  a.partition_values = r.OptionalMap("partitionValues");
  a.size = r.Int("size").value_or(0);
  a.modification_time = r.Int("modificationTime").value_or(0);
  a.data_change = r.Bool("dataChange").value_or(false);
  a.stats = r.String("stats");
  if (!a.stats) {
    // Checkpoints may keep stats only as the stats_parsed struct; keep what a reader needs.
    if (auto num_records = r.Child("stats_parsed").Int("numRecords")) {
      a.stats = fmt::format("{{\"numRecords\":{}}}", *num_records);
    }
  }
  a.tags = r.Map("tags");
  LAKESYNC_ASSIGN_OR_RETURN(a.deletion_vector, DeletionVector(r));
  a.base_row_id = r.Int("baseRowId");
  a.default_row_commit_version = r.Int("defaultRowCommitVersion");
  a.clustering_provider = r.String("clusteringProvider");
  return a;
}

Result<RemoveFile> ReadRemove(const RowReader& r) {
  RemoveFile a;
  LAKESYNC_ASSIGN_OR_RETURN(a.path, Path(r, "remove"));
  a.deletion_timestamp = r.Int("deletionTimestamp");
  a.data_change = r.Bool("dataChange").value_or(false);
  a.extended_file_metadata = r.Bool("extendedFileMetadata");
  a.partition_values = r.OptionalMap("partitionValues");
  a.size = r.Int("size");
  a.tags = r.Map("tags");
  LAKESYNC_ASSIGN_OR_RETURN(a.deletion_vector, DeletionVector(r));
  a.base_row_id = r.Int("baseRowId");
  a.default_row_commit_version = r.Int("defaultRowCommitVersion");
  return a;
}

Metadata ReadMetadata(const RowReader& r) {
  Metadata m;
  m.id = r.String("id").value_or("");
  m.name = r.String("name");
  m.description = r.String("description");
  RowReader format = r.Child("format");
  if (format.present()) {
    m.format.provider = format.String("provider").value_or("parquet");
    m.format.options = format.Map("options");
  }
  m.schema_string = r.String("schemaString").value_or("");
  m.partition_columns = r.List("partitionColumns").value_or(std::vector<std::string>{});
  m.created_time = r.Int("createdTime");
  m.configuration = r.Map("configuration");
  return m;
}

Result<Protocol> ReadProtocol(const RowReader& r) {
  Protocol p;
  auto reader = r.Int("minReaderVersion");
  auto writer = r.Int("minWriterVersion");
  if (!reader || !writer) return Status::Corruption("protocol action without versions");
  p.min_reader_version = static_cast<int32_t>(*reader);
  p.min_writer_version = static_cast<int32_t>(*writer);
  p.reader_features = r.List("readerFeatures");
  p.writer_features = r.List("writerFeatures");
  return p;
}

constexpr std::array<std::string_view, 8> kActionColumns = {
    "add", "remove",         "metaData", "protocol",
    "txn", "domainMetadata", "sidecar",  "checkpointMetadata"};

// Appends the actions in one row group of a checkpoint or sidecar Parquet file.
Status AppendRows(const ColumnBatch& batch, const std::vector<std::string_view>& kinds,
                  std::vector<Action>* actions) {
  for (int64_t row = 0; row < batch.num_rows; ++row) {
    for (size_t c = 0; c < kinds.size() && c < batch.columns.size(); ++c) {
      RowReader r(&batch.columns[c], row);
      if (!r.present()) continue;
      const std::string_view kind = kinds[c];
      if (kind == "add") {
        LAKESYNC_ASSIGN_OR_RETURN(auto add, ReadAdd(r));
        actions->push_back(std::move(add));
      } else if (kind == "remove") {
        LAKESYNC_ASSIGN_OR_RETURN(auto remove, ReadRemove(r));
        actions->push_back(std::move(remove));
      } else if (kind == "metaData") {
        actions->push_back(ReadMetadata(r));
      } else if (kind == "protocol") {
        LAKESYNC_ASSIGN_OR_RETURN(auto protocol, ReadProtocol(r));
        actions->push_back(std::move(protocol));
      } else if (kind == "txn") {
        SetTransaction t;
        auto app_id = r.String("appId");
        auto version = r.Int("version");
        if (!app_id || !version) return Status::Corruption("txn action without appId/version");
        t.app_id = std::move(*app_id);
        t.version = *version;
        t.last_updated = r.Int("lastUpdated");
        actions->push_back(std::move(t));
      } else if (kind == "domainMetadata") {
        DomainMetadata d;
        d.domain = r.String("domain").value_or("");
        d.configuration = r.String("configuration").value_or("");
        d.removed = r.Bool("removed").value_or(false);
        actions->push_back(std::move(d));
      } else if (kind == "sidecar") {
        Sidecar s;
        LAKESYNC_ASSIGN_OR_RETURN(s.path, Path(r, "sidecar"));
        s.size_in_bytes = r.Int("sizeInBytes").value_or(0);
        s.modification_time = r.Int("modificationTime").value_or(0);
        actions->push_back(std::move(s));
      } else if (kind == "checkpointMetadata") {
        actions->push_back(CheckpointMetadata{r.Int("version").value_or(-1)});
      }
    }
  }
  return Status::OK();
}

Status ReadParquetActions(storage::FileSystem& fs, const std::string& path,
                          std::vector<Action>* actions) {
  auto read = [&]() -> Status {
    LAKESYNC_ASSIGN_OR_RETURN(auto file, fs.OpenForRead(path));
    LAKESYNC_ASSIGN_OR_RETURN(auto reader, parquet::FileReader::Open(std::move(file)));
    std::vector<int> columns;
    std::vector<std::string_view> kinds;
    const auto& fields = reader->schema();
    for (size_t i = 0; i < fields.size(); ++i) {
      for (std::string_view kind : kActionColumns) {
        if (fields[i].name == kind && fields[i].type.id == TypeId::kStruct) {
          columns.push_back(static_cast<int>(i));
          kinds.push_back(kind);
        }
      }
    }
    if (columns.empty()) return Status::Corruption("no action columns");
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
      LAKESYNC_ASSIGN_OR_RETURN(auto batch, reader->ReadRowGroup(rg, columns));
      LAKESYNC_RETURN_NOT_OK(AppendRows(batch, kinds, actions));
    }
    return Status::OK();
  };
  return read().WithContext(fmt::format("checkpoint file {}", path));
}

}  // namespace

Result<std::vector<Action>> ReadCheckpoint(storage::FileSystem& fs, const std::string& log_dir,
                                           const CheckpointFiles& checkpoint) {
  std::vector<Action> actions;
  for (const auto& part : checkpoint.parts) {
    const bool json = part.path.ends_with(".json");
    if (json) {
      LAKESYNC_ASSIGN_OR_RETURN(auto contents, fs.ReadFile(part.path));
      LAKESYNC_ASSIGN_OR_RETURN(auto parsed, ParseActions(contents, part.path));
      for (auto& a : parsed) actions.push_back(std::move(a));
    } else {
      LAKESYNC_RETURN_NOT_OK(ReadParquetActions(fs, part.path, &actions));
    }
  }
  // V2 checkpoints keep their file actions in sidecar files under _delta_log/_sidecars.
  std::vector<std::string> sidecars;
  for (const auto& action : actions) {
    if (const auto* sidecar = std::get_if<Sidecar>(&action)) {
      sidecars.push_back(IsAbsolutePath(sidecar->path)
                             ? sidecar->path
                             : storage::JoinPath(storage::JoinPath(log_dir, "_sidecars"),
                                                 storage::BaseName(sidecar->path)));
    }
  }
  for (const auto& path : sidecars) LAKESYNC_RETURN_NOT_OK(ReadParquetActions(fs, path, &actions));
  return actions;
}

}  // namespace lakesync::delta
