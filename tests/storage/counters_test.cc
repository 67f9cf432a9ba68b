#include "storage/counters.h"

#include <deque>
#include <limits>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/merge_operator.h"
#include "tests/testing/counter_matchers.h"
#include "tests/testing/status_matchers.h"

namespace mittari::storage {
namespace {

using ::mittari::testing::Exact;
using ::mittari::testing::IsOkAndHolds;
using ::mittari::testing::StatusIs;
using ::testing::ElementsAre;

TEST(CountersTest, RoundTrips) {
  EXPECT_THAT(DecodeCounters(EncodeCounters({1, -2, 1LL << 40})),
              IsOkAndHolds(Exact(ElementsAre(1, -2, 1LL << 40))));
}

TEST(CountersTest, AddsElementByElement) {
  absl::StatusOr<std::string> sum = AddEncodedCounters(
      EncodeCounters({1, 2, 3}), EncodeCounters({10, -2, 0}));
  ASSERT_TRUE(sum.ok());
  EXPECT_THAT(DecodeCounters(*sum), IsOkAndHolds(Exact(ElementsAre(11, 0, 3))));
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
}

TEST(CountersTest, AnOverflowSaturatesAndMarksTheVectorForGood) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  absl::StatusOr<std::string> sum = AddEncodedCounters(
      EncodeCounters({kMax, 1, kMin}), EncodeCounters({1, 2, -1}));
  ASSERT_TRUE(sum.ok());
  absl::StatusOr<CounterVector> decoded = DecodeCounters(*sum);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->overflowed);
  EXPECT_THAT(decoded->values, ElementsAre(kMax, 3, kMin));
  // Taking away again cannot make it exact: nobody knows by how much it
  // passed the limit.
  sum = AddEncodedCounters(*sum, EncodeCounters({-1, -2, 1}));
  ASSERT_TRUE(sum.ok());
  decoded = DecodeCounters(*sum);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->overflowed);
  // An overflowed operand marks the sum it is added to.
  sum = AddEncodedCounters(EncodeCounters({1, 1, 1}),
                           EncodeCounters({0, 0, 0}, true));
  ASSERT_TRUE(sum.ok());
  EXPECT_TRUE(DecodeCounters(*sum)->overflowed);
  EXPECT_THAT(DecodeCounters(EncodeCounters({1}, true)),
              IsOkAndHolds(::testing::Field(&CounterVector::overflowed, true)));
}

TEST(CountersTest, SaturatingArithmetic) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  int64_t a = kMax - 1;
  EXPECT_TRUE(AddSaturating(a, 1));
  EXPECT_EQ(a, kMax);
  EXPECT_FALSE(AddSaturating(a, 1));
  EXPECT_EQ(a, kMax);
  a = kMin + 1;
  EXPECT_FALSE(AddSaturating(a, -2));
  EXPECT_EQ(a, kMin);
  a = 0;
  EXPECT_FALSE(SubtractSaturating(a, kMin));
  EXPECT_EQ(a, kMax);
  a = -2;
  EXPECT_FALSE(SubtractSaturating(a, kMax));
  EXPECT_EQ(a, kMin);
  a = 5;
  EXPECT_TRUE(SubtractSaturating(a, 7));
  EXPECT_EQ(a, -2);
}

TEST(CounterMergeOperatorTest, AnOverflowingMergeSucceedsAndIsMarked) {
  auto op = NewCounterMergeOperator();
  std::string base = EncodeCounters({std::numeric_limits<int64_t>::max()});
  rocksdb::Slice base_slice(base);
  std::vector<std::string> encoded = {EncodeCounters({5}),
                                      EncodeCounters({-3})};
  std::vector<rocksdb::Slice> operands(encoded.begin(), encoded.end());
  std::string out;
  rocksdb::Slice existing_operand;
  rocksdb::MergeOperator::MergeOperationOutput merge_out(out, existing_operand);
  ASSERT_TRUE(op->FullMergeV2(rocksdb::MergeOperator::MergeOperationInput(
                                  "k", &base_slice, operands, nullptr),
                              &merge_out));
  absl::StatusOr<CounterVector> decoded = DecodeCounters(out);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->overflowed);
}

TEST(CounterMergeOperatorTest, SumsABaseAndManyOperandsInOneMerge) {
  auto op = NewCounterMergeOperator();
  std::string base = EncodeCounters({5, 1});
  rocksdb::Slice base_slice(base);
  std::vector<std::string> encoded = {EncodeCounters({2, -1}),
                                      EncodeCounters({3, 0}),
                                      EncodeCounters({-10, 4})};
  std::vector<rocksdb::Slice> operands(encoded.begin(), encoded.end());
  std::string out;
  rocksdb::Slice existing_operand;
  rocksdb::MergeOperator::MergeOperationOutput merge_out(out, existing_operand);
  ASSERT_TRUE(op->FullMergeV2(rocksdb::MergeOperator::MergeOperationInput(
                                  "k", &base_slice, operands, nullptr),
                              &merge_out));
  EXPECT_THAT(DecodeCounters(out), IsOkAndHolds(Exact(ElementsAre(0, 4))));

  std::deque<rocksdb::Slice> partial(encoded.begin(), encoded.end());
  ASSERT_TRUE(op->PartialMergeMulti("k", partial, &out, nullptr));
  EXPECT_THAT(DecodeCounters(out), IsOkAndHolds(Exact(ElementsAre(-5, 3))));
  ASSERT_TRUE(op->PartialMerge("k", operands[0], operands[1], &out, nullptr));
  EXPECT_THAT(DecodeCounters(out), IsOkAndHolds(Exact(ElementsAre(5, -1))));
}

TEST(CounterMergeOperatorTest, RefusesACorruptOperandInsteadOfCountingZero) {
  auto op = NewCounterMergeOperator();
  std::string existing = EncodeCounters({5});
  rocksdb::Slice existing_slice(existing);
  std::string good = EncodeCounters({2});
  std::vector<rocksdb::Slice> bad = {rocksdb::Slice(good),
                                     rocksdb::Slice("not counters")};
  std::string out;
  rocksdb::Slice existing_operand;
  rocksdb::MergeOperator::MergeOperationOutput merge_out(out, existing_operand);
  using Input = rocksdb::MergeOperator::MergeOperationInput;
  EXPECT_FALSE(
      op->FullMergeV2(Input("k", &existing_slice, bad, nullptr), &merge_out));
  std::vector<rocksdb::Slice> only_bad = {bad[1]};
  EXPECT_FALSE(
      op->FullMergeV2(Input("k", nullptr, only_bad, nullptr), &merge_out));
  EXPECT_FALSE(op->PartialMerge("k", bad[0], bad[1], &out, nullptr));
  std::string other_width = EncodeCounters({1, 2});
  EXPECT_FALSE(op->PartialMerge("k", bad[0], rocksdb::Slice(other_width), &out,
                                nullptr));
}

}  // namespace
}  // namespace mittari::storage
