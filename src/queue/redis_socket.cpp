#include "queue/redis_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "queue/host_lookup.hpp"

namespace serentak::queue {
namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

void set_io_timeout(int fd, std::chrono::milliseconds timeout) {
  const timeval tv = to_timeval(timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string errno_text(int error) {
  std::string text = std::strerror(error);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

enum class waited { ready, timed_out, stopping, failed };

// Waits up to timeout for events on fd (ready also covers a hang-up or error, which the next call
// reports; failed leaves errno set). With give_up, in 50 ms slices, and stopping once its grace has
// passed: a stopping command must not wait a whole timeout on a Redis that no longer answers, or
// no longer reads (a batch of large records fills the socket's buffers), or whose full accept queue
// drops the SYN. Once the grace has passed no wait starts, so no read or write does either (a collect
// interrupted over a healthy Redis stops too).
waited wait_on(int fd, short events, std::chrono::milliseconds timeout, stop_deadline* give_up) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (give_up != nullptr && give_up->passed()) return waited::stopping;
    pollfd p{fd, events, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    const std::int64_t slice = give_up != nullptr ? std::min<std::int64_t>(left.count(), 50) : left.count();
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, slice)));
    if (ready > 0) return waited::ready;
    if (ready < 0 && errno != EINTR) return waited::failed;
    if (left.count() <= 0) return waited::timed_out;
  }
}

// One address, connected within timeout (each address gets the whole of it, as hiredis gave), or
// -1 with error set.
int dial(const addrinfo& address, std::chrono::milliseconds timeout, stop_deadline* give_up, std::string& error) {
  int fd = ::socket(address.ai_family, address.ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, address.ai_protocol);
  if (fd < 0) {
    error = errno_text(errno);
    return -1;
  }
  if (::connect(fd, address.ai_addr, address.ai_addrlen) != 0 && errno != EINPROGRESS) {
    error = errno_text(errno);
    ::close(fd);
    return -1;
  }
  const waited connected = wait_on(fd, POLLOUT, timeout, give_up);
  int so_error = 0;
  socklen_t len = sizeof so_error;
  if (connected != waited::ready) {
    error = connected == waited::failed     ? errno_text(errno)
            : connected == waited::stopping ? "stopped before the connection was made"
                                            : "connect timed out";
  } else if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0 || so_error != 0) {
    error = errno_text(so_error != 0 ? so_error : errno);
  } else {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
  }
  ::close(fd);
  return -1;
}

// OpenSSL's queued errors as one line (the first reason), the queue cleared.
std::string openssl_error(std::string_view fallback) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return std::string(fallback);
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? std::string(reason) : std::string(text);
}

int no_passphrase(char* /*buffer*/, int /*size*/, int /*writing*/, void* /*user*/) { return 0; }

// Called by OpenSSL only when the server asks for a client certificate and none is configured.
int no_client_certificate(SSL* session, X509** /*certificate*/, EVP_PKEY** /*key*/) {
  if (void* state = SSL_get_app_data(session); state != nullptr) *static_cast<bool*>(state) = true;
  return 0;  // none: go on without one
}

}  // namespace

struct redis_socket::tls_state {
  SSL_CTX* context = nullptr;
  SSL* session = nullptr;
  // The server asked for a client certificate and none was given. A server that requires one
  // (Redis's default tls-auth-clients) refuses only after the handshake, with an alert the first
  // read may or may not get before the reset; this turns either into a hint.
  bool asked_for_certificate = false;

  std::string failure(std::string what) const {
    if (asked_for_certificate) what += " (the server asks for a client certificate: --redis-cert)";
    return what;
  }
  ~tls_state() {
    if (session != nullptr) SSL_free(session);
    if (context != nullptr) SSL_CTX_free(context);
  }
};

redis_socket::redis_socket(int fd, std::unique_ptr<tls_state> tls, std::chrono::milliseconds io_timeout,
                           stop_deadline* give_up) noexcept
    : fd_(fd), tls_(std::move(tls)), io_timeout_(io_timeout), give_up_(give_up) {}

redis_socket::~redis_socket() {
  tls_.reset();  // the session before the descriptor it uses
  if (fd_ >= 0) ::close(fd_);
}

