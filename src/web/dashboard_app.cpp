#include "web/dashboard_app.hpp"

#include <exception>

#include <fmt/format.h>

#include "core/query_string.hpp"
#include "monitor/duration_text.hpp"
#include "web/badge_svg.hpp"
#include "web/page_assets.hpp"
#include "web/web_access.hpp"

namespace serentak::web {
namespace {

namespace sv = server;

constexpr std::string_view text_type = "text/plain; charset=utf-8";
constexpr std::string_view html_type = "text/html; charset=utf-8";
constexpr std::string_view script_type = "text/javascript; charset=utf-8";
constexpr std::string_view style_type = "text/css; charset=utf-8";
constexpr std::string_view svg_type = "image/svg+xml";
constexpr std::string_view json_type = "application/json";

constexpr std::string_view endpoints_path = "/api/v1/endpoints";
constexpr std::string_view badge_prefix = "/badge/";
constexpr std::string_view badge_suffix = ".svg";
constexpr std::string_view history_suffix = "/history";

void add_common_headers(sv::response_plan& plan, bool no_store) {
  plan.extra_headers.emplace_back("Content-Security-Policy", std::string(content_security_policy));
  plan.extra_headers.emplace_back("X-Content-Type-Options", "nosniff");
  plan.extra_headers.emplace_back("Referrer-Policy", "no-referrer");
  plan.extra_headers.emplace_back("Cache-Control", no_store ? "no-store" : "no-cache");
}

sv::response_plan plain(int status, std::string_view content_type, std::string body) {
  sv::response_plan plan;
  plan.status = status;
  plan.content_type = content_type;
  plan.body = std::move(body);
  return plan;
}

sv::response_plan json_error(int status, std::string_view error, std::string_view message) {
  return plain(status, json_type, dump_json({{"error", error}, {"message", message}}) + "\n");
}

}  // namespace

dashboard_app::dashboard_app(const dashboard_state& state, history_api* history, dashboard_options options)
    : state_(state), history_(history), options_(std::move(options)), page_(page_html(options_.lang, options_.title)) {}

std::string dashboard_app::stream_head(unsigned version) {
  std::string head = version == 10 ? "HTTP/1.0 200 OK\r\n" : "HTTP/1.1 200 OK\r\n";
  head += "Server: serentak\r\nContent-Type: text/event-stream; charset=utf-8\r\n";
  head += fmt::format("Content-Security-Policy: {}\r\n", content_security_policy);
  head += "X-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nCache-Control: no-store\r\n";
  head += "X-Accel-Buffering: no\r\nConnection: close\r\n\r\n";
  return head;
}

sv::app_answer dashboard_app::answer(const sv::app_request& request) {
  const request_target target = split_target(request.target);
  const bool head = request.method == "HEAD";
  bool stream = false;
  sv::response_plan plan;
  if (request.method != "GET" && !head) {
    plan = json_error(405, "method_not_allowed", "the dashboard is read-only: GET or HEAD");
    plan.extra_headers.emplace_back("Allow", "GET, HEAD");
  } else {
    try {
      plan = route(request, target.path, target.query, stream);
    } catch (const std::exception&) {  // the history failed (disk, lock): the dashboard stays up
      plan = json_error(500, "internal_error", "the history could not be read");
      stream = false;
    }
  }
  if (stream && !head) return {std::move(plan), true};
  const bool no_store = plan.content_type == json_type || target.path == "/events" || plan.content_type == svg_type;
  add_common_headers(plan, no_store);
  if (stream) plan.content_type = "text/event-stream; charset=utf-8";  // HEAD /events: the head alone
  plan.omit_body = head;
  return {std::move(plan), false};
}

bool dashboard_app::answers_slowly(const sv::app_request& request) const {
  const request_target target = split_target(request.target);  // owns the path: keep it alive while read
  return history_ != nullptr && target.path.starts_with(endpoints_path) && target.path.ends_with(history_suffix);
}

sv::response_plan dashboard_app::route(const sv::app_request& request, std::string_view path, std::string_view query,
                                       bool& stream) {
  if (path == "/") return plain(200, html_type, page_);
  if (path == "/app.js") return plain(200, script_type, std::string(page_script()));
  if (path == "/app.css") return plain(200, style_type, std::string(page_style()));
  if (path == "/healthz") return plain(200, text_type, "ok\n");
  // Browsers ask for it on every page without an icon link (the API, a badge): an answer, not a 404.
  if (path == "/favicon.ico") {
    return plain(200, svg_type,
                 R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" )"
                 R"(fill="#2e8b57"/></svg>)");
  }
  const bool data_route = path == "/events" || path.starts_with(endpoints_path) || path.starts_with(badge_prefix);
  if (!data_route) return json_error(404, "not_found", "no such page");
  if (!authorized(options_.token, request.authorization, query)) {
    sv::response_plan plan = json_error(401, "unauthorized", "give the token: Authorization: Bearer TOKEN or ?token=");
    plan.extra_headers.emplace_back("WWW-Authenticate", "Bearer");
    return plan;
  }
  if (path == "/events") {
    if (streams_.load() >= options_.max_streams) return json_error(503, "too_many_streams", "too many open streams");
    stream = true;
    return plain(200, text_type, "");
  }
  if (path == endpoints_path) return plain(200, json_type, state_.snapshot_json());
  if (path.starts_with(badge_prefix) && path.ends_with(badge_suffix)) {
    const std::string_view name =
        path.substr(badge_prefix.size(), path.size() - badge_prefix.size() - badge_suffix.size());
    const std::optional<badge_facts> facts = state_.badge(name);
    if (!facts) return json_error(404, "unknown_endpoint", "no endpoint of that name");
    return plain(200, svg_type, badge_svg(name, facts->state, facts->uptime_24h));
  }
  const std::string prefix = std::string(endpoints_path) + "/";
  if (path.starts_with(prefix) && path.ends_with(history_suffix) &&
      path.size() > prefix.size() + history_suffix.size()) {
    const std::string_view name = path.substr(prefix.size(), path.size() - prefix.size() - history_suffix.size());
    if (!state_.has(name)) return json_error(404, "unknown_endpoint", "no endpoint of that name");
    std::chrono::milliseconds since{std::chrono::hours(1)};
    if (const std::optional<std::string> given = query_get(query, "since")) {
      const auto parsed = monitor::parse_duration(*given);
      if (!parsed || parsed->count() <= 0)
        return json_error(400, "bad_since", "since is a duration above 0, e.g. 30m, 1h, 7d");
      since = *parsed;
    }
    if (history_ == nullptr) return json_error(503, "no_history", "the history is not open");
    return plain(200, json_type, history_->checks_json(name, since));
  }
  return json_error(404, "not_found", "no such page");
}

void dashboard_app::adopt(boost::asio::ip::tcp::socket socket, const sv::app_request& request,
                          sv::connection_registry& registry) {
  std::optional<event_cursor> resume = parse_event_id(request.last_event_id);
  if (!resume) {
    // EventSource cannot send headers on its first connection; a page may pass the id in the query.
    if (auto given = query_get(split_target(request.target).query, "last_event_id")) resume = parse_event_id(*given);
  }
  streams_.fetch_add(1);
  auto stream = std::make_shared<event_stream>(std::move(socket), state_, resume, stream_head(request.version),
                                               registry, streams_, options_.timing);
  if (!registry.add(stream)) return;  // stop() has begun: the stream dies here, closing its socket
  stream->start();
}

}  // namespace serentak::web
