#include "domain/validation.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace mittari::domain {

void Violations::Add(absl::string_view field, absl::string_view reason) {
  list_.push_back({absl::StrCat(prefix_, field), std::string(reason)});
}

void Violations::Merge(const absl::Status& status) {
  for (const errors::FieldViolation& v : errors::FieldViolations(status)) {
    list_.push_back({absl::StrCat(prefix_, v.field), v.description});
  }
}

absl::Status Violations::ToStatus() const {
  if (list_.empty()) return absl::OkStatus();
  return errors::InvalidArguments(list_);
}

void Violations::Required(absl::string_view field, absl::string_view value) {
  if (absl::StripAsciiWhitespace(value).empty()) Add(field, "is required");
}

void Violations::MaxLength(absl::string_view field, absl::string_view value,
                           size_t max) {
  if (value.size() > max) {
    Add(field, absl::StrCat("must be at most ", max, " characters"));
  }
}

void Violations::Id(absl::string_view field, absl::string_view value) {
  if (value.empty()) {
    Add(field, "is required");
  } else if (!IsValidId(value)) {
    Add(field, "must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', '-'");
  }
}

void Violations::TimeInRange(absl::string_view field, int64_t us) {
  if (us != 0 && (us < 0 || us >= kMaxTimeUs)) {
    Add(field, "must be between 1970-01-01 and 2100-01-01");
  }
}

void Violations::Between(absl::string_view field, int64_t value, int64_t min,
                         int64_t max) {
  if (value < min || value > max) {
    Add(field, absl::StrCat("must be between ", min, " and ", max));
  }
}

bool IsValidId(absl::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace mittari::domain
