// The write path's seam: an observer's extra writes land in the same
// atomic write as the batch, it hears of a batch only once it is durable,
// and the workspaces of a batch are read from its keys.
#include "storage/observed_store.h"

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/key_codec.h"
#include "storage/memory_store.h"

namespace mittari::storage {
namespace {

using ::testing::ElementsAre;

std::string Key(const std::string& ws, uint8_t tag, const std::string& id) {
  return KeyEncoder().Str(ws).U8(tag).Str(id).key();
}

class Recorder final : public WriteObserver {
 public:
  void Extend(const WriteBatch& batch, WriteBatch& extra) override {
    for (const WriteBatch::Op& op : batch.ops()) {
      if (op.kind == WriteBatch::OpKind::kPut) {
        extra.Put(ColumnFamily::kIndex, op.key + "#seen", "");
      }
    }
  }
  void Written(const WriteBatch& batch) override {
    for (std::string& ws : WorkspacesWritten(batch)) {
      written.push_back(std::move(ws));
    }
  }
  std::vector<std::string> written;
};

// A store whose writes fail on demand.
class Failing final : public Store {
 public:
  absl::StatusOr<std::optional<std::string>> Get(
      ColumnFamily cf, absl::string_view key) const override {
    return inner_.Get(cf, key);
  }
  absl::Status Scan(ColumnFamily cf, absl::string_view begin,
                    absl::string_view end, ScanVisitor visit) const override {
    return inner_.Scan(cf, begin, end, visit);
  }
  absl::Status Write(const WriteBatch& batch) override {
    if (failing) return absl::UnavailableError("disk full");
    return inner_.Write(batch);
  }
  std::unique_ptr<ReadView> NewSnapshot() const override {
    return inner_.NewSnapshot();
  }
  absl::StatusOr<std::unique_ptr<Import>> NewImport() override {
    return inner_.NewImport();
  }
  absl::Status CompactAll() override { return absl::OkStatus(); }
  absl::Status CompactRange(absl::string_view /*begin*/,
                            absl::string_view /*end*/) override {
    return absl::OkStatus();
  }
  absl::Status Close() override { return absl::OkStatus(); }
  bool failing = false;

 private:
  MemoryStore inner_;
};

TEST(ObservedStoreTest, ExtraWritesLandWithTheBatchAndOnlyDurableOnesAreHeard) {
  auto inner = std::make_unique<Failing>();
  Failing& failing = *inner;
  ObservedStore store(std::move(inner));
  Recorder recorder;
  store.AddObserver(&recorder);

  WriteBatch batch;
  batch.Put(ColumnFamily::kFacts, Key("w1", 4, "a"), "1");
  batch.Put(ColumnFamily::kFacts, Key("w2", 4, "b"), "2");
  batch.Put(ColumnFamily::kFacts, Key("w1", 4, "c"), "3");
  batch.Put(ColumnFamily::kMeta, "\x01meta", "x");
  ASSERT_TRUE(store.Write(batch).ok());
  EXPECT_THAT(recorder.written, ElementsAre("w1", "w2"));
  EXPECT_TRUE(store.Get(ColumnFamily::kIndex, Key("w2", 4, "b") + "#seen")
                  ->has_value());

  failing.failing = true;
  WriteBatch lost;
  lost.Put(ColumnFamily::kFacts, Key("w3", 4, "d"), "4");
  EXPECT_FALSE(store.Write(lost).ok());
  EXPECT_THAT(recorder.written, ElementsAre("w1", "w2"));
  failing.failing = false;
  EXPECT_FALSE(store.Get(ColumnFamily::kIndex, Key("w3", 4, "d") + "#seen")
                   ->has_value());
}

TEST(ObservedStoreTest, TheWorkspaceOfAKeyIsItsFirstComponent) {
  const std::string ws("a\0b", 3);  // an escaped 0 inside the id
  const std::string key = Key(ws, 9, "x");
  EXPECT_EQ(EncodedWorkspaceOf(ColumnFamily::kRollups, key),
            KeyEncoder().Str(ws).key());
  EXPECT_EQ(EncodedWorkspaceOf(ColumnFamily::kMeta, key), "");
  EXPECT_EQ(EncodedWorkspaceOf(ColumnFamily::kFacts, "no terminator"), "");
}

}  // namespace
}  // namespace mittari::storage
