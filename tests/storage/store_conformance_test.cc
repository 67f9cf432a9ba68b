// One suite, run against every Store backend: what the domain may rely on.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/cached_store.h"
#include "storage/import.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"
#include "storage/rocksdb_store.h"
#include "tests/testing/counter_matchers.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace mittari::storage {
namespace {

using ::mittari::testing::Exact;
using ::mittari::testing::IsOk;
using ::mittari::testing::IsOkAndHolds;
using ::testing::ElementsAre;
using ::testing::Optional;
using ::testing::Pair;

struct Backend {
  std::string name;
  std::function<std::unique_ptr<Store>(const std::string& dir)> open;
};

class StoreConformanceTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { store_ = GetParam().open(dir_.Sub("db")); }

  std::vector<std::pair<std::string, std::string>> ScanAll(
      const ReadView& view, ColumnFamily cf, absl::string_view prefix) {
    std::vector<std::pair<std::string, std::string>> out;
    EXPECT_THAT(view.ScanPrefix(cf, prefix,
                                [&](absl::string_view k, absl::string_view v) {
                                  out.emplace_back(std::string(k),
                                                   std::string(v));
                                  return true;
                                }),
                IsOk());
    return out;
  }

  testing::TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_P(StoreConformanceTest, PutGetDelete) {
  WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, "a", "1");
  batch.Put(ColumnFamily::kFacts, "a", "2");
  ASSERT_THAT(store_->Write(batch), IsOk());
  EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "a"),
              IsOkAndHolds(Optional(std::string("1"))));
  EXPECT_THAT(store_->Get(ColumnFamily::kFacts, "a"),
              IsOkAndHolds(Optional(std::string("2"))));
  EXPECT_THAT(store_->Get(ColumnFamily::kIndex, "a"),
              IsOkAndHolds(std::nullopt));
  WriteBatch del;
  del.Delete(ColumnFamily::kCatalog, "a");
  ASSERT_THAT(store_->Write(del), IsOk());
  EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "a"),
              IsOkAndHolds(std::nullopt));
}

TEST_P(StoreConformanceTest, ScansInKeyOrderWithinBoundsAndStops) {
  WriteBatch batch;
  for (int i : {5, 1, 3, 9, 7}) {
    batch.Put(ColumnFamily::kFacts, KeyEncoder().Str("w").U32(i).key(),
              std::to_string(i));
  }
  batch.Put(ColumnFamily::kFacts, KeyEncoder().Str("x").U32(0).key(), "other");
  ASSERT_THAT(store_->Write(batch), IsOk());
  std::vector<std::string> seen;
  ASSERT_THAT(
      store_->ScanPrefix(ColumnFamily::kFacts, KeyEncoder().Str("w").key(),
                         [&](absl::string_view, absl::string_view v) {
                           seen.emplace_back(v);
                           return seen.size() < 4;
                         }),
      IsOk());
  EXPECT_THAT(seen, ElementsAre("1", "3", "5", "7"));
  seen.clear();
  ASSERT_THAT(
      store_->Scan(ColumnFamily::kFacts, KeyEncoder().Str("w").U32(3).key(),
                   KeyEncoder().Str("w").U32(9).key(),
                   [&](absl::string_view, absl::string_view v) {
                     seen.emplace_back(v);
                     return true;
                   }),
      IsOk());
  EXPECT_THAT(seen, ElementsAre("3", "5", "7"));
}

TEST_P(StoreConformanceTest, DeleteRangeRemovesOnlyTheRange) {
  WriteBatch batch;
  for (std::string w : {"a", "b", "c"}) {
    batch.Put(ColumnFamily::kCatalog, KeyEncoder().Str(w).U8(1).key(), w);
  }
  ASSERT_THAT(store_->Write(batch), IsOk());
  std::string prefix = KeyEncoder().Str("b").key();
  WriteBatch del;
  del.DeleteRange(ColumnFamily::kCatalog, prefix, PrefixEnd(prefix));
  ASSERT_THAT(store_->Write(del), IsOk());
  EXPECT_THAT(ScanAll(*store_, ColumnFamily::kCatalog, ""),
              ElementsAre(Pair(KeyEncoder().Str("a").U8(1).key(), "a"),
                          Pair(KeyEncoder().Str("c").U8(1).key(), "c")));
}

