#include "lakesync/pg/connection.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <utility>

#include "lakesync/common/macros.h"
#include "lakesync/pg/errors.h"

namespace lakesync::pg {

// ---------------------------------------------------------------------------------------------
// QueryResult

QueryResult::QueryResult(pg_result* result) : result_(result) {}

QueryResult::QueryResult(QueryResult&& other) noexcept
    : result_(std::exchange(other.result_, nullptr)) {}

QueryResult& QueryResult::operator=(QueryResult&& other) noexcept {
  if (this != &other) {
    if (result_ != nullptr) PQclear(result_);
    result_ = std::exchange(other.result_, nullptr);
  }
  return *this;
}

QueryResult::~QueryResult() {
  if (result_ != nullptr) PQclear(result_);
}

int QueryResult::rows() const { return result_ == nullptr ? 0 : PQntuples(result_); }
int QueryResult::cols() const { return result_ == nullptr ? 0 : PQnfields(result_); }

bool QueryResult::IsNull(int row, int col) const { return PQgetisnull(result_, row, col) != 0; }

std::string_view QueryResult::Get(int row, int col) const {
  return std::string_view(PQgetvalue(result_, row, col),
                          static_cast<size_t>(PQgetlength(result_, row, col)));
}

std::optional<std::string> QueryResult::GetOptional(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return std::string(Get(row, col));
}

Result<int64_t> QueryResult::GetInt64(int row, int col) const {
  if (IsNull(row, col)) {
    return Status::InvalidArgument("column \"{}\" of row {} is null", ColumnName(col), row);
  }
  const std::string_view s = Get(row, col);
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return Status::InvalidArgument("column \"{}\" of row {} is not an integer: '{}'",
                                   ColumnName(col), row, s);
  }
  return n;
}

std::string_view QueryResult::ColumnName(int col) const {
  const char* name = PQfname(result_, col);
  return name == nullptr ? std::string_view() : std::string_view(name);
}

std::vector<std::string> QueryResult::ColumnNames() const {
  std::vector<std::string> names;
  names.reserve(cols());
  for (int c = 0; c < cols(); ++c) names.emplace_back(ColumnName(c));
  return names;
}

int QueryResult::ColumnIndex(std::string_view name) const {
  for (int c = 0; c < cols(); ++c) {
    if (ColumnName(c) == name) return c;
  }
  return -1;
}

int64_t QueryResult::affected_rows() const {
  if (result_ == nullptr) return 0;
  const char* tuples = PQcmdTuples(result_);
  if (tuples == nullptr || *tuples == '\0') return 0;
  const std::string_view s(tuples);
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc()) return 0;
  return n;
}

std::string_view QueryResult::command_tag() const {
  if (result_ == nullptr) return {};
  const char* tag = PQcmdStatus(result_);
  return tag == nullptr ? std::string_view() : std::string_view(tag);
}

// ---------------------------------------------------------------------------------------------
// Connection

namespace {

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using UniqueResult = std::unique_ptr<PGresult, ResultDeleter>;

Status CheckSql(std::string_view sql) {
  if (sql.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument("SQL text contains a NUL byte");
  }
  return Status::OK();
}

constexpr char kDefaultConnectTimeoutSeconds[] = "30";

std::string_view Abbreviate(std::string_view sql) {
  constexpr size_t kMax = 120;
  return sql.size() <= kMax ? sql : sql.substr(0, kMax);
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &parse_error);
  if (options == nullptr) {
    std::string why = parse_error != nullptr ? parse_error : "out of memory";
    if (parse_error != nullptr) PQfreemem(parse_error);
    while (!why.empty() && why.back() == '\n') why.pop_back();
    return Status::InvalidArgument("invalid PostgreSQL connection string: {}", why);
  }
  // Connect with the parsed keywords so a default timeout can be added whatever the form
  // (key=value or URI) of the conninfo: an unreachable host must fail, not hang.
  std::vector<const char*> keywords;
  std::vector<const char*> values;
  bool has_timeout = false;
  for (PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    keywords.push_back(o->keyword);
    values.push_back(o->val);
    if (std::string_view(o->keyword) == "connect_timeout") has_timeout = true;
  }
  if (!has_timeout) {
    keywords.push_back("connect_timeout");
    values.push_back(kDefaultConnectTimeoutSeconds);
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* raw = PQconnectdbParams(keywords.data(), values.data(), /*expand_dbname=*/0);
  PQconninfoFree(options);
  if (raw == nullptr) return Status::Unavailable("connecting to PostgreSQL: out of memory");
  std::unique_ptr<Connection> conn(new Connection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    return StatusFromConnection(raw, "connecting to PostgreSQL");
  }
  if (PQsetClientEncoding(raw, "UTF8") != 0) {
    return StatusFromConnection(raw, "setting client_encoding to UTF8");
  }
  return conn;
}

Connection::Connection(Connection&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)),
      in_copy_(std::exchange(other.in_copy_, false)),
      last_sqlstate_(std::move(other.last_sqlstate_)) {}

