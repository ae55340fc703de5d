#include "lakesync/sync/key_columns.h"

#include <fmt/format.h>

#include <algorithm>

namespace lakesync::sync {

Status CheckKeyFields(const std::vector<Field>& fields, const std::vector<std::string>& keys) {
  if (keys.empty()) return Status::InvalidArgument("a primary key needs at least one column");
  for (const auto& key : keys) {
    auto it =
        std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name == key; });
    if (it == fields.end()) {
      std::vector<std::string> names;
      for (const auto& f : fields) names.push_back(f.name);
      return Status::NotFound("primary key column '{}' is not in the source table (columns: {})",
                              key, fmt::join(names, ", "));
    }
    if (it->type.IsNested() || it->type.id == TypeId::kNull) {
      return Status::InvalidArgument("primary key column '{}' has type {}, which cannot be a key",
                                     key, it->type.ToString());
    }
  }
  return Status::OK();
}

Result<KeyColumns> KeyColumns::Make(const ColumnBatch& batch,
                                    const std::vector<std::string>& names) {
  std::vector<int> indexes;
  for (const auto& name : names) {
    int i = batch.FieldIndex(name);
    if (i < 0) {
      std::vector<std::string> present;
      for (const auto& f : batch.schema) present.push_back(f.name);
      return Status::NotFound("primary key column '{}' is not in the table (columns: {})", name,
                              fmt::join(present, ", "));
    }
    indexes.push_back(i);
  }
  return KeyColumns(batch, std::move(indexes));
}

int64_t KeyColumns::DropNullKeys(ColumnBatch& batch) const {
  bool any_nulls = false;
  for (int i : indexes_) any_nulls |= batch.columns[i].has_nulls();
  if (!any_nulls) return 0;
  std::vector<uint32_t> kept;
  kept.reserve(batch.num_selected());
  auto keep_if_keyed = [&](uint32_t row) {
    for (int i : indexes_) {
      if (batch.columns[i].IsNull(row)) return;
    }
    kept.push_back(row);
  };
  if (batch.selection) {
    for (uint32_t row : *batch.selection) keep_if_keyed(row);
  } else {
    for (int64_t row = 0; row < batch.num_rows; ++row) keep_if_keyed(static_cast<uint32_t>(row));
  }
  const int64_t dropped = batch.num_selected() - static_cast<int64_t>(kept.size());
  batch.selection = std::move(kept);
  return dropped;
}

std::string KeyColumns::Describe(int64_t row) const {
  std::string out;
  for (int i : indexes_) {
    const ColumnVector& col = batch_->columns[i];
    if (!out.empty()) out += ", ";
    out += batch_->schema[i].name;
    out += '=';
    if (col.IsNull(row)) {
      out += "NULL";
      continue;
    }
    switch (col.type().id) {
      case TypeId::kBoolean:
        out += col.Value<uint8_t>(row) ? "true" : "false";
        break;
      case TypeId::kInt8:
        out += std::to_string(col.Value<int8_t>(row));
        break;
      case TypeId::kInt16:
        out += std::to_string(col.Value<int16_t>(row));
        break;
      case TypeId::kInt32:
      case TypeId::kDate:
        out += std::to_string(col.Value<int32_t>(row));
        break;
      case TypeId::kInt64:
      case TypeId::kTimestamp:
      case TypeId::kTime:
        out += std::to_string(col.Value<int64_t>(row));
        break;
      case TypeId::kString:
        out += fmt::format("'{}'", col.StringValue(row).substr(0, 64));
        break;
      default:
        out += fmt::format("(row {})", row);
        break;
    }
  }
  return out;
}

}  // namespace lakesync::sync
