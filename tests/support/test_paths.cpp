#include "support/test_paths.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace serentak::testing {

#ifndef SERENTAK_SOURCE_DIR
#define SERENTAK_SOURCE_DIR "."
#endif
#ifndef SERENTAK_BINARY
#define SERENTAK_BINARY "serentak"
#endif

std::filesystem::path source_dir() { return SERENTAK_SOURCE_DIR; }
std::filesystem::path binary_path() { return SERENTAK_BINARY; }

scratch_dir::scratch_dir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "serentak-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

scratch_dir::~scratch_dir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace serentak::testing
