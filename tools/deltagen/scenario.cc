#include "deltagen/scenario.h"

#include <simdjson.h>

#include "deltagen/compression.h"
#include "lakesync/common/macros.h"

namespace lakesync::deltagen {

Scenario Scenario::UserProfiles(int64_t rows) {
  Scenario s;
  s.table.rows = rows;
  return s;
}
Scenario& Scenario::Files(int n) {
  table.files = n;
  return *this;
}
Scenario& Scenario::Seed(uint64_t seed) {
  table.seed = seed;
  return *this;
}
Scenario& Scenario::Codec(parquet::CompressionCodec codec) {
  table.parquet.codec = codec;
  return *this;
}
Scenario& Scenario::Cdf(bool on) {
  table.cdf = on;
  return *this;
}
Scenario& Scenario::PartitionBy(std::string column) {
  table.partition_by = std::move(column);
  return *this;
}
Scenario& Scenario::DeletionVectors(bool on) {
  table.deletion_vectors = on;
  return *this;
}
Scenario& Scenario::ColumnMapping(deltagen::ColumnMapping mode) {
  table.column_mapping = mode;
  return *this;
}
Scenario& Scenario::RowGroupRows(int64_t rows) {
  table.parquet.row_group_rows = rows;
  return *this;
}
Scenario& Scenario::Update(int64_t every, std::vector<SetExpr> set, int64_t offset) {
  ScenarioCommit c;
  c.kind = ScenarioCommit::Kind::kUpdate;
  c.where = {every, offset};
  c.set = std::move(set);
  commits.push_back(std::move(c));
  return *this;
}
Scenario& Scenario::Delete(int64_t every, int64_t offset) {
  ScenarioCommit c;
  c.kind = ScenarioCommit::Kind::kDelete;
  c.where = {every, offset};
  commits.push_back(std::move(c));
  return *this;
}
Scenario& Scenario::Insert(int64_t rows, int files) {
  ScenarioCommit c;
  c.kind = ScenarioCommit::Kind::kInsert;
  c.rows = rows;
  c.files = files;
  commits.push_back(std::move(c));
  return *this;
}
Scenario& Scenario::Checkpoint(int parts) {
  ScenarioCommit c;
  c.kind = ScenarioCommit::Kind::kCheckpoint;
  c.parts = parts;
  commits.push_back(std::move(c));
  return *this;
}

Status ApplyCommit(UserProfilesTable* table, const ScenarioCommit& c) {
  switch (c.kind) {
    case ScenarioCommit::Kind::kUpdate:
      return table->Update(c.where, c.set).status();
    case ScenarioCommit::Kind::kDelete:
      return table->Delete(c.where).status();
    case ScenarioCommit::Kind::kInsert:
      return table->Insert(c.rows, c.files).status();
    case ScenarioCommit::Kind::kCheckpoint:
      return table->Checkpoint(c.parts);
  }
  return Status::Internal("unknown commit kind");
}

Result<std::unique_ptr<UserProfilesTable>> Scenario::Run(std::shared_ptr<storage::FileSystem> fs,
                                                         const std::string& root) const {
  LAKESYNC_ASSIGN_OR_RETURN(auto t, UserProfilesTable::Create(fs, root, table));
  for (size_t i = 0; i < commits.size(); ++i) {
    Status st = ApplyCommit(t.get(), commits[i]);
    if (!st.ok()) return st.WithContext(fmt::format("scenario commit {}", i));
  }
  return t;
}

namespace {

using simdjson::dom::element;

Status Bad(std::string_view key, std::string_view why) {
  return Status::InvalidArgument("scenario: '{}' {}", key, why);
}

Status ReadPredicate(element body, std::string_view what, RowPredicate* p) {
  if (body["every"].get(p->every) != simdjson::SUCCESS || p->every <= 0) {
    return Bad(what, "needs \"every\": a positive integer");
  }
  int64_t off = 0;
  if (body["offset"].get(off) == simdjson::SUCCESS) p->offset = off;
  return Status::OK();
}

}  // namespace

Result<Scenario> ParseScenario(std::string_view json) {
  simdjson::dom::parser parser;
  element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    return Status::InvalidArgument("scenario: malformed JSON");
  }
  simdjson::dom::object obj;
  if (doc.get(obj) != simdjson::SUCCESS) return Bad("<root>", "must be an object");
  Scenario s;
  UserProfilesOptions& t = s.table;
  for (auto [key, v] : obj) {
    std::string_view sv;
    int64_t i = 0;
    bool b = false;
    if (key == "table") {
      if (v.get(sv) != simdjson::SUCCESS || sv != "user_profiles") {
        return Bad(key, "must be \"user_profiles\" (the only built-in table)");
      }
    } else if (key == "name") {
      if (v.get(sv) != simdjson::SUCCESS) return Bad(key, "must be a string");
      t.name = std::string(sv);
    } else if (key == "rows" || key == "files" || key == "row_group_rows" || key == "page_size" ||
               key == "seed" || key == "clock_ms") {
      if (v.get(i) != simdjson::SUCCESS || i < 0) return Bad(key, "must be a non-negative integer");
      if (key == "rows") t.rows = i;
      if (key == "files") t.files = static_cast<int>(std::max<int64_t>(1, i));
      if (key == "row_group_rows") t.parquet.row_group_rows = std::max<int64_t>(1, i);
      if (key == "page_size") t.parquet.page_size = std::max<int64_t>(1, i);
      if (key == "seed") t.seed = static_cast<uint64_t>(i);
      if (key == "clock_ms") t.clock_ms = i;
    } else if (key == "codec") {
      if (v.get(sv) != simdjson::SUCCESS) return Bad(key, "must be a string");
      LAKESYNC_RETURN_NOT_OK(ParseCodec(sv, &t.parquet.codec));
    } else if (key == "dictionary" || key == "cdf" || key == "data_page_v2" ||
               key == "deletion_vectors") {
      if (v.get(b) != simdjson::SUCCESS) return Bad(key, "must be true or false");
      if (key == "deletion_vectors") t.deletion_vectors = b;
      if (key == "dictionary") t.parquet.dictionary = b;
      if (key == "cdf") t.cdf = b;
      if (key == "data_page_v2") t.parquet.data_page_v2 = b;
    } else if (key == "column_mapping") {
      if (v.get(sv) != simdjson::SUCCESS) return Bad(key, "must be \"none\", \"name\" or \"id\"");
      LAKESYNC_RETURN_NOT_OK(ParseColumnMapping(sv, &t.column_mapping));
    } else if (key == "partition_by") {
      if (v.get(sv) != simdjson::SUCCESS) return Bad(key, "must be a string");
      t.partition_by = std::string(sv);
    } else if (key == "commits") {
      simdjson::dom::array arr;
      if (v.get(arr) != simdjson::SUCCESS) return Bad(key, "must be an array");
      for (element c : arr) {
        ScenarioCommit sc;
        element body;
        if (c["update"].get(body) == simdjson::SUCCESS) {
          sc.kind = ScenarioCommit::Kind::kUpdate;
          LAKESYNC_RETURN_NOT_OK(ReadPredicate(body, "update", &sc.where));
          simdjson::dom::object set;
          if (body["set"].get(set) != simdjson::SUCCESS) {
            return Bad("update", "needs \"set\": {column: value}");
          }
          for (auto [col, val] : set) {
            std::string_view text;
            bool flag;
            if (val.get(text) == simdjson::SUCCESS) {
              sc.set.push_back(SetExpr::Parse(std::string(col), text.empty() ? "=" : text));
            } else if (val.get(flag) == simdjson::SUCCESS) {
              sc.set.push_back(SetExpr::Parse(std::string(col), flag ? "true" : "false"));
            } else if (val.is_null()) {
              sc.set.push_back(SetExpr::Parse(std::string(col), "null"));
            } else {
              const std::string num = simdjson::minify(val);
              sc.set.push_back(SetExpr::Parse(std::string(col), "=" + num));
            }
          }
        } else if (c["delete"].get(body) == simdjson::SUCCESS) {
          sc.kind = ScenarioCommit::Kind::kDelete;
          LAKESYNC_RETURN_NOT_OK(ReadPredicate(body, "delete", &sc.where));
        } else if (c["insert"].get(body) == simdjson::SUCCESS) {
          sc.kind = ScenarioCommit::Kind::kInsert;
          if (body["rows"].get(sc.rows) != simdjson::SUCCESS || sc.rows <= 0) {
            return Bad("insert", "needs \"rows\": a positive integer");
          }
          int64_t files = 1;
          if (body["files"].get(files) == simdjson::SUCCESS) sc.files = static_cast<int>(files);
        } else if (c["checkpoint"].get(body) == simdjson::SUCCESS) {
          sc.kind = ScenarioCommit::Kind::kCheckpoint;
          int64_t parts = 1;
          if (body["parts"].get(parts) == simdjson::SUCCESS) sc.parts = static_cast<int>(parts);
          bool on = true;
          if (body.get(on) == simdjson::SUCCESS && !on) continue;
        } else {
          return Bad("commits",
                     "each commit is {\"update\"|\"delete\"|\"insert\"|\"checkpoint\":...}");
        }
        s.commits.push_back(std::move(sc));
      }
    } else {
      return Bad(key, "is not a scenario key");
    }
  }
  return s;
}

}  // namespace lakesync::deltagen
