#include "lakesync/api/api_client.h"

#include <httplib.h>
#include <simdjson.h>

#include "lakesync/api/api_error.h"
#include "lakesync/storage/sigv4.h"

namespace lakesync::api {
namespace {

Result<std::string> Answer(const httplib::Result& res, const std::string& url,
                           const std::string& path) {
  if (!res) {
    return Status::Unavailable("cannot reach the lakesync API at {} ({} {})", url, path,
                               httplib::to_string(res.error()));
  }
  if (res->status >= 200 && res->status < 300) return res->body;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string_view code;
  std::string_view message = res->body;
  if (parser.parse(res->body).get(doc) == simdjson::SUCCESS) {
    if (doc["error_code"].get(code) != simdjson::SUCCESS) code = {};
    if (doc["message"].get(message) != simdjson::SUCCESS) message = res->body;
  }
  return StatusFromApiError(res->status, code, message);
}

}  // namespace

ApiClient::ApiClient(std::string url, std::unique_ptr<httplib::Client> client)
    : url_(std::move(url)), client_(std::move(client)) {}

ApiClient::~ApiClient() = default;

Result<std::unique_ptr<ApiClient>> ApiClient::Make(const std::string& url,
                                                   const std::string& token) {
  std::string base = url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("--host '{}' must be http://HOST:PORT or https://HOST", url);
  }
  auto client = std::make_unique<httplib::Client>(base);
  if (!client->is_valid()) return Status::InvalidArgument("--host '{}' is not a valid URL", url);
  if (!token.empty()) client->set_bearer_token_auth(token);
  client->set_connection_timeout(10, 0);
  client->set_read_timeout(300, 0);
  return std::unique_ptr<ApiClient>(new ApiClient(base, std::move(client)));
}

Result<std::string> ApiClient::Get(const std::string& path) {
  return Answer(client_->Get(path), url_, path);
}

Result<std::string> ApiClient::Post(const std::string& path, std::string_view body) {
  return Answer(client_->Post(path, body.data(), body.size(), "application/json"), url_, path);
}

Result<std::string> ApiClient::Patch(const std::string& path, std::string_view body) {
  return Answer(client_->Patch(path, body.data(), body.size(), "application/json"), url_, path);
}

Result<std::string> ApiClient::Delete(const std::string& path) {
  return Answer(client_->Delete(path), url_, path);
}

std::string UrlEncode(std::string_view text) {
  return storage::UriEncode(text, /*encode_slash=*/true);
}

}  // namespace lakesync::api