Connection& Connection::operator=(Connection&& other) noexcept {
  if (this != &other) {
    if (conn_ != nullptr) {
      if (in_copy_) (void)AbortCopy("connection replaced");
      PQfinish(conn_);
    }
    conn_ = std::exchange(other.conn_, nullptr);
    in_copy_ = std::exchange(other.in_copy_, false);
    last_sqlstate_ = std::move(other.last_sqlstate_);
  }
  return *this;
}

Connection::~Connection() {
  if (conn_ == nullptr) return;
  if (in_copy_) (void)AbortCopy("connection closed during COPY");
  PQfinish(conn_);
}

Status Connection::CheckNotInCopy(std::string_view what) const {
  if (in_copy_) {
    return Status::Internal("{}: a COPY is in progress on this connection; end it first", what);
  }
  return Status::OK();
}

Result<QueryResult> Connection::Check(pg_result* raw, int expected_status, std::string_view what) {
  UniqueResult result(raw);
  const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(raw);
  if (status == expected_status ||
      (expected_status == PGRES_TUPLES_OK && status == PGRES_COMMAND_OK) ||
      (expected_status == PGRES_COMMAND_OK && status == PGRES_TUPLES_OK)) {
    last_sqlstate_.clear();
    return QueryResult(result.release());
  }
  if (status == PGRES_COPY_IN || status == PGRES_COPY_OUT || status == PGRES_COPY_BOTH) {
    // A COPY started through the wrong entry point: leave the connection usable.
    if (status == PGRES_COPY_IN) {
      in_copy_ = true;
      (void)AbortCopy("COPY must be started with BeginCopy");
    } else {
      while (true) {
        char* buf = nullptr;
        const int n = PQgetCopyData(conn_, &buf, 0);
        if (buf != nullptr) PQfreemem(buf);
        if (n < 0) break;
      }
      while (PGresult* r = PQgetResult(conn_)) PQclear(r);
    }
    return Status::InvalidArgument("{}: COPY statements go through BeginCopy/EndCopy", what);
  }
  if (status == PGRES_EMPTY_QUERY) {
    return Status::InvalidArgument("{}: empty query", what);
  }
  last_sqlstate_ = SqlStateOf(raw);
  return StatusFromResult(conn_, raw, what);
}

Status Connection::Exec(std::string_view sql) {
  LAKESYNC_RETURN_NOT_OK(CheckSql(sql));
  LAKESYNC_RETURN_NOT_OK(CheckNotInCopy("Exec"));
  const std::string text(sql);
  auto r = Check(PQexec(conn_, text.c_str()), PGRES_COMMAND_OK, Abbreviate(sql));
  return r.status();
}

Result<QueryResult> Connection::Query(std::string_view sql) {
  LAKESYNC_RETURN_NOT_OK(CheckSql(sql));
  LAKESYNC_RETURN_NOT_OK(CheckNotInCopy("Query"));
  const std::string text(sql);
  return Check(PQexec(conn_, text.c_str()), PGRES_TUPLES_OK, Abbreviate(sql));
}

Result<QueryResult> Connection::Query(std::string_view sql, const std::vector<Param>& params) {
  LAKESYNC_RETURN_NOT_OK(CheckSql(sql));
  LAKESYNC_RETURN_NOT_OK(CheckNotInCopy("Query"));
  std::vector<const char*> values(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    if (params[i].has_value()) {
      if (params[i]->find('\0') != std::string::npos) {
        return Status::InvalidArgument("query parameter ${} contains a NUL byte", i + 1);
      }
      values[i] = params[i]->c_str();
    } else {
      values[i] = nullptr;
    }
  }
  const std::string text(sql);
  return Check(PQexecParams(conn_, text.c_str(), static_cast<int>(params.size()), nullptr,
                            values.data(), nullptr, nullptr, /*resultFormat=*/0),
               PGRES_TUPLES_OK, Abbreviate(sql));
}

