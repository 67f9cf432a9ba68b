// Erasure as a durable job: its purge survives a crash before it ran, and
// its log (the person named only by a hash) brings it back after a
// restore of a backup made before it.
#include <memory>
#include <string>

#include "domain/keys.h"
#include "domain/privacy.h"
#include "domain/purges.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "tests/testing/domain_world.h"
#include "tests/testing/status_matchers.h"

namespace mittari::domain {
namespace {

using ::mittari::testing::DomainWorld;
using ::mittari::testing::IsOk;
using ::mittari::testing::IsOkAndHolds;
using ::mittari::testing::StatusIs;

absl::Time Now() { return absl::FromCivil(absl::CivilDay(2026, 7, 1), {}); }

// A store whose compactions fail while `crashing`: what a crash between
// an erasure's write and its compaction leaves behind.
class CrashingCompactions final : public storage::Store {
 public:
  absl::StatusOr<std::optional<std::string>> Get(
      storage::ColumnFamily cf, absl::string_view key) const override {
    return inner_.Get(cf, key);
  }
  absl::Status Scan(storage::ColumnFamily cf, absl::string_view begin,
                    absl::string_view end,
                    storage::ScanVisitor visit) const override {
    return inner_.Scan(cf, begin, end, visit);
  }
  absl::Status Write(const storage::WriteBatch& batch) override {
    return inner_.Write(batch);
  }
  std::unique_ptr<storage::ReadView> NewSnapshot() const override {
    return inner_.NewSnapshot();
  }
  absl::StatusOr<std::unique_ptr<storage::Import>> NewImport() override {
    return inner_.NewImport();
  }
  absl::Status CompactAll() override { return inner_.CompactAll(); }
  absl::Status CompactRange(absl::string_view begin,
                            absl::string_view end) override {
    if (crashing) return absl::UnavailableError("crashed");
    compacted.emplace_back(begin, end);
    return inner_.CompactRange(begin, end);
  }
  absl::Status Close() override { return inner_.Close(); }

  bool crashing = false;
  std::vector<std::pair<std::string, std::string>> compacted;

 private:
  storage::MemoryStore inner_;
};

records::Customer Customer(const std::string& id) {
  records::Customer c;
  c.set_id(id);
  c.set_display_name("Person " + id);
  return c;
}

void Populate(DomainWorld& world) {
  ASSERT_THAT(world.workspaces.Create("w", "W", "Europe/Helsinki", "EUR"),
              IsOk());
  for (const char* id : {"c1", "c2"}) {
    ASSERT_THAT(world.customers.Create("w", Customer(id)), IsOk());
  }
}

TEST(ErasureJobTest, APurgeACrashInterruptedRunsAtTheNextStart) {
  CrashingCompactions store;
  {
    DomainWorld world(store, Now());
    Populate(world);
    store.crashing = true;
    EXPECT_THAT(world.privacy.Erase("w", "c1"),
                StatusIs(absl::StatusCode::kUnavailable));
    // The re-keying is durable; the compaction is what is missing.
    EXPECT_THAT(world.customers.Get("w", "c1"),
                StatusIs(absl::StatusCode::kNotFound));
    EXPECT_THAT(store.Get(storage::ColumnFamily::kMeta, keys::Purge("w")),
                IsOkAndHolds(::testing::Optional(std::string())));
  }
  store.crashing = false;
  DomainWorld restarted(store, Now());
  EXPECT_THAT(restarted.privacy.Resume(), IsOkAndHolds(0));
  const std::string prefix = keys::WorkspaceData("w");
  ASSERT_EQ(store.compacted.size(), 1U);
  EXPECT_EQ(store.compacted[0].first, prefix);
  EXPECT_EQ(store.compacted[0].second, storage::PrefixEnd(prefix));
  EXPECT_THAT(store.Get(storage::ColumnFamily::kMeta, keys::Purge("w")),
              IsOkAndHolds(std::nullopt));
  // Done once: the next start has nothing left to purge.
  EXPECT_THAT(restarted.privacy.Resume(), IsOkAndHolds(0));
  EXPECT_EQ(store.compacted.size(), 1U);
}

TEST(ErasureJobTest, AWorkspaceDeletionACrashInterruptedIsPurgedAtStart) {
  CrashingCompactions store;
  DomainWorld world(store, Now());
  Populate(world);
  store.crashing = true;
  EXPECT_THAT(world.workspaces.Delete("w"),
              StatusIs(absl::StatusCode::kUnavailable));
  store.crashing = false;
  EXPECT_THAT(ResumePurges(store), IsOkAndHolds(1));
  EXPECT_THAT(ResumePurges(store), IsOkAndHolds(0));
  EXPECT_EQ(store.compacted.size(), 1U);
}

TEST(ErasureJobTest, ErasuresAfterABackupAreAppliedAgainAfterItsRestore) {
  // `live` goes on after the backup; `backup` is the state the backup
  // holds, as a restore brings it back.
  storage::MemoryStore live_store;
  storage::MemoryStore backup_store;
  DomainWorld live(live_store, Now());
  DomainWorld backup(backup_store, Now());
  Populate(live);
  Populate(backup);
  ASSERT_THAT(live.privacy.Erase("w", "c1"), IsOk());

  auto log = Privacy::ReadErasureLog(live_store);
  ASSERT_THAT(log, IsOk());
  ASSERT_EQ(log->size(), 1U);
  const records::Erasure& entry = log->at(0).second;
  EXPECT_EQ(entry.workspace_id(), "w");
  EXPECT_TRUE(entry.applied());
  EXPECT_EQ(entry.customer_hash(), Privacy::CustomerHash("w", "c1"));
  // The log names the person by the hash alone.
  EXPECT_THAT(entry.SerializeAsString(),
              ::testing::Not(::testing::HasSubstr("c1")));

  EXPECT_THAT(Privacy::Reapply(backup_store, *log), IsOkAndHolds(1));
  EXPECT_THAT(Privacy::Reapply(backup_store, *log), IsOkAndHolds(0));
  EXPECT_THAT(backup.customers.Get("w", "c1"), IsOk());  // until the start
  EXPECT_THAT(backup.privacy.Resume(), IsOkAndHolds(1));
  EXPECT_THAT(backup.customers.Get("w", "c1"),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(backup.customers.Get("w", "c2"), IsOk());
  EXPECT_THAT(backup.privacy.Resume(), IsOkAndHolds(0));
  // A later erasure continues the log after the re-applied entry.
  ASSERT_THAT(backup.privacy.Erase("w", "c2"), IsOk());
  auto after = Privacy::ReadErasureLog(backup_store);
  ASSERT_THAT(after, IsOk());
  ASSERT_EQ(after->size(), 2U);
  EXPECT_EQ(after->at(1).first, after->at(0).first + 1);
}

}  // namespace
}  // namespace mittari::domain
