#include "lakesync/cli/parquet_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "lakesync/cli/exit_codes.h"
#include "lakesync/common/canonical_json.h"
#include "lakesync/common/macros.h"
#include "lakesync/common/value_text.h"
#include "lakesync/parquet/file_reader.h"
#include "lakesync/parquet/metadata_codec.h"
#include "lakesync/storage/file_system.h"

namespace lakesync::cli {
namespace {

using parquet::FileReader;

Result<std::unique_ptr<FileReader>> OpenFile(const std::string& path, int threads = 1) {
  LAKESYNC_ASSIGN_OR_RETURN(std::shared_ptr<storage::FileSystem> fs,
                            storage::FileSystemForPath(path));
  LAKESYNC_ASSIGN_OR_RETURN(std::unique_ptr<storage::RandomAccessFile> file, fs->OpenForRead(path));
  parquet::ReaderOptions options;
  options.num_threads = threads;
  return FileReader::Open(std::shared_ptr<storage::RandomAccessFile>(std::move(file)), options);
}

// Buffered stdout: rows are appended to one string and written in large pieces.
class Output {
 public:
  std::string& buffer() { return buffer_; }
  Status MaybeFlush() { return buffer_.size() >= (1 << 20) ? Flush() : Status::OK(); }
  Status Flush() {
    if (!buffer_.empty() &&
        std::fwrite(buffer_.data(), 1, buffer_.size(), stdout) != buffer_.size()) {
      return Status::IOError("writing to stdout failed: {}", std::strerror(errno));
    }
    buffer_.clear();
    return std::fflush(stdout) == 0
               ? Status::OK()
               : Status::IOError("writing to stdout failed: {}", std::strerror(errno));
  }

