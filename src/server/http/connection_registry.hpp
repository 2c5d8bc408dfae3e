#pragma once
// The live connections of one server, so stop() can close every one of them (and cancel the
// timers they wait on) from any thread. Sessions add themselves when they start and remove
// themselves in their destructor; entries are weak, so the registry never keeps a session alive.
// Thread safety: every member function may be called from any thread; one mutex guards the map,
// and close() is called outside it (a session's destructor takes it to remove itself).

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace serentak::server {

// Something the server can close from any thread (a session).
class connection {
 public:
  virtual ~connection() = default;
  virtual void close() = 0;  // thread-safe: hands the close to the connection's own thread
};

class connection_registry {
 public:
  // Registers c; false once close_all() has begun (the caller must then drop the connection).
  bool add(const std::shared_ptr<connection>& c);
  void remove(const connection* c) noexcept;
  // Closes every live connection and refuses later add()s. Idempotent.
  void close_all();
  std::size_t size() const;

 private:
  mutable std::mutex mutex_;
  bool closing_ = false;
  std::unordered_map<const connection*, std::weak_ptr<connection>> live_;
};

}  // namespace serentak::server
