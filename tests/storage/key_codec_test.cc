#include "storage/key_codec.h"

#include <algorithm>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/status_matchers.h"

namespace mittari::storage {
namespace {

using ::mittari::testing::IsOkAndHolds;
using ::mittari::testing::StatusIs;

TEST(KeyCodecTest, RoundTripsEveryComponent) {
  std::string with_zeros("a\0b\0\0", 5);
  std::string key = KeyEncoder()
                        .Str("workspace")
                        .U8(7)
                        .U32(0xdeadbeef)
                        .U64(std::numeric_limits<uint64_t>::max())
                        .I64(-42)
                        .Str(with_zeros)
                        .Str("")
                        .key();
  KeyDecoder d(key);
  EXPECT_THAT(d.Str(), IsOkAndHolds(std::string("workspace")));
  EXPECT_THAT(d.U8(), IsOkAndHolds(7));
  EXPECT_THAT(d.U32(), IsOkAndHolds(0xdeadbeef));
  EXPECT_THAT(d.U64(), IsOkAndHolds(std::numeric_limits<uint64_t>::max()));
  EXPECT_THAT(d.I64(), IsOkAndHolds(-42));
  EXPECT_THAT(d.Str(), IsOkAndHolds(with_zeros));
  EXPECT_THAT(d.Str(), IsOkAndHolds(std::string()));
  EXPECT_TRUE(d.done());
}

TEST(KeyCodecTest, IntegersSortByValue) {
  std::vector<int64_t> values = {
      std::numeric_limits<int64_t>::min(), -1000, -1, 0, 1, 255, 256,
      std::numeric_limits<int64_t>::max()};
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    EXPECT_LT(KeyEncoder().I64(values[i]).key(),
              KeyEncoder().I64(values[i + 1]).key())
        << values[i] << " vs " << values[i + 1];
    EXPECT_LT(KeyEncoder().U64(static_cast<uint64_t>(i) * 300).key(),
              KeyEncoder().U64(static_cast<uint64_t>(i + 1) * 300).key());
  }
}

TEST(KeyCodecTest, StringsSortLikeTheirValuesAndComposeWithSuffixes) {
  std::mt19937 rng(7);
  std::vector<std::string> values = {
      "",     "a",    "ab", "b", std::string("a\0", 2), std::string("\0", 1),
      "\xff", "a\xff"};
  for (int i = 0; i < 200; ++i) {
    std::string s(rng() % 6, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 4 == 0 ? 0 : rng() % 256);
    values.push_back(s);
  }
  for (const std::string& a : values) {
    for (const std::string& b : values) {
      // Comparing (a, suffix) with (b, suffix): the order of a and b decides.
      std::string ka = KeyEncoder().Str(a).U8(0xff).key();
      std::string kb = KeyEncoder().Str(b).U8(0x00).key();
      if (a < b) {
        EXPECT_LT(ka, kb);
      }
      if (b < a) {
        EXPECT_GT(ka, kb);
      }
    }
  }
}

TEST(KeyCodecTest, PrefixEndBoundsEveryKeyWithThePrefix) {
  std::string prefix = KeyEncoder().Str("ws").U8(1).key();
  std::string end = PrefixEnd(prefix);
  EXPECT_LT(KeyEncoder().Str("ws").U8(1).Str("\xff\xff").key(), end);
  EXPECT_GE(KeyEncoder().Str("ws").U8(2).key(), end);
  EXPECT_EQ(PrefixEnd("a\xff\xff"), "b");
  EXPECT_EQ(PrefixEnd("\xff\xff"), "");
}

TEST(KeyCodecTest, RejectsTruncatedKeys) {
  std::string key = KeyEncoder().Str("abc").U64(1).key();
  KeyDecoder d(absl::string_view(key).substr(0, 3));
  EXPECT_THAT(d.Str(), StatusIs(absl::StatusCode::kDataLoss));
  KeyDecoder d2(absl::string_view(key).substr(0, key.size() - 1));
  ASSERT_TRUE(d2.Str().ok());
  EXPECT_THAT(d2.U64(), StatusIs(absl::StatusCode::kDataLoss));
}

}  // namespace
}  // namespace mittari::storage
