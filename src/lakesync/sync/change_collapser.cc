#include "lakesync/sync/change_collapser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <functional>

#include "lakesync/common/macros.h"
#include "lakesync/common/value_text.h"

namespace lakesync::sync {
namespace {

enum class ChangeKind { kInsert, kUpsert, kDelete, kPreimage };

Result<ChangeKind> KindOf(std::string_view t) {
  if (t == "insert") return ChangeKind::kInsert;
  if (t == "update_postimage") return ChangeKind::kUpsert;
  if (t == "delete") return ChangeKind::kDelete;
  if (t == "update_preimage") return ChangeKind::kPreimage;
  return Status::InvalidArgument("unknown _change_type '{}' in the change data feed", t);
}

template <typename T>
int Cmp(T a, T b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// Orders two non-null values of one column.
int CompareValues(const ColumnVector& a, int64_t ra, const ColumnVector& b, int64_t rb) {
  switch (a.type().id) {
    case TypeId::kBoolean:
    case TypeId::kUInt8:
      return Cmp(a.Value<uint8_t>(ra), b.Value<uint8_t>(rb));
    case TypeId::kInt8:
      return Cmp(a.Value<int8_t>(ra), b.Value<int8_t>(rb));
    case TypeId::kInt16:
      return Cmp(a.Value<int16_t>(ra), b.Value<int16_t>(rb));
    case TypeId::kUInt16:
      return Cmp(a.Value<uint16_t>(ra), b.Value<uint16_t>(rb));
    case TypeId::kInt32:
    case TypeId::kDate:
      return Cmp(a.Value<int32_t>(ra), b.Value<int32_t>(rb));
    case TypeId::kUInt32:
      return Cmp(a.Value<uint32_t>(ra), b.Value<uint32_t>(rb));
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return Cmp(a.Value<int64_t>(ra), b.Value<int64_t>(rb));
    case TypeId::kUInt64:
      return Cmp(a.Value<uint64_t>(ra), b.Value<uint64_t>(rb));
    case TypeId::kFloat16:
    case TypeId::kFloat32:
      return Cmp(a.Value<float>(ra), b.Value<float>(rb));
    case TypeId::kFloat64:
      return Cmp(a.Value<double>(ra), b.Value<double>(rb));
    case TypeId::kDecimal:
      return Cmp(a.Value<Int128>(ra), b.Value<Int128>(rb));
    case TypeId::kString:
    case TypeId::kBinary:
      return a.StringValue(ra).compare(b.StringValue(rb));
    default:
      return 0;
  }
}

}  // namespace

void ChangeCollapser::EncodeKey(const ColumnBatch& b, const std::vector<int>& cols, int64_t row,
                                std::string& out) const {
  out.clear();
  for (int c : cols) {
    const ColumnVector& col = b.columns[c];
    const int width = col.type().ValueWidth();
    if (width > 0) {
      out.append(reinterpret_cast<const char*>(col.values().data()) + row * width, width);
    } else {
      std::string_view v = col.StringValue(row);
      const uint32_t len = static_cast<uint32_t>(v.size());
      out.append(reinterpret_cast<const char*>(&len), sizeof len);
      out.append(v);
    }
  }
}

ChangeCollapser::Slot& ChangeCollapser::Find(std::string_view key, uint64_t hash) {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.key_len == kEmpty) return slot;
    if (slot.hash == hash && slot.key_len == key.size() &&
        std::string_view(keys_).substr(slot.key_at, slot.key_len) == key) {
      return slot;
    }
  }
}

void ChangeCollapser::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(std::max<size_t>(1024, old.size() * 2), Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.key_len == kEmpty) continue;
    size_t i = slot.hash & mask;
    while (slots_[i].key_len != kEmpty) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

int ChangeCollapser::CompareTimeseries(const Winner& a, const Winner& b) const {
  const ColumnBatch& ba = batches_[a.batch];
  const ColumnBatch& bb = batches_[b.batch];
  const int ca = ba.FieldIndex(*timeseries_key_);
  const int cb = bb.FieldIndex(*timeseries_key_);
  const ColumnVector& va = ba.columns[ca];
  const ColumnVector& vb = bb.columns[cb];
  // NULL sorts before every value: a row with a timeseries value wins over one without.
  if (va.IsNull(a.row) || vb.IsNull(b.row)) {
    return Cmp(!va.IsNull(a.row), !vb.IsNull(b.row));
  }
  return CompareValues(va, a.row, vb, b.row);
}

