#include "client/engine/rate_gate.hpp"

namespace serentak::client {

rate_gate::rate_gate(double rate_per_second, double burst) : bucket_(rate_per_second, burst, clock::now()) {}

bool rate_gate::try_take(clock::time_point now, clock::duration& wait) {
  std::lock_guard lock(mutex_);
  return bucket_.try_take(now, wait);
}

void rate_gate::give_back() {
  std::lock_guard lock(mutex_);
  bucket_.give_back();
}

}  // namespace serentak::client
