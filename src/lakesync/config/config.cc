#include "lakesync/config/config.h"

#include <libpq-fe.h>

#include <toml++/toml.h>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "lakesync/common/macros.h"

namespace lakesync::config {

// Reads the TOML document into a Config. Every lookup goes through a Section, which remembers
// the keys it was asked for so that whatever is left over is reported as unknown.
class ConfigParser {
 public:
  ConfigParser(const std::string& file, Config& config) : file_(file), config_(config) {}

  Status Run(const toml::table& root);

 private:
  class Section {
   public:
    Section(ConfigParser& parser, const toml::table& table, std::string prefix)
        : parser_(parser), table_(table), prefix_(std::move(prefix)) {}

    Status String(const char* key, std::string* out, bool required = false) {
      const toml::node* node = Find(key);
      if (node == nullptr) return required ? Missing(key) : Status::OK();
      auto v = node->value<std::string>();
      if (!v) return parser_.Bad(*node, Path(key), "must be a string");
      *out = *v;
      return Status::OK();
    }
    Status Int(const char* key, int64_t min, int64_t max, int64_t* out) {
      const toml::node* node = Find(key);
      if (node == nullptr) return Status::OK();
      auto v = node->value<int64_t>();
      if (!node->is_integer() || !v) return parser_.Bad(*node, Path(key), "must be an integer");
      if (*v < min || *v > max) {
        return parser_.Bad(*node, Path(key), fmt::format("must be in [{}, {}]", min, max));
      }
      *out = *v;
      return Status::OK();
    }
    /// A size: an integer count of bytes or a string with a unit (ParseByteSize).
    Status Bytes(const char* key, std::optional<int64_t>* out) {
      const toml::node* node = Find(key);
      if (node == nullptr) return Status::OK();
      if (node->is_integer()) {
        const int64_t v = *node->value<int64_t>();
        if (v < 0) return parser_.Bad(*node, Path(key), "must not be negative");
        *out = v;
        return Status::OK();
      }
      auto text = node->value<std::string>();
      if (!node->is_string() || !text) {
        return parser_.Bad(*node, Path(key), "must be a size such as \"2TB\" or bytes");
      }
      auto bytes = ParseByteSize(*text);
      if (!bytes.ok()) return parser_.Bad(*node, Path(key), bytes.status().message());
      *out = *bytes;
      return Status::OK();
    }
    Status Bool(const char* key, bool* out) {
      const toml::node* node = Find(key);
      if (node == nullptr) return Status::OK();
      if (!node->is_boolean()) return parser_.Bad(*node, Path(key), "must be true or false");
      *out = *node->value<bool>();
      return Status::OK();
    }
    Status StringList(const char* key, std::vector<std::string>* out) {
      const toml::node* node = Find(key);
      if (node == nullptr) return Status::OK();
      const toml::array* arr = node->as_array();
      if (arr == nullptr) return parser_.Bad(*node, Path(key), "must be an array of strings");
      out->clear();
      for (const toml::node& item : *arr) {
        auto v = item.value<std::string>();
        if (!item.is_string() || !v) {
          return parser_.Bad(item, Path(key), "must be an array of strings");
        }
        out->push_back(*v);
      }
      return Status::OK();
    }
    /// The sub-table `key` (nullptr when absent).
    Result<const toml::table*> Table(const char* key) {
      const toml::node* node = Find(key);
      if (node == nullptr) return static_cast<const toml::table*>(nullptr);
      if (!node->is_table()) return parser_.Bad(*node, Path(key), "must be a table");
      return node->as_table();
    }
    /// Reports the first key nobody asked for.
    Status Finish() const {
      for (auto&& [k, v] : table_) {
        if (used_.count(std::string(k.str())) == 0) {
          return parser_.Bad(v, Path(k.str()), "unknown key");
        }
      }
      return Status::OK();
    }
    std::string Path(std::string_view key) const {
      return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
    }
    int line() const { return static_cast<int>(table_.source().begin.line); }

   private:
    const toml::node* Find(const char* key) {
      used_.insert(key);
      return table_.get(key);
    }
    Status Missing(const char* key) const {
      return Status::InvalidArgument("{}:{}: {}: missing (required)", parser_.file_, line(),
                                     Path(key));
    }

    ConfigParser& parser_;
    const toml::table& table_;
    std::string prefix_;
    std::set<std::string> used_;
  };

