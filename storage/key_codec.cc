#include "storage/key_codec.h"

#include "common/errors.h"

namespace mittari::storage {
namespace {

constexpr char kEscape = '\x00';
constexpr char kEscapedZero = '\xff';
constexpr char kTerminator = '\x01';

void AppendFixed(std::string& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) {
    out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
}

}  // namespace

KeyEncoder& KeyEncoder::U8(uint8_t v) {
  AppendFixed(key_, v, 1);
  return *this;
}
KeyEncoder& KeyEncoder::U32(uint32_t v) {
  AppendFixed(key_, v, 4);
  return *this;
}
KeyEncoder& KeyEncoder::U64(uint64_t v) {
  AppendFixed(key_, v, 8);
  return *this;
}
KeyEncoder& KeyEncoder::I64(int64_t v) {
  AppendFixed(key_, static_cast<uint64_t>(v) ^ (uint64_t{1} << 63), 8);
  return *this;
}
KeyEncoder& KeyEncoder::Str(absl::string_view v) {
  for (char c : v) {
    key_.push_back(c);
    if (c == kEscape) key_.push_back(kEscapedZero);
  }
  key_.push_back(kEscape);
  key_.push_back(kTerminator);
  return *this;
}

absl::StatusOr<uint64_t> KeyDecoder::Fixed(int bytes) {
  if (rest_.size() < static_cast<size_t>(bytes)) {
    return errors::DataLoss("key too short for an integer component");
  }
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) {
    v = (v << 8) | static_cast<uint8_t>(rest_[i]);
  }
  rest_.remove_prefix(bytes);
  return v;
}

absl::StatusOr<uint8_t> KeyDecoder::U8() {
  absl::StatusOr<uint64_t> v = Fixed(1);
  if (!v.ok()) return v.status();
  return static_cast<uint8_t>(*v);
}
absl::StatusOr<uint32_t> KeyDecoder::U32() {
  absl::StatusOr<uint64_t> v = Fixed(4);
  if (!v.ok()) return v.status();
  return static_cast<uint32_t>(*v);
}
absl::StatusOr<uint64_t> KeyDecoder::U64() { return Fixed(8); }
absl::StatusOr<int64_t> KeyDecoder::I64() {
  absl::StatusOr<uint64_t> v = Fixed(8);
  if (!v.ok()) return v.status();
  return static_cast<int64_t>(*v ^ (uint64_t{1} << 63));
}

size_t FirstStrEnd(absl::string_view key) {
  // An escaped 0 inside the string is kEscape kEscapedZero, so the first
  // kEscape kTerminator ends the component.
  constexpr char kEnd[] = {kEscape, kTerminator};
  const size_t end = key.find(absl::string_view(kEnd, 2));
  return end == absl::string_view::npos ? end : end + 2;
}

uint8_t ByteAfterFirstStr(absl::string_view key) {
  const size_t end = FirstStrEnd(key);
  if (end == absl::string_view::npos || end >= key.size()) return 0;
  return static_cast<uint8_t>(key[end]);
}

absl::StatusOr<std::string> KeyDecoder::Str() {
  std::string out;
  for (size_t i = 0; i < rest_.size(); ++i) {
    char c = rest_[i];
    if (c != kEscape) {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= rest_.size()) break;
    char next = rest_[i + 1];
    if (next == kTerminator) {
      rest_.remove_prefix(i + 2);
      return out;
    }
    if (next != kEscapedZero) break;
    out.push_back(kEscape);
    ++i;
  }
  return errors::DataLoss("malformed string component in key");
}

std::string PrefixEnd(absl::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

}  // namespace mittari::storage
