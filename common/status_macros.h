// RETURN_IF_ERROR and ASSIGN_OR_RETURN for absl::Status / absl::StatusOr.
// (Debian's Abseil 20220623 has no status_macros.h.)
#ifndef MITTARI_COMMON_STATUS_MACROS_H_
#define MITTARI_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define MITTARI_CONCAT_INNER_(a, b) a##b
#define MITTARI_CONCAT_(a, b) MITTARI_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function if it is not OK.
#define RETURN_IF_ERROR(expr)                                           \
  do {                                                                  \
    if (absl::Status mittari_status_ = (expr); !mittari_status_.ok()) { \
      return mittari_status_;                                           \
    }                                                                   \
  } while (false)

// Evaluates `rexpr` (an absl::StatusOr<T>); on error returns its status,
// otherwise moves the value into `lhs`, which may be a declaration.
#define ASSIGN_OR_RETURN(lhs, rexpr)                                          \
  MITTARI_ASSIGN_OR_RETURN_IMPL_(MITTARI_CONCAT_(mittari_or_, __LINE__), lhs, \
                                 rexpr)

// `lhs` may be a declaration, so it cannot be parenthesized.
// NOLINTBEGIN(bugprone-macro-parentheses)
#define MITTARI_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                   \
  if (!statusor.ok()) {                                      \
    return std::move(statusor).status();                     \
  }                                                          \
  lhs = *std::move(statusor)
// NOLINTEND(bugprone-macro-parentheses)

#endif  // MITTARI_COMMON_STATUS_MACROS_H_