  Status Bad(const toml::node& node, const std::string& key, std::string_view what) const {
    return Status::InvalidArgument("{}:{}: {}: {}", file_, node.source().begin.line, key, what);
  }
  /// Each entry of the table `key` must itself be a table; `fn(name, section)` reads one.
  template <typename Fn>
  Status Named(Section& root, const char* key, Fn fn) {
    LAKESYNC_ASSIGN_OR_RETURN(const toml::table* table, root.Table(key));
    if (table == nullptr) return Status::OK();
    for (auto&& [name, node] : *table) {
      const std::string path = fmt::format("{}.{}", key, name.str());
      if (!node.is_table()) return Bad(node, path, "must be a table");
      Section section(*this, *node.as_table(), path);
      LAKESYNC_RETURN_NOT_OK(fn(std::string(name.str()), section));
      LAKESYNC_RETURN_NOT_OK(section.Finish());
    }
    return Status::OK();
  }
  Status Instances(Section& root);
  Status Catalogs(Section& root);
  Status Settings(Section& root);

  const std::string& file_;
  Config& config_;
};

namespace {

// Parses a libpq conninfo; the options array must be freed with PQconninfoFree.
Result<PQconninfoOption*> ParseConninfo(const std::string& conninfo) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &err);
  if (options == nullptr) {
    std::string why = err != nullptr ? err : "out of memory";
    if (err != nullptr) PQfreemem(err);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Status::InvalidArgument("{}", why);
  }
  return options;
}

void AppendConninfoValue(std::string_view keyword, std::string_view value, std::string& out) {
  if (!out.empty()) out += ' ';
  out.append(keyword);
  out += "='";
  for (char c : value) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
}

std::string EnvName(std::string_view prefix, std::string_view name, std::string_view suffix) {
  std::string out(prefix);
  for (char c : name) {
    out += std::isalnum(static_cast<unsigned char>(c))
               ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
               : '_';
  }
  out += suffix;
  return out;
}

bool IsLocation(std::string_view name) { return name.find('/') != std::string_view::npos; }

}  // namespace

Status ConfigParser::Run(const toml::table& root_table) {
  Section root(*this, root_table, "");
  LAKESYNC_RETURN_NOT_OK(Instances(root));
  LAKESYNC_RETURN_NOT_OK(Catalogs(root));
  LAKESYNC_RETURN_NOT_OK(Settings(root));
  return root.Finish();
}

