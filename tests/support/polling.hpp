#pragma once
// Waiting for something another process or thread makes true, bounded: the tests' hang guard.

#include <chrono>
#include <functional>

namespace serentak::testing {

// Polls done every 5 ms until it is true (true) or limit has passed (false, after one last look).
bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit);

}  // namespace serentak::testing
