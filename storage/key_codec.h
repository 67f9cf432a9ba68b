// The one key codec. Keys are built and parsed only here, so that their
// byte order is the order we scan in:
// - unsigned integers are fixed-width big-endian;
// - signed integers (times in microseconds, amounts) are big-endian with the
//   sign bit flipped, so negative sorts before positive;
// - strings are escaped (0x00 -> 0x00 0xFF) and terminated by 0x00 0x01, so a
//   string sorts before any longer string it prefixes and can be followed by
//   more components.
// Per-workspace keys start with the workspace id as a string component.
#ifndef MITTARI_STORAGE_KEY_CODEC_H_
#define MITTARI_STORAGE_KEY_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mittari::storage {

class KeyEncoder {
 public:
  KeyEncoder() = default;

  KeyEncoder& U8(uint8_t v);
  KeyEncoder& U32(uint32_t v);
  KeyEncoder& U64(uint64_t v);
  KeyEncoder& I64(int64_t v);
  KeyEncoder& Str(absl::string_view v);

  const std::string& key() const& { return key_; }
  std::string key() && { return std::move(key_); }

 private:
  std::string key_;
};

class KeyDecoder {
 public:
  explicit KeyDecoder(absl::string_view key) : rest_(key) {}

  absl::StatusOr<uint8_t> U8();
  absl::StatusOr<uint32_t> U32();
  absl::StatusOr<uint64_t> U64();
  absl::StatusOr<int64_t> I64();
  absl::StatusOr<std::string> Str();

  bool done() const { return rest_.empty(); }
  absl::string_view rest() const { return rest_; }

 private:
  absl::StatusOr<uint64_t> Fixed(int bytes);
  absl::string_view rest_;
};

// The length of a key's first string component as encoded (with its
// terminator); npos when the key has none.
size_t FirstStrEnd(absl::string_view key);

// The byte that follows a key's first string component (in a workspace
// key, the record tag after the workspace id), without decoding the string;
// 0 when there is none.
uint8_t ByteAfterFirstStr(absl::string_view key);

// The smallest key greater than every key starting with `prefix`; empty
// when there is none (the prefix is all 0xFF), which scans read as "no end".
std::string PrefixEnd(absl::string_view prefix);

}  // namespace mittari::storage

#endif  // MITTARI_STORAGE_KEY_CODEC_H_
