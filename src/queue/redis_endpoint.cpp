#include "queue/redis_endpoint.hpp"

#include <charconv>

#include "core/log_text.hpp"
#include "core/percent_encoding.hpp"

namespace serentak::queue {
namespace {

bool valid_job_name(std::string_view name) {
  if (name.empty() || name.size() > 100) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string redis_endpoint::display() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

std::optional<redis_endpoint> parse_redis_endpoint(std::string_view url, std::string& problem) {
  redis_endpoint endpoint;
  std::string_view rest;
  if (url.starts_with("redis://")) {
    rest = url.substr(8);
  } else if (url.starts_with("rediss://")) {
    endpoint.tls = true;
    rest = url.substr(9);
  } else {
    problem = "the job address must look like redis://HOST:PORT/NAME";
    return std::nullopt;
  }
  // The user information ends at the last '@': neither a host nor a job name has one, and a password
  // may hold '/', '@' or ':' unescaped (base64 secrets do). Splitting at the first '/' instead would
  // put a password's tail into the name, and so into the error that quotes it.
  std::string_view userinfo;
  bool has_userinfo = false;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    has_userinfo = true;
  }
  auto slash = rest.find('/');
  if (slash == std::string_view::npos) {
    problem = "the job address has no /NAME after the server (redis://HOST:PORT/NAME)";
    return std::nullopt;
  }
  std::string_view authority = rest.substr(0, slash);
  std::string_view name = rest.substr(slash + 1);
  if (!valid_job_name(name)) {
    problem = "job name '" + escape_for_log(name) + "' must be 1-100 characters of A-Z a-z 0-9 . _ -";
    return std::nullopt;
  }
  endpoint.job = std::string(name);
  if (has_userinfo) {
    auto colon = userinfo.find(':');
    std::string_view user = colon == std::string_view::npos ? std::string_view{} : userinfo.substr(0, colon);
    std::string_view pass = colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1);
    auto decoded_user = percent_decode(user);
    auto decoded_pass = percent_decode(pass);
    if (!decoded_user || !decoded_pass) {
      problem = "the job address's user or password has a bad %-escape";
      return std::nullopt;
    }
    endpoint.user = std::move(*decoded_user);
    endpoint.password = std::move(*decoded_pass);
  }
  std::string_view host = authority;
  std::string_view port_text;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) {
      problem = "the job address has an unclosed [ in its host";
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port_text = authority.substr(close + 2);
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
  }
  if (host.empty()) {
    problem = "the job address has no host (redis://HOST:PORT/NAME)";
    return std::nullopt;
  }
  for (char c : host) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '/' || c == '@') {
      problem = "the job address's host '" + escape_for_log(host) + "' is not a host name";
      return std::nullopt;
    }
  }
  endpoint.host = std::string(host);
  if (!port_text.empty()) {
    int port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port < 1 || port > 65535) {
      problem = "the job address's port '" + escape_for_log(port_text) + "' is not a port number (1-65535)";
      return std::nullopt;
    }
    endpoint.port = port;
  }
  return endpoint;
}

}  // namespace serentak::queue
