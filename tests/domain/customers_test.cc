#include "domain/customers.h"

#include "domain/api_keys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "storage/memory_store.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"

namespace mittari::domain {
namespace {

using ::mittari::testing::IsOk;
using ::mittari::testing::StatusIs;

records::Customer C(const std::string& id, const std::string& segment) {
  records::Customer c;
  c.set_id(id);
  c.set_display_name("Customer " + id);
  c.set_email(id + "@example.com");
  c.set_segment(segment);
  c.set_acquire_time_us(1000);
  return c;
}

TEST(CustomerDirectoryTest, ValidatesCreatesListsAndImports) {
  storage::MemoryStore store;
  testing::FakeClock clock;
  KeyRing keys(store, clock);
  WorkspaceDirectory workspaces(store, keys, clock);
  ASSERT_THAT(workspaces.Create("w", "W", "UTC", "EUR"), IsOk());
  CustomerDirectory customers(store, workspaces, clock);
  records::Customer bad = C("c1", "smb");
  bad.set_email("not-an-address");
  bad.set_churn_time_us(10);  // before acquired
  absl::Status s = customers.Create("w", bad).status();
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(errors::FieldViolations(s).size(), 2U);

  ASSERT_THAT(customers.Create("w", C("c1", "smb")), IsOk());
  ASSERT_THAT(customers.Create("w", C("c2", "enterprise")), IsOk());
  auto smb = customers.List("w", "", 10, {"smb", "", ""});
  ASSERT_THAT(smb, IsOk());
  ASSERT_EQ(smb->items.size(), 1U);
  EXPECT_EQ(smb->items[0].id(), "c1");

  auto counts =
      customers.Import("w", {C("c1", "smb"), C("c2", "smb"), C("c3", "smb")});
  ASSERT_THAT(counts, IsOk());
  EXPECT_EQ(counts->unchanged, 1);
  EXPECT_EQ(counts->updated, 1);
  EXPECT_EQ(counts->created, 1);
  auto c2 = customers.Get("w", "c2");
  ASSERT_THAT(c2, IsOk());
  EXPECT_EQ(c2->segment(), "smb");

  absl::Status dup =
      customers.Import("w", {C("c9", "a"), C("c9", "b")}).status();
  EXPECT_EQ(errors::FieldViolations(dup).at(0).field,
            "customers[1].customer_id");
  EXPECT_THAT(customers.Get("w", "c9"), StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace mittari::domain
