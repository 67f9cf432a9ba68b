#include "domain/api_keys.h"

#include "absl/strings/match.h"
#include "domain/keys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace mittari::domain {
namespace {

using ::mittari::testing::IsOk;
using ::mittari::testing::StatusIs;

class KeyRingTest : public ::testing::Test {
 protected:
  storage::MemoryStore store_;
  testing::FakeClock clock_;
  KeyRing keys_{store_, clock_};
};

TEST_F(KeyRingTest, StoresOnlyAHashOfTheSecret) {
  auto key = keys_.Create("acme", Role::kIngest, "app");
  ASSERT_THAT(key, IsOk());
  EXPECT_TRUE(absl::StartsWith(key->secret, "mk_" + key->record.id() + "_"));
  auto stored =
      store_.Get(storage::ColumnFamily::kMeta, keys::ApiKey(key->record.id()));
  ASSERT_THAT(stored, IsOk());
  ASSERT_TRUE(stored->has_value());
  std::string secret_part = key->secret.substr(4 + key->record.id().size());
  EXPECT_EQ((*stored)->find(secret_part), std::string::npos);
  EXPECT_EQ(key->record.secret_sha256().size(), 32U);
}

TEST_F(KeyRingTest, AuthenticatesOnlyTheExactSecret) {
  auto key = keys_.Create("acme", Role::kRead, "");
  ASSERT_THAT(key, IsOk());
  auto principal = keys_.Authenticate(key->secret);
  ASSERT_THAT(principal, IsOk());
  EXPECT_EQ(principal->workspace_id, "acme");
  EXPECT_EQ(principal->role, Role::kRead);

  std::string tampered = key->secret;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  std::vector<std::string> bad_keys = {tampered,
                                       "",
                                       "mk_",
                                       "hello",
                                       key->secret.substr(0, 20),
                                       "mk_0000000000000000_x"};
  for (const std::string& bad : bad_keys) {
    EXPECT_THAT(keys_.Authenticate(bad),
                StatusIs(absl::StatusCode::kUnauthenticated))
        << bad;
  }
}

TEST_F(KeyRingTest, RevokedKeysNoLongerAuthenticate) {
  auto key = keys_.Create("acme", Role::kWrite, "");
  ASSERT_THAT(key, IsOk());
  // Verified once, so remembered: the revocation must still reach it.
  ASSERT_THAT(keys_.Authenticate(key->secret), IsOk());
  clock_.Advance(absl::Minutes(5));
  auto revoked = keys_.Revoke("acme", key->record.id());
  ASSERT_THAT(revoked, IsOk());
  EXPECT_NE(revoked->revoke_time_us(), 0);
  EXPECT_THAT(keys_.Authenticate(key->secret),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(KeyRingTest, RemembersVerifiedKeysUntilToldToForget) {
  auto key = keys_.Create("acme", Role::kIngest, "");
  ASSERT_THAT(key, IsOk());
  ASSERT_THAT(keys_.Authenticate(key->secret), IsOk());
  // A write to key records that bypasses the ring is not seen...
  storage::WriteBatch batch;
  ASSERT_THAT(keys_.PrepareDeleteAll("acme", batch), IsOk());
  ASSERT_THAT(store_.Write(batch), IsOk());
  auto remembered = keys_.Authenticate(key->secret);
  ASSERT_THAT(remembered, IsOk());
  EXPECT_EQ(remembered->key_id, key->record.id());
  EXPECT_EQ(remembered->role, Role::kIngest);
  // ...until the writer says so, as PrepareDeleteAll's contract asks.
  keys_.ForgetVerified();
  EXPECT_THAT(keys_.Authenticate(key->secret),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST_F(KeyRingTest, AKeyOfAnotherWorkspaceIsNotFound) {
  auto key = keys_.Create("acme", Role::kRead, "");
  ASSERT_THAT(key, IsOk());
  EXPECT_THAT(keys_.Get("other", key->record.id()),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(keys_.Revoke("other", key->record.id()),
              StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(keys_.Get("acme", key->record.id()), IsOk());
}

TEST_F(KeyRingTest, ListsOneWorkspacePaged) {
  for (int i = 0; i < 5; ++i)
    ASSERT_THAT(keys_.Create("acme", Role::kRead, ""), IsOk());
  ASSERT_THAT(keys_.Create("other", Role::kRead, ""), IsOk());
  auto page = keys_.List("acme", "", 3);
  ASSERT_THAT(page, IsOk());
  EXPECT_EQ(page->items.size(), 3U);
  ASSERT_FALSE(page->next_after.empty());
  auto rest = keys_.List("acme", page->next_after, 3);
  ASSERT_THAT(rest, IsOk());
  EXPECT_EQ(rest->items.size(), 2U);
  EXPECT_TRUE(rest->next_after.empty());
  EXPECT_LT(page->items.back().id(), rest->items.front().id());
}

TEST_F(KeyRingTest, OperatorKeysCannotBeCreatedThroughTheApi) {
  EXPECT_THAT(keys_.Create("acme", Role::kOperator, ""),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(RolesTest, GrantsFollowTheRoleTable) {
  EXPECT_TRUE(Grants(Role::kIngest, Permission::kIngest));
  EXPECT_FALSE(Grants(Role::kIngest, Permission::kRead));
  EXPECT_FALSE(Grants(Role::kRead, Permission::kIngest));
  EXPECT_TRUE(Grants(Role::kWrite, Permission::kIngest));
  EXPECT_FALSE(Grants(Role::kWrite, Permission::kAdmin));
  EXPECT_TRUE(Grants(Role::kAdmin, Permission::kAdmin));
  EXPECT_FALSE(Grants(Role::kAdmin, Permission::kOperator));
  EXPECT_TRUE(Grants(Role::kOperator, Permission::kOperator));
  EXPECT_FALSE(Grants(Role::kOperator, Permission::kRead));
}

}  // namespace
}  // namespace mittari::domain
