#include "lakesync/storage/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace lakesync::storage {
namespace {

// Error bodies are only read for their S3 error code and message; more is not an S3 error.
constexpr size_t kMaxBodyBytes = 16 << 20;

void GlobalInit() {
  static const bool done = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
  (void)done;
}

struct Transfer {
  CURL* easy = nullptr;
  HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  curl_slist* headers = nullptr;
  int64_t skip = -1;  // decided at the first body byte
  char error[CURL_ERROR_SIZE] = {};
};

size_t OnBody(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  HttpResponse& resp = *t->response;
  long status = 0;
  curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
  const bool success = status >= 200 && status < 300;
  if (t->request->out == nullptr || !success) {
    if (!success && resp.body.size() + n > kMaxBodyBytes) return 0;  // aborts the transfer
    resp.body.append(data, n);
    return n;
  }
  if (t->skip < 0) t->skip = status == 200 ? t->request->skip_on_full_response : 0;
  size_t offset = 0;
  if (t->skip > 0) {
    const size_t s = std::min<size_t>(static_cast<size_t>(t->skip), n);
    t->skip -= static_cast<int64_t>(s);
    offset = s;
  }
  const int64_t room = t->request->out_length - resp.out_bytes;
  const int64_t take = std::min<int64_t>(room, static_cast<int64_t>(n - offset));
  if (take > 0) {
    std::memcpy(t->request->out + resp.out_bytes, data + offset, static_cast<size_t>(take));
    resp.out_bytes += take;
  }
  if (static_cast<int64_t>(n - offset) > take) {
    resp.out_overflow = true;
    // A full-object answer to a ranged read: the rest is not needed.
    if (status == 200) return 0;
  }
  return n;
}

size_t OnHeader(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const size_t n = size * nmemb;
  std::string_view line(data, n);
  if (line.starts_with("HTTP/")) {
    t->response->headers.clear();  // a new response (after 100 Continue or a redirect)
    return n;
  }
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return n;
  std::string name(line.substr(0, colon));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) {
    value.remove_suffix(1);
  }
  t->response->headers[name] = std::string(value);
  return n;
}

}  // namespace

bool HttpResponse::TransportRetryable() const {
  switch (static_cast<CURLcode>(curl_code)) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
      return true;
    default:
      return false;
  }
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) {
  GlobalInit();
  if (!options_.connect_to.empty()) {
    connect_to_ = curl_slist_append(nullptr, ("::" + options_.connect_to).c_str());
  }
}

HttpClient::~HttpClient() {
  curl_slist_free_all(static_cast<curl_slist*>(connect_to_));
  for (void* e : idle_easies_) curl_easy_cleanup(static_cast<CURL*>(e));
  for (void* m : idle_multis_) curl_multi_cleanup(static_cast<CURLM*>(m));
}

void* HttpClient::TakeMulti() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_multis_.empty()) {
      void* m = idle_multis_.back();
      idle_multis_.pop_back();
      return m;
    }
  }
  return curl_multi_init();
}

void HttpClient::ReturnMulti(void* multi) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_multis_.push_back(multi);
}

void* HttpClient::TakeEasy() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_easies_.empty()) {
      void* e = idle_easies_.back();
      idle_easies_.pop_back();
      curl_easy_reset(static_cast<CURL*>(e));
      return e;
    }
  }
  return curl_easy_init();
}

void HttpClient::ReturnEasy(void* easy) {
  std::lock_guard<std::mutex> lock(mu_);
  idle_easies_.push_back(easy);
}

void HttpClient::Perform(const std::vector<HttpRequest*>& requests,
                         std::vector<HttpResponse>* responses) {
  responses->assign(requests.size(), HttpResponse{});
  if (requests.empty()) return;
  CURLM* multi = static_cast<CURLM*>(TakeMulti());
  std::vector<Transfer> transfers(requests.size());
  size_t next = 0, running = 0;

  auto start = [&](size_t i) {
    Transfer& t = transfers[i];
    t.request = requests[i];
    t.response = &(*responses)[i];
    t.easy = static_cast<CURL*>(TakeEasy());
    CURL* e = t.easy;
    curl_easy_setopt(e, CURLOPT_URL, t.request->url.c_str());
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    if (connect_to_ != nullptr) curl_easy_setopt(e, CURLOPT_CONNECT_TO, connect_to_);
    if (!options_.ca_file.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, options_.ca_file.c_str());
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME,
                     static_cast<long>(std::max<int64_t>(1, options_.stall_timeout_ms / 1000)));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t.error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, &t);
    if (t.request->method == "HEAD") {
      curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (t.request->method == "PUT") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "PUT");
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, t.request->body.data());
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(t.request->body.size()));
    } else if (t.request->method != "GET") {
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, t.request->method.c_str());
    }
    // No "Expect: 100-continue" round trip; no form content type on PUT bodies.
    t.headers = curl_slist_append(t.headers, "Expect:");
    t.headers = curl_slist_append(t.headers, "Content-Type:");
    for (const std::string& h : t.request->headers) {
      t.headers = curl_slist_append(t.headers, h.c_str());
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t.headers);
    curl_multi_add_handle(multi, e);
    ++running;
  };

  const size_t parallel = static_cast<size_t>(std::max(1, options_.max_parallel));
  while (next < requests.size() && running < parallel) start(next++);
  while (running > 0) {
    int still = 0;
    curl_multi_perform(multi, &still);
    int queued = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi, &queued)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Transfer* t = nullptr;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char**>(&t));
      HttpResponse& resp = *t->response;
      resp.curl_code = static_cast<int>(msg->data.result);
      curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &resp.status);
      if (msg->data.result != CURLE_OK) {
        resp.curl_error = t->error[0] ? t->error : curl_easy_strerror(msg->data.result);
        // An aborted full-object answer to a ranged read got what it needed.
        if (msg->data.result == CURLE_WRITE_ERROR && resp.status == 200 &&
            resp.out_bytes == t->request->out_length && t->request->out != nullptr) {
          resp.curl_code = 0;
          resp.curl_error.clear();
          resp.out_overflow = false;
        }
      }
      curl_multi_remove_handle(multi, t->easy);
      curl_slist_free_all(t->headers);
      t->headers = nullptr;
      ReturnEasy(t->easy);
      t->easy = nullptr;
      --running;
      if (next < requests.size()) start(next++);
    }
    if (running > 0) curl_multi_poll(multi, nullptr, 0, 1000, nullptr);
  }
  ReturnMulti(multi);
}

}  // namespace lakesync::storage
