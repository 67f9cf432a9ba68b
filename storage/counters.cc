#include "storage/counters.h"

#include <array>
#include <deque>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "common/status_macros.h"
#include "rocksdb/merge_operator.h"

namespace mittari::storage {
namespace {

constexpr uint8_t kMagic = 0xC7;            // exact
constexpr uint8_t kMagicOverflowed = 0xC8;  // an add saturated
constexpr size_t kHeader = 2;
constexpr size_t kMaxCounters = 255;

uint64_t Load64(const char* p) {
  uint64_t u = 0;
  for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<uint8_t>(p[i]);
  return u;
}

std::string Encode(const int64_t* counters, size_t n, bool overflowed) {
  std::string out(kHeader + 8 * n, '\0');
  out[0] = static_cast<char>(overflowed ? kMagicOverflowed : kMagic);
  out[1] = static_cast<char>(n);
  char* p = out.data() + kHeader;
  for (size_t k = 0; k < n; ++k) {
    auto u = static_cast<uint64_t>(counters[k]);
    for (int i = 0; i < 8; ++i) *p++ = static_cast<char>((u >> (8 * i)) & 0xff);
  }
  return out;
}

bool IsOverflowed(absl::string_view encoded) {
  return static_cast<uint8_t>(encoded[0]) == kMagicOverflowed;
}

// The number of counters in `encoded`, or an error if it is not a counter
// vector.
absl::StatusOr<size_t> CheckEncoded(absl::string_view encoded) {
  if (encoded.size() < kHeader ||
      (static_cast<uint8_t>(encoded[0]) != kMagic && !IsOverflowed(encoded))) {
    return errors::DataLoss("counter value has no counter header");
  }
  size_t n = static_cast<uint8_t>(encoded[1]);
  if (n == 0 || n > kMaxCounters || encoded.size() != kHeader + 8 * n) {
    return errors::DataLoss(absl::StrCat("counter value of ", encoded.size(),
                                         " bytes for ", n, " counters"));
  }
  return n;
}

// A running sum of encoded counter vectors, without an allocation per
// operand: merges add hundreds of operands per key.
class Sum {
 public:
  absl::Status Add(absl::string_view encoded) {
    absl::StatusOr<size_t> n = CheckEncoded(encoded);
    if (!n.ok()) return n.status();
    if (size_ == 0) {
      size_ = *n;
    } else if (*n != size_) {
      return errors::DataLoss(
          absl::StrCat("adding ", *n, " counters to ", size_));
    }
    overflowed_ = overflowed_ || IsOverflowed(encoded);
    const char* p = encoded.data() + kHeader;
    for (size_t k = 0; k < size_; ++k, p += 8) {
      if (!AddSaturating(sum_[k], static_cast<int64_t>(Load64(p)))) {
        overflowed_ = true;
      }
    }
    return absl::OkStatus();
  }

  std::string Encoded() const {
    return Encode(sum_.data(), size_, overflowed_);
  }

 private:
  std::array<int64_t, kMaxCounters> sum_{};
  size_t size_ = 0;
  bool overflowed_ = false;
};

absl::string_view View(const rocksdb::Slice& s) { return {s.data(), s.size()}; }

// Sums `operands` (and `base` if there is one) into `out`. A corrupt operand
// fails the merge, which RocksDB reports as Corruption: it is never counted
// as zero.
template <typename Operands>
bool SumInto(const rocksdb::Slice* base, const Operands& operands,
             std::string* out) {
  Sum sum;
  if (base != nullptr && !sum.Add(View(*base)).ok()) return false;
  for (const rocksdb::Slice& operand : operands) {
    if (!sum.Add(View(operand)).ok()) return false;
  }
  *out = sum.Encoded();
  return true;
}

class CounterMergeOperator final : public rocksdb::MergeOperator {
 public:
  bool FullMergeV2(const MergeOperationInput& in,
                   MergeOperationOutput* out) const override {
    return SumInto(in.existing_value, in.operand_list, &out->new_value);
  }

  bool PartialMerge(const rocksdb::Slice& /*key*/, const rocksdb::Slice& left,
                    const rocksdb::Slice& right, std::string* new_value,
                    rocksdb::Logger* /*logger*/) const override {
    return SumInto(nullptr, std::array<rocksdb::Slice, 2>{left, right},
                   new_value);
  }

  bool PartialMergeMulti(const rocksdb::Slice& /*key*/,
                         const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value,
                         rocksdb::Logger* /*logger*/) const override {
    return SumInto(nullptr, operands, new_value);
  }

  const char* Name() const override { return "mittari.CounterMerge.v1"; }
};

}  // namespace

std::string EncodeCounters(const Counters& counters, bool overflowed) {
  return Encode(counters.data(), counters.size(), overflowed);
}

absl::StatusOr<CounterVector> DecodeCounters(absl::string_view encoded) {
  absl::StatusOr<size_t> n = CheckEncoded(encoded);
  if (!n.ok()) return n.status();
  CounterVector out{Counters(*n), IsOverflowed(encoded)};
  const char* p = encoded.data() + kHeader;
  for (size_t k = 0; k < *n; ++k, p += 8) {
    out.values[k] = static_cast<int64_t>(Load64(p));
  }
  return out;
}

absl::StatusOr<std::string> AddEncodedCounters(absl::string_view existing,
                                               absl::string_view operand) {
  Sum sum;
  absl::Status status = sum.Add(existing);
  status.Update(sum.Add(operand));
  if (!status.ok()) return status;
  return sum.Encoded();
}

absl::Status AddEncodedCountersInPlace(absl::Span<char> sum,
                                       absl::string_view operand) {
  ASSIGN_OR_RETURN(size_t n,
                   CheckEncoded(absl::string_view(sum.data(), sum.size())));
  ASSIGN_OR_RETURN(size_t m, CheckEncoded(operand));
  if (n != m) {
    return errors::DataLoss(absl::StrCat("adding ", m, " counters to ", n));
  }
  bool overflowed = IsOverflowed(absl::string_view(sum.data(), sum.size())) ||
                    IsOverflowed(operand);
  char* p = sum.data() + kHeader;
  const char* q = operand.data() + kHeader;
  for (size_t k = 0; k < n; ++k, p += 8, q += 8) {
    auto total = static_cast<int64_t>(Load64(p));
    if (!AddSaturating(total, static_cast<int64_t>(Load64(q)))) {
      overflowed = true;
    }
    auto u = static_cast<uint64_t>(total);
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>((u >> (8 * i)) & 0xff);
  }
  sum[0] = static_cast<char>(overflowed ? kMagicOverflowed : kMagic);
  return absl::OkStatus();
}

std::shared_ptr<rocksdb::MergeOperator> NewCounterMergeOperator() {
  return std::make_shared<CounterMergeOperator>();
}

}  // namespace mittari::storage
