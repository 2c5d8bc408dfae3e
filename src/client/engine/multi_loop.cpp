#include "client/engine/multi_loop.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>

namespace serentak::client {
namespace {

void check(CURLMcode code, const char* what) {
  if (code != CURLM_OK) throw std::runtime_error(std::string(what) + ": " + curl_multi_strerror(code));
}

// curl_multi_assign's per-socket pointer: non-null (this marker) once the socket is in our epoll
// set, so on_socket knows ADD from MOD without a lookup of its own.
char registered_marker = 0;
void* const registered = &registered_marker;

// epoll_event::data of a listener's socket: the descriptor with this bit above it. curl's
// sockets carry the bare descriptor (data.fd, the upper half zero).
constexpr std::uint64_t listener_tag = std::uint64_t{1} << 32;

}  // namespace

multi_loop::multi_loop(long max_connects) : multi_(curl_multi_init()) {
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + std::strerror(errno));
  CURLM* multi = multi_.get();
  const CURLMcode options[] = {
      curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &multi_loop::on_socket),
      curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this),
      curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &multi_loop::on_timer),
      curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this),
      curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, max_connects),
      // HTTP/2 streams share a connection (libcurl's default since 7.62, said here on purpose).
      // No CURLMOPT_MAX_HOST_CONNECTIONS: with CURLOPT_PIPEWAIT (--http2) new streams wait for a
      // multiplexing connection anyway, and a cap would queue HTTP/1.1 transfers inside curl.
      curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX),
  };
  for (CURLMcode code : options) {
    if (code != CURLM_OK) {
      ::close(epoll_fd_);
      throw std::runtime_error(std::string("curl_multi_setopt: ") + curl_multi_strerror(code));
    }
  }
}

multi_loop::~multi_loop() {
  // The multi handle first: its cleanup closes connections and calls on_socket(REMOVE) for
  // them, which must still find our epoll fd (a closed, reused fd number would be worse).
  multi_.reset();
  ::close(epoll_fd_);
}

void multi_loop::wait_and_act(clock::time_point deadline) {
  const auto now = clock::now();
  const auto until = timer_due_ ? std::min(deadline, *timer_due_) : deadline;
  const int ready = wait_for_events(until > now ? until - now : clock::duration::zero());
  for (int i = 0; i < ready; ++i) {
    const std::uint32_t events = events_[static_cast<std::size_t>(i)].events;
    const std::uint64_t data = events_[static_cast<std::size_t>(i)].data.u64;
    if ((data & listener_tag) != 0) {
      if (listener_ != nullptr) listener_->on_socket_ready(static_cast<int>(data & 0xffffffffU), events);
      continue;
    }
    int mask = 0;
    if ((events & EPOLLIN) != 0) mask |= CURL_CSELECT_IN;
    if ((events & EPOLLOUT) != 0) mask |= CURL_CSELECT_OUT;
    // A reset or hang-up: let curl both read and write so it meets the error itself and
    // reports it with its own words (errno), instead of a bare CURL_CSELECT_ERR.
    if ((events & (EPOLLERR | EPOLLHUP)) != 0) mask |= CURL_CSELECT_IN | CURL_CSELECT_OUT;
    act(events_[static_cast<std::size_t>(i)].data.fd, mask);
  }
  if (timer_due_ && clock::now() >= *timer_due_) {
    // curl reports its timer in whole milliseconds, truncated, so we may be up to 1 ms early;
    // it then finds nothing expired and, the earliest timer being unchanged, does not call
    // on_timer again. Re-check in 1 ms unless it does call (which overwrites this).
    timer_due_ = clock::now() + std::chrono::milliseconds(1);
    act(CURL_SOCKET_TIMEOUT, 0);
  }
}

void multi_loop::take_finished(std::vector<done>& finished) {
  finished.clear();
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg == CURLMSG_DONE) finished.push_back(done{message->easy_handle, message->data.result});
  }
}

int multi_loop::wait_for_events(clock::duration wait) {
  const int capacity = static_cast<int>(events_.size());
  int ready = -1;
  if (precise_wait_) {
    // Nanosecond timeouts: a rate-limit token or a backoff due in 20.4 ms is waited for exactly,
    // not rounded to whole milliseconds (which would bias --rate low).
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
    timespec timeout{static_cast<std::time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    ready = ::epoll_pwait2(epoll_fd_, events_.data(), capacity, &timeout, nullptr);
    if (ready < 0 && errno == ENOSYS) precise_wait_ = false;  // kernel < 5.11, or valgrind
  }
  if (!precise_wait_) {
    // Rounded up, so a wait never ends before its deadline and spins.
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(wait).count();
    ready = ::epoll_wait(epoll_fd_, events_.data(), capacity, static_cast<int>(std::min<long long>(ms, 1'000'000)));
  }
  if (ready < 0) {
    if (errno == EINTR) return 0;
    throw std::runtime_error(std::string("epoll_wait: ") + std::strerror(errno));
  }
  return ready;
}

void multi_loop::act(curl_socket_t fd, int mask) {
  int running = 0;
  const CURLMcode code = curl_multi_socket_action(multi_.get(), fd, mask, &running);
  if (code == CURLM_ABORTED_BY_CALLBACK && socket_errno_ != 0) {
    throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(socket_errno_));
  }
  check(code, "curl_multi_socket_action");
}

int multi_loop::watch(int fd, std::uint32_t events, bool add) noexcept {
  epoll_event event{};
  event.events = events;
  event.data.u64 = listener_tag | static_cast<std::uint32_t>(fd);
  return ::epoll_ctl(epoll_fd_, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &event) == 0 ? 0 : errno;
}

int multi_loop::on_socket(CURL* /*easy*/, curl_socket_t fd, int what, void* self, void* socket_data) noexcept {
  auto* loop = static_cast<multi_loop*>(self);
  if (what == CURL_POLL_REMOVE) {
    // curl says so before it closes the socket; a failure here (already gone) changes nothing.
    ::epoll_ctl(loop->epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
    return 0;
  }
  epoll_event event{};
  event.data.fd = fd;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) event.events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) event.events |= EPOLLOUT;
  // Level-triggered: curl reads and writes until EAGAIN only some of the time, so a socket left
  // readable must be reported again.
  int op = socket_data == nullptr ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  int result = ::epoll_ctl(loop->epoll_fd_, op, fd, &event);
  if (result != 0 && op == EPOLL_CTL_ADD && errno == EEXIST) result = ::epoll_ctl(loop->epoll_fd_, EPOLL_CTL_MOD, fd, &event);
  if (result != 0 && op == EPOLL_CTL_MOD && errno == ENOENT) result = ::epoll_ctl(loop->epoll_fd_, EPOLL_CTL_ADD, fd, &event);
  if (result != 0) {
    loop->socket_errno_ = errno;
    return -1;  // curl_multi_socket_action then fails with CURLM_ABORTED_BY_CALLBACK
  }
  if (socket_data == nullptr) curl_multi_assign(loop->multi_.get(), fd, registered);
  return 0;
}

int multi_loop::on_timer(CURLM* /*multi*/, long timeout_ms, void* self) noexcept {
  auto* loop = static_cast<multi_loop*>(self);
  if (timeout_ms < 0) {
    loop->timer_due_.reset();
  } else {
    loop->timer_due_ = clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

}  // namespace serentak::client
