#include "queue/host_lookup.hpp"

#include <arpa/inet.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <system_error>
#include <thread>

namespace serentak::queue {

void addrinfo_deleter::operator()(addrinfo* a) const noexcept {
  if (a != nullptr) ::freeaddrinfo(a);
}

bool is_ip_literal(const std::string& host) {
  in6_addr v6{};
  in_addr v4{};
  return ::inet_pton(AF_INET, host.c_str(), &v4) == 1 || ::inet_pton(AF_INET6, host.c_str(), &v6) == 1;
}

namespace {

// Shared by the caller and the lookup thread; whichever leaves last frees it (shared_ptr).
struct pending_lookup {
  std::mutex mutex;  // guards everything below
  std::condition_variable done_changed;
  bool done = false;
  int rc = 0;
  addrinfo_list found;
};

}  // namespace

host_lookup lookup_host(const std::string& host, const std::string& port, stop_deadline* give_up, resolver_fn resolve) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  host_lookup result;
  auto here = [&] {  // on the caller's thread, not cut short
    addrinfo* found = nullptr;
    result.rc = resolve(host.c_str(), port.c_str(), &hints, &found);
    result.found.reset(found);
    return std::move(result);
  };
  if (give_up == nullptr || is_ip_literal(host)) return here();  // no DNS, or nothing to cut it short
  auto lookup = std::make_shared<pending_lookup>();
  try {
    std::thread([lookup, host, port, hints, resolve] {
      addrinfo* found = nullptr;
      const int rc = resolve(host.c_str(), port.c_str(), &hints, &found);
      std::lock_guard lock(lookup->mutex);
      lookup->rc = rc;
      lookup->found.reset(found);
      lookup->done = true;
      lookup->done_changed.notify_all();
    }).detach();
  } catch (const std::system_error&) {  // no thread to be had (EAGAIN)
    return here();
  }
  std::unique_lock lock(lookup->mutex);
  while (!lookup->done) {
    if (give_up->passed()) {
      result.stopped = true;
      return result;
    }
    lookup->done_changed.wait_for(lock, std::chrono::milliseconds(50));
  }
  result.rc = lookup->rc;
  result.found = std::move(lookup->found);
  return result;
}

}  // namespace serentak::queue
