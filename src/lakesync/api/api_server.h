// ApiServer: lakesync's REST API over HTTP (cpp-httplib): the Databricks synced-table and
// pipeline routes (state, updates, stop) with their JSON shapes and errors, bearer-token
// authentication, /metrics (Prometheus) and /healthz. Requests run on the server's worker
// threads; initial snapshots run in the background.
// Thread-safety: Start/Stop from one thread; port() from any.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lakesync/common/result.h"
#include "lakesync/config/config.h"

namespace httplib {
class Server;
}

namespace lakesync::api {

class EnginePool;
class BackgroundJobs;
class SyncedTableService;

struct ApiServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;  // 0 = any free port
  /// Accepted bearer tokens; empty = no authentication.
  std::vector<std::string> tokens;
  /// Names and databases. REQUIRES: not null; outlives the server.
  const config::Config* config = nullptr;
  /// Whether /metrics needs a token too.
  bool metrics_need_token = false;
  /// Run requested pipeline updates in this process too (for an API without a Scheduler).
  bool run_updates = false;
};

class ApiServer {
 public:
  /// Binds host:port and starts serving. IOError when the address cannot be bound.
  static Result<std::unique_ptr<ApiServer>> Start(ApiServerOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  int port() const { return port_; }
  const std::string& host() const { return options_.host; }
  /// Stops accepting requests, finishes the ones in flight and waits for background loads.
  /// Idempotent.
  void Stop();

 private:
  explicit ApiServer(ApiServerOptions options);
  void AddRoutes();

  ApiServerOptions options_;
  int port_ = 0;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<EnginePool> pool_;
  std::unique_ptr<BackgroundJobs> jobs_;
  std::unique_ptr<SyncedTableService> service_;
  std::thread listener_;
};

}  // namespace lakesync::api
