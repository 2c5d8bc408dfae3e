#include "client/transport/curl/curl_transport.hpp"

#include <sys/epoll.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "client/engine/transfer.hpp"

namespace serentak::client {
namespace {

// curl_multi_assign's per-socket pointer: non-null (this marker) once the socket is in the
// poller, so on_socket knows ADD from MOD without a lookup of its own.
char registered_marker = 0;
void* const registered = &registered_marker;

}  // namespace

curl_transport::curl_transport(socket_poller& poller, const fetch_policy& policy, long max_connects)
    : poller_(poller), policy_(policy), multi_(curl_multi_init()) {
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  // One entry per slot at most: neither grows on the hot path.
  carried_.reserve(static_cast<std::size_t>(max_connects));
  done_.reserve(static_cast<std::size_t>(max_connects));
  CURLM* multi = multi_.get();
  const CURLMcode options[] = {
      curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &curl_transport::on_socket),
      curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this),
      curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &curl_transport::on_timer),
      curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this),
      curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, max_connects),
      // HTTP/2 streams share a connection (libcurl's default since 7.62, said here on purpose).
      // No CURLMOPT_MAX_HOST_CONNECTIONS: with CURLOPT_PIPEWAIT (--http2) new streams wait for a
      // multiplexing connection anyway, and a cap would queue HTTP/1.1 transfers inside curl.
      curl_multi_setopt(multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX),
  };
  for (CURLMcode code : options) {
    if (code != CURLM_OK) throw std::runtime_error(std::string("curl_multi_setopt: ") + curl_multi_strerror(code));
  }
  listener_id_ = poller_.add_listener(*this);  // last: a constructor that throws leaves no listener behind
}

// The multi handle's cleanup closes connections and calls on_socket(REMOVE) for them, which
// must still find the poller (a closed, reused descriptor number would be worse).
curl_transport::~curl_transport() { multi_.reset(); }

std::string curl_transport::start(transfer& slot, transport_route&& /*route*/) {
  std::string refused = ready(slot);
  if (refused.empty()) slot.mark_started(transfer::carrier::curl);
  return refused;
}

bool curl_transport::adopt(transfer& slot) noexcept {
  try {
    if (!ready(slot).empty()) return false;
  } catch (...) {
    return false;
  }
  slot.hand_over_to_curl();
  return true;
}

// Readies slot's easy handle (made on its first curl use) and adds it to the multi handle; "" or
// why not.
std::string curl_transport::ready(transfer& slot) {
  const bool first_use = slot.easy() == nullptr;
  const CURLcode prepared = slot.use_curl(policy_);
  if (first_use && slot.easy() != nullptr) {
    carried_.push_back(&slot);  // capacity reserved for every slot: never reallocates
    if (!reuse_) slot.forbid_reuse();
  }
  if (prepared != CURLE_OK) return curl_easy_strerror(prepared);
  const CURLMcode added = curl_multi_add_handle(multi_.get(), slot.easy());
  if (added != CURLM_OK) return curl_multi_strerror(added);
  return {};
}

void curl_transport::cancel(transfer& slot) noexcept {
  if (slot.in_multi()) curl_multi_remove_handle(multi_.get(), slot.easy());
}

void curl_transport::expire(clock::time_point now) {
  if (!timer_due_ || now < *timer_due_) return;
  // curl reports its timer in whole milliseconds, truncated, so we may be up to 1 ms early; it
  // then finds nothing expired and, the earliest timer being unchanged, does not call on_timer
  // again. Re-check in 1 ms unless it does call (which overwrites this).
  timer_due_ = clock::now() + std::chrono::milliseconds(1);
  act(CURL_SOCKET_TIMEOUT, 0);
}

// All messages are read before any handle is removed: libcurl 7.88's curl_multi_remove_handle
// walks the unread messages, so removing while 5,000 are queued would cost O(n^2).
void curl_transport::take_finished(std::vector<ended_attempt>& out) {
  done_.clear();
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(multi_.get(), &queued)) {
    if (message->msg == CURLMSG_DONE) done_.push_back(done{message->easy_handle, message->data.result});
  }
  for (const done& d : done_) {
    transfer* slot = transfer::owner_of(d.easy);
    curl_multi_remove_handle(multi_.get(), d.easy);
    ended_attempt& ended = out.emplace_back();
    ended.slot = slot;
    try {
      ended.result = slot->finish(d.code);
    } catch (...) {
      ended.result.kind = outcome::unexpected;
      ended.result.error = "out of memory";  // short enough not to allocate
      ended.result.attempts = slot->attempt();
    }
  }
}

void curl_transport::stop_reusing() noexcept {
  reuse_ = false;
  for (transfer* slot : carried_) slot->forbid_reuse();
}

void curl_transport::on_socket_ready(int fd, std::uint32_t events) {
  int mask = 0;
  if ((events & EPOLLIN) != 0) mask |= CURL_CSELECT_IN;
  if ((events & EPOLLOUT) != 0) mask |= CURL_CSELECT_OUT;
  // A reset or hang-up: let curl both read and write so it meets the error itself and reports
  // it with its own words (errno), instead of a bare CURL_CSELECT_ERR.
  if ((events & (EPOLLERR | EPOLLHUP)) != 0) mask |= CURL_CSELECT_IN | CURL_CSELECT_OUT;
  act(fd, mask);
}

void curl_transport::act(curl_socket_t fd, int mask) {
  int running = 0;
  const CURLMcode code = curl_multi_socket_action(multi_.get(), fd, mask, &running);
  if (code == CURLM_ABORTED_BY_CALLBACK && socket_errno_ != 0) {
    throw std::runtime_error(std::string("epoll_ctl: ") + std::strerror(socket_errno_));
  }
  if (code != CURLM_OK) throw std::runtime_error(std::string("curl_multi_socket_action: ") + curl_multi_strerror(code));
}

int curl_transport::on_socket(CURL* /*easy*/, curl_socket_t fd, int what, void* self, void* socket_data) noexcept {
  auto* t = static_cast<curl_transport*>(self);
  if (what == CURL_POLL_REMOVE) {
    // curl says so before it closes the socket; a failure here (already gone) changes nothing.
    t->poller_.control(EPOLL_CTL_DEL, fd, 0, t->listener_id_);
    return 0;
  }
  std::uint32_t events = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= EPOLLIN;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= EPOLLOUT;
  // Level-triggered: curl reads and writes until EAGAIN only some of the time, so a socket left
  // readable must be reported again.
  const int op = socket_data == nullptr ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  int error = t->poller_.control(op, fd, events, t->listener_id_);
  if (error == EEXIST && op == EPOLL_CTL_ADD) error = t->poller_.control(EPOLL_CTL_MOD, fd, events, t->listener_id_);
  if (error == ENOENT && op == EPOLL_CTL_MOD) error = t->poller_.control(EPOLL_CTL_ADD, fd, events, t->listener_id_);
  if (error != 0) {
    t->socket_errno_ = error;
    return -1;  // curl_multi_socket_action then fails with CURLM_ABORTED_BY_CALLBACK
  }
  if (socket_data == nullptr) curl_multi_assign(t->multi_.get(), fd, registered);
  return 0;
}

int curl_transport::on_timer(CURLM* /*multi*/, long timeout_ms, void* self) noexcept {
  auto* t = static_cast<curl_transport*>(self);
  if (timeout_ms < 0) {
    t->timer_due_.reset();
  } else {
    t->timer_due_ = clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

}  // namespace serentak::client
