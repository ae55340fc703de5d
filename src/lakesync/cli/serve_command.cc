#include "lakesync/cli/serve_command.h"

#include <fmt/format.h>
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <memory>

#include "lakesync/api/api_server.h"
#include "lakesync/api/instance_limits.h"
#include "lakesync/cli/exit_codes.h"
#include "lakesync/common/logging.h"
#include "lakesync/common/macros.h"
#include "lakesync/config/config.h"
#include "lakesync/sync/scheduler.h"

namespace lakesync::cli {
namespace {

struct ServeOptions {
  std::string config_path;
  std::string listen;
  std::string log_format;
};

bool IsLoopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

Status Serve(const ServeOptions& options) {
  const std::string path =
      options.config_path.empty() ? config::Config::DefaultPath() : options.config_path;
  LAKESYNC_ASSIGN_OR_RETURN(config::Config config, config::Config::Load(path));
  const std::string format = options.log_format.empty() ? config.log().format : options.log_format;
  LAKESYNC_ASSIGN_OR_RETURN(log::Format log_format, log::ParseFormat(format));
  log::SetFormat(log_format);
  LAKESYNC_ASSIGN_OR_RETURN(log::Level level, log::ParseLevel(config.log().level));
  log::SetLevel(level);
  config.s3().ExportToEnvironment();

  api::ApiServerOptions api_options;
  api_options.host = config.api().host;
  api_options.port = config.api().port;
  if (!options.listen.empty()) {
    LAKESYNC_RETURN_NOT_OK(
        config::ParseListenAddress(options.listen, &api_options.host, &api_options.port));
  }
  api_options.tokens = config.api().tokens;
  api_options.metrics_need_token = config.api().metrics_need_token;
  api_options.config = &config;
  if (api_options.tokens.empty() && !IsLoopback(api_options.host)) {
    return Status::InvalidArgument(
        "{}: api.tokens is empty; refusing to serve without authentication on {} (set tokens, "
        "or listen on 127.0.0.1)",
        path, api_options.host);
  }
  if (config.Databases().empty()) {
    log::Warn("no [database_catalogs] in the configuration: nothing to serve", {{"config", path}});
  }

  // SIGTERM and SIGINT are taken by sigwait below, so every thread started from here on
  // inherits them blocked.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  LAKESYNC_ASSIGN_OR_RETURN(auto server, api::ApiServer::Start(api_options));
  std::unique_ptr<sync::Scheduler> scheduler;
  sync::SchedulerOptions scheduler_options;
  for (const auto& db : config.Databases()) {
    scheduler_options.target_conninfos.push_back(db.conninfo);
    scheduler_options.target_limits.push_back(api::InstanceLimits(config, db.instance));
  }
  scheduler_options.daemon_id = config.daemon().id;
  scheduler_options.lease_ttl = config.daemon().lease_ttl;
  scheduler_options.poll_interval = config.daemon().poll_interval;
  if (!scheduler_options.target_conninfos.empty()) {
    LAKESYNC_ASSIGN_OR_RETURN(scheduler, sync::Scheduler::Start(scheduler_options));
  }

  fmt::print("listening on http://{}:{}\n", server->host(), server->port());
  std::fflush(stdout);

  int signal = 0;
  sigwait(&stop_signals, &signal);
  log::Info("stopping", {{"signal", signal == SIGTERM ? "SIGTERM" : "SIGINT"}});
  // The API first (no new work), then the scheduler: it finishes or rolls back the batches in
  // flight and releases its leases so other daemons take the tables over at once.
  server->Stop();
  if (scheduler) scheduler->Stop();
  log::Info("stopped");
  return Status::OK();
}

}  // namespace

void AddServeCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ServeOptions>();
  CLI::App* cmd = app.add_subcommand(
      "serve",
      "Run the daemon: the REST API plus the scheduler of continuous pipelines, schedules and "
      "requested updates, until SIGTERM or Ctrl-C");
  cmd->add_option("--config", options->config_path,
                  "configuration file (default: $LAKESYNC_CONFIG, else ./lakesync.toml)");
  cmd->add_option("--listen", options->listen,
                  "HOST:PORT to serve the API on (overrides "
                  "api.listen; port 0 picks a free one)");
  cmd->add_option("--log-format", options->log_format, "text or json (overrides log.format)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([options, exit_code] {
    Status st = Serve(*options);
    if (!st.ok()) fmt::print(stderr, "lakesync serve: {}\n", st.ToString());
    *exit_code = ExitCodeFor(st);
  });
}

}  // namespace lakesync::cli