Status ConfigParser::Instances(Section& root) {
  return Named(root, "instances", [&](std::string name, Section& s) -> Status {
    Instance instance;
    instance.name = name;
    LAKESYNC_RETURN_NOT_OK(s.String("conninfo", &instance.conninfo, /*required=*/true));
    LAKESYNC_RETURN_NOT_OK(s.String("password_env", &instance.password_env));
    int64_t cap = instance.max_connections;
    LAKESYNC_RETURN_NOT_OK(s.Int("max_connections", 1, 10'000, &cap));
    instance.max_connections = static_cast<int>(cap);
    LAKESYNC_RETURN_NOT_OK(s.Bytes("max_synced_data", &instance.max_synced_bytes));
    LAKESYNC_RETURN_NOT_OK(s.Bytes("warn_table_size", &instance.warn_table_bytes));
    LAKESYNC_RETURN_NOT_OK(
        s.Bytes("load_bytes_per_connection", &instance.load_bytes_per_connection));
    if (instance.load_bytes_per_connection == 0) instance.load_bytes_per_connection = 1;
    int64_t spare = -1;
    LAKESYNC_RETURN_NOT_OK(s.Int("spare_connections", 0, 10'000, &spare));
    if (spare >= 0) instance.spare_connections = static_cast<int>(spare);
    auto parsed = ParseConninfo(instance.conninfo);
    if (!parsed.ok()) {
      return Status::InvalidArgument("{}:{}: {}: {}", file_, s.line(), s.Path("conninfo"),
                                     parsed.status().message());
    }
    PQconninfoFree(*parsed);
    config_.instances_[name] = std::move(instance);
    return Status::OK();
  });
}

Status ConfigParser::Catalogs(Section& root) {
  Status databases = Named(root, "database_catalogs", [&](std::string name, Section& s) -> Status {
    DatabaseCatalog catalog;
    catalog.name = name;
    LAKESYNC_RETURN_NOT_OK(s.String("instance", &catalog.instance, /*required=*/true));
    LAKESYNC_RETURN_NOT_OK(s.String("database", &catalog.database, /*required=*/true));
    if (config_.instances_.count(catalog.instance) == 0) {
      return Status::InvalidArgument("{}:{}: {}: no instance named '{}' in [instances]", file_,
                                     s.line(), s.Path("instance"), catalog.instance);
    }
    config_.database_catalogs_[name] = std::move(catalog);
    return Status::OK();
  });
  if (!databases.ok()) return databases;
  return Named(root, "lakehouse_catalogs", [&](std::string name, Section& s) -> Status {
    LakehouseCatalog catalog;
    catalog.name = name;
    LAKESYNC_RETURN_NOT_OK(s.String("root", &catalog.root, /*required=*/true));
    while (catalog.root.size() > 1 && catalog.root.back() == '/') catalog.root.pop_back();
    LAKESYNC_ASSIGN_OR_RETURN(const toml::table* tables, s.Table("tables"));
    if (tables != nullptr) {
      for (auto&& [key, node] : *tables) {
        const std::string path = s.Path("tables") + "." + std::string(key.str());
        auto location = node.value<std::string>();
        if (!node.is_string() || !location) return Bad(node, path, "must be a string (a location)");
        if (!SplitName(key.str(), 2).ok()) return Bad(node, path, "the key must be schema.table");
        catalog.tables[std::string(key.str())] = *location;
      }
    }
    config_.lakehouse_catalogs_[name] = std::move(catalog);
    return Status::OK();
  });
}

Status ConfigParser::Settings(Section& root) {
  // [s3]
  LAKESYNC_ASSIGN_OR_RETURN(const toml::table* s3, root.Table("s3"));
  if (s3 != nullptr) {
    Section s(*this, *s3, "s3");
    S3Settings& out = config_.s3_;
    LAKESYNC_RETURN_NOT_OK(s.String("endpoint", &out.endpoint));
    LAKESYNC_RETURN_NOT_OK(s.String("region", &out.region));
    LAKESYNC_RETURN_NOT_OK(s.String("access_key_id", &out.access_key_id));
    LAKESYNC_RETURN_NOT_OK(s.String("secret_access_key", &out.secret_access_key));
    LAKESYNC_RETURN_NOT_OK(s.String("session_token", &out.session_token));
    bool path_style = false;
    if (s3->get("path_style") != nullptr) {
      LAKESYNC_RETURN_NOT_OK(s.Bool("path_style", &path_style));
      out.path_style = path_style;
    }
    LAKESYNC_RETURN_NOT_OK(s.Finish());
  }
  // [api]
  LAKESYNC_ASSIGN_OR_RETURN(const toml::table* api, root.Table("api"));
  if (api != nullptr) {
    Section s(*this, *api, "api");
    std::string listen;
    LAKESYNC_RETURN_NOT_OK(s.String("listen", &listen));
    if (!listen.empty()) {
      Status st = ParseListenAddress(listen, &config_.api_.host, &config_.api_.port);
      if (!st.ok()) {
        return Status::InvalidArgument("{}:{}: api.listen: {}", file_,
                                       api->get("listen")->source().begin.line, st.message());
      }
    }
    LAKESYNC_RETURN_NOT_OK(s.StringList("tokens", &config_.api_.tokens));
    LAKESYNC_RETURN_NOT_OK(s.Bool("metrics_need_token", &config_.api_.metrics_need_token));
    LAKESYNC_RETURN_NOT_OK(s.Finish());
  }
  // [log]
  LAKESYNC_ASSIGN_OR_RETURN(const toml::table* log, root.Table("log"));
  if (log != nullptr) {
    Section s(*this, *log, "log");
    LAKESYNC_RETURN_NOT_OK(s.String("format", &config_.log_.format));
    LAKESYNC_RETURN_NOT_OK(s.String("level", &config_.log_.level));
    if (config_.log_.format != "text" && config_.log_.format != "json") {
      return Bad(*log->get("format"), "log.format", "must be \"text\" or \"json\"");
    }
    static const std::set<std::string> kLevels = {"debug", "info", "warn", "error"};
    if (kLevels.count(config_.log_.level) == 0) {
      return Bad(*log->get("level"), "log.level", "must be debug, info, warn or error");
    }
    LAKESYNC_RETURN_NOT_OK(s.Finish());
  }
  // [daemon]
  LAKESYNC_ASSIGN_OR_RETURN(const toml::table* daemon, root.Table("daemon"));
  if (daemon != nullptr) {
    Section s(*this, *daemon, "daemon");
    DaemonSettings& out = config_.daemon_;
    LAKESYNC_RETURN_NOT_OK(s.String("id", &out.id));
    int64_t ttl = out.lease_ttl.count();
    int64_t poll = out.poll_interval.count();
    LAKESYNC_RETURN_NOT_OK(s.Int("lease_ttl_ms", 100, 3'600'000, &ttl));
    LAKESYNC_RETURN_NOT_OK(s.Int("poll_interval_ms", 10, 3'600'000, &poll));
    out.lease_ttl = std::chrono::milliseconds(ttl);
    out.poll_interval = std::chrono::milliseconds(poll);
    LAKESYNC_RETURN_NOT_OK(s.Finish());
  }
  return Status::OK();
}

namespace {

// The environment overrides (README.md, "Configuration"). Bad values name the variable.
Status ApplyEnvironment(const EnvLookup& env, std::map<std::string, Instance>& instances,
                        S3Settings& s3, ApiSettings& api, LogSettings& log) {
  auto get = [&](const std::string& name) -> std::optional<std::string> {
    auto v = env(name);
    if (v && v->empty()) return std::nullopt;
    return v;
  };
  if (auto v = get("LAKESYNC_API_LISTEN")) {
    Status st = ParseListenAddress(*v, &api.host, &api.port);
    if (!st.ok()) return Status::InvalidArgument("LAKESYNC_API_LISTEN: {}", st.message());
  }
  if (auto v = get("LAKESYNC_API_TOKENS")) {
    api.tokens.clear();
    std::stringstream in(*v);
    std::string token;
    while (std::getline(in, token, ',')) {
      if (!token.empty()) api.tokens.push_back(token);
    }
  }
  if (auto v = get("LAKESYNC_LOG_FORMAT")) {
    if (*v != "text" && *v != "json") {
      return Status::InvalidArgument("LAKESYNC_LOG_FORMAT: must be text or json, not '{}'", *v);
    }
    log.format = *v;
  }
  if (auto v = get("LAKESYNC_LOG_LEVEL")) {
    if (*v != "debug" && *v != "info" && *v != "warn" && *v != "error") {
      return Status::InvalidArgument(
          "LAKESYNC_LOG_LEVEL: must be debug, info, warn or error, not '{}'", *v);
    }
    log.level = *v;
  }
  for (auto& [name, instance] : instances) {
    const std::string var = EnvName("LAKESYNC_INSTANCE_", name, "_CONNINFO");
    if (auto v = get(var)) {
      auto parsed = ParseConninfo(*v);
      if (!parsed.ok()) return Status::InvalidArgument("{}: {}", var, parsed.status().message());
      PQconninfoFree(*parsed);
      instance.conninfo = *v;
    }
    if (!instance.password_env.empty() && !env(instance.password_env)) {
      return Status::InvalidArgument(
          "instances.{}.password_env: the environment variable {} is not set", name,
          instance.password_env);
    }
  }
  auto fill = [&](std::string& field, std::initializer_list<const char*> vars) {
    for (const char* var : vars) {
      if (auto v = get(var)) {
        field = *v;
        return;
      }
    }
  };
  // LAKESYNC_S3_* always win; the standard AWS variables only fill what the file left empty.
  fill(s3.endpoint, {"LAKESYNC_S3_ENDPOINT"});
  fill(s3.region, {"LAKESYNC_S3_REGION"});
  if (s3.access_key_id.empty()) fill(s3.access_key_id, {"AWS_ACCESS_KEY_ID"});
  if (s3.secret_access_key.empty()) fill(s3.secret_access_key, {"AWS_SECRET_ACCESS_KEY"});
  if (s3.session_token.empty()) fill(s3.session_token, {"AWS_SESSION_TOKEN"});
  if (s3.region.empty()) fill(s3.region, {"AWS_REGION"});
  if (auto v = get("LAKESYNC_S3_PATH_STYLE")) {
    if (*v != "true" && *v != "false") {
      return Status::InvalidArgument("LAKESYNC_S3_PATH_STYLE: must be true or false, not '{}'", *v);
    }
    s3.path_style = *v == "true";
  }
  return Status::OK();
}

}  // namespace

void S3Settings::ExportToEnvironment() const {
  auto set = [](const char* name, const std::string& value) {
    if (!value.empty()) setenv(name, value.c_str(), /*overwrite=*/1);
  };
  set("AWS_ENDPOINT_URL_S3", endpoint);
  set("AWS_REGION", region);
  set("AWS_ACCESS_KEY_ID", access_key_id);
  set("AWS_SECRET_ACCESS_KEY", secret_access_key);
  set("AWS_SESSION_TOKEN", session_token);
  if (path_style) set("AWS_S3_FORCE_PATH_STYLE", *path_style ? "true" : "false");
}

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::string Config::DefaultPath(const EnvLookup& env) {
  auto v = env("LAKESYNC_CONFIG");
  return v && !v->empty() ? *v : "lakesync.toml";
}

Result<Config> Config::Load(const std::string& path, const EnvLookup& env) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("configuration file {} does not exist or cannot be read", path);
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path, env);
}

Result<Config> Config::Parse(std::string_view text, const std::string& path, const EnvLookup& env) {
  Config config;
  config.path_ = path;
  config.env_ = env;
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument("{}:{}: {}", path, e.source().begin.line, e.description());
  }
  ConfigParser parser(path, config);
  LAKESYNC_RETURN_NOT_OK(parser.Run(root));
  LAKESYNC_RETURN_NOT_OK(
      ApplyEnvironment(env, config.instances_, config.s3_, config.api_, config.log_));
  return config;
}

Result<std::string> Config::Conninfo(const std::string& instance_name,
                                     const std::string& database) const {
  auto it = instances_.find(instance_name);
  if (it == instances_.end()) {
    return Status::NotFound("no database instance named '{}' in {}", instance_name, path_);
  }
  const Instance& instance = it->second;
  LAKESYNC_ASSIGN_OR_RETURN(PQconninfoOption * options, ParseConninfo(instance.conninfo));
  // Rebuilt as key=value so the database and password replace whatever the conninfo had,
  // whichever form (URI or key=value) it was written in.
  std::string out;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    const std::string_view keyword = o->keyword;
    if (o->val == nullptr || keyword == "dbname") continue;
    if (keyword == "password" && !instance.password_env.empty()) continue;
    AppendConninfoValue(keyword, o->val, out);
  }
  PQconninfoFree(options);
  AppendConninfoValue("dbname", database, out);
  if (!instance.password_env.empty()) {
    auto password = env_ ? env_(instance.password_env) : std::nullopt;
    if (!password) {
      return Status::InvalidArgument(
          "the environment variable {} (password of instance {}) is "
          "not set",
          instance.password_env, instance_name);
    }
    AppendConninfoValue("password", *password, out);
  }
  return out;
}

