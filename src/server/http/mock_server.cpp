#include "server/http/mock_server.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/log_text.hpp"
#include "log/line_writer.hpp"
#include "scenario/builtin_scenarios.hpp"
#include "server/http/access_log.hpp"
#include "server/http/connection_registry.hpp"
#include "server/http/listener.hpp"
#include "server/routes/observability_routes.hpp"
#include "server/routes/router.hpp"
#include "server/stats/server_stats.hpp"
#include "server/http/session.hpp"
#include "server/http/tls_context.hpp"
#include "themes/theme.hpp"

namespace serentak::server {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// After stop() has closed everything, the threads run out of work within microseconds; this is
// only a safety net against a forgotten pending operation keeping them in run() forever.
constexpr std::chrono::seconds drain_deadline{2};

net::ip::address parse_host(const std::string& host) {
  if (host == "localhost") return net::ip::address_v4::loopback();
  std::string literal = host;
  if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']') {
    literal = literal.substr(1, literal.size() - 2);
  }
  boost::system::error_code ec;
  auto address = net::ip::make_address(literal, ec);
  if (ec) {
    throw std::invalid_argument("invalid host '" + host + "': expected an IPv4 or IPv6 address, or localhost");
  }
  return address;
}

const server_config& validated(const server_config& config) {
  if (config.request_timeout.count() <= 0 || config.idle_timeout.count() <= 0) {
    throw std::invalid_argument("request and idle timeouts must be > 0");
  }
  if (config.header_limit_bytes == 0 || config.header_limit_bytes > 0xFFFFFFFFu) {
    throw std::invalid_argument("header limit must be between 1 byte and 4 GiB");
  }
  if (config.max_connections == 0) throw std::invalid_argument("max connections must be > 0");
  if (config.tls_cert_file.empty() != config.tls_key_file.empty()) {
    throw std::invalid_argument("--tls-cert and --tls-key go together");
  }
  if (!config.tls_client_ca_file.empty() && config.tls_cert_file.empty()) {
    throw std::invalid_argument("--tls-client-ca needs --tls-cert and --tls-key");
  }
  if (config.access_log_buffer_bytes == 0) throw std::invalid_argument("the access log buffer must be > 0 bytes");
  return config;
}

session_settings settings_of(const server_config& config) {
  session_settings s;
  s.request_timeout = config.request_timeout;
  s.idle_timeout = config.idle_timeout;
  s.header_limit_bytes = config.header_limit_bytes;
  s.body_limit_bytes = config.body_limit_bytes;
  s.access_log_fd = config.quiet ? -1 : config.access_log_fd;
  s.error_fd = 2;
  return s;
}

// Every route label the sessions report: the router's paths, the server's own two routes and
// unmatched requests; server_stats finds these without a lock or a list walk.
std::vector<std::string> stats_labels(const router& routes) {
  std::vector<std::string> labels = routes.paths();
  labels.emplace_back(stats_path);
  labels.emplace_back(metrics_path);
  labels.emplace_back(unmatched_route);
  return labels;
}