// A batch is applied as if in the order it was built, whatever order a
// backend inserts its keys in.
TEST_P(StoreConformanceTest, ABatchKeepsTheOrderOfWritesToOneKey) {
  WriteBatch batch;
  batch.Put(ColumnFamily::kFacts, "k", "first");
  batch.Put(ColumnFamily::kFacts, "a", "other");
  batch.Delete(ColumnFamily::kFacts, "k");
  batch.Put(ColumnFamily::kFacts, "z", "other");
  batch.Put(ColumnFamily::kFacts, "k", "last");
  batch.Put(ColumnFamily::kFacts, "gone", "x");
  batch.Delete(ColumnFamily::kFacts, "gone");
  batch.AddCounters(ColumnFamily::kRollups, "c", {2});
  batch.AddCounters(ColumnFamily::kRollups, "b", {1});
  batch.AddCounters(ColumnFamily::kRollups, "c", {3});
  ASSERT_THAT(store_->Write(batch), IsOk());
  EXPECT_THAT(
      ScanAll(*store_, ColumnFamily::kFacts, ""),
      ElementsAre(Pair("a", "other"), Pair("k", "last"), Pair("z", "other")));
  absl::StatusOr<std::optional<std::string>> c =
      store_->Get(ColumnFamily::kRollups, "c");
  ASSERT_THAT(c, IsOk());
  ASSERT_TRUE(c->has_value());
  EXPECT_THAT(DecodeCounters(**c), IsOkAndHolds(Exact(ElementsAre(5))));
}

TEST_P(StoreConformanceTest, ABatchKeepsTheOrderOfPutsAndRangeDeletions) {
  WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, "b1", "put before the range");
  batch.Put(ColumnFamily::kCatalog, "a", "outside");
  batch.DeleteRange(ColumnFamily::kCatalog, "b", "c");
  batch.Put(ColumnFamily::kCatalog, "b2", "put after the range");
  ASSERT_THAT(store_->Write(batch), IsOk());
  EXPECT_THAT(
      ScanAll(*store_, ColumnFamily::kCatalog, ""),
      ElementsAre(Pair("a", "outside"), Pair("b2", "put after the range")));
}

TEST_P(StoreConformanceTest, CountersAddWithoutARead) {
  for (int i = 0; i < 10; ++i) {
    WriteBatch batch;
    batch.AddCounters(ColumnFamily::kRollups, "k", {1, i, -i});
    ASSERT_THAT(store_->Write(batch), IsOk());
  }
  absl::StatusOr<std::optional<std::string>> value =
      store_->Get(ColumnFamily::kRollups, "k");
  ASSERT_THAT(value, IsOk());
  ASSERT_TRUE(value->has_value());
  EXPECT_THAT(DecodeCounters(**value),
              IsOkAndHolds(Exact(ElementsAre(10, 45, -45))));
}

TEST_P(StoreConformanceTest, CountersOnlyInCounterColumnFamilies) {
  WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, "x", "1");
  batch.AddCounters(ColumnFamily::kCatalog, "k", {1});
  EXPECT_FALSE(store_->Write(batch).ok());
  // Nothing of a refused batch is applied.
  EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "x"),
              IsOkAndHolds(std::nullopt));
}

