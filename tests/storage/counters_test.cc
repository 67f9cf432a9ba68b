#include "storage/counters.h"

#include <limits>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/merge_operator.h"
#include "tests/testing/status_matchers.h"

namespace mittari::storage {
namespace {

using ::mittari::testing::IsOkAndHolds;
using ::mittari::testing::StatusIs;
using ::testing::ElementsAre;

TEST(CountersTest, RoundTrips) {
  EXPECT_THAT(DecodeCounters(EncodeCounters({1, -2, 1LL << 40})),
              IsOkAndHolds(ElementsAre(1, -2, 1LL << 40)));
}

TEST(CountersTest, AddsElementByElement) {
  absl::StatusOr<std::string> sum = AddEncodedCounters(
      EncodeCounters({1, 2, 3}), EncodeCounters({10, -2, 0}));
  ASSERT_TRUE(sum.ok());
  EXPECT_THAT(DecodeCounters(*sum), IsOkAndHolds(ElementsAre(11, 0, 3)));
}

TEST(CountersTest, RejectsCorruptOperands) {
  std::string good = EncodeCounters({1, 2});
  EXPECT_THAT(DecodeCounters(""), StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeCounters("garbage!"),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeCounters(good.substr(0, good.size() - 1)),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(AddEncodedCounters(good, EncodeCounters({1})),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(
      AddEncodedCounters(EncodeCounters({std::numeric_limits<int64_t>::max()}),
                         EncodeCounters({1})),
      StatusIs(absl::StatusCode::kDataLoss));
}

TEST(CounterMergeOperatorTest, RefusesACorruptOperandInsteadOfCountingZero) {
  auto op = NewCounterMergeOperator();
  auto* assoc = dynamic_cast<rocksdb::AssociativeMergeOperator*>(op.get());
  ASSERT_NE(assoc, nullptr);
  std::string existing = EncodeCounters({5});
  rocksdb::Slice existing_slice(existing);
  std::string out;
  std::string good = EncodeCounters({2});
  EXPECT_TRUE(assoc->Merge("k", &existing_slice, good, &out, nullptr));
  EXPECT_THAT(DecodeCounters(out), IsOkAndHolds(ElementsAre(7)));
  EXPECT_FALSE(
      assoc->Merge("k", &existing_slice, "not counters", &out, nullptr));
  EXPECT_FALSE(assoc->Merge("k", nullptr, "not counters", &out, nullptr));
}

}  // namespace
}  // namespace mittari::storage
