#include "common/errors.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace mittari::errors {
namespace {

using ::testing::ElementsAre;

TEST(ErrorsTest, InvalidArgumentsCarryEveryFieldAndTheReason) {
  absl::Status s = InvalidArguments(
      {{"a.b", "is required"}, {"c", "must be at most 3 \x1e characters"}});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Reason(s), "INVALID_ARGUMENT");
  EXPECT_EQ(s.message(),
            "a.b: is required; c: must be at most 3 \x1e characters");
  EXPECT_THAT(
      FieldViolations(s),
      ElementsAre(FieldViolation{"a.b", "is required"},
                  FieldViolation{"c", "must be at most 3   characters"}));
}

// A batch with a bad field in each of its 1,000 items: the first are
// listed, the rest counted, so the reply fits a client's trailer limit.
TEST(ErrorsTest, ManyViolationsListTheFirstAndCountTheRest) {
  std::vector<FieldViolation> many;
  many.reserve(1000);
  for (int i = 0; i < 1000; ++i) {
    many.push_back({absl::StrCat("requests[", i, "].response.submit_time"),
                    "must not be in the future"});
  }
  absl::Status s = InvalidArguments(many);
  EXPECT_EQ(FieldViolations(s).size(), kMaxListedViolations);
  EXPECT_EQ(FieldViolations(s).front().field,
            "requests[0].response.submit_time");
  EXPECT_THAT(std::string(s.message()),
              ::testing::EndsWith("; and 980 more like these"));
  EXPECT_LT(s.message().size(), 2048U);
}

TEST(ErrorsTest, EachFactoryUsesItsCanonicalCode) {
  EXPECT_EQ(NotFound("x").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(AlreadyExists("x").code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Unauthenticated("x").code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(PermissionDenied("x").code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(FailedPrecondition("R", "x").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Reason(FailedPrecondition("SCHEMA_TOO_NEW", "x")),
            "SCHEMA_TOO_NEW");
  EXPECT_TRUE(FieldViolations(NotFound("x")).empty());
  EXPECT_EQ(Reason(absl::InternalError("plain")), "");
}

}  // namespace
}  // namespace mittari::errors
