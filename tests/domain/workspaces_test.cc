#include "domain/workspaces.h"

#include "common/errors.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace mittari::domain {
namespace {

using ::mittari::testing::IsOk;
using ::mittari::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::Property;

class WorkspacesTest : public ::testing::Test {
 protected:
  storage::MemoryStore store_;
  testing::FakeClock clock_;
  KeyRing keys_{store_, clock_};
  WorkspaceDirectory workspaces_{store_, keys_, clock_};
};

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> out;
  for (const auto& v : errors::FieldViolations(status)) out.push_back(v.field);
  return out;
}

TEST_F(WorkspacesTest, FirstStartHappensOnce) {
  auto first = workspaces_.InitializeOnFirstStart();
  ASSERT_THAT(first, IsOk());
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->workspace.id(), "default");
  EXPECT_EQ((*first)->workspace.time_zone(), "UTC");
  EXPECT_EQ((*first)->workspace.currency_code(), "EUR");
  EXPECT_TRUE((*first)->workspace.visitor_days());
  auto admin = keys_.Authenticate((*first)->admin_key.secret);
  ASSERT_THAT(admin, IsOk());
  EXPECT_EQ(admin->role, Role::kAdmin);
  EXPECT_EQ(admin->workspace_id, "default");
  auto op = keys_.Authenticate((*first)->operator_key.secret);
  ASSERT_THAT(op, IsOk());
  EXPECT_EQ(op->role, Role::kOperator);
  EXPECT_EQ(op->workspace_id, "");

  auto second = workspaces_.InitializeOnFirstStart();
  ASSERT_THAT(second, IsOk());
  EXPECT_FALSE(second->has_value());
}

TEST_F(WorkspacesTest, CreateValidatesEveryFieldAtOnce) {
  absl::Status s =
      workspaces_.Create("Bad Id", "", "Mars/Base", "EURO").status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Fields(s),
              ElementsAre("workspace_id", "workspace.display_name",
                          "workspace.time_zone", "workspace.currency_code"));
  // Nothing was stored.
  auto list = workspaces_.List("", 10);
  ASSERT_THAT(list, IsOk());
  EXPECT_TRUE(list->items.empty());
}

TEST_F(WorkspacesTest, CreateGeneratesIdsAndDefaultsAndRefusesDuplicates) {
  auto created = workspaces_.Create("", "Acme", "", "");
  ASSERT_THAT(created, IsOk());
  EXPECT_THAT(created->workspace.id(), ::testing::StartsWith("ws-"));
  EXPECT_EQ(created->workspace.time_zone(), "UTC");
  EXPECT_EQ(created->workspace.currency_code(), "EUR");
  // New workspaces keep the visitor-day index (kpi/visitor_days.h).
  EXPECT_TRUE(created->workspace.visitor_days());
  ASSERT_THAT(workspaces_.Create("acme", "Acme", "Europe/Helsinki", "SEK"),
              IsOk());
  EXPECT_THAT(workspaces_.Create("acme", "Acme 2", "", ""),
              StatusIs(absl::StatusCode::kAlreadyExists));
}

TEST_F(WorkspacesTest, ListPagesInIdOrder) {
  for (std::string id : {"c", "a", "b", "d"}) {
    ASSERT_THAT(workspaces_.Create(id, id, "", ""), IsOk());
  }
  auto first = workspaces_.List("", 3);
  ASSERT_THAT(first, IsOk());
  EXPECT_THAT(first->items,
              ElementsAre(Property(&records::Workspace::id, "a"),
                          Property(&records::Workspace::id, "b"),
                          Property(&records::Workspace::id, "c")));
  EXPECT_EQ(first->next_after, "c");
  auto second = workspaces_.List(first->next_after, 3);
  ASSERT_THAT(second, IsOk());
  EXPECT_THAT(second->items,
              ElementsAre(Property(&records::Workspace::id, "d")));
  EXPECT_EQ(second->next_after, "");
}

TEST_F(WorkspacesTest, UpdateChangesOnlyGivenFields) {
  ASSERT_THAT(workspaces_.Create("acme", "Acme", "UTC", "EUR"), IsOk());
  clock_.Advance(absl::Hours(1));
  WorkspaceUpdate update;
  update.time_zone = "Europe/Helsinki";
  auto updated = workspaces_.Update("acme", update);
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ(updated->time_zone(), "Europe/Helsinki");
  EXPECT_EQ(updated->display_name(), "Acme");
  EXPECT_EQ(updated->update_time_us() - updated->create_time_us(),
            absl::ToInt64Microseconds(absl::Hours(1)));
  update.currency_code = "XXX";
  EXPECT_THAT(workspaces_.Update("acme", update),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(workspaces_.Update("nope", WorkspaceUpdate{}),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(WorkspacesTest, DeleteRemovesTheWorkspaceAndItsKeys) {
  auto created = workspaces_.Create("acme", "Acme", "", "");
  ASSERT_THAT(created, IsOk());
  auto reader = keys_.Create("acme", Role::kRead, "dash");
  ASSERT_THAT(reader, IsOk());
  // Both verified before, so remembered: the deletion must reach them.
  ASSERT_THAT(keys_.Authenticate(created->admin_key.secret), IsOk());
  ASSERT_THAT(keys_.Authenticate(reader->secret), IsOk());
  ASSERT_THAT(workspaces_.Delete("acme"), IsOk());
  EXPECT_THAT(workspaces_.Get("acme"), StatusIs(absl::StatusCode::kNotFound));
  EXPECT_THAT(keys_.Authenticate(created->admin_key.secret),
              StatusIs(absl::StatusCode::kUnauthenticated));
  EXPECT_THAT(keys_.Authenticate(reader->secret),
              StatusIs(absl::StatusCode::kUnauthenticated));
}

TEST(WorkspaceValidationTest, TimeZonesAndCurrencies) {
  EXPECT_THAT(ValidateTimeZone("Europe/Helsinki", "f"), IsOk());
  EXPECT_THAT(ValidateTimeZone("America/Argentina/Buenos_Aires", "f"), IsOk());
  EXPECT_THAT(ValidateTimeZone("UTC", "f"), IsOk());
  EXPECT_THAT(ValidateTimeZone("Europe/Nowhere", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateTimeZone("", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateCurrency("EUR", "f"), IsOk());
  EXPECT_THAT(ValidateCurrency("eur", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateWorkspaceId("acme-2", "f"), IsOk());
  EXPECT_THAT(ValidateWorkspaceId("2acme", "f"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace mittari::domain