Result<int64_t> ParseByteSize(std::string_view text) {
  static constexpr std::pair<const char*, double> kUnits[] = {
      {"", 1},      {"b", 1},        {"kb", 1e3},     {"mb", 1e6},     {"gb", 1e9},    {"tb", 1e12},
      {"pb", 1e15}, {"kib", 1024.0}, {"mib", 0x1p20}, {"gib", 0x1p30}, {"tib", 0x1p40}};
  auto bad = [&] {
    return Status::InvalidArgument(
        "'{}' is not a size: a number with an optional unit (B, kB, MB, GB, TB, PB, KiB, MiB, "
        "GiB, TiB), such as \"2TB\"",
        text);
  };
  std::string s(text);
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return bad();
  char* end = nullptr;
  const std::string number = s.substr(0, i);
  const double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size()) return bad();
  std::string unit;
  for (char c : s.substr(i)) {
    if (c != ' ') unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  for (const auto& [name, factor] : kUnits) {
    if (unit != name) continue;
    const double bytes = value * factor;
    if (bytes >= 9.2e18) return bad();
    return static_cast<int64_t>(bytes);
  }
  return bad();
}

std::vector<SyncedTableTarget> Config::Databases() const {
  std::vector<SyncedTableTarget> out;
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& [name, catalog] : database_catalogs_) {
    if (!seen.insert({catalog.instance, catalog.database}).second) continue;
    auto conninfo = Conninfo(catalog.instance, catalog.database);
    if (!conninfo.ok()) continue;  // Load checked instances and passwords already
    out.push_back({name, catalog.instance, catalog.database, "", *conninfo});
  }
  return out;
}

