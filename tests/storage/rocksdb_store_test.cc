// What only the RocksDB backend promises: data outlives the process, and data
// of a newer version is refused.
#include "storage/rocksdb_store.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"
#include "storage/import.h"
#include "storage/key_codec.h"
#include "tests/testing/counter_matchers.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace mittari::storage {
namespace {

using ::mittari::testing::Exact;
using ::mittari::testing::IsOk;
using ::mittari::testing::IsOkAndHolds;
using ::mittari::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Optional;

TEST(RocksDbStoreTest, WritesSurviveReopen) {
  testing::TempDir dir;
  {
    auto store = RocksDbStore::Open(dir.Sub("db"));
    ASSERT_THAT(store, IsOk());
    WriteBatch batch;
    batch.Put(ColumnFamily::kCatalog, "k", "v");
    batch.AddCounters(ColumnFamily::kRollups, "c", {3});
    ASSERT_THAT((*store)->Write(batch), IsOk());
  }
  auto store = RocksDbStore::Open(dir.Sub("db"));
  ASSERT_THAT(store, IsOk());
  EXPECT_THAT((*store)->Get(ColumnFamily::kCatalog, "k"),
              IsOkAndHolds(Optional(std::string("v"))));
  auto counters = (*store)->Get(ColumnFamily::kRollups, "c");
  ASSERT_THAT(counters, IsOk());
  EXPECT_THAT(DecodeCounters(counters->value()),
              IsOkAndHolds(Exact(::testing::ElementsAre(3))));
}

// Range deletions between batches of puts, in one memtable and again when
// the WAL is replayed at reopen: RocksDB's memtable insert hint must not
// reach a range deletion (see InsertHintPrefix), which trips the skiplist's
// ordering check or misplaces keys.
TEST(RocksDbStoreTest, RangeDeletionsAmongHintedPutsSurviveReplay) {
  testing::TempDir dir;
  auto key = [](int group, int i) {
    return KeyEncoder().Str(absl::StrCat("g", group)).I64(i).key();
  };
  auto expect_groups = [&](Store& store) {
    for (int group = 0; group < 4; ++group) {
      for (int i = 0; i < 50; ++i) {
        // Groups 1 and 3 were deleted, then group 3 written again.
        std::optional<std::string> want;
        if (group != 1) want = absl::StrCat(group, "/", i);
        EXPECT_THAT(store.Get(ColumnFamily::kFacts, key(group, i)),
                    IsOkAndHolds(want))
            << group << "/" << i;
      }
    }
  };
  {
    auto store = RocksDbStore::Open(dir.Sub("db"));
    ASSERT_THAT(store, IsOk());
    for (int group = 0; group < 4; ++group) {
      WriteBatch batch;
      for (int i = 49; i >= 0; --i) {
        batch.Put(ColumnFamily::kFacts, key(group, i),
                  absl::StrCat(group, "/", i));
      }
      ASSERT_THAT((*store)->Write(batch), IsOk());
    }
    for (int group : {1, 3}) {
      std::string prefix = KeyEncoder().Str(absl::StrCat("g", group)).key();
      WriteBatch batch;
      batch.Put(ColumnFamily::kFacts, key(0, 7), "0/7");
      batch.DeleteRange(ColumnFamily::kFacts, prefix, PrefixEnd(prefix));
      batch.Put(ColumnFamily::kFacts, key(2, 7), "2/7");
      ASSERT_THAT((*store)->Write(batch), IsOk());
    }
    WriteBatch again;
    for (int i = 0; i < 50; ++i) {
      again.Put(ColumnFamily::kFacts, key(3, i), absl::StrCat("3/", i));
    }
    ASSERT_THAT((*store)->Write(again), IsOk());
    expect_groups(**store);
  }
  auto store = RocksDbStore::Open(dir.Sub("db"));
  ASSERT_THAT(store, IsOk());
  expect_groups(**store);
}

TEST(RocksDbStoreTest, SumsManyMergesToOneKeyAcrossFlushesAndReopen) {
  // Operands summed in a flushed and compacted file, the rest when read, and
  // all of them by the flush at reopen.
  testing::TempDir dir;
  int64_t expected = 0;
  {
    auto store = RocksDbStore::Open(dir.Sub("db"));
    ASSERT_THAT(store, IsOk());
    for (int64_t i = 1; i <= 200; ++i) {
      WriteBatch batch;
      batch.AddCounters(ColumnFamily::kRollups, "hot", {i, -i, 1});
      ASSERT_THAT((*store)->Write(batch), IsOk());
      expected += i;
      if (i == 100) {
        ASSERT_THAT((*store)->CompactAll(), IsOk());
      }
    }
    auto sum = (*store)->Get(ColumnFamily::kRollups, "hot");
    ASSERT_THAT(sum, IsOk());
    EXPECT_THAT(
        DecodeCounters(sum->value()),
        IsOkAndHolds(Exact(::testing::ElementsAre(expected, -expected, 200))));
  }
  auto store = RocksDbStore::Open(dir.Sub("db"));
  ASSERT_THAT(store, IsOk());
  int visited = 0;
  ASSERT_THAT((*store)->Scan(ColumnFamily::kRollups, "", "",
                             [&](absl::string_view key, absl::string_view v) {
                               ++visited;
                               EXPECT_EQ(key, "hot");
                               EXPECT_THAT(
                                   DecodeCounters(v),
                                   IsOkAndHolds(Exact(::testing::ElementsAre(
                                       expected, -expected, 200))));
                               return true;
                             }),
              IsOk());
  EXPECT_EQ(visited, 1);
}

TEST(RocksDbStoreTest, AnOverflowingKeyNeverFailsAFlushCompactionOrRead) {
  // A counter pushed past the int64 limit in one workspace's key: writes,
  // flushes and compactions go on, the key reads as overflowed, and every
  // other key stays exact and writable.
  testing::TempDir dir;
  auto store = RocksDbStore::Open(dir.Sub("db"));
  ASSERT_THAT(store, IsOk());
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  for (int i = 0; i < 4; ++i) {
    WriteBatch batch;
    batch.AddCounters(ColumnFamily::kRollups, "a/hot", {kMax / 2, 1});
    batch.AddCounters(ColumnFamily::kRollups, "b/calm", {1, 1});
    ASSERT_THAT((*store)->Write(batch), IsOk());
    if (i == 1) {
      ASSERT_THAT((*store)->CompactAll(), IsOk());
    }
  }
  ASSERT_THAT((*store)->CompactAll(), IsOk());
  WriteBatch more;
  more.AddCounters(ColumnFamily::kRollups, "b/calm", {1, 1});
  ASSERT_THAT((*store)->Write(more), IsOk());
  auto hot = (*store)->Get(ColumnFamily::kRollups, "a/hot");
  ASSERT_THAT(hot, IsOk());
  absl::StatusOr<CounterVector> decoded = DecodeCounters(hot->value());
  ASSERT_THAT(decoded, IsOk());
  EXPECT_TRUE(decoded->overflowed);
  EXPECT_THAT(decoded->values, ::testing::ElementsAre(kMax, 4));
  auto calm = (*store)->Get(ColumnFamily::kRollups, "b/calm");
  ASSERT_THAT(calm, IsOk());
  EXPECT_THAT(DecodeCounters(calm->value()),
              IsOkAndHolds(Exact(::testing::ElementsAre(5, 5))));
}

// Whether any file under `dir` holds `text`.
bool AnyFileHolds(const std::string& dir, const std::string& text) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)),
                      std::istreambuf_iterator<char>());
    if (bytes.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(RocksDbStoreTest, CompactRangeLeavesNoDeletedValueInAnyFile) {
  testing::TempDir dir;
  auto store = RocksDbStore::Open(dir.Sub("db"));
  ASSERT_THAT(store, IsOk());
  WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, "ws-a/person", "ada-lovelace-secret");
  batch.Put(ColumnFamily::kFacts, "ws-b/other", "kept-value");
  ASSERT_THAT((*store)->Write(batch), IsOk());
  ASSERT_TRUE(AnyFileHolds(dir.Sub("db"), "ada-lovelace-secret"));
  ASSERT_THAT((*store)->CompactAll(), IsOk());
  WriteBatch erase;
  erase.Delete(ColumnFamily::kCatalog, "ws-a/person");
  ASSERT_THAT((*store)->Write(erase), IsOk());
  ASSERT_THAT((*store)->CompactRange("ws-a/", "ws-a0"), IsOk());
  EXPECT_FALSE(AnyFileHolds(dir.Sub("db"), "ada-lovelace-secret"));
  EXPECT_THAT((*store)->Get(ColumnFamily::kFacts, "ws-b/other"),
              IsOkAndHolds(::testing::Optional(std::string("kept-value"))));
}