Status ChangeCollapser::Add(ColumnBatch batch) {
  const int type_col = batch.FieldIndex("_change_type");
  const int version_col = batch.FieldIndex("_commit_version");
  if (type_col < 0 || version_col < 0) {
    return Status::InvalidArgument("change batch lacks _change_type or _commit_version");
  }
  std::vector<int> key_cols;
  for (const auto& k : key_) {
    const int i = batch.FieldIndex(k);
    if (i < 0) return Status::InvalidArgument("primary key column '{}' is not in the table", k);
    if (batch.columns[i].type().IsNested()) {
      return Status::InvalidArgument("primary key column '{}' has a nested type", k);
    }
    key_cols.push_back(i);
  }
  if (timeseries_key_ && batch.FieldIndex(*timeseries_key_) < 0) {
    return Status::InvalidArgument("timeseries key column '{}' is not in the table",
                                   *timeseries_key_);
  }
  const uint32_t batch_index = static_cast<uint32_t>(batches_.size());
  batches_.push_back(std::move(batch));
  const ColumnBatch& b = batches_.back();
  const ColumnVector& types = b.columns[type_col];
  const ColumnVector& versions = b.columns[version_col];

  std::string key;
  auto take = [&](int64_t row) -> Status {
    ++changes_read_;
    auto kind = KindOf(types.StringValue(row));
    if (!kind.ok()) return kind.status();
    if (*kind == ChangeKind::kPreimage) return Status::OK();
    for (int c : key_cols) {
      if (b.columns[c].IsNull(row)) {
        ++null_keys_;
        return Status::OK();
      }
    }
    const Winner w{versions.Value<int64_t>(row), batch_index, static_cast<uint32_t>(row),
                   *kind != ChangeKind::kDelete, *kind != ChangeKind::kInsert};
    EncodeKey(b, key_cols, row, key);
    if ((used_ + 1) * 2 > slots_.size()) Grow();
    const uint64_t hash = std::hash<std::string_view>()(key);
    Slot& slot = Find(key, hash);
    if (slot.key_len == kEmpty) {
      slot.hash = hash;
      slot.key_at = keys_.size();
      slot.key_len = static_cast<uint32_t>(key.size());
      slot.winner = w;
      keys_.append(key);
      ++used_;
      return Status::OK();
    }
    Winner& cur = slot.winner;
    const bool existed = cur.existed;  // fixed by the key's first change
    auto take_over = [&] {
      cur = w;
      cur.existed = existed;
    };
    if (w.version != cur.version) {
      take_over();  // a later commit supersedes
      return Status::OK();
    }
    if (w.upsert != cur.upsert) {
      if (w.upsert) take_over();  // the commit's result holds the key
      return Status::OK();
    }
    if (!w.upsert) return Status::OK();  // deleted twice
    if (timeseries_key_) {
      if (CompareTimeseries(w, cur) >= 0) take_over();
      return Status::OK();
    }
    std::string desc;
    for (size_t i = 0; i < key_cols.size(); ++i) {
      if (i) desc += ", ";
      desc += key_[i];
    }
    return Status::Conflict(
        "PRIMARY_KEY_CONSTRAINT_VIOLATION: version {} of the source has more than one row for "
        "the same primary key ({}); make the key unique per row or set a timeseries_key so the "
        "latest row wins",
        w.version, desc);
  };
  if (b.selection) {
    for (uint32_t row : *b.selection) LAKESYNC_RETURN_NOT_OK(take(row));
  } else {
    for (int64_t row = 0; row < b.num_rows; ++row) LAKESYNC_RETURN_NOT_OK(take(row));
  }
  return Status::OK();
}

ChangeCollapser::NetChanges ChangeCollapser::Take() {
  std::vector<std::vector<uint32_t>> upserts(batches_.size()), deletes(batches_.size());
  NetChanges out;
  for (const Slot& slot : slots_) {
    if (slot.key_len == kEmpty) continue;
    const Winner& w = slot.winner;
    (w.upsert ? upserts : deletes)[w.batch].push_back(w.row);
    if (w.upsert && !w.existed) ++out.upserts_of_new_keys;
  }
  for (size_t i = 0; i < batches_.size(); ++i) {
    ColumnBatch& src = batches_[i];
    if (!deletes[i].empty()) {
      std::sort(deletes[i].begin(), deletes[i].end());
      ColumnBatch d;
      for (const auto& k : key_) {
        const int c = src.FieldIndex(k);
        d.schema.push_back(src.schema[c]);
        d.columns.push_back(src.columns[c]);
      }
      d.num_rows = src.num_rows;
      d.selection = std::move(deletes[i]);
      out.deletes.push_back(std::move(d));
    }
    if (!upserts[i].empty()) {
      std::sort(upserts[i].begin(), upserts[i].end());
      src.selection = std::move(upserts[i]);
      out.upserts.push_back(std::move(src));
    }
  }
  batches_.clear();
  slots_.clear();
  keys_.clear();
  used_ = 0;
  return out;
}

}  // namespace lakesync::sync
