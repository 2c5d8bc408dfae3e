#include "monitor/condition_value.hpp"

#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "monitor/duration_text.hpp"

namespace serentak::monitor {
namespace {

std::optional<double> parse_number(std::string_view s) noexcept {
  if (s.empty()) return std::nullopt;
  std::string_view digits = s;
  if (digits.front() == '+') digits.remove_prefix(1);  // from_chars refuses a leading '+'
  double out = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec != std::errc{} || end != digits.data() + digits.size() || !std::isfinite(out)) return std::nullopt;
  return out;
}

}  // namespace

std::string_view to_string(compare_op op) noexcept {
  switch (op) {
    case compare_op::eq:
      return "==";
    case compare_op::ne:
      return "!=";
    case compare_op::lt:
      return "<";
    case compare_op::le:
      return "<=";
    case compare_op::gt:
      return ">";
    case compare_op::ge:
      return ">=";
  }
  return "?";
}

std::optional<double> condition_value::as_number() const noexcept {
  if (type == kind::number) return number;
  if (type == kind::text) return parse_number(text);
  return std::nullopt;
}

std::string format_number(double n) {
  if (std::nearbyint(n) == n && std::fabs(n) < 1e15) return fmt::format("{}", static_cast<long long>(n));
  return fmt::format("{}", n);
}

std::string condition_value::render() const {
  switch (type) {
    case kind::missing:
      return fmt::format("<missing: {}>", text);
    case kind::boolean:
      return number != 0 ? "true" : "false";
    case kind::number:
      return text.empty() ? format_number(number) : text;
    case kind::text:
      return text;
  }
  return {};
}

condition_value literal_value(std::string_view source) {
  if (auto n = parse_number(source)) return condition_value::of_number(*n, std::string(source));
  if (auto d = parse_duration(source)) {
    return condition_value::of_number(static_cast<double>(d->count()), std::string(source));
  }
  return condition_value::of_text(std::string(source));
}

bool compare(const condition_value& a, compare_op op, const condition_value& b) {
  if (a.is_missing() || b.is_missing()) return false;
  const auto na = a.as_number();
  const auto nb = b.as_number();
  if (op == compare_op::eq || op == compare_op::ne) {
    bool equal = (na && nb) ? *na == *nb : a.render() == b.render();
    return op == compare_op::eq ? equal : !equal;
  }
  if (!na || !nb) return false;
  switch (op) {
    case compare_op::lt:
      return *na < *nb;
    case compare_op::le:
      return *na <= *nb;
    case compare_op::gt:
      return *na > *nb;
    case compare_op::ge:
      return *na >= *nb;
    default:
      return false;
  }
}

bool pattern_matches(std::string_view pattern, std::string_view text) noexcept {
  // Greedy-with-backtrack wildcard match: linear in practice, O(p * t) at worst, no recursion.
  std::size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace serentak::monitor
