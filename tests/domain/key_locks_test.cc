#include "domain/key_locks.h"

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace mittari::domain {
namespace {

TEST(KeyLocksTest, GuardsOfDisjointKeysAreHeldTogether) {
  KeyLocks locks;
  // Many keys each: with locks striped by hash, these would share a stripe.
  std::vector<std::string> a;
  std::vector<std::string> b;
  for (int i = 0; i < 1000; ++i) {
    a.push_back("a" + std::to_string(i));
    b.push_back("b" + std::to_string(i));
  }
  KeyLocks::Guard first(locks, a);
  absl::Notification taken;
  std::thread other([&] {
    KeyLocks::Guard second(locks, b);
    taken.Notify();
  });
  EXPECT_TRUE(taken.WaitForNotificationWithTimeout(absl::Seconds(10)));
  other.join();
}

TEST(KeyLocksTest, AGuardWaitsForEveryKeyItShares) {
  KeyLocks locks;
  std::atomic<bool> released{false};
  std::atomic<bool> taken_after_release{false};
  auto first = std::make_unique<KeyLocks::Guard>(
      locks, std::vector<std::string>{"x", "y"});
  std::thread other([&] {
    // Shares only "y", and names it twice.
    KeyLocks::Guard second(locks, {"z", "y", "y"});
    taken_after_release = released.load();
  });
  absl::SleepFor(absl::Milliseconds(50));
  released = true;
  first.reset();
  other.join();
  EXPECT_TRUE(taken_after_release);
  // Everything was released: all keys can be taken again at once.
  KeyLocks::Guard again(locks, {"x", "y", "z"});
}

TEST(KeyLocksTest, ManyThreadsOnOverlappingKeysNeverShareAKey) {
  KeyLocks locks;
  std::array<std::atomic<int>, 4> holders{};
  std::atomic<bool> overlap{false};
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        std::vector<int> mine = {(t + i) % 4};
        if ((t * 3 + i) % 4 != mine[0]) mine.push_back((t * 3 + i) % 4);
        std::vector<std::string> keys;
        keys.reserve(mine.size());
        for (int k : mine) keys.push_back("k" + std::to_string(k));
        KeyLocks::Guard guard(locks, keys);
        for (int k : mine) {
          if (holders[k].fetch_add(1) != 0) overlap = true;
        }
        std::this_thread::yield();
        for (int k : mine) holders[k].fetch_sub(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_FALSE(overlap);
}

}  // namespace
}  // namespace mittari::domain
