#include "lakesync/parquet/projection.h"

#include <algorithm>

namespace lakesync::parquet {

namespace {

// A selected node: its top-level field, then child indices through structs.
using Chain = std::vector<int>;

// `node` with every leaf index moved by `delta` (a subtree kept whole).
void ShiftLeaves(SchemaNode* node, int delta) {
  node->first_leaf += delta;
  if (node->leaf >= 0) node->leaf += delta;
  for (SchemaNode& c : node->children) ShiftLeaves(&c, delta);
}

// Copies `node` keeping the subtrees `chains` (relative to it) select, numbering its leaves
// from `*next` on and recording which file leaf each one is.
SchemaNode Prune(const SchemaNode& node, const std::vector<Chain>& chains, size_t depth, int* next,
                 std::vector<int>* file_leaves) {
  const bool whole =
      std::any_of(chains.begin(), chains.end(), [&](const Chain& c) { return c.size() == depth; });
  if (whole || node.kind != SchemaNode::Kind::kStruct) {
    SchemaNode copy = node;
    ShiftLeaves(&copy, *next - node.first_leaf);
    for (int l = 0; l < node.num_leaves; ++l) file_leaves->push_back(node.first_leaf + l);
    *next += node.num_leaves;
    return copy;
  }
  SchemaNode out = node;
  out.children.clear();
  out.field.type.children.clear();
  out.first_leaf = *next;
  for (size_t i = 0; i < node.children.size(); ++i) {
    std::vector<Chain> below;
    for (const Chain& c : chains) {
      if (c[depth] == static_cast<int>(i)) below.push_back(c);
    }
    if (below.empty()) continue;
    out.children.push_back(Prune(node.children[i], below, depth + 1, next, file_leaves));
    out.field.type.children.push_back(out.children.back().field);
  }
  out.num_leaves = *next - out.first_leaf;
  return out;
}

Projection Build(const ParquetSchema& schema, const std::vector<Chain>& chains) {
  Projection p;
  std::vector<int> order;
  for (const Chain& c : chains) {
    if (std::find(order.begin(), order.end(), c[0]) == order.end()) order.push_back(c[0]);
  }
  for (int field : order) {
    std::vector<Chain> mine;
    for (const Chain& c : chains) {
      if (c[0] == field) mine.push_back(c);
    }
    Projection::Column col;
    col.field = field;
    int next = 0;
    col.node = Prune(schema.fields[field], mine, 1, &next, &col.file_leaves);
    p.columns.push_back(std::move(col));
  }
  return p;
}

// Resolves `rest` (a dotted path) below `children`, appending child indices to `chain`.
bool Resolve(const std::vector<SchemaNode>& children, std::string_view rest, Chain* chain) {
  // An exact name first, so names containing dots match whole.
  for (size_t i = 0; i < children.size(); ++i) {
    if (children[i].field.name == rest) {
      chain->push_back(static_cast<int>(i));
      return true;
    }
  }
  for (size_t i = 0; i < children.size(); ++i) {
    const std::string& name = children[i].field.name;
    if (children[i].kind == SchemaNode::Kind::kStruct && rest.size() > name.size() &&
        rest.substr(0, name.size()) == name && rest[name.size()] == '.') {
      chain->push_back(static_cast<int>(i));
      if (Resolve(children[i].children, rest.substr(name.size() + 1), chain)) return true;
      chain->pop_back();
    }
  }
  return false;
}

bool FindId(const std::vector<SchemaNode>& children, int32_t id, Chain* chain) {
  for (size_t i = 0; i < children.size(); ++i) {
    chain->push_back(static_cast<int>(i));
    if (children[i].field.field_id == id) return true;
    if (children[i].kind == SchemaNode::Kind::kStruct && FindId(children[i].children, id, chain)) {
      return true;
    }
    chain->pop_back();
  }
  return false;
}

}  // namespace

Projection ProjectFields(const ParquetSchema& schema, const std::vector<int>& fields) {
  std::vector<Chain> chains;
  for (int f : fields) chains.push_back({f});
  return Build(schema, chains);
}

Result<Projection> ProjectPaths(const ParquetSchema& schema,
                                const std::vector<std::string>& paths) {
  std::vector<Chain> chains;
  for (const std::string& path : paths) {
    Chain chain;
    if (!Resolve(schema.fields, path, &chain)) return Status::NotFound("no column '{}'", path);
    chains.push_back(std::move(chain));
  }
  return Build(schema, chains);
}

Result<Projection> ProjectFieldIds(const ParquetSchema& schema, const std::vector<int32_t>& ids) {
  std::vector<Chain> chains;
  for (int32_t id : ids) {
    Chain chain;
    if (!FindId(schema.fields, id, &chain)) {
      return Status::NotFound("no column with field id {}", id);
    }
    chains.push_back(std::move(chain));
  }
  return Build(schema, chains);
}

}  // namespace lakesync::parquet
