// A fresh directory under TEST_TMPDIR (or /tmp), removed at the end.
#ifndef MITTARI_TESTS_TESTING_TEMP_DIR_H_
#define MITTARI_TESTS_TESTING_TEMP_DIR_H_

#include <cstdlib>
#include <filesystem>
#include <string>

namespace mittari::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string pattern =
        (std::filesystem::path(base != nullptr ? base : "/tmp") /
         "mittari-test-XXXXXX")
            .string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const {
    return (std::filesystem::path(path_) / name).string();
  }

 private:
  std::string path_;
};

}  // namespace mittari::testing

#endif  // MITTARI_TESTS_TESTING_TEMP_DIR_H_
