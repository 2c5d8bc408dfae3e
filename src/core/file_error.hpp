#pragma once
// The one shape of a failed file operation's error: the system's reason, the operation and the path,
// escaped for a log line (a path is the user's bytes). Stateless; thread-safe.

#include <filesystem>
#include <string_view>

namespace serentak {

// Throws std::system_error(err, generic) whose what() is "<what> '<path>': <reason>".
[[noreturn]] void throw_file_error(int err, std::string_view what, const std::filesystem::path& path);

}  // namespace serentak