Status Connection::BeginCopy(std::string_view sql) {
  LAKESYNC_RETURN_NOT_OK(CheckSql(sql));
  LAKESYNC_RETURN_NOT_OK(CheckNotInCopy("BeginCopy"));
  const std::string text(sql);
  UniqueResult result(PQexec(conn_, text.c_str()));
  if (result != nullptr && PQresultStatus(result.get()) == PGRES_COPY_IN) {
    in_copy_ = true;
    last_sqlstate_.clear();
    return Status::OK();
  }
  if (result != nullptr && PQresultStatus(result.get()) != PGRES_FATAL_ERROR &&
      PQresultStatus(result.get()) != PGRES_NONFATAL_ERROR) {
    // Not a COPY FROM STDIN; Check() puts the connection back in order.
    (void)Check(result.release(), PGRES_COPY_IN, Abbreviate(sql));
    return Status::InvalidArgument("BeginCopy needs COPY ... FROM STDIN: {}", Abbreviate(sql));
  }
  last_sqlstate_ = SqlStateOf(result.get());
  return StatusFromResult(conn_, result.get(), Abbreviate(sql));
}

Status Connection::PutCopyData(const uint8_t* data, size_t size) {
  if (!in_copy_) return Status::Internal("PutCopyData: no COPY in progress");
  // PQputCopyData takes an int length: send large buffers in pieces.
  constexpr size_t kMaxChunk = size_t{1} << 30;
  while (size > 0) {
    const size_t n = size < kMaxChunk ? size : kMaxChunk;
    if (PQputCopyData(conn_, reinterpret_cast<const char*>(data), static_cast<int>(n)) != 1) {
      // The server may have ended the COPY with an error (libpq then reports "no COPY in
      // progress"); its real reason is in the pending result.
      Status sent = StatusFromConnection(conn_, "COPY data");
      auto drained = DrainCopyResults("COPY");
      in_copy_ = false;
      if (!drained.ok()) return drained.status();
      return sent;
    }
    data += n;
    size -= n;
  }
  return Status::OK();
}

Result<int64_t> Connection::EndCopy() {
  if (!in_copy_) return Status::Internal("EndCopy: no COPY in progress");
  in_copy_ = false;
  if (PQputCopyEnd(conn_, nullptr) != 1) {
    Status sent = StatusFromConnection(conn_, "ending COPY");
    auto drained = DrainCopyResults("COPY");
    if (!drained.ok()) return drained.status();
    return sent;
  }
  return DrainCopyResults("COPY");
}

Status Connection::AbortCopy(std::string_view reason) {
  if (!in_copy_) return Status::OK();
  in_copy_ = false;
  const std::string why(reason);
  if (PQputCopyEnd(conn_, why.c_str()) != 1) {
    Status st = StatusFromConnection(conn_, "aborting COPY");
    (void)DrainCopyResults("COPY");
    return st;
  }
  (void)DrainCopyResults("COPY");
  // The server answers an aborted COPY with an error (57014); that is the expected outcome.
  return Status::OK();
}

Result<int64_t> Connection::DrainCopyResults(std::string_view what) {
  Status first_error;
  int64_t rows = 0;
  bool got_command_ok = false;
  // Bounded: a COPY ends with one result; the bound only guards against a confused libpq.
  for (int i = 0; i < 64; ++i) {
    UniqueResult result(PQgetResult(conn_));
    if (result == nullptr) break;
    const ExecStatusType status = PQresultStatus(result.get());
    if (status == PGRES_COMMAND_OK) {
      rows = QueryResult(result.release()).affected_rows();
      got_command_ok = true;
    } else if (status == PGRES_COPY_IN) {
      // Still in COPY (e.g. PQputCopyEnd could not be sent): end it and keep draining.
      if (PQputCopyEnd(conn_, "aborted by client") != 1) {
        if (first_error.ok()) first_error = StatusFromConnection(conn_, what);
        break;
      }
    } else if (first_error.ok()) {
      last_sqlstate_ = SqlStateOf(result.get());
      first_error = StatusFromResult(conn_, result.get(), what);
    }
  }
  if (!first_error.ok()) return first_error;
  if (!got_command_ok) return StatusFromConnection(conn_, what);
  last_sqlstate_.clear();
  return rows;
}

int Connection::ServerVersion() const { return PQserverVersion(conn_); }

bool Connection::IsOk() const { return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK; }

Status Connection::SetApplicationName(std::string_view name) {
  auto r = Query("SELECT pg_catalog.set_config('application_name', $1, false)",
                 {Param(std::string(name))});
  return r.status();
}

}  // namespace lakesync::pg
