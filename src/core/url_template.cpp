#include "core/url_template.hpp"

#include <stdexcept>

#include "core/percent_encoding.hpp"

namespace serentak {

std::string trim_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

url_template::url_template(std::string base, std::string pattern, bool whole_url)
    : base_(trim_trailing_slashes(std::move(base))), pattern_(std::move(pattern)), whole_url_(whole_url) {
  if (!whole_url_ && pattern_.find("{}") == std::string::npos) {
    throw std::invalid_argument("URL template '" + pattern_ + "' has no {} for the item");
  }
}

std::string url_template::expand(std::string_view item) const {
  if (whole_url_) {
    if (item.starts_with('/')) return base_ + std::string(item);
    return std::string(item);
  }
  std::string encoded = percent_encode(item);
  // '.' is unreserved, but an item "." or ".." in a path would be a dot segment, which clients
  // remove (RFC 3986 5.2.4): "/p/{}/x" with ".." would become "/x". Escaped, they are data.
  if (item == ".") encoded = "%2E";
  if (item == "..") encoded = "%2E%2E";
  std::string out = base_;
  std::size_t from = 0;
  for (;;) {
    auto pos = pattern_.find("{}", from);
    out.append(pattern_, from, pos == std::string::npos ? std::string::npos : pos - from);
    if (pos == std::string::npos) return out;
    out += encoded;
    from = pos + 2;
  }
}

}  // namespace serentak