unsigned thread_count(unsigned requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

// One io_context per I/O thread, each with its own acceptor on the one listening socket: a
// connection lives on the thread that accepted it, so threads share no scheduler lock and wake
// each other for nothing (one shared io_context run by 2 threads cost ~30% more CPU per
// connection in a burst of 10,000 than run by 1).
// Member order matters: the io_contexts are destroyed before the registry and the router that the
// sessions (owned by their pending handlers) refer to, and after the listeners that use them.
struct mock_server::impl {
  explicit impl(server_config c)
      : config((validated(c), std::move(c))),  // checked, then moved: a scenario may hold a million records
        // The scenarios move into the router's handlers (nothing else in the server reads them).
        routes(config.scenarios.empty() ? builtin_scenarios() : std::move(config.scenarios),
               router_options{config.seed, config.delay_scale, !config.quiet}),
        tls(config.tls_cert_file.empty()
                ? nullptr
                : make_tls_context({config.tls_cert_file, config.tls_key_file, config.tls_client_ca_file})),
        access_lines(config.quiet ? -1 : config.access_log_fd, stats.access_lines_dropped(),
                     config.access_log_buffer_bytes) {
    const unsigned n = thread_count(config.threads);
    session_context context{routes,    registry,      stats,   settings_of(config), &config.plan_hook,
                            tls.get(), &access_lines, &renders};
    context.app = config.app.get();
    io_contexts.reserve(n);
    acceptors.reserve(n);
    for (unsigned i = 0; i < n; ++i) {
      io_contexts.push_back(std::make_unique<net::io_context>(1));
      if (i == 0) {
        acceptors.push_back(std::make_shared<listener>(*io_contexts[0], tcp::endpoint(parse_host(config.host), config.port),
                                                       context, config.max_connections));
      } else {
        acceptors.push_back(std::make_shared<listener>(*io_contexts[i], *acceptors[0], context, config.max_connections));
      }
    }
  }

  void run_thread(net::io_context& ioc);
  void shut_down();

  server_config config;
  router routes;
  connection_registry registry;
  server_stats stats{stats_labels(routes)};  // lock-free (server_stats.hpp); read by /__serentak/stats and /metrics
  std::unique_ptr<net::ssl::context> tls;  // null: plain http; only read once made (every thread)
  access_log access_lines;  // the sessions' access lines, written by its own thread; stopped last
  std::vector<std::unique_ptr<net::io_context>> io_contexts;  // [i] is run by threads[i] alone
  std::vector<std::shared_ptr<listener>> acceptors;           // [i] accepts into io_contexts[i]
  // /__serentak/stats and /metrics are rendered here, off the I/O threads. Declared after the
  // io_contexts so it is joined before they are destroyed: a finished render posts back to one.
  net::thread_pool renders{1};

  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::thread> threads;
  unsigned running = 0;  // threads still inside run()
  bool started = false;
  bool stopping = false;  // stop() has begun: start() does nothing
  bool stopped = false;   // stop() has completed
  std::once_flag stop_once;
};

void mock_server::impl::run_thread(net::io_context& ioc) {
  for (;;) {
    try {
      ioc.run();
      break;
    } catch (const std::exception& e) {  // a handler threw (e.g. bad_alloc): report, keep serving
      log::write_fully(2, "[SERVER] unexpected error: " + escape_for_log(e.what()) + "\n");
    }
  }
  std::lock_guard lock(mutex);
  --running;
  changed.notify_all();
}

void mock_server::impl::shut_down() {
  {
    std::lock_guard lock(mutex);
    stopping = true;
  }
  for (const auto& acceptor : acceptors) acceptor->close();
  registry.close_all();
  bool was_started = false;
  {
    std::unique_lock lock(mutex);
    was_started = started;
    if (was_started && !changed.wait_for(lock, drain_deadline, [this] { return running == 0; })) {
      for (const auto& ioc : io_contexts) ioc->stop();
    }
  }
  if (!was_started) {
    for (const auto& ioc : io_contexts) ioc->run();  // no threads: run the posted closes here
  }
  for (std::thread& t : threads) {
    if (t.joinable()) t.join();
  }
  access_lines.stop();  // after the sessions: their last lines get flush_time to go out
  std::lock_guard lock(mutex);
  stopped = true;
  changed.notify_all();
}

mock_server::mock_server(server_config config) : impl_(std::make_unique<impl>(std::move(config))) {}

mock_server::~mock_server() { stop(); }

unsigned short mock_server::port() const noexcept { return impl_->acceptors.front()->port(); }

void mock_server::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->started || impl_->stopping) return;
  impl_->started = true;
  for (const auto& acceptor : impl_->acceptors) acceptor->run();
  const std::size_t n = impl_->io_contexts.size();
  impl_->running = static_cast<unsigned>(n);
  impl_->threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    impl_->threads.emplace_back([this, &ioc = *impl_->io_contexts[i]] { impl_->run_thread(ioc); });
  }
}

void mock_server::stop() {
  std::call_once(impl_->stop_once, [this] { impl_->shut_down(); });
}

void mock_server::wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->changed.wait(lock, [this] { return impl_->stopped; });
}

}  // namespace serentak::server