TEST(RocksDbStoreTest, RefusesDataOfANewerSchemaVersion) {
  testing::TempDir dir;
  {
    auto store = RocksDbStore::Open(dir.Sub("db"));
    ASSERT_THAT(store, IsOk());
    WriteBatch batch;
    batch.Put(ColumnFamily::kMeta,
              KeyEncoder().U8(0).Str("schema_version").key(),
              absl::StrCat(kSchemaVersion + 1));
    ASSERT_THAT((*store)->Write(batch), IsOk());
  }
  auto store = RocksDbStore::Open(dir.Sub("db"));
  EXPECT_THAT(store, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("upgrade"));
}

TEST(RocksDbStoreTest, RefusesUnknownColumnFamilies) {
  testing::TempDir dir;
  { ASSERT_THAT(RocksDbStore::Open(dir.Sub("db")), IsOk()); }
  {
    // A newer version added a column family.
    rocksdb::Options options;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    std::vector<std::string> names;
    ASSERT_TRUE(
        rocksdb::DB::ListColumnFamilies(options, dir.Sub("db"), &names).ok());
    cfs.reserve(names.size());
    for (const auto& n : names)
      cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    ASSERT_TRUE(
        rocksdb::DB::Open(options, dir.Sub("db"), cfs, &handles, &db).ok());
    rocksdb::ColumnFamilyHandle* extra = nullptr;
    ASSERT_TRUE(
        db->CreateColumnFamily(rocksdb::ColumnFamilyOptions(), "future", &extra)
            .ok());
    handles.push_back(extra);
    for (auto* h : handles) ASSERT_TRUE(db->DestroyColumnFamilyHandle(h).ok());
    delete db;
  }
  EXPECT_THAT(RocksDbStore::Open(dir.Sub("db")),
              StatusIs(absl::StatusCode::kFailedPrecondition));
}

