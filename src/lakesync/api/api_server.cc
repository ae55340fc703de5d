#include "lakesync/api/api_server.h"

#include <httplib.h>

#include "lakesync/api/api_error.h"
#include "lakesync/api/background_jobs.h"
#include "lakesync/api/engine_pool.h"
#include "lakesync/api/synced_table_service.h"
#include "lakesync/common/logging.h"
#include "lakesync/common/metrics.h"

namespace lakesync::api {
namespace {

constexpr char kJson[] = "application/json";

void Reply(httplib::Response& res, const ApiError& error) {
  res.status = error.http_status;
  res.set_content(error.ToJson(), kJson);
}

void Reply(httplib::Response& res, const Result<std::string>& result,
           Operation op = Operation::kOther) {
  if (result.ok()) {
    res.status = 200;
    res.set_content(*result, kJson);
  } else {
    Reply(res, ErrorFor(result.status(), op));
  }
}

// Compares in time independent of where the strings differ.
bool SameToken(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string Param(const httplib::Request& req, const char* name) {
  return req.has_param(name) ? req.get_param_value(name) : std::string();
}

// A page size parameter as a number; -1 (refused by the service) when it is not one.
int PageSize(const httplib::Request& req, const char* name = "page_size") {
  const std::string text = Param(req, name);
  if (text.empty()) return 0;
  if (text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) return -1;
  return std::stoi(text);
}

}  // namespace

ApiServer::ApiServer(ApiServerOptions options) : options_(std::move(options)) {}

ApiServer::~ApiServer() { Stop(); }

Result<std::unique_ptr<ApiServer>> ApiServer::Start(ApiServerOptions options) {
  if (options.config == nullptr) return Status::InvalidArgument("ApiServer needs a config");
  std::unique_ptr<ApiServer> server(new ApiServer(std::move(options)));
  server->server_ = std::make_unique<httplib::Server>();
  server->pool_ = std::make_unique<EnginePool>(*server->options_.config);
  server->jobs_ = std::make_unique<BackgroundJobs>();
  server->service_ = std::make_unique<SyncedTableService>(
      *server->options_.config, *server->pool_, *server->jobs_, server->options_.run_updates);
  server->AddRoutes();
  httplib::Server& http = *server->server_;
  const std::string& host = server->options_.host;
  if (server->options_.port == 0) {
    server->port_ = http.bind_to_any_port(host);
    if (server->port_ <= 0) return Status::IOError("cannot listen on {} (any port)", host);
  } else {
    if (!http.bind_to_port(host, server->options_.port)) {
      return Status::IOError("cannot listen on {}:{} (in use, or not an address of this host)",
                             host, server->options_.port);
    }
    server->port_ = server->options_.port;
  }
  server->listener_ = std::thread([&http] { http.listen_after_bind(); });
  log::Info("api listening", {{"host", host}, {"port", server->port_}});
  return server;
}

void ApiServer::Stop() {
  if (server_) server_->stop();
  if (listener_.joinable()) listener_.join();
  if (jobs_) jobs_->Stop();
}

void ApiServer::AddRoutes() {
  httplib::Server& http = *server_;
  SyncedTableService& svc = *service_;

  http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    const bool open =
        req.path == "/healthz" || (req.path == "/metrics" && !options_.metrics_need_token);
    if (open || options_.tokens.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const std::string header = req.get_header_value("Authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) {
      Reply(res, Unauthenticated());
      return httplib::Server::HandlerResponse::Handled;
    }
    const std::string token = header.substr(kBearer.size());
    for (const auto& t : options_.tokens) {
      if (SameToken(t, token)) return httplib::Server::HandlerResponse::Unhandled;
    }
    Reply(res, PermissionDenied());
    return httplib::Server::HandlerResponse::Handled;
  });
  // Unknown routes (and a handler's empty error) get the Databricks error shape too.
  http.set_error_handler(
      httplib::Server::HandlerWithResponse([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
        if (res.status == 404) {
          Reply(res, EndpointNotFound(req.method, req.path));
        } else {
          Reply(res, ApiError{res.status, "BAD_REQUEST", "the request could not be handled"});
        }
        return httplib::Server::HandlerResponse::Handled;
      }));
  http.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
        std::string what = "unknown exception";
        try {
          std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          what = e.what();
        } catch (...) {
        }
        Reply(res, ErrorFor(Status::Internal("{}", what)));
      });
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    log::Log(res.status >= 500 ? log::Level::kWarn : log::Level::kDebug, "http request",
             {{"method", req.method}, {"path", req.path}, {"status", res.status}});
  });

  http.Get("/healthz", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("ok\n", "text/plain");
  });
  http.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics::Global().RenderPrometheus(), "text/plain; version=0.0.4");
  });

  const std::string tables = "/api/2.0/database/synced_tables";
  http.Post(tables, [&svc](const httplib::Request& req, httplib::Response& res) {
    Reply(res, svc.Create(req.body), Operation::kCreate);
  });
  http.Get(tables, [&svc](const httplib::Request& req, httplib::Response& res) {
    Reply(res, svc.List("", Param(req, "page_token"), PageSize(req)));
  });
  const std::string one = tables + "/([^/]+)";
  http.Get(one, [&svc](const httplib::Request& req, httplib::Response& res) {
    Reply(res, svc.Get(req.matches[1]));
  });
  http.Delete(one, [&svc](const httplib::Request& req, httplib::Response& res) {
    Reply(res, svc.Delete(req.matches[1], Param(req, "purge_data") == "true"));
  });
  http.Patch(one, [&svc](const httplib::Request& req, httplib::Response& res) {
    Reply(res, svc.Update(req.matches[1], Param(req, "update_mask"), req.body));
  });
  http.Get("/api/2.0/database/instances/([^/]+)/synced_tables",
           [&svc](const httplib::Request& req, httplib::Response& res) {
             Reply(res, svc.List(req.matches[1], Param(req, "page_token"), PageSize(req)));
           });
  http.Post("/api/2.0/pipelines/([^/]+)/updates",
            [&svc](const httplib::Request& req, httplib::Response& res) {
              Reply(res, svc.StartUpdate(req.matches[1], req.body));
            });
  http.Get("/api/2.0/pipelines/([^/]+)",
           [&svc](const httplib::Request& req, httplib::Response& res) {
             Reply(res, svc.GetPipeline(req.matches[1]));
           });
  http.Get("/api/2.0/pipelines/([^/]+)/updates",
           [&svc](const httplib::Request& req, httplib::Response& res) {
             Reply(res, svc.ListUpdates(req.matches[1], PageSize(req, "max_results"),
                                        Param(req, "page_token"), Param(req, "until_update_id")));
           });
  http.Post("/api/2.0/pipelines/([^/]+)/stop",
            [&svc](const httplib::Request& req, httplib::Response& res) {
              Reply(res, svc.Stop(req.matches[1]));
            });
  http.Get("/api/2.0/pipelines/([^/]+)/updates/([^/]+)",
           [&svc](const httplib::Request& req, httplib::Response& res) {
             Reply(res, svc.GetUpdate(req.matches[1], req.matches[2]));
           });
}

}  // namespace lakesync::api
