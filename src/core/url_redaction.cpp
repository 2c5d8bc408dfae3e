#include "core/url_redaction.hpp"

#include <array>

#include "core/find_any.hpp"
#include "core/percent_encoding.hpp"

namespace serentak {
namespace {

constexpr std::string_view mask = "***";

// Whole parameter names that carry credentials (normalised: lower case, '-' -> '_').
constexpr std::array<std::string_view, 26> sensitive_names = {
    "token",     "access_token", "refresh_token", "id_token",  "auth",        "auth_token", "authorization", "password",
    "passwd",    "pwd",          "pass",          "secret",    "client_secret", "api_key",  "apikey",        "key",
    "signature", "sig",          "session",       "sessionid", "session_id",    "credentials",
    "credential", "jsessionid", "phpsessid", "sid"};
// Name endings that do too: "github_token", "db_password", "x_api_key", "aws_secret".
constexpr std::array<std::string_view, 7> sensitive_suffixes = {"_token", "_password", "_secret", "_key",
                                                                 "_signature", "_credential", "_credentials"};

std::string normalise(std::string_view name) {
  // Decoding allocates; most names have nothing to decode.
  std::string decoded = name.find('%') == std::string_view::npos ? std::string(name)
                                                                 : percent_decode(name, true).value_or(std::string(name));
  // camelCase words are split as snake_case words are: "accessToken" -> "access_token".
  std::string key;
  key.reserve(decoded.size() + 4);
  for (std::size_t i = 0; i < decoded.size(); ++i) {
    char c = decoded[i];
    if (c >= 'A' && c <= 'Z') {
      if (i > 0 && decoded[i - 1] >= 'a' && decoded[i - 1] <= 'z') key.push_back('_');
      c = static_cast<char>(c - 'A' + 'a');
    }
    key.push_back(c == '-' ? '_' : c);
  }
  return key;
}

// Appends a query or fragment ("a=1&token=x") with sensitive values masked.
void append_parameters(std::string& out, std::string_view params) {
  while (true) {
    std::size_t end = find_any(params, "&;");
    std::string_view pair = params.substr(0, end);
    std::size_t equals = pair.find('=');
    // A fragment may hold a route and its own query ("#/callback?access_token=x"): the name is
    // what follows the last '/' or '?'.
    std::string_view name = pair.substr(0, equals);
    if (std::size_t cut = find_last_any(name, "/?"); cut != std::string_view::npos) name.remove_prefix(cut + 1);
    if (equals != std::string_view::npos && equals + 1 < pair.size() && is_sensitive_parameter(name)) {
      out.append(pair.substr(0, equals + 1));
      out.append(mask);
    } else {
      out.append(pair);
    }
    if (end == std::string_view::npos) return;
    out.push_back(params[end]);
    params.remove_prefix(end + 1);
  }
}

// Appends a path with the values of sensitive path parameters masked ("/app;jsessionid=x").
void append_path(std::string& out, std::string_view path) {
  while (!path.empty()) {
    std::size_t semicolon = path.find(';');
    if (semicolon == std::string_view::npos) {
      out.append(path);
      return;
    }
    out.append(path.substr(0, semicolon + 1));
    path.remove_prefix(semicolon + 1);
    std::size_t segment_end = path.find('/');
    append_parameters(out, path.substr(0, segment_end));
    if (segment_end == std::string_view::npos) return;
    path.remove_prefix(segment_end);
  }
}

}  // namespace

bool is_sensitive_parameter(std::string_view name) {
  std::string key = normalise(name);
  for (std::string_view s : sensitive_names) {
    if (key == s) return true;
  }
  for (std::string_view s : sensitive_suffixes) {
    if (key.size() > s.size() && std::string_view(key).ends_with(s)) return true;
  }
  return false;
}

std::string redact_urls_in_text(std::string_view text) {
  const auto scheme_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' || c == '-' ||
           c == '.';
  };
  const auto url_end = [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F || c == '\'' || c == '"' || c == '<' || c == '>' || c == '`';
  };
  std::string out;
  std::size_t copied = 0;
  for (std::size_t mark = text.find("://"); mark != std::string_view::npos; mark = text.find("://", mark + 3)) {
    std::size_t start = mark;
    while (start > copied && scheme_char(text[start - 1])) --start;
    if (start == mark) continue;  // no scheme before "://"
    std::size_t end = mark + 3;
    while (end < text.size() && !url_end(text[end])) ++end;
    out.append(text.substr(copied, start - copied));
    out.append(redact_url(text.substr(start, end - start)));
    copied = end;
    mark = end - 3;  // the next search starts after this URL (end >= mark + 3)
  }
  out.append(text.substr(copied));
  return out;
}

std::string redact_url(std::string_view url) {
  std::string out;
  out.reserve(url.size());
  std::string_view rest = url;
  // The authority starts after "scheme://" and ends at the first '/', '?' or '#'.
  if (std::size_t scheme_end = rest.find("://"); scheme_end != std::string_view::npos &&
                                                 find_any(rest.substr(0, scheme_end), "/?#") == std::string_view::npos) {
    out.append(rest.substr(0, scheme_end + 3));
    rest.remove_prefix(scheme_end + 3);
    std::string_view authority = rest.substr(0, find_any(rest, "/?#"));
    if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
      out.append(mask);
      out.push_back('@');
      rest.remove_prefix(at + 1);
    }
  }
  std::size_t query = find_any(rest, "?#");
  append_path(out, rest.substr(0, query));
  if (query == std::string_view::npos) return out;
  rest.remove_prefix(query);
  std::size_t fragment = rest.find('#', 1);
  if (rest.front() == '?') {
    out.push_back('?');
    append_parameters(out, rest.substr(1, fragment == std::string_view::npos ? std::string_view::npos : fragment - 1));
    if (fragment == std::string_view::npos) return out;
    rest.remove_prefix(fragment);
  }
  out.push_back('#');  // a fragment can hold tokens too (OAuth's "#access_token=")
  append_parameters(out, rest.substr(1));
  return out;
}

std::string redact_proxy(std::string_view proxy) {
  if (proxy.find("://") != std::string_view::npos) return redact_url(proxy);
  constexpr std::string_view assumed = "http://";
  return redact_url(std::string(assumed) + std::string(proxy)).substr(assumed.size());
}

std::string redact_proxies_in_text(std::string_view text, const std::vector<std::string_view>& proxies) {
  std::string out(text);
  for (std::string_view proxy : proxies) {
    if (proxy.empty()) continue;
    const std::string masked = redact_proxy(proxy);
    if (masked == proxy) continue;
    for (std::size_t at = out.find(proxy); at != std::string::npos; at = out.find(proxy, at + masked.size())) {
      out.replace(at, proxy.size(), masked);
    }
  }
  return redact_urls_in_text(out);
}

std::string redact_item(std::string_view item) {
  if (item.find("://") == std::string_view::npos) return std::string(item);
  return redact_url(item);
}

}  // namespace serentak
