#include "clients/cli/args.h"
#include "clients/cli/output.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "mittari/v1/admin.pb.h"

namespace mittari::cli {
namespace {

using ::testing::ElementsAre;

TEST(ArgsTest, FlagsAnywhereRepeatedAndBoolean) {
  auto args = Args::Parse({"kpi", "--group-by", "channel", "query", "--tls",
                           "nps", "--group-by=segment", "--", "--literal"},
                          {"tls"});
  ASSERT_TRUE(args.ok());
  EXPECT_THAT(args->positional(),
              ElementsAre("kpi", "query", "nps", "--literal"));
  EXPECT_THAT(args->GetAll("group-by"), ElementsAre("channel", "segment"));
  EXPECT_EQ(args->Get("tls"), "true");
  EXPECT_EQ(args->Get("group-by"), "segment");
  EXPECT_THAT(args->Unknown({"tls"}), ElementsAre("group-by", "group-by"));
  EXPECT_FALSE(Args::Parse({"--key"}, {}).ok());
}

TEST(OutputTest, MessagesBecomeSnakeCaseJsonWithNulls) {
  v1::ApiKey key;
  key.set_name("workspaces/a/apiKeys/1");
  key.set_role(v1::ROLE_INGEST);
  key.mutable_create_time()->set_seconds(1767225600);
  Json j = ToJson(key);
  EXPECT_EQ(j["name"], "workspaces/a/apiKeys/1");
  EXPECT_EQ(j["role"], "ingest");
  EXPECT_EQ(j["create_time"], "2026-01-01T00:00:00Z");
  EXPECT_TRUE(j["revoke_time"].is_null());
  v1::ServerInfo info;
  info.set_schema_version(3);
  EXPECT_TRUE(ToJson(info)["schema_version"].is_number_integer());
}

TEST(OutputTest, TimestampsAreUtcWithZ) {
  EXPECT_EQ(FormatTimestamp(0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatTimestamp(0, 500000000), "1970-01-01T00:00:00.5Z");
}

}  // namespace
}  // namespace mittari::cli
