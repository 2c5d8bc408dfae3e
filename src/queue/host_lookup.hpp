#pragma once
// getaddrinfo that a stop can cut short. glibc's resolver waits its timeout per try on a DNS server
// that does not answer (5 s, twice, per server in resolv.conf), and a stopping worker must end within
// about a second. With a stop deadline and a host name (not an IP literal), the lookup runs on a thread
// of its own while the caller waits in 50 ms slices; given up on, that thread finishes alone and frees
// what it found. Thread-safe: each call owns its lookup.

#include <netdb.h>

#include <memory>
#include <string>

#include "queue/stop_deadline.hpp"

namespace serentak::queue {

struct addrinfo_deleter {
  void operator()(addrinfo* a) const noexcept;
};
using addrinfo_list = std::unique_ptr<addrinfo, addrinfo_deleter>;

// getaddrinfo's signature: the real one, or a test's.
using resolver_fn = int (*)(const char* host, const char* service, const addrinfo* hints, addrinfo** found);

struct host_lookup {
  addrinfo_list found;   // the addresses, when rc is 0
  int rc = 0;            // getaddrinfo's result (gai_strerror names it)
  bool stopped = false;  // given up on: the stop's grace passed first
};

// Whether host is an IPv4 or IPv6 address, not a name.
bool is_ip_literal(const std::string& host);

// Addresses of host:port for a stream socket (any family).
host_lookup lookup_host(const std::string& host, const std::string& port, stop_deadline* give_up,
                        resolver_fn resolve = ::getaddrinfo);

}  // namespace serentak::queue
