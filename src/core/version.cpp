#include "core/version.hpp"

#ifndef SERENTAK_VERSION
#error "SERENTAK_VERSION is set by src/CMakeLists.txt from PROJECT_VERSION"
#endif

namespace serentak {

std::string_view project_version() noexcept { return SERENTAK_VERSION; }

}  // namespace serentak
