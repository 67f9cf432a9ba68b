// The durability promise against the file system itself: on a file system
// that drops every unsynced byte and unsynced directory entry when the
// power goes (tests/testing/fault_fs.h), every acknowledged write and
// every committed import is there after a restart.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "storage/import.h"
#include "storage/key_codec.h"
#include "storage/rocksdb_store.h"
#include "tests/testing/counter_matchers.h"
#include "tests/testing/fault_fs.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace mittari::storage {
namespace {

using ::mittari::testing::Exact;
using ::mittari::testing::FaultFileSystem;
using ::mittari::testing::IsOk;
using ::mittari::testing::IsOkAndHolds;
using ::testing::Optional;

class FaultyDiskTest : public ::testing::Test {
 protected:
  FaultyDiskTest()
      : fs_(std::make_shared<FaultFileSystem>(rocksdb::FileSystem::Default())),
        env_(rocksdb::NewCompositeEnv(fs_)) {
    options_.env = env_.get();
    options_.import_memory_bytes = 4096;  // imports spill and ingest files
  }

  std::unique_ptr<RocksDbStore> Open() {
    auto store = RocksDbStore::Open(dir_.Sub("db"), options_);
    EXPECT_THAT(store.status(), IsOk());
    return store.ok() ? *std::move(store) : nullptr;
  }

  testing::TempDir dir_;
  std::shared_ptr<FaultFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
  RocksDbStore::Options options_;
};

TEST_F(FaultyDiskTest, EveryAcknowledgedWriteSurvivesPowerLoss) {
  constexpr int kRounds = 6;
  constexpr int kWrites = 60;
  int64_t counted = 0;
  for (int round = 0; round < kRounds; ++round) {
    {
      std::unique_ptr<RocksDbStore> store = Open();
      ASSERT_NE(store, nullptr);
      for (int i = 0; i < kWrites; ++i) {
        WriteBatch batch;
        batch.Put(ColumnFamily::kFacts,
                  KeyEncoder().Str("w").U32(round).U32(i).key(),
                  std::string(100, static_cast<char>('a' + round)));
        batch.AddCounters(ColumnFamily::kRollups, "w/total", {1});
        ASSERT_THAT(store->Write(batch), IsOk());
        ++counted;
      }
      // An import job, committed (its table files ingested).
      auto import = store->NewImport();
      ASSERT_THAT(import.status(), IsOk());
      for (int chunk = 0; chunk < 4; ++chunk) {
        WriteBatch batch;
        for (int i = 0; i < 25; ++i) {
          batch.Put(
              ColumnFamily::kFacts,
              KeyEncoder().Str("imp").U32(round).U32(chunk * 25 + i).key(),
              std::string(60, 'i'));
        }
        batch.AddCounters(ColumnFamily::kRollups, "w/total", {25});
        ASSERT_THAT((*import)->Stage(batch), IsOk());
      }
      ASSERT_THAT((*import)->Commit(), IsOk());
      counted += 100;
      import->reset();
      // Half the rounds flush before the cut, so table files and the
      // manifest are in play too, not only the log.
      if (round % 2 == 1) {
        ASSERT_THAT(store->CompactAll(), IsOk());
      }
      // The power goes: nothing written from now on reaches the disk,
      // closing included, and what was not synced is lost.
      fs_->Kill();
    }
    fs_->PowerLoss();
    fs_->Revive();

    std::unique_ptr<RocksDbStore> store = Open();
    ASSERT_NE(store, nullptr) << "round " << round;
    for (int r = 0; r <= round; ++r) {
      for (int i = 0; i < kWrites; ++i) {
        ASSERT_THAT(store->Get(ColumnFamily::kFacts,
                               KeyEncoder().Str("w").U32(r).U32(i).key()),
                    IsOkAndHolds(
                        Optional(std::string(100, static_cast<char>('a' + r)))))
            << "round " << round << ", write " << r << "/" << i;
      }
      for (int i = 0; i < 100; ++i) {
        ASSERT_THAT(store->Get(ColumnFamily::kFacts,
                               KeyEncoder().Str("imp").U32(r).U32(i).key()),
                    IsOkAndHolds(Optional(std::string(60, 'i'))));
      }
    }
    auto total = store->Get(ColumnFamily::kRollups, "w/total");
    ASSERT_THAT(total, IsOk());
    ASSERT_TRUE(total->has_value());
    EXPECT_THAT(DecodeCounters(total->value()),
                IsOkAndHolds(Exact(::testing::ElementsAre(counted))));
    ASSERT_THAT(store->Close(), IsOk());
  }
}

// The rollup log (storage/rollup_log.h): adds acknowledged after the last
// checkpoint are read back from the log, once.
TEST_F(FaultyDiskTest, BufferedCounterAddsSurvivePowerLoss) {
  options_.rollup_checkpoint_ms = 0;
  {
    std::unique_ptr<RocksDbStore> store = Open();
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 5; ++i) {
      WriteBatch batch;
      batch.AddCounters(ColumnFamily::kRollups, "w/total", {1, i});
      ASSERT_THAT(store->Write(batch), IsOk());
      if (i == 2) {
        ASSERT_THAT(store->CheckpointRollups(), IsOk());
      }
    }
    fs_->Kill();
  }
  fs_->PowerLoss();
  fs_->Revive();
  std::unique_ptr<RocksDbStore> store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(store->RollupLogEntries(), IsOkAndHolds(2));
  auto total = store->Get(ColumnFamily::kRollups, "w/total");
  ASSERT_THAT(total, IsOk());
  ASSERT_TRUE(total->has_value());
  EXPECT_THAT(DecodeCounters(total->value()),
              IsOkAndHolds(Exact(::testing::ElementsAre(5, 10))));
  ASSERT_THAT(store->CheckpointRollups(), IsOk());
  EXPECT_THAT(store->RollupLogEntries(), IsOkAndHolds(0));
  ASSERT_THAT(store->Close(), IsOk());
}

// The wrapper is not vacuous: an unsynced write is lost with the power.
TEST_F(FaultyDiskTest, AnUnsyncedWriteIsLostWithThePower) {
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    options.env = env_.get();
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir_.Sub("raw"), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    rocksdb::WriteOptions synced;
    synced.sync = true;
    ASSERT_TRUE(db->Put(synced, "synced", "1").ok());
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "unsynced", "2").ok());
    fs_->Kill();
  }
  fs_->PowerLoss();
  fs_->Revive();
  rocksdb::Options options;
  options.env = env_.get();
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir_.Sub("raw"), &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), "synced", &value).ok());
  EXPECT_TRUE(db->Get(rocksdb::ReadOptions(), "unsynced", &value).IsNotFound());
}

}  // namespace
}  // namespace mittari::storage
