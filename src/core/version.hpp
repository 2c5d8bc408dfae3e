#pragma once
// The project's version, from CMake's PROJECT_VERSION (a compile definition of this one file, so
// a version bump recompiles one file). Pure; thread-safe.

#include <string_view>

namespace serentak {

std::string_view project_version() noexcept;  // "0.1.0"

}  // namespace serentak
