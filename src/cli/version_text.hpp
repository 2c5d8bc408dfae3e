#pragma once
// What `serentak --version` prints: serentak's version, then the libraries that carry its
// traffic (libcurl, Boost for Beast/Asio, and the TLS library libcurl was built with), so a bug
// report names them. Pure apart from asking libcurl; thread-safe.

#include <string>

namespace serentak::cli {

inline constexpr const char* serentak_version = "0.1.0";

std::string version_text();  // several lines, no trailing newline

}  // namespace serentak::cli