Result<SyncedTableTarget> Config::ResolveSyncedTable(const std::string& full_name) const {
  LAKESYNC_ASSIGN_OR_RETURN(auto parts, SplitName(full_name, 3));
  auto it = database_catalogs_.find(parts[0]);
  if (it == database_catalogs_.end()) {
    return Status::NotFound(
        "catalog '{}' of synced table {} is not a database catalog of {} "
        "(add it under [database_catalogs])",
        parts[0], full_name, path_);
  }
  const DatabaseCatalog& catalog = it->second;
  LAKESYNC_ASSIGN_OR_RETURN(std::string conninfo, Conninfo(catalog.instance, catalog.database));
  return SyncedTableTarget{catalog.name, catalog.instance, catalog.database,
                           parts[1] + "." + parts[2], std::move(conninfo)};
}

Result<std::string> Config::CatalogFor(const std::string& instance,
                                       const std::string& database) const {
  for (const auto& [name, catalog] : database_catalogs_) {
    if (catalog.instance == instance && catalog.database == database) return name;
  }
  return Status::NotFound("no database catalog names database {} of instance {}", database,
                          instance);
}

Result<std::string> Config::ResolveSource(const std::string& source_full_name) const {
  if (IsLocation(source_full_name)) return source_full_name;
  LAKESYNC_ASSIGN_OR_RETURN(auto parts, SplitName(source_full_name, 3));
  auto it = lakehouse_catalogs_.find(parts[0]);
  if (it == lakehouse_catalogs_.end()) {
    return Status::NotFound(
        "catalog '{}' of source table {} is not a lakehouse catalog of {} "
        "(add it under [lakehouse_catalogs])",
        parts[0], source_full_name, path_);
  }
  const LakehouseCatalog& catalog = it->second;
  auto table = catalog.tables.find(parts[1] + "." + parts[2]);
  if (table != catalog.tables.end()) return table->second;
  return catalog.root + "/" + parts[1] + "/" + parts[2];
}

