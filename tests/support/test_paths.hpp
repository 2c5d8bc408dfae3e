#pragma once
// Where tests find the source tree, the serentak executable and a private scratch folder.

#include <filesystem>

namespace serentak::testing {

std::filesystem::path source_dir();   // the repository root
std::filesystem::path binary_path();  // the serentak executable under test

// A fresh, empty folder for one test, removed when the returned object dies.
class scratch_dir {
 public:
  scratch_dir();
  ~scratch_dir();
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace serentak::testing
