#include "queue/eviction_check.hpp"

#include <charconv>
#include <string_view>

namespace serentak::queue {
namespace {

// The value of "name:value" among INFO's lines; empty when absent.
std::string_view info_field(std::string_view info, std::string_view name) {
  std::size_t at = 0;
  while (at < info.size()) {
    std::size_t end = info.find('\n', at);
    if (end == std::string_view::npos) end = info.size();
    std::string_view line = info.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > name.size() && line.starts_with(name) && line[name.size()] == ':')
      return line.substr(name.size() + 1);
    at = end + 1;
  }
  return {};
}

}  // namespace

std::optional<std::string> evicting_policy(redis_connection& connection) {
  redis_result info = connection.command({"INFO", "memory"});
  if (!info.ok() || !info.view().is_string()) return std::nullopt;
  std::string_view text = info.view().text();
  std::string_view policy = info_field(text, "maxmemory_policy");
  std::string_view limit = info_field(text, "maxmemory");
  unsigned long long bytes = 0;
  auto [end, error] = std::from_chars(limit.data(), limit.data() + limit.size(), bytes);
  if (error != std::errc() || end != limit.data() + limit.size() || bytes == 0) return std::nullopt;
  if (!policy.starts_with("allkeys-")) return std::nullopt;
  return std::string(policy);
}

}  // namespace serentak::queue
