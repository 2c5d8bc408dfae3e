#pragma once
// One TCP connection of the native transport. Owned by its worker's native_client (which keeps
// it in a table by file descriptor and reuses the object after close); lent to at most one
// exchange at a time, or idle in the client's pool for its host:port. One worker thread only.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>

namespace serentak::client {

struct native_exchange;

struct native_connection {
  static constexpr std::size_t not_idle = std::numeric_limits<std::size_t>::max();

  int fd = -1;                    // -1: closed (the object waits to be reused for a new socket)
  std::string pool_key;           // the target's Host header: "127.0.0.1:5000"
  bool connected = false;         // the handshake has completed (a send went through)
  std::size_t responses = 0;      // responses read on it; > 0: a reused connection
  std::uint32_t watched = 0;      // the epoll events registered for fd
  native_exchange* user = nullptr;  // the exchange using it; null while idle
  std::size_t idle_index = not_idle;  // position in its pool list while idle
};

}  // namespace serentak::client