 private:
  std::string buffer_;
};

// ---- schema

std::string TimeUnitName(parquet::TimeUnit unit) {
  switch (unit.kind) {
    case parquet::TimeUnitKind::MILLIS:
      return "MILLIS";
    case parquet::TimeUnitKind::MICROS:
      return "MICROS";
    case parquet::TimeUnitKind::NANOS:
      return "NANOS";
  }
  return "?";
}

std::string LogicalTypeText(const parquet::LogicalType& t) {
  using namespace parquet;  // NOLINT(google-build-using-namespace): the type names below
  if (t.Is<StringType>()) return "STRING";
  if (t.Is<MapType>()) return "MAP";
  if (t.Is<ListType>()) return "LIST";
  if (t.Is<EnumType>()) return "ENUM";
  if (const auto* d = t.Get<DecimalType>())
    return fmt::format("DECIMAL({},{})", d->precision, d->scale);
  if (t.Is<DateType>()) return "DATE";
  if (const auto* tt = t.Get<TimeType>()) {
    return fmt::format("TIME({},{})", TimeUnitName(tt->unit), tt->is_adjusted_to_utc);
  }
  if (const auto* ts = t.Get<TimestampType>()) {
    return fmt::format("TIMESTAMP({},{})", TimeUnitName(ts->unit), ts->is_adjusted_to_utc);
  }
  if (const auto* i = t.Get<IntType>())
    return fmt::format("INTEGER({},{})", i->bit_width, i->is_signed);
  if (t.Is<NullType>()) return "UNKNOWN";
  if (t.Is<JsonType>()) return "JSON";
  if (t.Is<BsonType>()) return "BSON";
  if (t.Is<UUIDType>()) return "UUID";
  if (t.Is<Float16Type>()) return "FLOAT16";
  if (t.Is<VariantType>()) return "VARIANT";
  if (t.Is<GeometryType>()) return "GEOMETRY";
  if (t.Is<GeographyType>()) return "GEOGRAPHY";
  if (const auto* u = t.Get<UnknownLogicalType>())
    return fmt::format("logical type #{}", u->field_id);
  return "?";
}

std::string RepetitionText(const std::optional<parquet::FieldRepetitionType>& r) {
  if (!r) return "";
  switch (*r) {
    case parquet::FieldRepetitionType::REQUIRED:
      return "required ";
    case parquet::FieldRepetitionType::OPTIONAL:
      return "optional ";
    case parquet::FieldRepetitionType::REPEATED:
      return "repeated ";
  }
  return "";
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Prints the element at `*index` and its subtree, in the indented form of parquet's schema text.
Status PrintElement(const std::vector<parquet::SchemaElement>& schema, size_t* index, int depth,
                    std::string& out) {
  if (*index >= schema.size()) return Status::Corruption("schema ends inside a group");
  const parquet::SchemaElement& e = schema[(*index)++];
  const std::string indent(static_cast<size_t>(depth) * 2, ' ');
  std::string type = "group";
  if (e.type) {
    type = Lower(parquet::TypeName(*e.type));
    if (*e.type == parquet::Type::FIXED_LEN_BYTE_ARRAY) {
      type += fmt::format("({})", e.type_length.value_or(-1));
    }
  }
  std::string annotation;
  if (e.logical_type) {
    annotation = LogicalTypeText(*e.logical_type);
  } else if (e.converted_type) {
    annotation = parquet::ConvertedTypeName(*e.converted_type);
    if (*e.converted_type == parquet::ConvertedType::DECIMAL) {
      annotation += fmt::format("({},{})", e.precision.value_or(0), e.scale.value_or(0));
    }
  }
  if (depth == 0) {
    fmt::format_to(std::back_inserter(out), "message {} {{\n", e.name);
  } else {
    fmt::format_to(std::back_inserter(out), "{}{}{} {}{}{}", indent,
                   RepetitionText(e.repetition_type), type, e.name,
                   annotation.empty() ? "" : " (" + annotation + ")",
                   e.field_id ? fmt::format(" = {}", *e.field_id) : "");
    out += e.type ? ";\n" : " {\n";
  }
  if (!e.type) {
    const int32_t children = e.num_children.value_or(0);
    for (int32_t i = 0; i < children; ++i) {
      LAKESYNC_RETURN_NOT_OK(PrintElement(schema, index, depth + 1, out));
    }
    out += indent + "}\n";
  }
  return Status::OK();
}

Status RunSchema(const std::string& path) {
  LAKESYNC_ASSIGN_OR_RETURN(std::unique_ptr<FileReader> reader, OpenFile(path));
  std::string out;
  size_t index = 0;
  LAKESYNC_RETURN_NOT_OK(PrintElement(reader->metadata().schema, &index, 0, out));
  out += "\nlakesync types:\n";
  for (const Field& f : reader->schema()) {
    fmt::format_to(std::back_inserter(out), "  {}: {}{}\n", f.name, f.type.ToString(),
                   f.nullable ? "" : " not null");
  }
  fmt::print("{}", out);
  return Status::OK();
}

// ---- meta

// A statistics value (the plain encoding of the physical type) as canonical JSON of the leaf's
// lakesync type, or nullopt when the bytes do not fit that type.
std::optional<std::string> StatValue(const parquet::LeafColumn& leaf, const std::string& bytes) {
  const DataType& type = leaf.type;
  ColumnVector col(type);
  col.set_length(1);
  const int width = type.ValueWidth();
  int64_t integer = 0;
  switch (leaf.physical_type) {
    case parquet::Type::BOOLEAN:
      if (bytes.size() != 1 || type.id != TypeId::kBoolean) return std::nullopt;
      col.values().assign(1, static_cast<uint8_t>(bytes[0] != 0));
      break;
    case parquet::Type::INT32:
    case parquet::Type::INT64: {
      if (bytes.size() == 4) {
        int32_t v;
        std::memcpy(&v, bytes.data(), 4);
        integer = v;
      } else if (bytes.size() == 8) {
        std::memcpy(&integer, bytes.data(), 8);
      } else {
        return std::nullopt;
      }
      if (type.id == TypeId::kDecimal) {
        const Int128 d = integer;
        col.values().resize(16);
        std::memcpy(col.values().data(), &d, 16);
      } else if (width > 0 && width <= 8 && type.id != TypeId::kFloat32 &&
                 type.id != TypeId::kFloat64 && type.id != TypeId::kFloat16) {
        col.values().resize(static_cast<size_t>(width));
        std::memcpy(col.values().data(), &integer, static_cast<size_t>(width));  // little-endian
      } else {
        return std::nullopt;
      }
      break;
    }
    case parquet::Type::INT96: {
      // Nanoseconds of the day, then the Julian day; stored in the leaf type's unit.
      if (bytes.size() != 12 || type.id != TypeId::kTimestamp) return std::nullopt;
      int64_t nanos_of_day;
      int32_t julian_day;
      std::memcpy(&nanos_of_day, bytes.data(), 8);
      std::memcpy(&julian_day, bytes.data() + 8, 4);
      const int64_t per_second = type.unit == TimeUnit::kNanos    ? 1000000000
                                 : type.unit == TimeUnit::kMicros ? 1000000
                                                                  : 1000;
      int64_t value;
      if (__builtin_mul_overflow(int64_t{julian_day} - 2440588, per_second * 86400, &value) ||
          __builtin_add_overflow(value, FloorDiv(nanos_of_day, 1000000000 / per_second), &value)) {
        return std::nullopt;  // out of int64 range: shown as hex
      }
      col.values().resize(8);
      std::memcpy(col.values().data(), &value, 8);
      break;
    }
    case parquet::Type::FLOAT:
    case parquet::Type::DOUBLE:
      if (width <= 0 || bytes.size() != static_cast<size_t>(width) ||
          (type.id != TypeId::kFloat32 && type.id != TypeId::kFloat64)) {
        return std::nullopt;
      }
      col.values().resize(bytes.size());
      std::memcpy(col.values().data(), bytes.data(), bytes.size());
      break;
    case parquet::Type::BYTE_ARRAY:
    case parquet::Type::FIXED_LEN_BYTE_ARRAY:
      if (type.id == TypeId::kDecimal) {
        if (bytes.empty() || bytes.size() > 16) return std::nullopt;
        // Big-endian two's complement.
        Int128 d = static_cast<int8_t>(bytes[0]);
        for (size_t i = 1; i < bytes.size(); ++i) d = d * 256 + static_cast<uint8_t>(bytes[i]);
        col.values().resize(16);
        std::memcpy(col.values().data(), &d, 16);
      } else if (type.IsVarLength()) {
        col.offsets().push_back(0);
        col.offsets().push_back(static_cast<uint32_t>(bytes.size()));
        col.bytes().assign(bytes.begin(), bytes.end());
      } else {
        return std::nullopt;
      }
      break;
  }
  std::string out;
  if (!AppendCanonicalJson(col, 0, out).ok()) return std::nullopt;
  return out;
}

std::string StatText(const parquet::LeafColumn& leaf, const std::string& bytes) {
  if (auto text = StatValue(leaf, bytes)) return *text;
  std::string hex = "0x";
  for (unsigned char c : bytes) fmt::format_to(std::back_inserter(hex), "{:02x}", c);
  return hex;
}

std::string StatisticsText(const parquet::LeafColumn* leaf, const parquet::Statistics& s) {
  std::vector<std::string> parts;
  auto value = [&](const std::optional<std::string>& v) {
    return leaf ? StatText(*leaf, *v) : fmt::format("({} bytes)", v->size());
  };
  if (s.min_value) parts.push_back("min " + value(s.min_value));
  if (s.max_value) parts.push_back("max " + value(s.max_value));
  // The deprecated fields compare signed bytes; print them only when the new ones are absent.
  if (!s.min_value && s.min) parts.push_back("min(legacy) " + value(s.min));
  if (!s.max_value && s.max) parts.push_back("max(legacy) " + value(s.max));
  if (s.null_count) parts.push_back(fmt::format("nulls {}", *s.null_count));
  if (s.distinct_count) parts.push_back(fmt::format("distinct {}", *s.distinct_count));
  if (s.is_min_value_exact && !*s.is_min_value_exact) parts.push_back("min inexact");
  if (s.is_max_value_exact && !*s.is_max_value_exact) parts.push_back("max inexact");
  return parts.empty() ? "none" : fmt::format("{}", fmt::join(parts, ", "));
}

std::string Shorten(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  return s.substr(0, max) + fmt::format("... ({} bytes)", s.size());
}

Status RunMeta(const std::string& path) {
  LAKESYNC_ASSIGN_OR_RETURN(std::unique_ptr<FileReader> reader, OpenFile(path));
  const parquet::FileMetaData& m = reader->metadata();
  const std::vector<parquet::LeafColumn>& leaves = reader->parquet_schema().leaves;
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "file: {}\n", path);
  fmt::format_to(it, "format version: {}\n", m.version);
  fmt::format_to(it, "created by: {}\n", m.created_by.value_or("(not set)"));
  fmt::format_to(it, "rows: {}\n", m.num_rows);
  fmt::format_to(it, "row groups: {}\n", m.row_groups.size());
  fmt::format_to(it, "leaf columns: {}\n", leaves.size());
  if (!m.key_value_metadata.empty()) {
    out += "key/value metadata:\n";
    for (const parquet::KeyValue& kv : m.key_value_metadata) {
      fmt::format_to(it, "  {} = {}\n", kv.key,
                     kv.value ? Shorten(*kv.value, 200) : std::string("(no value)"));
    }
  }
  for (size_t rg = 0; rg < m.row_groups.size(); ++rg) {
    const parquet::RowGroup& g = m.row_groups[rg];
    fmt::format_to(it, "row group {}: {} rows, {} bytes uncompressed", rg, g.num_rows,
                   g.total_byte_size);
    if (g.total_compressed_size)
      fmt::format_to(it, ", {} bytes compressed", *g.total_compressed_size);
    if (g.file_offset) fmt::format_to(it, ", at offset {}", *g.file_offset);
    out += "\n";
    for (size_t c = 0; c < g.columns.size(); ++c) {
      const parquet::ColumnChunk& chunk = g.columns[c];
      const parquet::LeafColumn* leaf = c < leaves.size() ? &leaves[c] : nullptr;
      if (!chunk.meta_data) {
        fmt::format_to(it, "  column {}: no metadata{}\n", c,
                       chunk.encrypted ? " (encrypted)" : "");
        continue;
      }
      const parquet::ColumnMetaData& cm = *chunk.meta_data;
      std::vector<std::string> encodings;
      for (parquet::Encoding e : cm.encodings) encodings.push_back(parquet::EncodingName(e));
      fmt::format_to(it, "  column {} {}: {}", c, fmt::join(cm.path_in_schema, "."),
                     parquet::TypeName(cm.type));
      if (leaf) fmt::format_to(it, " -> {}", leaf->type.ToString());
      fmt::format_to(it,
                     "\n    codec {}, encodings [{}], {} values, {} bytes compressed, {} "
                     "uncompressed\n",
                     parquet::CodecName(cm.codec), fmt::join(encodings, ", "), cm.num_values,
                     cm.total_compressed_size, cm.total_uncompressed_size);
      fmt::format_to(it, "    data page at {}", cm.data_page_offset);
      if (cm.dictionary_page_offset) {
        fmt::format_to(it, ", dictionary page at {}", *cm.dictionary_page_offset);
      }
      if (chunk.file_path) fmt::format_to(it, ", in file {}", *chunk.file_path);
      out += "\n";
      if (!cm.encoding_stats.empty()) {
        std::vector<std::string> pages;
        for (const parquet::PageEncodingStats& s : cm.encoding_stats) {
          pages.push_back(fmt::format("{} {} x{}", parquet::PageTypeName(s.page_type),
                                      parquet::EncodingName(s.encoding), s.count));
        }
        fmt::format_to(it, "    pages: {}\n", fmt::join(pages, ", "));
      }
      fmt::format_to(it, "    statistics: {}\n",
                     cm.statistics ? StatisticsText(leaf, *cm.statistics) : std::string("none"));
    }
  }
  fmt::print("{}", out);
  return Status::OK();
}

// ---- cat

struct CatOptions {
  std::string path;
  std::vector<std::string> columns;
  int64_t limit = -1;
  int threads = 1;
};

Status RunCat(const CatOptions& options) {
  LAKESYNC_ASSIGN_OR_RETURN(std::unique_ptr<FileReader> reader,
                            OpenFile(options.path, std::max(options.threads, 1)));
  // Dotted paths select fields inside structs; only their column chunks are read.
  parquet::Projection projection;
  if (options.columns.empty()) {
    std::vector<int> all(reader->schema().size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
    projection = parquet::ProjectFields(reader->parquet_schema(), all);
  } else {
    LAKESYNC_ASSIGN_OR_RETURN(projection, reader->ProjectByPath(options.columns));
  }
  // Only the row groups --limit needs; with --threads N, N of them decode at once.
  std::vector<int> groups;
  int64_t rows = 0;
  for (int rg = 0; rg < reader->num_row_groups(); ++rg) {
    if (options.limit >= 0 && rows >= options.limit) break;
    groups.push_back(rg);
    rows += reader->metadata().row_groups[rg].num_rows;
  }
  Output output;
  int64_t printed = 0;
  Status st = reader->ReadRowGroups(groups, projection, [&](int rg, ColumnBatch batch) {
    const int64_t n = batch.num_selected();
    for (int64_t i = 0; i < n; ++i) {
      if (options.limit >= 0 && printed >= options.limit) break;
      const int64_t row = batch.selection ? (*batch.selection)[static_cast<size_t>(i)] : i;
      Status row_st = AppendCanonicalJsonRow(batch, row, output.buffer());
      if (!row_st.ok()) {
        return row_st.WithContext(fmt::format("{}: row group {}, row {}", options.path, rg, row));
      }
      output.buffer().push_back('\n');
      ++printed;
      LAKESYNC_RETURN_NOT_OK(output.MaybeFlush());
    }
    return Status::OK();
  });
  LAKESYNC_RETURN_NOT_OK(st);
  return output.Flush();
}

// Runs `fn`, reporting a failure on stderr and as the exit code.
template <typename Fn>
void Report(const char* name, int* exit_code, Fn fn) {
  Status st = fn();
  if (!st.ok()) fmt::print(stderr, "lakesync parquet {}: {}\n", name, st.ToString());
  *exit_code = ExitCodeFor(st);
}

}  // namespace

void AddParquetCommand(CLI::App& app, int* exit_code) {
  CLI::App* cmd = app.add_subcommand("parquet", "Inspect a Parquet file");
  cmd->require_subcommand(1);

  auto schema_path = std::make_shared<std::string>();
  CLI::App* schema = cmd->add_subcommand("schema", "Print the file's schema and lakesync types");
  schema->add_option("FILE", *schema_path, "Parquet file")->required();
  schema->callback([schema_path, exit_code] {
    Report("schema", exit_code, [&] { return RunSchema(*schema_path); });
  });

  auto meta_path = std::make_shared<std::string>();
  CLI::App* meta = cmd->add_subcommand(
      "meta", "Print row groups and column chunks: encodings, codecs, sizes, statistics");
  meta->add_option("FILE", *meta_path, "Parquet file")->required();
  meta->callback(
      [meta_path, exit_code] { Report("meta", exit_code, [&] { return RunMeta(*meta_path); }); });

  auto cat_options = std::make_shared<CatOptions>();
  CLI::App* cat = cmd->add_subcommand(
      "cat", "Print the rows as canonical JSON, one object per line (see README.md)");
  cat->add_option("FILE", cat_options->path, "Parquet file")->required();
  cat->add_option("--columns", cat_options->columns,
                  "columns to print, in this order; a.b selects field b of struct a")
      ->delimiter(',');
  cat->add_option("--threads", cat_options->threads, "decode N row groups at once (default 1)")
      ->check(CLI::Range(1, 256));
  cat->add_option("--limit", cat_options->limit, "print at most N rows")
      ->check(CLI::NonNegativeNumber);
  cat->callback(
      [cat_options, exit_code] { Report("cat", exit_code, [&] { return RunCat(*cat_options); }); });
}

}  // namespace lakesync::cli