std::string Config::SourceName(const std::string& location) const {
  for (const auto& [name, catalog] : lakehouse_catalogs_) {
    for (const auto& [table, where] : catalog.tables) {
      if (where == location) return name + "." + table;
    }
  }
  for (const auto& [name, catalog] : lakehouse_catalogs_) {
    const std::string prefix = catalog.root + "/";
    if (location.size() <= prefix.size() || location.compare(0, prefix.size(), prefix) != 0) {
      continue;
    }
    const std::string rest = location.substr(prefix.size());
    const size_t slash = rest.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == rest.size() ||
        rest.find('/', slash + 1) != std::string::npos || rest.find('.') != std::string::npos) {
      continue;
    }
    const std::string table = rest.substr(0, slash) + "." + rest.substr(slash + 1);
    if (catalog.tables.count(table) != 0) continue;  // overridden: root/schema/table is not it
    return name + "." + table;
  }
  return location;
}

Result<std::vector<std::string>> SplitName(std::string_view name, int parts) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '"') {
      if (quoted && i + 1 < name.size() && name[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == '.' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  bool empty_part = false;
  for (const auto& p : out) empty_part |= p.empty();
  if (quoted || empty_part || static_cast<int>(out.size()) != parts) {
    return Status::InvalidArgument("'{}' is not a {}-part name ({})", name, parts,
                                   parts == 3 ? "catalog.schema.table" : "schema.table");
  }
  return out;
}

Status ParseListenAddress(std::string_view text, std::string* host, int* port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("'{}' is not HOST:PORT", text);
  }
  std::string h(text.substr(0, colon));
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (h.empty()) h = "127.0.0.1";
  const std::string_view p = text.substr(colon + 1);
  int value = 0;
  if (p.empty() || p.size() > 5) return Status::InvalidArgument("'{}': bad port", text);
  for (char c : p) {
    if (c < '0' || c > '9') return Status::InvalidArgument("'{}': bad port", text);
    value = value * 10 + (c - '0');
  }
  if (value > 65535) return Status::InvalidArgument("'{}': port out of range", text);
  *host = std::move(h);
  *port = value;
  return Status::OK();
}

}  // namespace lakesync::config
