#include "core/target_url.hpp"

#include <algorithm>
#include <cctype>

#include "core/log_text.hpp"
#include "core/url_redaction.hpp"

namespace serentak {

std::optional<std::string> check_target_url(std::string_view url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return "'" + escape_for_log(redact_url(url)) + "' is not a URL (expected http://host/... or https://host/...)";
  }
  std::string scheme(url.substr(0, scheme_end));
  std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (scheme != "http" && scheme != "https") {
    return "'" + escape_for_log(redact_url(url)) + "' uses the scheme '" + escape_for_log(scheme) +
           "'; only http and https are allowed";
  }
  std::string_view rest = url.substr(scheme_end + 3);
  std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  auto at = authority.rfind('@');
  std::string_view host = at == std::string_view::npos ? authority : authority.substr(at + 1);
  if (host.empty() || host.front() == ':') return "'" + escape_for_log(redact_url(url)) + "' has no host";
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) {
      return "'" + escape_for_log(redact_url(url)) + "' contains spaces or control characters; percent-encode them";
    }
  }
  return std::nullopt;
}

}  // namespace serentak
