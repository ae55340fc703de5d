#include "lakesync/config/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

namespace lakesync::config {
namespace {

using ::testing::HasSubstr;

// A fixed environment, so tests neither read nor depend on the process's.
EnvLookup Env(std::map<std::string, std::string> vars = {}) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

constexpr char kFull[] = R"(
[api]
listen = "0.0.0.0:9090"
tokens = ["t1", "t2"]

[instances.main]
conninfo = "postgresql://lakesync@db.internal:5433/postgres?sslmode=disable"
password_env = "MAIN_PW"
max_connections = 4

[instances.local]
conninfo = "host=/tmp port=5432 user=me"

[database_catalogs.lakebase_catalog]
instance = "main"
database = "app"

[database_catalogs.alias]
instance = "main"
database = "app"

[lakehouse_catalogs.main]
root = "s3://bucket/warehouse/"
tables = { "gold.special" = "/data/special" }

[s3]
endpoint = "http://127.0.0.1:9000"
path_style = true

[log]
format = "json"

[daemon]
lease_ttl_ms = 5000
)";

TEST(ConfigTest, FullFileResolvesNames) {
  auto config = Config::Parse(kFull, "lakesync.toml", Env({{"MAIN_PW", "se'cret"}}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->api().host, "0.0.0.0");
  EXPECT_EQ(config->api().port, 9090);
  EXPECT_THAT(config->api().tokens, ::testing::ElementsAre("t1", "t2"));
  EXPECT_EQ(config->instances().at("main").max_connections, 4);
  EXPECT_EQ(config->instances().at("local").max_connections, 8);
  EXPECT_EQ(config->s3().path_style, true);
  EXPECT_EQ(config->log().format, "json");
  EXPECT_EQ(config->daemon().lease_ttl.count(), 5000);
  EXPECT_EQ(config->daemon().poll_interval.count(), 1000);

  auto target = config->ResolveSyncedTable("lakebase_catalog.gold.user_profiles");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->instance, "main");
  EXPECT_EQ(target->database, "app");
  EXPECT_EQ(target->table, "gold.user_profiles");
  // The URI's database is replaced and the password comes from the environment, quoted.
  EXPECT_THAT(target->conninfo, HasSubstr("host='db.internal'"));
  EXPECT_THAT(target->conninfo, HasSubstr("port='5433'"));
  EXPECT_THAT(target->conninfo, HasSubstr("dbname='app'"));
  EXPECT_THAT(target->conninfo, HasSubstr(R"(password='se\'cret')"));
  EXPECT_THAT(target->conninfo, ::testing::Not(HasSubstr("postgres'")));

  // Two catalogs naming one database: served once, reported under the first by name.
  auto dbs = config->Databases();
  ASSERT_EQ(dbs.size(), 1u);
  EXPECT_EQ(dbs[0].catalog, "alias");
  EXPECT_EQ(*config->CatalogFor("main", "app"), "alias");
  EXPECT_TRUE(config->CatalogFor("local", "app").status().IsNotFound());

  EXPECT_EQ(*config->ResolveSource("main.gold.user_profiles"),
            "s3://bucket/warehouse/gold/user_profiles");
  EXPECT_EQ(*config->ResolveSource("main.gold.special"), "/data/special");
  EXPECT_EQ(*config->ResolveSource("/some/path"), "/some/path");
  EXPECT_TRUE(config->ResolveSource("nope.a.b").status().IsNotFound());
  EXPECT_TRUE(config->ResolveSource("a.b").status().IsInvalidArgument());
  EXPECT_EQ(config->SourceName("s3://bucket/warehouse/gold/user_profiles"),
            "main.gold.user_profiles");
  EXPECT_EQ(config->SourceName("/data/special"), "main.gold.special");
  EXPECT_EQ(config->SourceName("s3://bucket/warehouse/gold/special"),
            "s3://bucket/warehouse/gold/special");
  EXPECT_EQ(config->SourceName("/elsewhere/t"), "/elsewhere/t");

  EXPECT_TRUE(config->ResolveSyncedTable("other.gold.t").status().IsNotFound());
  EXPECT_TRUE(config->ResolveSyncedTable("gold.t").status().IsInvalidArgument());
}

TEST(ConfigTest, UnknownKeyNamesFileLineAndKey) {
  auto config = Config::Parse("[instances.main]\nconninfo = \"host=x\"\nmax_conections = 3\n",
                              "/etc/lakesync.toml", Env());
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(config.status().IsInvalidArgument());
  EXPECT_EQ(config.status().message(),
            "/etc/lakesync.toml:3: instances.main.max_conections: unknown key");

  auto top = Config::Parse("\n[apii]\nlisten = \":1\"\n", "c.toml", Env());
  ASSERT_FALSE(top.ok());
  EXPECT_THAT(top.status().message(), HasSubstr("c.toml:2: apii: unknown key"));
}

TEST(ConfigTest, InstanceLimitsTakeSizesWithUnits) {
  auto config = Config::Parse(R"(
[instances.a]
conninfo = "host=x"
max_connections = 12
max_synced_data = "1.5TB"
warn_table_size = 500000000
spare_connections = 0
load_bytes_per_connection = "64 MiB"
)",
                              "c.toml", Env());
  ASSERT_TRUE(config.ok()) << config.status();
  const Instance& a = config->instances().at("a");
  EXPECT_EQ(a.max_connections, 12);
  EXPECT_EQ(a.max_synced_bytes, 1'500'000'000'000);
  EXPECT_EQ(a.warn_table_bytes, 500'000'000);
  EXPECT_EQ(a.spare_connections, 0);
  EXPECT_EQ(a.load_bytes_per_connection, int64_t{64} << 20);
  auto defaults = Config::Parse("[instances.b]\nconninfo = \"host=x\"\n", "c.toml", Env());
  ASSERT_TRUE(defaults.ok()) << defaults.status();
  EXPECT_FALSE(defaults->instances().at("b").max_synced_bytes.has_value());
  EXPECT_FALSE(defaults->instances().at("b").spare_connections.has_value());

