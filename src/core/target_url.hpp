#pragma once
// Checks a URL the user typed before anything is sent: http and https only, with a host,
// no control characters or spaces. Pure; the engine also restricts curl to http/https.

#include <optional>
#include <string>
#include <string_view>

namespace serentak {

// nullopt when url is acceptable; otherwise a one-line reason for the user.
std::optional<std::string> check_target_url(std::string_view url);

}  // namespace serentak
