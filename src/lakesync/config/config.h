// Config: lakesync's configuration file (TOML): the PostgreSQL instances it writes to, the
// catalogs that turn Databricks-style three-part names into a database + schema + table
// (database catalogs) or a Delta table location (lakehouse catalogs), S3 settings, the REST
// API's listen address and tokens, logging and daemon settings. Environment variables
// override the file (see EnvOverrides in README.md, "Configuration").
// Thread-safety: a loaded Config is an immutable value; share it freely between threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakesync/common/result.h"

namespace lakesync::config {

/// A PostgreSQL server (Databricks' "database instance").
struct Instance {
  std::string name;
  /// libpq conninfo (key=value or URI) without the database; the password comes from
  /// `password_env`, PGPASSWORD or ~/.pgpass as libpq finds it.
  std::string conninfo;
  /// Name of an environment variable holding the password (optional).
  std::string password_env;
  /// Most connections lakesync holds on this instance at once: the API's pool keeps at most
  /// this many per process, and a snapshot load opens extra connections only while every
  /// lakesync connection on the server (any process) stays within it (README, Configuration).
  int max_connections = 8;
  /// Capacity limits (bytes; 0 turns one off) and load tuning. Unset: the sync engine's
  /// defaults (sync/limits.h).
  std::optional<int64_t> max_synced_bytes;           // max_synced_data (default 2 TB)
  std::optional<int64_t> warn_table_bytes;           // warn_table_size (default 1 TB)
  std::optional<int> spare_connections;              // spare_connections (default 3)
  std::optional<int64_t> load_bytes_per_connection;  // load_bytes_per_connection (32 MiB)
};

/// "2TB", "500 GB", "1.5TB", "32MiB" or a plain count of bytes -> bytes. Units are decimal
/// (kB, MB, GB, TB, PB) or binary (KiB, MiB, GiB, TiB); case-insensitive. InvalidArgument
/// for anything else.
Result<int64_t> ParseByteSize(std::string_view text);

/// Catalog -> instance + logical database: `catalog.schema.table` names the PostgreSQL table
/// schema.table in that database.
struct DatabaseCatalog {
  std::string name;
  std::string instance;
  std::string database;
};

/// Catalog -> storage root: `catalog.schema.table` is the Delta table at root/schema/table,
/// unless `tables` maps "schema.table" to a location of its own.
struct LakehouseCatalog {
  std::string name;
  std::string root;  // a local directory or s3://bucket/prefix
  std::map<std::string, std::string> tables;
};

struct S3Settings {
  std::string endpoint;  // empty: AWS; e.g. http://127.0.0.1:9000 for MinIO or s3rver
  std::string region;    // empty: as the storage layer finds it (AWS_REGION, profile, us-east-1)
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
  /// Bucket in the path (MinIO, s3rver) instead of the host name; unset: storage decides.
  std::optional<bool> path_style;

  /// Hands these settings to the storage layer, which reads the standard AWS variables
  /// (AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
  /// AWS_SESSION_TOKEN, AWS_S3_FORCE_PATH_STYLE): sets those this object has values for.
  /// Call before any thread starts (setenv is not thread-safe).
  void ExportToEnvironment() const;
};

struct ApiSettings {
  std::string host = "127.0.0.1";
  int port = 8080;
  /// Bearer tokens the API accepts. Empty means no authentication (only sensible on loopback).
  std::vector<std::string> tokens;
  /// Whether /metrics needs a token too.
  bool metrics_need_token = false;
};

struct LogSettings {
  std::string format = "text";  // "text" or "json"
  std::string level = "info";   // "debug", "info", "warn", "error"
};

struct DaemonSettings {
  std::string id;  // empty: hostname + pid
  std::chrono::milliseconds lease_ttl{10000};
  std::chrono::milliseconds poll_interval{1000};
};

/// What a three-part synced-table name resolves to.
struct SyncedTableTarget {
  std::string catalog;
  std::string instance;
  std::string database;
  std::string table;     // "schema.table" in that database (the SyncEngine's name)
  std::string conninfo;  // ready for pg::Connection::Open
};

/// Looks up an environment variable; nullopt when unset. Tests pass their own.
using EnvLookup = std::function<std::optional<std::string>(const std::string&)>;
/// The process environment.
EnvLookup ProcessEnv();

class Config {
 public:
  /// `$LAKESYNC_CONFIG`, else ./lakesync.toml.
  static std::string DefaultPath(const EnvLookup& env = ProcessEnv());
  /// Reads and checks the file, then applies the environment overrides. NotFound when the
  /// file is missing; InvalidArgument naming "file:line: key" for anything wrong in it.
  static Result<Config> Load(const std::string& path, const EnvLookup& env = ProcessEnv());
  /// As Load, from text already read (`path` only names it in errors).
  static Result<Config> Parse(std::string_view text, const std::string& path,
                              const EnvLookup& env = ProcessEnv());

  const std::string& path() const { return path_; }
  const std::map<std::string, Instance>& instances() const { return instances_; }
  const std::map<std::string, DatabaseCatalog>& database_catalogs() const {
    return database_catalogs_;
  }
  const std::map<std::string, LakehouseCatalog>& lakehouse_catalogs() const {
    return lakehouse_catalogs_;
  }
  const S3Settings& s3() const { return s3_; }
  const ApiSettings& api() const { return api_; }
  const LogSettings& log() const { return log_; }
  const DaemonSettings& daemon() const { return daemon_; }

  /// Conninfo of `database` on `instance`, password filled in. NotFound for an unknown
  /// instance.
  Result<std::string> Conninfo(const std::string& instance, const std::string& database) const;
  /// Every distinct (instance, database) a database catalog names, by catalog name (the
  /// first catalog names the pair): the databases the daemon serves. `table` is empty.
  std::vector<SyncedTableTarget> Databases() const;
  /// `catalog.schema.table` -> where the synced table lives. InvalidArgument for a name that
  /// is not three parts; NotFound for a catalog that is not a database catalog.
  Result<SyncedTableTarget> ResolveSyncedTable(const std::string& full_name) const;
  /// The catalog name a synced table of (instance, database) is reported under: the first
  /// database catalog (by name) naming them. NotFound when none does.
  Result<std::string> CatalogFor(const std::string& instance, const std::string& database) const;
  /// `catalog.schema.table` of a lakehouse catalog -> the Delta table's location. A name that
  /// already is a location (holds '/') is returned as is. NotFound for an unknown catalog.
  Result<std::string> ResolveSource(const std::string& source_full_name) const;
  /// The reverse of ResolveSource: the three-part name of a location, or the location itself
  /// when no lakehouse catalog covers it.
  std::string SourceName(const std::string& location) const;

 private:
  friend class ConfigParser;
  std::string path_;
  std::map<std::string, Instance> instances_;
  std::map<std::string, DatabaseCatalog> database_catalogs_;
  std::map<std::string, LakehouseCatalog> lakehouse_catalogs_;
  S3Settings s3_;
  ApiSettings api_;
  LogSettings log_;
  DaemonSettings daemon_;
  EnvLookup env_;
};

/// Splits "a.b.c" into its parts; double quotes protect dots ("my.cat".s.t). InvalidArgument
/// unless there are exactly `parts` non-empty parts.
Result<std::vector<std::string>> SplitName(std::string_view name, int parts);

/// "host:port" (or "[v6]:port", or ":port" for 127.0.0.1) -> host and port.
Status ParseListenAddress(std::string_view text, std::string* host, int* port);

}  // namespace lakesync::config
