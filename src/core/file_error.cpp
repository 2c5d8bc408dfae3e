#include "core/file_error.hpp"

#include <string>
#include <system_error>

#include "core/log_text.hpp"

namespace serentak {

void throw_file_error(int err, std::string_view what, const std::filesystem::path& path) {
  throw std::system_error(err, std::generic_category(), std::string(what) + " '" + escape_for_log(path.string()) + "'");
}

}  // namespace serentak
