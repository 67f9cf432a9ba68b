// CachedStore: reads of cached column families come from memory, and no
// write leaves a stale value behind, whichever way it races a read. (The
// conformance suite runs the Store contract against it too.)
#include "storage/cached_store.h"

#include <functional>
#include <memory>
#include <string>
#include <utility>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "tests/testing/status_matchers.h"

namespace mittari::storage {
namespace {

using ::mittari::testing::IsOk;
using ::mittari::testing::IsOkAndHolds;
using ::testing::Optional;

// A MemoryStore that counts point reads and can run a step in the middle of
// one: after it read, before it returns.
class ProbedStore final : public Store {
 public:
  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, absl::string_view key) const override {
    ++reads;
    absl::StatusOr<std::optional<std::string>> value = inner_.Get(cf, key);
    if (during_read) std::exchange(during_read, nullptr)();
    return value;
  }
  absl::Status Scan(ColumnFamily cf, absl::string_view begin,
                    absl::string_view end, ScanVisitor visit) const override {
    return inner_.Scan(cf, begin, end, visit);
  }
  absl::Status Write(const WriteBatch& batch) override {
    return inner_.Write(batch);
  }
  std::unique_ptr<ReadView> NewSnapshot() const override {
    return inner_.NewSnapshot();
  }
  absl::StatusOr<std::unique_ptr<Import>> NewImport() override {
    return NewMemoryImport(*this);
  }
  absl::Status CompactAll() override { return inner_.CompactAll(); }
  absl::Status CompactRange(absl::string_view begin,
                            absl::string_view end) override {
    return inner_.CompactRange(begin, end);
  }
  absl::Status Close() override { return inner_.Close(); }

  mutable int reads = 0;
  mutable std::function<void()> during_read;

 private:
  MemoryStore inner_;
};

class CachedStoreTest : public ::testing::Test {
 protected:
  CachedStoreTest() {
    auto probed = std::make_unique<ProbedStore>();
    probed_ = probed.get();
    store_ = std::make_unique<CachedStore>(std::move(probed));
  }

  absl::Status Put(ColumnFamily cf, std::string key, std::string value) {
    WriteBatch batch;
    batch.Put(cf, std::move(key), std::move(value));
    return store_->Write(batch);
  }

  ProbedStore* probed_;
  std::unique_ptr<CachedStore> store_;
};

TEST_F(CachedStoreTest, ReadsTheCatalogOnce) {
  ASSERT_THAT(Put(ColumnFamily::kCatalog, "s", "1"), IsOk());
  for (int i = 0; i < 3; ++i) {
    EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "s"),
                IsOkAndHolds(Optional(std::string("1"))));
    EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "absent"),
                IsOkAndHolds(std::nullopt));
  }
  EXPECT_EQ(probed_->reads, 2);
  EXPECT_EQ(store_->hits(), 4);
}

TEST_F(CachedStoreTest, LeavesOtherColumnFamiliesToTheStore) {
  ASSERT_THAT(Put(ColumnFamily::kFacts, "f", "1"), IsOk());
  EXPECT_THAT(store_->Get(ColumnFamily::kFacts, "f"),
              IsOkAndHolds(Optional(std::string("1"))));
  EXPECT_THAT(store_->Get(ColumnFamily::kFacts, "f"),
              IsOkAndHolds(Optional(std::string("1"))));
  EXPECT_EQ(probed_->reads, 2);
  EXPECT_EQ(store_->hits(), 0);
}

TEST_F(CachedStoreTest, WritesReplaceWhatWasRead) {
  ASSERT_THAT(Put(ColumnFamily::kCatalog, "s", "1"), IsOk());
  ASSERT_THAT(store_->Get(ColumnFamily::kCatalog, "s"), IsOk());
  ASSERT_THAT(store_->Get(ColumnFamily::kCatalog, "new"),
              IsOkAndHolds(std::nullopt));
  ASSERT_THAT(Put(ColumnFamily::kCatalog, "s", "2"), IsOk());
  ASSERT_THAT(Put(ColumnFamily::kCatalog, "new", "3"), IsOk());
  EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "s"),
              IsOkAndHolds(Optional(std::string("2"))));
  EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "new"),
              IsOkAndHolds(Optional(std::string("3"))));

  WriteBatch erase;
  erase.Delete(ColumnFamily::kCatalog, "s");
  ASSERT_THAT(store_->Write(erase), IsOk());
  EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "s"),
              IsOkAndHolds(std::nullopt));

  WriteBatch range;
  range.DeleteRange(ColumnFamily::kCatalog, "a", "z");
  ASSERT_THAT(store_->Write(range), IsOk());
  EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "new"),
              IsOkAndHolds(std::nullopt));
}

TEST_F(CachedStoreTest, AReadRacingAWriteDoesNotKeepTheOldValue) {
  ASSERT_THAT(Put(ColumnFamily::kCatalog, "s", "old"), IsOk());
  // The write lands after the read took its value from the store.
  probed_->during_read = [&] {
    ASSERT_THAT(Put(ColumnFamily::kCatalog, "s", "new"), IsOk());
  };
  EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "s"),
              IsOkAndHolds(Optional(std::string("old"))));
  EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "s"),
              IsOkAndHolds(Optional(std::string("new"))));
}

TEST_F(CachedStoreTest, WritesElsewhereDuringAReadDoNotKeepItOut) {
  ASSERT_THAT(Put(ColumnFamily::kCatalog, "s", "1"), IsOk());
  // A response's write while its survey is read: the survey still caches.
  probed_->during_read = [&] {
    ASSERT_THAT(Put(ColumnFamily::kFacts, "r", "x"), IsOk());
  };
  ASSERT_THAT(store_->Get(ColumnFamily::kCatalog, "s"), IsOk());
  EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, "s"),
              IsOkAndHolds(Optional(std::string("1"))));
  EXPECT_EQ(probed_->reads, 1);
}

TEST_F(CachedStoreTest, StartsOverWhenFull) {
  store_ = nullptr;
  auto probed = std::make_unique<ProbedStore>();
  probed_ = probed.get();
  store_ = std::make_unique<CachedStore>(std::move(probed), /*max_bytes=*/300);
  for (int i = 0; i < 10; ++i) {
    ASSERT_THAT(Put(ColumnFamily::kCatalog, std::to_string(i), "v"), IsOk());
  }
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 10; ++i) {
      EXPECT_THAT(store_->Get(ColumnFamily::kCatalog, std::to_string(i)),
                  IsOkAndHolds(Optional(std::string("v"))));
    }
  }
  // Three entries fit: most reads of the second round go to the store.
  EXPECT_GT(probed_->reads, 10);
  EXPECT_LT(store_->hits(), 10);
}

}  // namespace
}  // namespace mittari::storage
