#include "storage/counters.h"

#include "absl/strings/str_cat.h"
#include "common/errors.h"
#include "rocksdb/merge_operator.h"

namespace mittari::storage {
namespace {

constexpr uint8_t kMagic = 0xC7;
constexpr size_t kHeader = 2;
constexpr size_t kMaxCounters = 255;

class CounterMergeOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice& /*key*/,
             const rocksdb::Slice* existing_value, const rocksdb::Slice& value,
             std::string* new_value,
             rocksdb::Logger* /*logger*/) const override {
    absl::string_view operand(value.data(), value.size());
    if (existing_value == nullptr) {
      // Validate even the first operand: a corrupt one must never be stored.
      if (!DecodeCounters(operand).ok()) return false;
      new_value->assign(operand.data(), operand.size());
      return true;
    }
    absl::StatusOr<std::string> sum = AddEncodedCounters(
        absl::string_view(existing_value->data(), existing_value->size()),
        operand);
    if (!sum.ok()) return false;  // RocksDB reports Corruption
    *new_value = *std::move(sum);
    return true;
  }

  const char* Name() const override { return "mittari.CounterMerge.v1"; }
};

}  // namespace

std::string EncodeCounters(const Counters& counters) {
  std::string out;
  out.reserve(kHeader + 8 * counters.size());
  out.push_back(static_cast<char>(kMagic));
  out.push_back(static_cast<char>(counters.size()));
  for (int64_t c : counters) {
    auto u = static_cast<uint64_t>(c);
    for (int i = 0; i < 8; ++i) {
      out.push_back(static_cast<char>((u >> (8 * i)) & 0xff));
    }
  }
  return out;
}

absl::StatusOr<Counters> DecodeCounters(absl::string_view encoded) {
  if (encoded.size() < kHeader || static_cast<uint8_t>(encoded[0]) != kMagic) {
    return errors::DataLoss("counter value has no counter header");
  }
  size_t n = static_cast<uint8_t>(encoded[1]);
  if (n == 0 || n > kMaxCounters || encoded.size() != kHeader + 8 * n) {
    return errors::DataLoss(absl::StrCat("counter value of ", encoded.size(),
                                         " bytes for ", n, " counters"));
  }
  Counters out(n);
  for (size_t k = 0; k < n; ++k) {
    uint64_t u = 0;
    for (int i = 7; i >= 0; --i) {
      u = (u << 8) | static_cast<uint8_t>(encoded[kHeader + 8 * k + i]);
    }
    out[k] = static_cast<int64_t>(u);
  }
  return out;
}

absl::StatusOr<std::string> AddEncodedCounters(absl::string_view existing,
                                               absl::string_view operand) {
  absl::StatusOr<Counters> a = DecodeCounters(existing);
  if (!a.ok()) return a.status();
  absl::StatusOr<Counters> b = DecodeCounters(operand);
  if (!b.ok()) return b.status();
  if (a->size() != b->size()) {
    return errors::DataLoss(
        absl::StrCat("adding ", b->size(), " counters to ", a->size()));
  }
  for (size_t i = 0; i < a->size(); ++i) {
    if (__builtin_add_overflow((*a)[i], (*b)[i], &(*a)[i])) {
      return errors::DataLoss("counter overflow");
    }
  }
  return EncodeCounters(*a);
}

std::shared_ptr<rocksdb::MergeOperator> NewCounterMergeOperator() {
  return std::make_shared<CounterMergeOperator>();
}

}  // namespace mittari::storage
