// Early-return helpers for Status and Result<T>.
#pragma once

#include "lakesync/common/result.h"
#include "lakesync/common/status.h"

#define LAKESYNC_CONCAT_INNER(a, b) a##b
#define LAKESYNC_CONCAT(a, b) LAKESYNC_CONCAT_INNER(a, b)

/// Returns the Status of `expr` from the enclosing function when it is not OK.
#define LAKESYNC_RETURN_NOT_OK(expr)                                \
  do {                                                              \
    ::lakesync::Status _lakesync_st = ::lakesync::ToStatus((expr)); \
    if (!_lakesync_st.ok()) return _lakesync_st;                    \
  } while (false)

#define LAKESYNC_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

/// `lhs = value of rexpr`, or return its Status from the enclosing function.
#define LAKESYNC_ASSIGN_OR_RETURN(lhs, rexpr) \
  LAKESYNC_ASSIGN_OR_RETURN_IMPL(LAKESYNC_CONCAT(_lakesync_r_, __COUNTER__), lhs, rexpr)

namespace lakesync {
inline const Status& ToStatus(const Status& s) { return s; }
template <typename T>
const Status& ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace lakesync
