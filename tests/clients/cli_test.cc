#include "clients/cli/args.h"
#include "clients/cli/client.h"
#include "clients/cli/csv.h"
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

TEST(ClientTest, AKeyGoesInClearOnlyOverLoopbackUnlessTold) {
  auto connect = [](std::vector<std::string> argv) {
    auto args = Args::Parse(argv, {"tls", "insecure"});
    EXPECT_TRUE(args.ok());
    return Client::Connect(*args).status();
  };
  EXPECT_TRUE(connect({"--addr", "127.0.0.1:50051", "--key", "k"}).ok());
  EXPECT_TRUE(connect({"--addr", "localhost:50051", "--key", "k"}).ok());
  EXPECT_TRUE(connect({"--addr", "[::1]:50051", "--key", "k"}).ok());
  absl::Status refused = connect({"--addr", "10.0.0.7:50051", "--key", "k"});
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(refused.message()),
              ::testing::HasSubstr("refusing to send the API key in clear"));
  EXPECT_TRUE(
      connect({"--addr", "10.0.0.7:50051", "--key", "k", "--insecure"}).ok());
  EXPECT_TRUE(
      connect({"--addr", "10.0.0.7:50051", "--key", "k", "--tls"}).ok());
  EXPECT_TRUE(connect({"--addr", "10.0.0.7:50051"}).ok());  // no key to leak
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
// The parser keeps its state between blocks: a file read a byte at a time
// gives the records of the file read at once, quotes doubled or closed
// across a block's end included.
TEST(CsvTest, BlocksSplitAnywhereGiveTheSameRecords) {
  const std::string text =
      "id,comment,score\r\n"
      "a,\"said \"\"hi\"\"\",1\n"
      "\n"
      "b,\"two\nlines\",2\n"
      "c,\"\"\"\",3";
  absl::StatusOr<CsvTable> whole = ParseCsv(text);
  ASSERT_TRUE(whole.ok()) << whole.status();
  ASSERT_EQ(whole->records.size(), 3u);
  EXPECT_EQ(whole->records[0].cells[1], "said \"hi\"");
  EXPECT_EQ(whole->records[1].line, 4);
  EXPECT_EQ(whole->records[1].cells[1], "two\nlines");
  EXPECT_EQ(whole->records[2].line, 6);
  EXPECT_EQ(whole->records[2].cells[1], "\"");
  CsvParser parser;
  std::deque<CsvRecord> records;
  for (char c : text) {
    ASSERT_TRUE(parser.Feed(absl::string_view(&c, 1), records).ok());
  }
  ASSERT_TRUE(parser.Finish(records).ok());
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records[0].cells, whole->header);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(records[i + 1].line, whole->records[i].line);
    EXPECT_EQ(records[i + 1].cells, whole->records[i].cells);
  }
}

}  // namespace mittari::cli
