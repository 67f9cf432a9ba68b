// Collects the answers of asynchronous writes (a ledger's SubmitAsync or
// PutAsync): Done() makes the callback of the next write, Wait() blocks
// until every write so made has been answered and returns the answers in
// the order the writes were made.
#ifndef MITTARI_TESTS_TESTING_ASYNC_RESULTS_H_
#define MITTARI_TESTS_TESTING_ASYNC_RESULTS_H_

#include <cstddef>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"

namespace mittari::testing {

template <typename T>
class AsyncResults {
 public:
  std::function<void(absl::StatusOr<T>)> Done() {
    absl::MutexLock lock(&mu_);
    const size_t index = results_.size();
    results_.emplace_back();
    return [this, index](absl::StatusOr<T> result) {
      absl::MutexLock answer(&mu_);
      results_[index] = std::move(result);
      ++answered_;
    };
  }

  std::vector<absl::StatusOr<T>> Wait() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](AsyncResults* self) ABSL_EXCLUSIVE_LOCKS_REQUIRED(self->mu_) {
          return self->answered_ == self->results_.size();
        },
        this));
    std::vector<absl::StatusOr<T>> out;
    out.reserve(results_.size());
    for (std::optional<absl::StatusOr<T>>& r : results_) {
      out.push_back(*std::move(r));
    }
    results_.clear();
    answered_ = 0;
    return out;
  }

 private:
  absl::Mutex mu_;
  std::vector<std::optional<absl::StatusOr<T>>> results_ ABSL_GUARDED_BY(mu_);
  size_t answered_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace mittari::testing

#endif  // MITTARI_TESTS_TESTING_ASYNC_RESULTS_H_
