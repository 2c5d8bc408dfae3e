#include "cli/help_formatter.hpp"

#include <algorithm>
#include <array>
#include <string_view>
#include <utility>

namespace serentak::cli {
namespace {

// Options whose value has a name worth more than CLI11's C++ type. An option not listed shows
// VALUE, or the type_name() its registration gave, when that is a plain word (FILE, SPEC, NAME).
constexpr std::array<std::pair<std::string_view, std::string_view>, 27> placeholders{{
    {"timeout", "DURATION"},
    {"connect-timeout", "DURATION"},
    {"max-body", "SIZE"},
    {"rate", "RATE"},
    {"base", "URL"},
    {"url", "TEMPLATE"},
    {"log", "FILE"},
    {"out", "FILE"},
    {"input", "FILE"},
    {"config", "FILE"},
    {"format", "jsonl|csv"},
    {"lang", "id|en"},
    {"concurrency", "N"},
    {"threads", "N"},
    {"retries", "N"},
    {"summary", "none|text|json"},
    {"transport", "auto|curl|native"},
    {"port", "N"},
    {"host", "ADDR"},
    {"seed", "N"},
    {"delay-scale", "F"},
    {"max-connections", "N"},
    {"log-dir", "DIR"},
    {"items", "ITEM"},
    {"scenario", "FILE"},
    {"fault", "SPEC"},
    {"print-scenario", "NAME"},
}};

bool plain_word(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) { return c >= 'A' && c <= 'Z'; }) &&
         name != "TEXT" && name != "FLOAT" && name != "INT" && name != "UINT" && name != "NUMBER" &&
         name != "BOOLEAN" && name != "ENUM";
}

}  // namespace

help_formatter::help_formatter() { column_width(34); }

std::string value_placeholder(const CLI::Option& option) {
  std::string name = option.get_lnames().empty() ? option.get_name(true, false) : option.get_lnames().front();
  for (const auto& [option_name, placeholder] : placeholders) {
    if (option_name == name) return std::string(placeholder);
  }
  std::string type = option.get_type_name();
  return plain_word(type) ? type : "VALUE";
}

std::string help_formatter::make_option_opts(const CLI::Option* option) const {
  if (option->get_expected_max() == 0) return "";  // a flag takes no value
  std::string text = " " + value_placeholder(*option);
  if (option->get_expected_max() == CLI::detail::expected_max_vector_size) text += " ...";
  if (option->get_required()) text += " (required)";
  return text;
}

std::string help_formatter::make_option_desc(const CLI::Option* option) const {
  std::string description = option->get_description();
  // A default CLI11 captured (capture_default_str) and the description does not already give.
  const std::string& given = option->get_default_str();
  if (!given.empty() && description.find("default") == std::string::npos) description += " (default " + given + ")";
  return description;
}

}  // namespace serentak::cli