  EXPECT_EQ(*ParseByteSize("2TB"), 2'000'000'000'000);
  EXPECT_EQ(*ParseByteSize("0"), 0);
  EXPECT_EQ(*ParseByteSize("1 gib"), int64_t{1} << 30);
  EXPECT_EQ(*ParseByteSize("300kB"), 300'000);
  for (const char* bad : {"", "TB", "1.2.3GB", "5 XB", "-1"}) {
    EXPECT_TRUE(ParseByteSize(bad).status().IsInvalidArgument()) << bad;
  }
}

TEST(ConfigTest, BadValuesNameFileLineAndKey) {
  struct Case {
    const char* text;
    const char* expected;
  } cases[] = {
      {"[api]\nlisten = 8080\n", "c.toml:2: api.listen: must be a string"},
      {"[api]\nlisten = \"localhost:99999\"\n", "c.toml:2: api.listen: 'localhost:99999': port"},
      {"[api]\ntokens = [\"a\", 1]\n", "c.toml:2: api.tokens: must be an array of strings"},
      {"[instances.a]\nconninfo = \"host=x\"\nmax_connections = 0\n",
       "c.toml:3: instances.a.max_connections: must be in [1, 10000]"},
      {"[instances.a]\nconninfo = \"nonsense\"\n", "c.toml:1: instances.a.conninfo:"},
      {"[instances.a]\nconninfo = \"host=x\"\nmax_synced_data = \"2 parsecs\"\n",
       "c.toml:3: instances.a.max_synced_data: '2 parsecs' is not a size"},
      {"[instances.a]\nconninfo = \"host=x\"\nwarn_table_size = -1\n",
       "c.toml:3: instances.a.warn_table_size: must not be negative"},
      {"[instances.a]\nport = 1\n", "c.toml:1: instances.a.conninfo: missing (required)"},
      {"[database_catalogs.c]\ninstance = \"x\"\ndatabase = \"d\"\n",
       "c.toml:1: database_catalogs.c.instance: no instance named 'x'"},
      {"[lakehouse_catalogs.l]\nroot = \"/r\"\ntables = { \"t\" = \"/x\" }\n",
       "c.toml:3: lakehouse_catalogs.l.tables.t: the key must be schema.table"},
      {"[log]\nformat = \"xml\"\n", "c.toml:2: log.format: must be \"text\" or \"json\""},
      {"[s3]\npath_style = \"yes\"\n", "c.toml:2: s3.path_style: must be true or false"},
      {"instances = 3\n", "c.toml:1: instances: must be a table"},
      {"[api\n", "c.toml:1: "},
  };
  for (const Case& c : cases) {
    auto config = Config::Parse(c.text, "c.toml", Env());
    ASSERT_FALSE(config.ok()) << c.text;
    EXPECT_TRUE(config.status().IsInvalidArgument()) << c.text;
    EXPECT_THAT(config.status().message(), HasSubstr(c.expected)) << c.text;
  }
}

TEST(ConfigTest, EnvironmentOverridesTheFile) {
  auto config = Config::Parse(kFull, "c.toml",
                              Env({{"MAIN_PW", "pw"},
                                   {"LAKESYNC_API_LISTEN", "127.0.0.1:7000"},
                                   {"LAKESYNC_API_TOKENS", "x,y,,z"},
                                   {"LAKESYNC_INSTANCE_LOCAL_CONNINFO", "host=elsewhere"},
                                   {"LAKESYNC_S3_ENDPOINT", "http://s3.local"},
                                   {"AWS_ACCESS_KEY_ID", "AK"},
                                   {"AWS_REGION", "eu-west-1"},
                                   {"LAKESYNC_LOG_FORMAT", "text"}}));
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->api().port, 7000);
  EXPECT_THAT(config->api().tokens, ::testing::ElementsAre("x", "y", "z"));
  EXPECT_EQ(config->instances().at("local").conninfo, "host=elsewhere");
  EXPECT_EQ(config->s3().endpoint, "http://s3.local");
  EXPECT_EQ(config->s3().access_key_id, "AK");
  EXPECT_EQ(config->s3().region, "eu-west-1");
  EXPECT_EQ(config->log().format, "text");

