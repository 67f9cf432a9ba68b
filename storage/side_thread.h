// A second thread for a job that is otherwise one thread's work: Start
// runs a task on it while the caller goes on, Wait waits for the task, and
// Both runs one task on it while the caller runs another. An import job
// stages a message's rollups and records on it while the handler checks
// the next message, and splits its spills and table files between the two
// (storage/import.h), so that a job uses two cores instead of one.
#ifndef MITTARI_STORAGE_SIDE_THREAD_H_
#define MITTARI_STORAGE_SIDE_THREAD_H_

#include <functional>
#include <thread>
#include <utility>

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

  // Starts `task` on the side thread. The task started before must have
  // been waited for.
  void Start(std::function<void()> task) {
    absl::MutexLock lock(&mu_);
    task_ = std::move(task);
    running_ = true;
  }
  // Returns once the task started last has returned.
  void Wait() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](SideThread* t) { return !t->running_; }, this));
  }
  // Runs `side` on the side thread and `here` on the caller's; returns
  // when both have returned.
  void Both(absl::FunctionRef<void()> side, absl::FunctionRef<void()> here) {
    Start([side] { side(); });
    here();
    Wait();
  }

 private:
  void Loop() {
    absl::MutexLock lock(&mu_);
    while (true) {
      mu_.Await(absl::Condition(
          +[](SideThread* t) { return t->stop_ || t->task_ != nullptr; },
          this));
      if (task_ == nullptr) return;  // stopped with nothing to run
      std::function<void()> task = std::move(task_);
      task_ = nullptr;
      mu_.Unlock();
      task();
      mu_.Lock();
      running_ = false;
    }
  }

  absl::Mutex mu_;
  std::function<void()> task_ ABSL_GUARDED_BY(mu_);
  bool running_ ABSL_GUARDED_BY(mu_) = false;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_SIDE_THREAD_H_
