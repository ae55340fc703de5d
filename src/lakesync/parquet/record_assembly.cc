#include "lakesync/parquet/record_assembly.h"

#include <cstring>
#include <limits>

#include "lakesync/common/macros.h"

namespace lakesync::parquet {

namespace {

/// The decoded leaves of one top-level column: at(i) is leaf i of the schema.
struct Leaves {
  std::vector<LeafData>& data;
  int base;
  LeafData& at(int leaf) { return data[static_cast<size_t>(leaf - base)]; }
};

struct Levels {
  const uint16_t* def = nullptr;  // null: every level is 0
  const uint16_t* rep = nullptr;
  int64_t n = 0;

  uint16_t Def(int64_t i) const { return def ? def[i] : 0; }
  uint16_t Rep(int64_t i) const { return rep ? rep[i] : 0; }
};

Levels LevelsOf(const LeafData& d) {
  Levels lv;
  lv.def = d.def.empty() ? nullptr : d.def.data();
  lv.rep = d.rep.empty() ? nullptr : d.rep.data();
  lv.n = d.num_entries;
  return lv;
}

template <typename T>
void SpreadFixed(uint8_t* base, const uint8_t* valid, int64_t n, int64_t k) {
  T* v = reinterpret_cast<T*>(base);
  int64_t j = k;
  for (int64_t i = n - 1; i >= 0; --i) {
    if (valid[i]) {
      v[i] = v[--j];
    } else {
      std::memset(static_cast<void*>(&v[i]), 0, sizeof(T));
    }
  }
}

struct Wide16 {
  uint8_t b[16];
};

void SetAllNull(int64_t n, ColumnVector* col) {
  col->set_length(n);
  col->validity().assign(static_cast<size_t>(n), 0);
  const int w = col->type().ValueWidth();
  if (w > 0) col->values().assign(static_cast<size_t>(n) * static_cast<size_t>(w), 0);
  if (col->type().IsVarLength()) {
    col->offsets().assign(static_cast<size_t>(n) + 1, 0);
    col->bytes().clear();
  }
}

Status Assemble(const SchemaNode& node, int16_t slot_def, int16_t slot_rep, Leaves& leaves,
                ColumnVector* out);

Status AssembleLeaf(const SchemaNode& node, int16_t slot_def, int16_t slot_rep, Leaves& leaves,
                    ColumnVector* out) {
  LeafData& d = leaves.at(node.leaf);
  const Levels lv = LevelsOf(d);
  *out = std::move(d.values);
  const bool every_entry_is_slot = lv.rep == nullptr && slot_def == 0;
  if (lv.def == nullptr && every_entry_is_slot) {
    if (out->length() != lv.n) {
      return Status::Corruption("column has {} values for {} entries", out->length(), lv.n);
    }
    if (out->type().id == TypeId::kNull) SetAllNull(lv.n, out);
    return Status::OK();
  }
  PodVector<uint8_t> valid;
  int64_t slots = 0, present = 0;
  const uint16_t leaf_def = static_cast<uint16_t>(node.def_level);
  if (every_entry_is_slot && out->type().id != TypeId::kNull) {
    // Optional columns without nulls are the common case: no mask, no spreading.
    for (int64_t i = 0; i < lv.n; ++i) present += lv.def[i] >= leaf_def;
    if (present == lv.n) {
      if (out->length() != lv.n) {
        return Status::Corruption("column has {} values for {} entries", out->length(), lv.n);
      }
      return Status::OK();
    }
    present = 0;
  }
  valid.resize(static_cast<size_t>(lv.n));
  if (every_entry_is_slot) {
    for (int64_t i = 0; i < lv.n; ++i) {
      uint8_t v = lv.def[i] >= leaf_def;
      valid[i] = v;
      present += v;
    }
    slots = lv.n;
  } else {
    for (int64_t i = 0; i < lv.n; ++i) {
      const uint16_t dl = lv.Def(i);
      if (lv.Rep(i) <= slot_rep && dl >= slot_def) {
        uint8_t v = dl >= leaf_def;
        valid[slots++] = v;
        present += v;
      }
    }
  }
  if (out->type().id == TypeId::kNull) {
    SetAllNull(slots, out);
    return Status::OK();
  }
  if (present != out->length()) {
    return Status::Corruption("column has {} values for {} present entries", out->length(),
                              present);
  }
  SpreadValues(valid.data(), slots, out);
  return Status::OK();
}

Status AssembleStruct(const SchemaNode& node, int16_t slot_def, int16_t slot_rep, Leaves& leaves,
                      ColumnVector* out) {
  const Levels lv = LevelsOf(leaves.at(node.first_leaf));
  *out = ColumnVector(node.field.type);
  PodVector<uint8_t>& validity = out->validity();
  validity.reserve(static_cast<size_t>(lv.n));
  for (int64_t i = 0; i < lv.n; ++i) {
    const uint16_t dl = lv.Def(i);
    if (lv.Rep(i) <= slot_rep && dl >= slot_def) validity.push_back(dl >= node.def_level);
  }
  const int64_t slots = static_cast<int64_t>(validity.size());
  out->set_length(slots);
  out->children().resize(node.children.size());
  for (size_t c = 0; c < node.children.size(); ++c) {
    LAKESYNC_RETURN_NOT_OK(
        Assemble(node.children[c], slot_def, slot_rep, leaves, &out->children()[c]));
    if (out->children()[c].length() != slots) {
      return Status::Corruption("struct field {} has {} rows, struct has {}",
                                node.children[c].field.name, out->children()[c].length(), slots);
    }
  }
  out->CompactValidity();
  return Status::OK();
}

Status AssembleRepeated(const SchemaNode& node, int16_t slot_def, int16_t slot_rep, Leaves& leaves,
                        ColumnVector* out) {
  const Levels lv = LevelsOf(leaves.at(node.first_leaf));
  *out = ColumnVector(node.field.type);
  PodVector<uint8_t>& validity = out->validity();
  PodVector<uint32_t>& offsets = out->offsets();
  validity.reserve(static_cast<size_t>(lv.n));
  offsets.reserve(static_cast<size_t>(lv.n) + 1);
  int64_t elems = 0;
  const uint16_t elem_def = static_cast<uint16_t>(node.elem_def);
  const uint16_t elem_rep = static_cast<uint16_t>(node.elem_rep);
  for (int64_t i = 0; i < lv.n; ++i) {
    const uint16_t dl = lv.Def(i), rl = lv.Rep(i);
    if (rl <= slot_rep && dl >= slot_def) {
      offsets.push_back(static_cast<uint32_t>(elems));
      validity.push_back(dl >= node.def_level);
    }
    if (dl >= elem_def && rl <= elem_rep) {
      if (offsets.empty()) return Status::Corruption("list element before the first list");
      if (++elems > std::numeric_limits<uint32_t>::max()) {
        return Status::NotSupported("more than 4G list elements in one column chunk");
      }
    }
  }
  const int64_t slots = static_cast<int64_t>(validity.size());
  offsets.push_back(static_cast<uint32_t>(elems));
  out->set_length(slots);
  out->children().resize(node.children.size());
  for (size_t c = 0; c < node.children.size(); ++c) {
    const SchemaNode& child = node.children[c];
    ColumnVector& cv = out->children()[c];
    if (child.num_leaves == 0) {  // a key-only map's values
      cv = ColumnVector(child.field.type);
      SetAllNull(elems, &cv);
      continue;
    }
    LAKESYNC_RETURN_NOT_OK(Assemble(child, node.elem_def, node.elem_rep, leaves, &cv));
    if (cv.length() != elems) {
      return Status::Corruption("{} {} has {} elements, its offsets say {}",
                                node.kind == SchemaNode::Kind::kMap ? "map" : "list",
                                node.field.name, cv.length(), elems);
    }
  }
  out->CompactValidity();
  return Status::OK();
}

Status Assemble(const SchemaNode& node, int16_t slot_def, int16_t slot_rep, Leaves& leaves,
                ColumnVector* out) {
  switch (node.kind) {
    case SchemaNode::Kind::kLeaf:
      return AssembleLeaf(node, slot_def, slot_rep, leaves, out);
    case SchemaNode::Kind::kStruct:
      return AssembleStruct(node, slot_def, slot_rep, leaves, out);
    case SchemaNode::Kind::kList:
    case SchemaNode::Kind::kMap:
      return AssembleRepeated(node, slot_def, slot_rep, leaves, out);
  }
  return Status::Internal("unknown schema node kind");
}

}  // namespace

void SpreadValues(const uint8_t* valid, int64_t n, ColumnVector* col) {
  const int64_t k = col->length();
  if (k == n) {  // every row valid: the dense values are already in place
    col->validity().clear();
    return;
  }
  const DataType& type = col->type();
  if (type.IsVarLength()) {
    PodVector<uint32_t>& off = col->offsets();
    if (off.empty()) off.push_back(0);
    off.resize(static_cast<size_t>(n) + 1);
    int64_t j = k;
    for (int64_t i = n - 1; i >= 0; --i) {
      off[i + 1] = off[j];
      j -= valid[i];
    }
    off[0] = 0;
  } else {
    const int w = type.ValueWidth();
    if (w > 0) {
      col->values().resize(static_cast<size_t>(n) * static_cast<size_t>(w));
      uint8_t* base = col->values().data();
      switch (w) {
        case 1:
          SpreadFixed<uint8_t>(base, valid, n, k);
          break;
        case 2:
          SpreadFixed<uint16_t>(base, valid, n, k);
          break;
        case 4:
          SpreadFixed<uint32_t>(base, valid, n, k);
          break;
        case 8:
          SpreadFixed<uint64_t>(base, valid, n, k);
          break;
        default:
          SpreadFixed<Wide16>(base, valid, n, k);
          break;
      }
    }
  }
  col->set_length(n);
  if (k == n) {
    col->validity().clear();
  } else {
    col->validity().assign(valid, valid + n);
  }
}

Status AssembleColumn(const SchemaNode& node, std::vector<LeafData>& leaves, ColumnVector* out) {
  if (leaves.size() != static_cast<size_t>(node.num_leaves)) {
    return Status::Internal("AssembleColumn: {} leaves for a node with {}", leaves.size(),
                            node.num_leaves);
  }
  Leaves ls{leaves, node.first_leaf};
  return Assemble(node, 0, 0, ls, out);
}

}  // namespace lakesync::parquet
