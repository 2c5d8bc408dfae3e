#pragma once
// The politeness key of a URL: "scheme://host:port", lower-cased, userinfo dropped, the default
// port filled in, so http://API.example/a and http://api.example:80/b share one budget
// (--per-host, --host-rate, --adaptive). Pure; thread-safe.

#include <string>
#include <string_view>

namespace serentak {

// Empty when url has no "scheme://" or no host (such a URL is refused before it is sent).
std::string host_key(std::string_view url);

}  // namespace serentak
