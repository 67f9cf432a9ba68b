// The rollup log (storage/rollup_log.h): counter adds buffered in memory
// and made durable through a log read exactly as if each add had been a
// merge, before, during and after a checkpoint, and across a reopen.
#include "storage/rollup_log.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/counters.h"
#include "storage/rocksdb_store.h"
#include "tests/testing/counter_matchers.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace mittari::storage {
namespace {

using ::mittari::testing::Exact;
using ::mittari::testing::IsOk;
using ::mittari::testing::IsOkAndHolds;
using ::mittari::testing::StatusIs;
using ::testing::ElementsAre;

std::unique_ptr<RocksDbStore> OpenStore(const std::string& path,
                                        int64_t checkpoint_ms) {
  RocksDbStore::Options options;
  options.rollup_checkpoint_ms = checkpoint_ms;
  auto store = RocksDbStore::Open(path, options);
  EXPECT_THAT(store.status(), IsOk());
  return store.ok() ? *std::move(store) : nullptr;
}

// The first counter of `key`, or -1 when there is none.
int64_t First(const ReadView& view, const std::string& key) {
  absl::StatusOr<std::optional<std::string>> value =
      view.Get(ColumnFamily::kRollups, key);
  EXPECT_THAT(value.status(), IsOk());
  if (!value.ok() || !value->has_value()) return -1;
  absl::StatusOr<CounterVector> counters = DecodeCounters(**value);
  EXPECT_THAT(counters.status(), IsOk());
  return counters.ok() ? counters->values[0] : -1;
}

// Every rollup key with its first counter, by a scan of `view`.
std::vector<std::pair<std::string, int64_t>> ScanAll(const ReadView& view) {
  std::vector<std::pair<std::string, int64_t>> out;
  EXPECT_THAT(view.Scan(ColumnFamily::kRollups, "", "",
                        [&](absl::string_view key, absl::string_view value) {
                          absl::StatusOr<CounterVector> c =
                              DecodeCounters(value);
                          EXPECT_THAT(c.status(), IsOk());
                          out.emplace_back(std::string(key),
                                           c.ok() ? c->values[0] : -1);
                          return true;
                        }),
              IsOk());
  return out;
}

TEST(RollupLogTest, EntriesRoundTrip) {
  std::string a = EncodeCounters({1, 2});
  std::string b = EncodeCounters({-3});
  std::string entry = EncodeLogEntry({{"k1", a}, {"k2", b}});
  std::vector<std::pair<std::string, std::string>> read;
  ASSERT_THAT(DecodeLogEntry(entry,
                             [&](absl::string_view k, absl::string_view v) {
                               read.emplace_back(k, v);
                             }),
              IsOk());
  EXPECT_THAT(read, ElementsAre(std::pair<std::string, std::string>("k1", a),
                                std::pair<std::string, std::string>("k2", b)));
  EXPECT_THAT(DecodeLogEntry(entry.substr(0, entry.size() - 1),
                             [](absl::string_view, absl::string_view) {}),
              StatusIs(absl::StatusCode::kDataLoss));
  EXPECT_THAT(DecodeLogEntryKey(LogEntryKey(42)), IsOkAndHolds(42u));
  EXPECT_LT(LogMarkerKey(), LogEntryKey(0));
  EXPECT_LT(LogEntryKey(255), LogEntryKey(256));
}

TEST(RollupLogTest, AddsReadTheSameBeforeAndAfterACheckpoint) {
  testing::TempDir dir;
  std::unique_ptr<RocksDbStore> store = OpenStore(dir.Sub("db"), 0);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 10; ++i) {
    WriteBatch batch;
    batch.AddCounters(ColumnFamily::kRollups, "w/a", {1});
    batch.AddCounters(ColumnFamily::kRollups, absl::StrCat("w/b", i % 3), {i});
    batch.Put(ColumnFamily::kFacts, absl::StrCat("w/fact", i), "x");
    ASSERT_THAT(store->Write(batch), IsOk());
    if (i == 4) {
      ASSERT_THAT(store->CheckpointRollups(), IsOk());
    }
  }
  // Five entries since the checkpoint: one per write.
  EXPECT_THAT(store->RollupLogEntries(), IsOkAndHolds(5));
  const std::vector<std::pair<std::string, int64_t>> want = {
      {"w/a", 10},
      {"w/b0", 0 + 3 + 6 + 9},
      {"w/b1", 1 + 4 + 7},
      {"w/b2", 2 + 5 + 8}};
  EXPECT_EQ(ScanAll(*store), want);
  EXPECT_EQ(First(*store, "w/a"), 10);
  EXPECT_EQ(First(*store, "w/none"), -1);
  ASSERT_THAT(store->CheckpointRollups(), IsOk());
  EXPECT_THAT(store->RollupLogEntries(), IsOkAndHolds(0));
  EXPECT_EQ(ScanAll(*store), want);
  EXPECT_EQ(First(*store, "w/b1"), 12);
  // A scan that stops early stops.
  int visited = 0;
  ASSERT_THAT(store->Scan(ColumnFamily::kRollups, "w/a", "",
                          [&](absl::string_view, absl::string_view) {
                            return ++visited < 2;
                          }),
              IsOk());
  EXPECT_EQ(visited, 2);
}