TEST_P(StoreConformanceTest, MultiGetReadsAsGetInTheKeysOrder) {
  WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, "b", "cb");
  batch.Put(ColumnFamily::kFacts, "b", "fb");
  batch.Put(ColumnFamily::kFacts, "a", "fa");
  batch.AddCounters(ColumnFamily::kRollups, "r", {2, 3});
  ASSERT_THAT(store_->Write(batch), IsOk());
  std::unique_ptr<ReadView> snapshot = store_->NewSnapshot();
  WriteBatch later;
  later.Put(ColumnFamily::kFacts, "c", "fc");
  later.Put(ColumnFamily::kCatalog, "b", "cb2");
  later.AddCounters(ColumnFamily::kRollups, "r", {1, 1});
  ASSERT_THAT(store_->Write(later), IsOk());

  const std::vector<std::string> keys = {"c", "missing", "a", "b", "a"};
  EXPECT_THAT(store_->MultiGet(ColumnFamily::kFacts, keys),
              IsOkAndHolds(ElementsAre(
                  Optional(std::string("fc")), std::nullopt,
                  Optional(std::string("fa")), Optional(std::string("fb")),
                  Optional(std::string("fa")))));
  // A cached column family, read twice (the second from a cache, if any).
  for (int i = 0; i < 2; ++i) {
    EXPECT_THAT(
        store_->MultiGet(ColumnFamily::kCatalog, {"b", "a"}),
        IsOkAndHolds(ElementsAre(Optional(std::string("cb2")), std::nullopt)));
  }
  absl::StatusOr<std::vector<std::optional<std::string>>> sums =
      store_->MultiGet(ColumnFamily::kRollups, {"r"});
  ASSERT_THAT(sums, IsOk());
  ASSERT_EQ(sums->size(), 1U);
  ASSERT_TRUE((*sums)[0].has_value());
  EXPECT_THAT(DecodeCounters(*(*sums)[0]),
              IsOkAndHolds(Exact(ElementsAre(3, 4))));
  EXPECT_THAT(store_->MultiGet(ColumnFamily::kFacts, {}),
              IsOkAndHolds(::testing::IsEmpty()));

  // A snapshot reads as of its time.
  EXPECT_THAT(snapshot->MultiGet(ColumnFamily::kFacts, keys),
              IsOkAndHolds(ElementsAre(
                  std::nullopt, std::nullopt, Optional(std::string("fa")),
                  Optional(std::string("fb")), Optional(std::string("fa")))));
  // Its rollups as its Get reads them (with the rollup log, a snapshot's
  // rollups may include later adds: rollup_log.h).
  EXPECT_THAT(snapshot->MultiGet(ColumnFamily::kRollups, {"r", "none"}),
              IsOkAndHolds(ElementsAre(
                  *snapshot->Get(ColumnFamily::kRollups, "r"), std::nullopt)));
}

TEST_P(StoreConformanceTest, SnapshotsDoNotSeeLaterWrites) {
  WriteBatch first;
  first.Put(ColumnFamily::kCatalog, "k", "old");
  ASSERT_THAT(store_->Write(first), IsOk());
  std::unique_ptr<ReadView> snapshot = store_->NewSnapshot();
  WriteBatch second;
  second.Put(ColumnFamily::kCatalog, "k", "new");
  second.Put(ColumnFamily::kCatalog, "k2", "new");
  ASSERT_THAT(store_->Write(second), IsOk());
  EXPECT_THAT(snapshot->Get(ColumnFamily::kCatalog, "k"),
              IsOkAndHolds(Optional(std::string("old"))));
  EXPECT_EQ(ScanAll(*snapshot, ColumnFamily::kCatalog, "").size(), 1U);
  EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "k"),
              IsOkAndHolds(Optional(std::string("new"))));
}

TEST_P(StoreConformanceTest, CompactAllKeepsLiveData) {
  WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, "keep", "1");
  batch.Put(ColumnFamily::kCatalog, "drop", "2");
  ASSERT_THAT(store_->Write(batch), IsOk());
  WriteBatch del;
  del.Delete(ColumnFamily::kCatalog, "drop");
  ASSERT_THAT(store_->Write(del), IsOk());
  ASSERT_THAT(store_->CompactAll(), IsOk());
  EXPECT_THAT(ScanAll(*store_, ColumnFamily::kCatalog, ""),
              ElementsAre(Pair("keep", "1")));
}

TEST_P(StoreConformanceTest, CompactRangeKeepsLiveData) {
  WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, "a/keep", "1");
  batch.Put(ColumnFamily::kCatalog, "a/drop", "2");
  batch.Put(ColumnFamily::kCatalog, "b/other", "3");
  ASSERT_THAT(store_->Write(batch), IsOk());
  WriteBatch del;
  del.Delete(ColumnFamily::kCatalog, "a/drop");
  ASSERT_THAT(store_->Write(del), IsOk());
  ASSERT_THAT(store_->CompactRange("a/", "a0"), IsOk());
  EXPECT_THAT(ScanAll(*store_, ColumnFamily::kCatalog, ""),
              ElementsAre(Pair("a/keep", "1"), Pair("b/other", "3")));
}

