// A RocksDB file system that can lose power and fill up, after the pattern
// of RocksDB's own FaultInjectionTestFS (which Debian's headers lack).
//
// It tracks, for every file written through it, how many bytes were
// synced and whether its directory entry was synced. PowerLoss() then does
// to the files what a power cut does: every unsynced byte is dropped, and
// a file created since its directory's last sync disappears. Renames and
// links count as done at once (as ext4's defaults make them for a file
// whose data was synced). Kill() makes every later write fail, as a dead
// machine would, so that closing the database cannot save anything
// either. SetNoSpace(true) makes appends and new files fail with ENOSPC.
#ifndef MITTARI_TESTS_TESTING_FAULT_FS_H_
#define MITTARI_TESTS_TESTING_FAULT_FS_H_

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "rocksdb/file_system.h"

namespace mittari::testing {

class FaultFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base)
      : FileSystemWrapper(base) {}

  static const char* kClassName() { return "MittariFaultFileSystem"; }
  const char* Name() const override { return kClassName(); }

  void SetNoSpace(bool full) {
    std::lock_guard<std::mutex> lock(mu_);
    no_space_ = full;
  }
  void Kill() {
    std::lock_guard<std::mutex> lock(mu_);
    dead_ = true;
  }
  void Revive() {
    std::lock_guard<std::mutex> lock(mu_);
    dead_ = false;
  }

  // Drops what a power cut loses. Call with no database open on it.
  void PowerLoss() {
    std::lock_guard<std::mutex> lock(mu_);
    std::error_code ec;
    for (const auto& [name, file] : files_) {
      if (!file.entry_synced) {
        std::filesystem::remove(name, ec);
      } else if (std::filesystem::exists(name, ec) &&
                 std::filesystem::file_size(name, ec) > file.synced) {
        std::filesystem::resize_file(name, file.synced, ec);
      }
    }
    files_.clear();
  }

  rocksdb::IOStatus NewWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = Refusal(); !s.ok()) return s;
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, result, dbg);
    if (s.ok()) Wrap(name, 0, result);
    return s;
  }

  rocksdb::IOStatus ReopenWritableFile(
      const std::string& name, const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = Refusal(); !s.ok()) return s;
    std::error_code ec;
    const bool existed = std::filesystem::exists(name, ec);
    const uint64_t size = existed ? std::filesystem::file_size(name, ec) : 0;
    rocksdb::IOStatus s =
        target()->ReopenWritableFile(name, options, result, dbg);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      // What was there before is as durable as it was.
      if (existed && !files_.contains(name)) {
        files_[name] = File{size, size, true};
      }
    }
    if (s.ok()) Wrap(name, size, result);
    return s;
  }

  rocksdb::IOStatus ReuseWritableFile(
      const std::string& name, const std::string& old_name,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* result,
      rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = Refusal(); !s.ok()) return s;
    rocksdb::IOStatus s =
        target()->ReuseWritableFile(name, old_name, options, result, dbg);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      files_.erase(old_name);
    }
    if (s.ok()) Wrap(name, 0, result);
    return s;
  }

  rocksdb::IOStatus NewDirectory(const std::string& name,
                                 const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewDirectory(name, options, result, dbg);
    if (s.ok()) {
      *result = std::make_unique<Directory>(std::move(*result), this, name);
    }
    return s;
  }

  rocksdb::IOStatus RenameFile(const std::string& source,
                               const std::string& target_name,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = Refusal(); !s.ok()) return s;
    rocksdb::IOStatus s =
        target()->RenameFile(source, target_name, options, dbg);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = files_.find(source);
      if (it != files_.end()) {
        files_[target_name] = it->second;
        files_.erase(source);
      }
    }
    return s;
  }

  rocksdb::IOStatus LinkFile(const std::string& source,
                             const std::string& target_name,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = Refusal(); !s.ok()) return s;
    rocksdb::IOStatus s = target()->LinkFile(source, target_name, options, dbg);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = files_.find(source);
      if (it != files_.end()) files_[target_name] = it->second;
    }
    return s;
  }

  rocksdb::IOStatus DeleteFile(const std::string& name,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override {
    if (rocksdb::IOStatus s = Refusal(); !s.ok()) return s;
    rocksdb::IOStatus s = target()->DeleteFile(name, options, dbg);
    if (s.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      files_.erase(name);
    }
    return s;
  }

 private:
  struct File {
    uint64_t size = 0;
    uint64_t synced = 0;
    bool entry_synced = false;
  };

  class Writable : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    Writable(std::unique_ptr<rocksdb::FSWritableFile> file, FaultFileSystem* fs,
             std::string name)
        : FSWritableFileOwnerWrapper(std::move(file)),
          fs_(fs),
          name_(std::move(name)) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
      if (rocksdb::IOStatus s = fs_->Refusal(); !s.ok()) return s;
      rocksdb::IOStatus s = target()->Append(data, options, dbg);
      if (s.ok()) fs_->Appended(name_, data.size());
      return s;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (rocksdb::IOStatus s = fs_->Refusal(); !s.ok()) return s;
      rocksdb::IOStatus s = target()->Append(data, options, info, dbg);
      if (s.ok()) fs_->Appended(name_, data.size());
      return s;
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
      if (rocksdb::IOStatus s = fs_->Dead(); !s.ok()) return s;
      rocksdb::IOStatus s = target()->Sync(options, dbg);
      if (s.ok()) fs_->Synced(name_);
      return s;
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (rocksdb::IOStatus s = fs_->Dead(); !s.ok()) return s;
      rocksdb::IOStatus s = target()->Fsync(options, dbg);
      if (s.ok()) fs_->Synced(name_);
      return s;
    }
    rocksdb::IOStatus Close(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      // Closing syncs nothing; a dead machine closes nothing either, but
      // the descriptor must be released.
      return target()->Close(options, dbg);
    }

   private:
    FaultFileSystem* fs_;
    const std::string name_;
  };

  class Directory : public rocksdb::FSDirectoryWrapper {
   public:
    Directory(std::unique_ptr<rocksdb::FSDirectory> dir, FaultFileSystem* fs,
              std::string name)
        : FSDirectoryWrapper(std::move(dir)), fs_(fs), name_(std::move(name)) {}

    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* dbg) override {
      if (rocksdb::IOStatus s = fs_->Dead(); !s.ok()) return s;
      rocksdb::IOStatus s = FSDirectoryWrapper::Fsync(options, dbg);
      if (s.ok()) fs_->DirectorySynced(name_);
      return s;
    }
    rocksdb::IOStatus FsyncWithDirOptions(
        const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg,
        const rocksdb::DirFsyncOptions& dir_options) override {
      if (rocksdb::IOStatus s = fs_->Dead(); !s.ok()) return s;
      rocksdb::IOStatus s =
          FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options);
      if (s.ok()) fs_->DirectorySynced(name_);
      return s;
    }

   private:
    FaultFileSystem* fs_;
    const std::string name_;
  };

  rocksdb::IOStatus Dead() {
    std::lock_guard<std::mutex> lock(mu_);
    return dead_ ? rocksdb::IOStatus::IOError("power is off")
                 : rocksdb::IOStatus::OK();
  }
  rocksdb::IOStatus Refusal() {
    std::lock_guard<std::mutex> lock(mu_);
    if (dead_) return rocksdb::IOStatus::IOError("power is off");
    if (no_space_) return rocksdb::IOStatus::NoSpace("disk full");
    return rocksdb::IOStatus::OK();
  }

  void Wrap(const std::string& name, uint64_t size,
            std::unique_ptr<rocksdb::FSWritableFile>* result) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      File& file = files_[name];
      file.size = size;
      file.synced = std::min(file.synced, size);
    }
    *result = std::make_unique<Writable>(std::move(*result), this, name);
  }
  void Appended(const std::string& name, uint64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    files_[name].size += n;
  }
  void Synced(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    File& file = files_[name];
    file.synced = file.size;
  }
  void DirectorySynced(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::filesystem::path d =
        std::filesystem::path(dir).lexically_normal();
    for (auto& [name, file] : files_) {
      if (std::filesystem::path(name).parent_path().lexically_normal() == d) {
        file.entry_synced = true;
      }
    }
  }

  std::mutex mu_;
  std::map<std::string, File> files_;
  bool no_space_ = false;
  bool dead_ = false;
};

}  // namespace mittari::testing

#endif  // MITTARI_TESTS_TESTING_FAULT_FS_H_