TEST(RollupLogTest, ASnapshotReadsTheSameAcrossACheckpoint) {
  testing::TempDir dir;
  std::unique_ptr<RocksDbStore> store = OpenStore(dir.Sub("db"), 0);
  ASSERT_NE(store, nullptr);
  WriteBatch batch;
  batch.AddCounters(ColumnFamily::kRollups, "w/a", {5});
  ASSERT_THAT(store->Write(batch), IsOk());
  ASSERT_THAT(store->CheckpointRollups(), IsOk());
  ASSERT_THAT(store->Write(batch), IsOk());
  std::unique_ptr<ReadView> snapshot = store->NewSnapshot();
  EXPECT_EQ(First(*snapshot, "w/a"), 10);
  ASSERT_THAT(store->CheckpointRollups(), IsOk());
  EXPECT_EQ(First(*snapshot, "w/a"), 10);
  EXPECT_EQ(ScanAll(*snapshot).size(), 1u);
  EXPECT_EQ(First(*store, "w/a"), 10);
}

TEST(RollupLogTest, ADeleteOfARollupKeyGoesAfterItsBufferedAdds) {
  testing::TempDir dir;
  std::unique_ptr<RocksDbStore> store = OpenStore(dir.Sub("db"), 0);
  ASSERT_NE(store, nullptr);
  WriteBatch add;
  add.AddCounters(ColumnFamily::kRollups, "w/a", {2});
  ASSERT_THAT(store->Write(add), IsOk());
  WriteBatch erase;
  erase.Delete(ColumnFamily::kRollups, "w/a");
  ASSERT_THAT(store->Write(erase), IsOk());
  EXPECT_EQ(First(*store, "w/a"), -1);
  ASSERT_THAT(store->Write(add), IsOk());
  EXPECT_EQ(First(*store, "w/a"), 2);
  WriteBatch range;
  range.DeleteRange(ColumnFamily::kRollups, "w/", "w0");
  ASSERT_THAT(store->Write(range), IsOk());
  EXPECT_TRUE(ScanAll(*store).empty());
}

TEST(RollupLogTest, AMismatchedAddMakesTheKeyUnreadableNotZero) {
  testing::TempDir dir;
  std::unique_ptr<RocksDbStore> store = OpenStore(dir.Sub("db"), 0);
  ASSERT_NE(store, nullptr);
  WriteBatch one;
  one.AddCounters(ColumnFamily::kRollups, "w/a", {1});
  WriteBatch two;
  two.AddCounters(ColumnFamily::kRollups, "w/a", {1, 2});
  ASSERT_THAT(store->Write(one), IsOk());
  ASSERT_THAT(store->Write(two), IsOk());
  EXPECT_THAT(store->Get(ColumnFamily::kRollups, "w/a"),
              StatusIs(absl::StatusCode::kDataLoss));
}

TEST(RollupLogTest, AReopenReplaysWhatNoCheckpointStored) {
  testing::TempDir dir;
  {
    std::unique_ptr<RocksDbStore> store = OpenStore(dir.Sub("db"), 0);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 3; ++i) {
      WriteBatch batch;
      batch.AddCounters(ColumnFamily::kRollups, "w/a", {1});
      ASSERT_THAT(store->Write(batch), IsOk());
    }
    ASSERT_THAT(store->CheckpointRollups(), IsOk());
    WriteBatch batch;
    batch.AddCounters(ColumnFamily::kRollups, "w/a", {10});
    ASSERT_THAT(store->Write(batch), IsOk());
    ASSERT_THAT(store->Close(), IsOk());
  }
  std::unique_ptr<RocksDbStore> store = OpenStore(dir.Sub("db"), 0);
  ASSERT_NE(store, nullptr);
  // Close checkpointed: nothing is left to replay.
  EXPECT_THAT(store->RollupLogEntries(), IsOkAndHolds(0));
  EXPECT_EQ(First(*store, "w/a"), 13);
}

// Writers, a checkpoint every millisecond and readers at once: a reader
// never sees a key's sum go down (a delta lost between the buffer and the
// store) or pass what was written (one counted twice).
TEST(RollupLogTest, ConcurrentWritersCheckpointsAndReadersAgree) {
  testing::TempDir dir;
  std::unique_ptr<RocksDbStore> store = OpenStore(dir.Sub("db"), 1);
  ASSERT_NE(store, nullptr);
  constexpr int kWriters = 3;
  constexpr int kWrites = 400;
  std::atomic<int64_t> acknowledged{0};
  std::atomic<bool> done{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(w);
      for (int i = 0; i < kWrites; ++i) {
        WriteBatch batch;
        batch.AddCounters(ColumnFamily::kRollups, "w/total", {1});
        batch.AddCounters(ColumnFamily::kRollups,
                          absl::StrCat("w/k", rng() % 50), {1});
        EXPECT_THAT(store->Write(batch), IsOk());
        acknowledged.fetch_add(1);
      }
    });
  }
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&, r] {
      int64_t last = 0;
      while (!done.load()) {
        const int64_t before = acknowledged.load();
        int64_t total = 0;
        if (r == 0) {
          total = std::max<int64_t>(First(*store, "w/total"), 0);
        } else {
          std::unique_ptr<ReadView> snapshot = store->NewSnapshot();
          int64_t keys = 0;
          for (const auto& [key, n] : ScanAll(*snapshot)) {
            if (key == "w/total") {
              total = n;
            } else {
              keys += n;
            }
          }
          EXPECT_EQ(keys, total);
        }
        EXPECT_GE(total, last);
        EXPECT_GE(total, before);
        EXPECT_LE(total, int64_t{kWriters} * kWrites);
        last = total;
      }
    });
  }
  for (std::thread& t : writers) t.join();
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(First(*store, "w/total"), kWriters * kWrites);
  ASSERT_THAT(store->CheckpointRollups(), IsOk());
  EXPECT_EQ(First(*store, "w/total"), kWriters * kWrites);
  EXPECT_THAT(store->RollupLogEntries(), IsOkAndHolds(0));
}

}  // namespace
}  // namespace mittari::storage
