#pragma once
// Turns an item into a request URL. "{}" in the template is replaced by the percent-encoded
// item, so no item can add a path segment, a query parameter or a fragment; the items "." and
// ".." are escaped whole (%2E), so neither can remove a path segment either.
// Pure values, thread-safe after construction.

#include <string>
#include <string_view>

namespace serentak {

class url_template {
 public:
  // pattern must contain "{}" at least once, unless whole_url is set; throws std::invalid_argument.
  // With whole_url the item itself is the URL (the health story's full URLs): it is used as is,
  // and a path that starts with '/' is joined to base.
  url_template(std::string base, std::string pattern, bool whole_url = false);

  std::string expand(std::string_view item) const;
  bool whole_url() const noexcept { return whole_url_; }

 private:
  std::string base_;     // scheme://host:port, no trailing slash
  std::string pattern_;  // appended to base_, "{}" marks the item
  bool whole_url_;
};

// "http://h:1/" -> "http://h:1"; keeps everything else as typed.
std::string trim_trailing_slashes(std::string url);

}  // namespace serentak
