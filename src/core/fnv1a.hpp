#pragma once
// FNV-1a 64: a fast digest of bytes that is the same on every build and platform (not cryptographic),
// for telling texts apart across processes and runs: a job's specification and item list, a
// collected line, the seeds of the mock's draws and of a monitor's jitter, hash-table slots.

#include <cstdint>
#include <string_view>

namespace serentak {

class fnv1a_64 {
 public:
  fnv1a_64& add(std::string_view bytes) noexcept {
    for (unsigned char c : bytes) hash_ = (hash_ ^ c) * 0x100000001b3ULL;
    return *this;
  }
  std::uint64_t value() const noexcept { return hash_; }

 private:
  std::uint64_t hash_ = 0xcbf29ce484222325ULL;
};

}  // namespace serentak
