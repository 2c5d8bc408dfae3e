#include "core/url_redaction.hpp"

#include <array>

#include "core/percent_encoding.hpp"

namespace serentak {
namespace {

constexpr std::string_view mask = "***";

// Whole parameter names that carry credentials (normalised: lower case, '-' -> '_').
constexpr std::array<std::string_view, 22> sensitive_names = {
    "token",     "access_token", "refresh_token", "id_token",  "auth",        "auth_token", "authorization", "password",
    "passwd",    "pwd",          "pass",          "secret",    "client_secret", "api_key",  "apikey",        "key",
    "signature", "sig",          "session",       "sessionid", "session_id",    "credentials"};
// Name endings that do too: "github_token", "db_password", "x_api_key", "aws_secret".
constexpr std::array<std::string_view, 5> sensitive_suffixes = {"_token", "_password", "_secret", "_key", "_signature"};

std::string normalise(std::string_view name) {
  // Decoding allocates; most names have nothing to decode.
  std::string decoded = name.find('%') == std::string_view::npos ? std::string(name)
                                                                 : percent_decode(name, true).value_or(std::string(name));
  for (char& c : decoded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c == '-') c = '_';
  }
  return decoded;
}

// Appends a query or fragment ("a=1&token=x") with sensitive values masked.
void append_parameters(std::string& out, std::string_view params) {
  while (true) {
    std::size_t end = params.find_first_of("&;");
    std::string_view pair = params.substr(0, end);
    std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && equals + 1 < pair.size() && is_sensitive_parameter(pair.substr(0, equals))) {
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

std::string redact_url(std::string_view url) {
  std::string out;
  out.reserve(url.size());
  std::string_view rest = url;
  // The authority starts after "scheme://" and ends at the first '/', '?' or '#'.
  if (std::size_t scheme_end = rest.find("://"); scheme_end != std::string_view::npos &&
                                                 rest.substr(0, scheme_end).find_first_of("/?#") == std::string_view::npos) {
    out.append(rest.substr(0, scheme_end + 3));
    rest.remove_prefix(scheme_end + 3);
    std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
    if (std::size_t at = authority.rfind('@'); at != std::string_view::npos) {
      out.append(mask);
      out.push_back('@');
      rest.remove_prefix(at + 1);
    }
  }
  std::size_t query = rest.find_first_of("?#");
  out.append(rest.substr(0, query));
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

std::string redact_item(std::string_view item) {
  if (item.find("://") == std::string_view::npos) return std::string(item);
  return redact_url(item);
}

}  // namespace serentak
