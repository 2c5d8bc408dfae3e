#include "client/transport/curl/certificate_expiry.hpp"

#include <array>
#include <cstdlib>
#include <ctime>
#include <string>

namespace serentak::client {
namespace {

constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Reads an unsigned number of 1 to max_digits digits after optional blanks; advances text.
std::optional<int> number(std::string_view& text, std::size_t max_digits) noexcept {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  std::size_t n = 0;
  int value = 0;
  while (n < text.size() && n < max_digits && text[n] >= '0' && text[n] <= '9') value = value * 10 + (text[n++] - '0');
  if (n == 0) return std::nullopt;
  text.remove_prefix(n);
  return value;
}

bool expect(std::string_view& text, char c) noexcept {
  if (text.empty() || text.front() != c) return false;
  text.remove_prefix(1);
  return true;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_certificate_time(std::string_view text) noexcept {
  if (text.size() < 3) return std::nullopt;
  int month = -1;
  for (std::size_t m = 0; m < months.size(); ++m) {
    if (text.substr(0, 3) == months[m]) month = static_cast<int>(m);
  }
  if (month < 0) return std::nullopt;
  text.remove_prefix(3);
  const auto day = number(text, 2);
  if (!day || !expect(text, ' ')) return std::nullopt;
  const auto hour = number(text, 2);
  if (!hour || !expect(text, ':')) return std::nullopt;
  const auto minute = number(text, 2);
  if (!minute || !expect(text, ':')) return std::nullopt;
  const auto second = number(text, 2);
  if (!second) return std::nullopt;
  const auto year = number(text, 4);
  if (!year || text != " GMT") return std::nullopt;
  if (*day < 1 || *day > 31 || *hour > 23 || *minute > 59 || *second > 60 || *year < 1970) return std::nullopt;
  std::tm parts{};
  parts.tm_year = *year - 1900;
  parts.tm_mon = month;
  parts.tm_mday = *day;
  parts.tm_hour = *hour;
  parts.tm_min = *minute;
  parts.tm_sec = *second;
  const std::time_t at = ::timegm(&parts);
  if (at == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(at);
}

std::optional<std::chrono::system_clock::time_point> leaf_certificate_expiry(CURL* easy) noexcept {
  curl_certinfo* info = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &info) != CURLE_OK || info == nullptr || info->num_of_certs < 1) {
    return std::nullopt;
  }
  constexpr std::string_view field = "Expire date:";
  for (const curl_slist* line = info->certinfo[0]; line != nullptr; line = line->next) {
    const std::string_view text(line->data);
    if (text.substr(0, field.size()) == field) return parse_certificate_time(text.substr(field.size()));
  }
  return std::nullopt;
}

}  // namespace serentak::client
