// A second thread for a job that is otherwise one thread's work: Both runs
// one task on it while the caller runs another, and returns when both have
// ended. An import stages its counter column family on it beside the rest
// (storage/import.h), so that a job uses two cores instead of one.
#ifndef MITTARI_STORAGE_SIDE_THREAD_H_
#define MITTARI_STORAGE_SIDE_THREAD_H_

#include <thread>

#include "absl/functional/function_ref.h"
#include "absl/synchronization/mutex.h"

namespace mittari::storage {

class SideThread {
 public:
  SideThread() : thread_([this] { Loop(); }) {}
  ~SideThread() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    thread_.join();
  }
  SideThread(const SideThread&) = delete;
  SideThread& operator=(const SideThread&) = delete;

  // Runs `side` on the side thread and `here` on the caller's; returns
  // when both have returned. One caller at a time.
  void Both(absl::FunctionRef<void()> side, absl::FunctionRef<void()> here) {
    {
      absl::MutexLock lock(&mu_);
      task_ = &side;
    }
    here();
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](const absl::FunctionRef<void()>** task) {
          return *task == nullptr;
        },
        &task_));
  }

 private:
  void Loop() {
    absl::MutexLock lock(&mu_);
    while (true) {
      mu_.Await(absl::Condition(
          +[](SideThread* t) { return t->stop_ || t->task_ != nullptr; },
          this));
      if (task_ == nullptr) return;  // stopped with nothing to run
      const absl::FunctionRef<void()>* task = task_;
      mu_.Unlock();
      (*task)();
      mu_.Lock();
      task_ = nullptr;
    }
  }

  absl::Mutex mu_;
  const absl::FunctionRef<void()>* task_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_SIDE_THREAD_H_