std::unique_ptr<redis_socket> redis_socket::open(const redis_endpoint& endpoint,
                                                 std::chrono::milliseconds connect_timeout,
                                                 std::chrono::milliseconds io_timeout, std::string& error,
                                                 stop_deadline* give_up) {
  host_lookup found = lookup_host(endpoint.host, std::to_string(endpoint.port), give_up);
  if (found.stopped) {
    error = "stopped while looking the host up";
    return nullptr;
  }
  if (found.rc != 0) {
    error = std::string("cannot resolve the host: ") + ::gai_strerror(found.rc);
    return nullptr;
  }
  int fd = -1;
  for (addrinfo* a = found.found.get(); a != nullptr && fd < 0; a = a->ai_next) {
    fd = dial(*a, connect_timeout, give_up, error);
  }
  if (fd < 0) return nullptr;

  const int on = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
  ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  // hiredis's keep-alive: first probe after 15 s idle, then every 5 s, 3 unanswered: a dead peer
  // is noticed within about half a minute (the kernel's defaults take 11 minutes).
  const int idle = 15, probe_every = 5, probes = 3;
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &probe_every, sizeof probe_every);
  ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);
  if (!endpoint.tls) {
    set_io_timeout(fd, io_timeout);
    return std::unique_ptr<redis_socket>(new redis_socket(fd, nullptr, io_timeout, give_up));
  }

  // The handshake runs on a non-blocking descriptor, within the connect timeout as a whole
  // (a server that drips bytes cannot stretch it) and, when stopping, within the stop's grace: a
  // stopped Redis's kernel still accepts the connection, and its handshake would wait on a peer that
  // never answers.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  const auto handshake_until = std::chrono::steady_clock::now() + connect_timeout;
  auto tls = std::make_unique<tls_state>();
  auto fail = [&](std::string why) {
    error = "TLS: " + why;  // escaped where it becomes a message (redis_connection)
    tls.reset();
    ::close(fd);
    return nullptr;
  };
  ERR_clear_error();
  tls->context = SSL_CTX_new(TLS_client_method());
  if (tls->context == nullptr) return fail(openssl_error("cannot make a TLS context"));
  if (SSL_CTX_set_min_proto_version(tls->context, TLS1_2_VERSION) != 1) {
    return fail(openssl_error("cannot require TLS 1.2"));
  }
  SSL_CTX_set_verify(tls->context, SSL_VERIFY_PEER, nullptr);
  // An encrypted key would make OpenSSL ask for its passphrase on the terminal, at every reconnect.
  SSL_CTX_set_default_passwd_cb(tls->context, no_passphrase);
  if (!endpoint.ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(tls->context, endpoint.ca_file.c_str(), nullptr) != 1) {
      return fail("cannot read the CA file '" + endpoint.ca_file + "': " + openssl_error("not PEM certificates"));
    }
  } else if (SSL_CTX_set_default_verify_paths(tls->context) != 1) {
    return fail("cannot load the system's trusted certificates: " + openssl_error("unknown"));
  }
  if (!endpoint.cert_file.empty()) {
    if (SSL_CTX_use_certificate_chain_file(tls->context, endpoint.cert_file.c_str()) != 1) {
      return fail("cannot read the client certificate '" + endpoint.cert_file + "': " + openssl_error("not PEM"));
    }
    const std::string& key = endpoint.key_file.empty() ? endpoint.cert_file : endpoint.key_file;
    if (SSL_CTX_use_PrivateKey_file(tls->context, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(tls->context) != 1) {
      return fail("cannot use the client key '" + key +
                  "' (an encrypted key is not supported): " + openssl_error("not the certificate's key"));
    }
  }
  if (endpoint.cert_file.empty()) SSL_CTX_set_client_cert_cb(tls->context, no_client_certificate);
  tls->session = SSL_new(tls->context);
  if (tls->session == nullptr || SSL_set_fd(tls->session, fd) != 1) return fail(openssl_error("cannot make a session"));
  SSL_set_app_data(tls->session, &tls->asked_for_certificate);
  // The certificate must name the address: its IP for an IP literal, else its host name (also SNI).
  X509_VERIFY_PARAM* verify = SSL_get0_param(tls->session);
  bool named = false;
  if (is_ip_literal(endpoint.host)) {
    named = X509_VERIFY_PARAM_set1_ip_asc(verify, endpoint.host.c_str()) == 1;
  } else {
    // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
    X509_VERIFY_PARAM_set_hostflags(verify, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    named = SSL_ctrl(tls->session, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(endpoint.host.c_str())) == 1 &&
            X509_VERIFY_PARAM_set1_host(verify, endpoint.host.c_str(), endpoint.host.size()) == 1;
  }
  if (!named) return fail("cannot check the certificate against '" + endpoint.host + "': " + openssl_error("bad name"));
  for (;;) {
    errno = 0;
    const int rc = SSL_connect(tls->session);
    if (rc == 1) break;
    const int saved = errno;
    const int kind = SSL_get_error(tls->session, rc);
    if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(handshake_until - std::chrono::steady_clock::now());
      const waited w = left.count() <= 0 ? waited::timed_out
                                         : wait_on(fd, kind == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, left, give_up);
      if (w == waited::ready) continue;
      if (w == waited::stopping) return fail("stopped during the handshake");
      if (w == waited::failed) return fail(tls->failure("handshake failed: " + errno_text(errno)));
      return fail(tls->failure("handshake timed out (is this the server's tls-port?)"));
    }
    const long verified = SSL_get_verify_result(tls->session);
    if (verified != X509_V_OK) {
      return fail(std::string("certificate verify failed (") + X509_verify_cert_error_string(verified) + ")");
    }
    std::string why = openssl_error("");
    if (why.empty()) {
      why = saved != 0 ? "handshake failed: " + errno_text(saved) : "handshake failed: connection closed by the server";
    }
    return fail(tls->failure(why));
  }
  // Under a stop's deadline the descriptor stays non-blocking: a blocked SSL_write would otherwise sit
  // in write(2) for as long as the peer takes a byte now and then, whatever the deadline says. Partial
  // writes let a large batch go out in pieces, each after a sliced wait for room.
  SSL_set_mode(tls->session, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  if (give_up == nullptr) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  set_io_timeout(fd, io_timeout);
  return std::unique_ptr<redis_socket>(new redis_socket(fd, std::move(tls), io_timeout, give_up));
}

bool redis_socket::wait_for(short events, const char* timed_out, std::string& error) {
  switch (wait_on(fd_, events, io_timeout_, give_up_)) {
    case waited::ready:
      return true;
    case waited::stopping:
      error = "no answer while stopping";
      return false;
    case waited::timed_out:
      error = timed_out;
      return false;
    case waited::failed:
      error = errno_text(errno);
      return false;
  }
  return false;
}

bool redis_socket::wait_readable(std::string& error) {
  if (give_up_ == nullptr) return true;  // the blocking read's own timeout (SO_RCVTIMEO)
  if (tls_ && SSL_pending(tls_->session) > 0 && !give_up_->passed()) return true;
  return wait_for(POLLIN, "read timed out", error);
}

bool redis_socket::wait_writable(std::string& error) {
  if (give_up_ == nullptr) return true;  // the blocking write's own timeout (SO_SNDTIMEO)
  return wait_for(POLLOUT, "write timed out", error);
}

std::optional<std::string> redis_socket::write_all(std::string_view data) {
  while (!data.empty()) {
    if (std::string error; !wait_writable(error)) return error;
    if (tls_) {
      ERR_clear_error();
      errno = 0;
      const int n =
          SSL_write(tls_->session, data.data(), static_cast<int>(std::min<std::size_t>(data.size(), 1 << 30)));
      if (n <= 0) {
        const int saved = errno;
        const int kind = SSL_get_error(tls_->session, n);
        if (kind == SSL_ERROR_WANT_WRITE || kind == SSL_ERROR_WANT_READ) {
          // Non-blocking (a stop's deadline applies): wait for what TLS asks for, in slices.
          if (give_up_ != nullptr) {
            std::string error;
            if (!wait_for(kind == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, "write timed out", error)) return error;
            continue;
          }
          // A timed socket returns EINTR after a SIGSTOP/SIGCONT even without a handler: retry that.
          if (saved == EINTR) continue;
          return std::string("write timed out");
        }
        if (kind == SSL_ERROR_SYSCALL) {
          return tls_->failure("TLS: " +
                               (saved != 0 ? errno_text(saved) : std::string("connection closed by the server")));
        }
        return tls_->failure("TLS: " + openssl_error("connection lost"));
      }
      data.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    // Under a stop's deadline the send takes what fits and the loop waits for room in slices.
    const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL | (give_up_ != nullptr ? MSG_DONTWAIT : 0));
    if (n < 0) {
      if (errno == EINTR || (give_up_ != nullptr && (errno == EAGAIN || errno == EWOULDBLOCK))) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? std::string("write timed out") : errno_text(errno);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return std::nullopt;
}

std::size_t redis_socket::read_some(char* buffer, std::size_t size, std::string& error) {
  for (;;) {
    if (!wait_readable(error)) return 0;
    if (tls_) {
      ERR_clear_error();
      errno = 0;
      const int n = SSL_read(tls_->session, buffer, static_cast<int>(std::min<std::size_t>(size, 1 << 30)));
      if (n > 0) {
        tls_->asked_for_certificate = false;  // the server took us: the hint no longer applies
        return static_cast<std::size_t>(n);
      }
      const int saved = errno;
      const int kind = SSL_get_error(tls_->session, n);
      if (kind == SSL_ERROR_ZERO_RETURN) {
        error = tls_->failure("connection closed by the server");
      } else if (kind == SSL_ERROR_WANT_READ || kind == SSL_ERROR_WANT_WRITE) {
        if (give_up_ != nullptr) {  // non-blocking: part of a record came; wait for the rest, in slices
          if (kind == SSL_ERROR_WANT_WRITE && !wait_for(POLLOUT, "read timed out", error)) return 0;
          continue;  // WANT_READ: the loop's wait_readable
        }
        if (saved == EINTR) continue;  // SIGSTOP/SIGCONT, as in write_all
        error = "read timed out";
      } else if (kind == SSL_ERROR_SYSCALL) {
        error = tls_->failure(saved != 0 ? errno_text(saved) : "connection closed by the server");
      } else {
        error = tls_->failure("TLS: " + openssl_error("connection lost"));
      }
      return 0;
    }
    const ssize_t n = ::recv(fd_, buffer, size, 0);
    if (n > 0) return static_cast<std::size_t>(n);
    if (n == 0) {
      error = "connection closed by the server";
      return 0;
    }
    if (errno == EINTR) continue;
    error = errno == EAGAIN || errno == EWOULDBLOCK ? "read timed out" : errno_text(errno);
    return 0;
  }
}

}  // namespace serentak::queue