TEST(RocksDbStoreTest, ASecondOpenOfTheSameDirectoryFails) {
  testing::TempDir dir;
  auto first = RocksDbStore::Open(dir.Sub("db"));
  ASSERT_THAT(first, IsOk());
  EXPECT_FALSE(RocksDbStore::Open(dir.Sub("db")).ok());
}

// A spilled import's commit ingests table files: what it staged survives
// reopening, its scratch directory is gone, and a scratch directory left by
// a job that never committed is removed when the store opens.
// Writes stop before the disk is full, clearly, and go on by themselves
// once there is space again; reads never stop.
TEST(RocksDbStoreTest, WritesWaitForFreeDiskSpaceAndReadsGoOn) {
  testing::TempDir dir;
  RocksDbStore::Options options;
  options.min_free_bytes = std::numeric_limits<uint64_t>::max();
  auto store = RocksDbStore::Open(dir.Sub("db"), options);
  ASSERT_THAT(store.status(), IsOk());
  WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, "k", "v");
  absl::Status full = (*store)->Write(batch);
  EXPECT_THAT(full, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(full.message(), HasSubstr("disk is nearly full"));
  EXPECT_THAT(std::string(full.message()),
              ::testing::Not(HasSubstr(dir.Sub(""))));
  EXPECT_THAT((*store)->NewImport().status(),
              StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT((*store)->Get(ColumnFamily::kCatalog, "k"),
              IsOkAndHolds(std::nullopt));
  // Space is back (here: the minimum is lowered).
  (*store)->set_min_free_bytes(1);
  ASSERT_THAT((*store)->Write(batch), IsOk());
  EXPECT_THAT((*store)->Get(ColumnFamily::kCatalog, "k"),
              IsOkAndHolds(Optional(std::string("v"))));
}

TEST(RocksDbStoreImportTest, CommittedImportSurvivesReopenAndLeavesNoScratch) {
  testing::TempDir dir;
  RocksDbStore::Options options;
  options.import_memory_bytes = 1024;
  {
    auto store = RocksDbStore::Open(dir.Sub("db"), options);
    ASSERT_THAT(store.status(), IsOk());
    auto import = (*store)->NewImport();
    ASSERT_THAT(import.status(), IsOk());
    for (int chunk = 0; chunk < 20; ++chunk) {
      WriteBatch batch;
      for (int i = 0; i < 50; ++i) {
        batch.Put(ColumnFamily::kFacts,
                  KeyEncoder().Str("w").U32(chunk * 50 + i).key(),
                  std::string(40, 'v'));
      }
      batch.AddCounters(ColumnFamily::kRollups, "w/day", {50});
      // Counter sums stay in memory while the records spill (the
      // conformance tests' spilling backend spills them every time).
      batch.AddCounters(ColumnFamily::kRollups,
                        KeyEncoder().Str("w").U32(chunk % 4).key(), {1, 2});
      ASSERT_THAT((*import)->Stage(batch), IsOk());
      // The job's own reads see every add staged so far, exactly once.
      EXPECT_THAT((*import)->Get(ColumnFamily::kRollups, "w/day"),
                  IsOkAndHolds(std::optional<std::string>(
                      EncodeCounters({50 * (chunk + 1)}))));
      EXPECT_THAT((*import)->Get(ColumnFamily::kRollups,
                                 KeyEncoder().Str("w").U32(0).key()),
                  IsOkAndHolds(std::optional<std::string>(
                      EncodeCounters({chunk / 4 + 1, 2 * (chunk / 4 + 1)}))));
    }
    EXPECT_TRUE((*import)->spilled());
    // A counter family takes only adds.
    WriteBatch put;
    put.Put(ColumnFamily::kRollups, "w/day", EncodeCounters({1}));
    EXPECT_FALSE((*import)->Stage(put).ok());
    ASSERT_TRUE(std::filesystem::exists(dir.Sub("db.imports")));
    ASSERT_THAT((*import)->Commit(), IsOk());
    import->reset();
    EXPECT_TRUE(std::filesystem::is_empty(dir.Sub("db.imports")));
  }
  // What a job killed mid-way leaves: its scratch directory.
  std::filesystem::create_directories(dir.Sub("db.imports/7/scratch"));
  std::ofstream(dir.Sub("db.imports/7/scratch/000001.sst")) << "partial";
  auto store = RocksDbStore::Open(dir.Sub("db"), options);
  ASSERT_THAT(store.status(), IsOk());
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("db.imports")));
  int facts = 0;
  ASSERT_THAT((*store)->ScanPrefix(ColumnFamily::kFacts, "",
                                   [&](absl::string_view, absl::string_view) {
                                     ++facts;
                                     return true;
                                   }),
              IsOk());
  EXPECT_EQ(facts, 1000);
  EXPECT_THAT((*store)->Get(ColumnFamily::kRollups, "w/day"),
              IsOkAndHolds(std::optional<std::string>(EncodeCounters({1000}))));
  for (int k = 0; k < 4; ++k) {
    EXPECT_THAT(
        (*store)->Get(ColumnFamily::kRollups,
                      KeyEncoder().Str("w").U32(k).key()),
        IsOkAndHolds(std::optional<std::string>(EncodeCounters({5, 10}))));
  }
}

}  // namespace
}  // namespace mittari::storage