// Imports (import.h): staged writes, visible through the import only, then
// applied all at once.
TEST_P(StoreConformanceTest, ImportIsInvisibleUntilCommitted) {
  WriteBatch before;
  before.Put(ColumnFamily::kFacts, "w/a", "old");
  before.Put(ColumnFamily::kFacts, "w/gone", "x");
  before.AddCounters(ColumnFamily::kRollups, "w/c", {1, 10});
  ASSERT_THAT(store_->Write(before), IsOk());

  absl::StatusOr<std::unique_ptr<Import>> import = store_->NewImport();
  ASSERT_THAT(import.status(), IsOk());
  WriteBatch first;
  first.Put(ColumnFamily::kFacts, "w/a", "new");
  first.Put(ColumnFamily::kFacts, "w/b", "1");
  first.Put(ColumnFamily::kIndex, "w/i", "");
  first.AddCounters(ColumnFamily::kRollups, "w/c", {1, 5});
  first.AddCounters(ColumnFamily::kRollups, "w/d", {2, 2});
  ASSERT_THAT((*import)->Stage(first), IsOk());
  WriteBatch second;
  second.Delete(ColumnFamily::kFacts, "w/gone");
  second.Put(ColumnFamily::kFacts, "w/e", "2");
  second.AddCounters(ColumnFamily::kRollups, "w/c", {1, 1});
  second.AddCounters(ColumnFamily::kRollups, "w/d", {-2, -2});
  ASSERT_THAT((*import)->Stage(second), IsOk());

  // The import reads its own writes over the store's...
  EXPECT_THAT((*import)->Get(ColumnFamily::kFacts, "w/a"),
              IsOkAndHolds(Optional(std::string("new"))));
  EXPECT_THAT((*import)->Get(ColumnFamily::kFacts, "w/gone"),
              IsOkAndHolds(std::nullopt));
  EXPECT_THAT((*import)->Get(ColumnFamily::kRollups, "w/c"),
              IsOkAndHolds(Optional(EncodeCounters({3, 16}))));
  EXPECT_THAT(
      ScanAll(**import, ColumnFamily::kFacts, "w/"),
      ElementsAre(Pair("w/a", "new"), Pair("w/b", "1"), Pair("w/e", "2")));
  EXPECT_THAT((*import)->StagesWrite(ColumnFamily::kFacts, "w/b"),
              IsOkAndHolds(true));
  EXPECT_THAT((*import)->StagesWrite(ColumnFamily::kFacts, "w/gone"),
              IsOkAndHolds(true));
  EXPECT_THAT((*import)->StagesWrite(ColumnFamily::kFacts, "w/never"),
              IsOkAndHolds(false));
  EXPECT_THAT((*import)->StagesWrite(ColumnFamily::kRollups, "w/c"),
              IsOkAndHolds(false));
  // ...and nobody else sees them.
  EXPECT_THAT(ScanAll(*store_, ColumnFamily::kFacts, "w/"),
              ElementsAre(Pair("w/a", "old"), Pair("w/gone", "x")));
  EXPECT_THAT(store_->Get(ColumnFamily::kIndex, "w/i"),
              IsOkAndHolds(std::nullopt));

  ASSERT_THAT((*import)->Commit(), IsOk());
  EXPECT_THAT(
      ScanAll(*store_, ColumnFamily::kFacts, "w/"),
      ElementsAre(Pair("w/a", "new"), Pair("w/b", "1"), Pair("w/e", "2")));
  EXPECT_THAT(store_->Get(ColumnFamily::kIndex, "w/i"),
              IsOkAndHolds(Optional(std::string(""))));
  EXPECT_THAT(store_->Get(ColumnFamily::kRollups, "w/c"),
              IsOkAndHolds(Optional(EncodeCounters({3, 16}))));
  // Deltas that cancel out add no entry.
  EXPECT_THAT(store_->Get(ColumnFamily::kRollups, "w/d"),
              IsOkAndHolds(std::nullopt));
  EXPECT_FALSE((*import)->Commit().ok());
}

