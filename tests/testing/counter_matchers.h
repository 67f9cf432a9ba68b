// Matches an exact (not overflowed) storage::CounterVector whose values
// match `values`, e.g. Exact(ElementsAre(1, 2)).
#ifndef MITTARI_TESTS_TESTING_COUNTER_MATCHERS_H_
#define MITTARI_TESTS_TESTING_COUNTER_MATCHERS_H_

#include "gmock/gmock.h"
#include "storage/counters.h"

namespace mittari::testing {

template <typename ValuesMatcher>
auto Exact(ValuesMatcher values) {
  return ::testing::AllOf(
      ::testing::Field("values", &storage::CounterVector::values, values),
      ::testing::Field("overflowed", &storage::CounterVector::overflowed,
                       false));
}

}  // namespace mittari::testing

#endif  // MITTARI_TESTS_TESTING_COUNTER_MATCHERS_H_