  auto bad = Config::Parse(kFull, "c.toml", Env({{"MAIN_PW", "pw"}, {"LAKESYNC_API_LISTEN", "x"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("LAKESYNC_API_LISTEN"));

  auto no_password = Config::Parse(kFull, "c.toml", Env());
  ASSERT_FALSE(no_password.ok());
  EXPECT_EQ(no_password.status().message(),
            "instances.main.password_env: the environment variable MAIN_PW is not set");
}

TEST(ConfigTest, LoadReportsMissingFileAndDefaultPath) {
  auto missing = Config::Load("/nonexistent/lakesync.toml", Env());
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_THAT(missing.status().message(), HasSubstr("/nonexistent/lakesync.toml"));
  EXPECT_EQ(Config::DefaultPath(Env()), "lakesync.toml");
  EXPECT_EQ(Config::DefaultPath(Env({{"LAKESYNC_CONFIG", "/etc/l.toml"}})), "/etc/l.toml");
}

TEST(ConfigTest, SplitNameHonoursQuotes) {
  auto parts = SplitName(R"("my.cat".gold."a""b")", 3);
  ASSERT_TRUE(parts.ok()) << parts.status();
  EXPECT_THAT(*parts, ::testing::ElementsAre("my.cat", "gold", "a\"b"));
  EXPECT_FALSE(SplitName("a..b", 3).ok());
  EXPECT_FALSE(SplitName("a.b.c.d", 3).ok());
}

}  // namespace
}  // namespace lakesync::config