TEST_P(StoreConformanceTest, ImportDroppedStoresNothing) {
  {
    absl::StatusOr<std::unique_ptr<Import>> import = store_->NewImport();
    ASSERT_THAT(import.status(), IsOk());
    for (int chunk = 0; chunk < 3; ++chunk) {
      WriteBatch batch;
      for (int i = 0; i < 100; ++i) {
        batch.Put(ColumnFamily::kFacts,
                  KeyEncoder().Str("w").U32(chunk * 100 + i).key(), "v");
      }
      batch.AddCounters(ColumnFamily::kRollups, "w/c", {1});
      ASSERT_THAT((*import)->Stage(batch), IsOk());
    }
  }
  EXPECT_THAT(ScanAll(*store_, ColumnFamily::kFacts, ""), ElementsAre());
  EXPECT_THAT(ScanAll(*store_, ColumnFamily::kRollups, ""), ElementsAre());
}

TEST_P(StoreConformanceTest,
       ImportWithMismatchedCountersFailsAndStoresNothing) {
  absl::StatusOr<std::unique_ptr<Import>> import = store_->NewImport();
  ASSERT_THAT(import.status(), IsOk());
  WriteBatch first;
  first.Put(ColumnFamily::kFacts, "w/1", "v");
  first.AddCounters(ColumnFamily::kRollups, "w/c", {1});
  ASSERT_THAT((*import)->Stage(first), IsOk());
  WriteBatch second;
  second.Put(ColumnFamily::kFacts, "w/2", "v");
  second.AddCounters(ColumnFamily::kRollups, "w/c", {1, 2});
  // Counter adds may be staged on a second thread: the error shows at
  // the latest when the job commits.
  const absl::Status staged = (*import)->Stage(second);
  if (staged.ok()) {
    EXPECT_FALSE((*import)->Commit().ok());
  }
  import->reset();
  EXPECT_THAT(ScanAll(*store_, ColumnFamily::kFacts, ""), ElementsAre());
  EXPECT_THAT(ScanAll(*store_, ColumnFamily::kRollups, ""), ElementsAre());
}

TEST_P(StoreConformanceTest, ImportRefusesRangesAndCachedFamilies) {
  absl::StatusOr<std::unique_ptr<Import>> import = store_->NewImport();
  ASSERT_THAT(import.status(), IsOk());
  WriteBatch range;
  range.DeleteRange(ColumnFamily::kFacts, "a", "b");
  EXPECT_FALSE((*import)->Stage(range).ok());
  WriteBatch cached;
  cached.Put(ColumnFamily::kCatalog, "a", "1");
  EXPECT_FALSE((*import)->Stage(cached).ok());
}

INSTANTIATE_TEST_SUITE_P(
    Backends, StoreConformanceTest,
    ::testing::Values(
        Backend{"memory",
                [](const std::string&) -> std::unique_ptr<Store> {
                  return std::make_unique<MemoryStore>();
                }},
        Backend{"rocksdb",
                [](const std::string& dir) -> std::unique_ptr<Store> {
                  auto store = RocksDbStore::Open(dir);
                  EXPECT_TRUE(store.ok()) << store.status();
                  return store.ok() ? std::unique_ptr<Store>(*std::move(store))
                                    : nullptr;
                }},
        // Every import spills to its scratch database at once.
        Backend{"rocksdb_spilling",
                [](const std::string& dir) -> std::unique_ptr<Store> {
                  RocksDbStore::Options options;
                  options.import_memory_bytes = 1;
                  auto store = RocksDbStore::Open(dir, options);
                  EXPECT_TRUE(store.ok()) << store.status();
                  return store.ok() ? std::unique_ptr<Store>(*std::move(store))
                                    : nullptr;
                }},
        Backend{"cached_rocksdb",
                [](const std::string& dir) -> std::unique_ptr<Store> {
                  auto store = RocksDbStore::Open(dir);
                  EXPECT_TRUE(store.ok()) << store.status();
                  if (!store.ok()) return nullptr;
                  return std::make_unique<CachedStore>(*std::move(store));
                }}),
    [](const ::testing::TestParamInfo<Backend>& param) {
      return param.param.name;
    });

}  // namespace
}  // namespace mittari::storage
