#include "service/server.h"

#include "common/net.h"
#include "gtest/gtest.h"
#include "tests/testing/fake_clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace mittari::service {
namespace {

using ::mittari::testing::StatusIs;

TEST(ServerTest, KnowsLoopbackAddresses) {
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackAddress("localhost:1"));
  EXPECT_TRUE(IsLoopbackAddress("[::1]:50051"));
  EXPECT_FALSE(IsLoopbackAddress("0.0.0.0:50051"));
  EXPECT_FALSE(IsLoopbackAddress("[::]:50051"));
  EXPECT_FALSE(IsLoopbackAddress("10.0.0.1:50051"));
  EXPECT_TRUE(IsLoopbackAddress("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackAddress("::1"));
  EXPECT_FALSE(IsLoopbackAddress("mittari.example.com:443"));
}

TEST(ServerTest, RefusesNonLoopbackWithoutTls) {
  testing::TempDir dir;
  testing::FakeClock clock;
  ServerOptions options;
  options.listen = "0.0.0.0:0";
  options.data_dir = dir.Sub("data");
  EXPECT_THAT(Server::Start(options, clock),
              StatusIs(absl::StatusCode::kInvalidArgument));
  options.tls_cert_file = dir.Sub("missing.pem");
  EXPECT_THAT(Server::Start(options, clock),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(ServerTest, FirstStartOnlyOnce) {
  testing::TempDir dir;
  testing::FakeClock clock;
  ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.data_dir = dir.Sub("data");
  {
    auto server = Server::Start(options, clock);
    ASSERT_TRUE(server.ok()) << server.status();
    EXPECT_TRUE((*server)->first_start().has_value());
    EXPECT_GT((*server)->port(), 0);
  }
  auto again = Server::Start(options, clock);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE((*again)->first_start().has_value());
}

}  // namespace
}  // namespace mittari::service
