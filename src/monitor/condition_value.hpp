#pragma once
// The value one side of a condition resolves to for one check: a number, a boolean, a text, or
// missing (with why: "no such key", "body is not JSON"). How two values compare is decided here,
// once: numbers numerically, texts that read as numbers numerically, anything else as text; a
// missing value satisfies no comparison. Pure values; safe from any thread.

#include <optional>
#include <string>
#include <string_view>

namespace serentak::monitor {

enum class compare_op { eq, ne, lt, le, gt, ge };
std::string_view to_string(compare_op op) noexcept;

struct condition_value {
  enum class kind { missing, boolean, number, text };
  kind type = kind::missing;
  double number = 0;  // kind::number; also a boolean's 0/1
  std::string text;   // kind::text; a literal number's source ("72h"); missing: the reason

  static condition_value missing(std::string reason) { return {kind::missing, 0, std::move(reason)}; }
  static condition_value of_bool(bool b) { return {kind::boolean, b ? 1.0 : 0.0, {}}; }
  static condition_value of_number(double n, std::string source = {}) { return {kind::number, n, std::move(source)}; }
  static condition_value of_text(std::string t) { return {kind::text, 0, std::move(t)}; }

  bool is_missing() const noexcept { return type == kind::missing; }
  // The value as a number: a number, or a text that is wholly a decimal number. Not booleans.
  std::optional<double> as_number() const noexcept;
  // How the value is shown in a failed condition: 503, 12.5, true, UP, <missing: no key 'x'>.
  std::string render() const;
};

// A literal as written in a condition: a number ("7", "0.01", "-3"), a duration ("72h", "300ms":
// a number of milliseconds that renders as written), or else a text.
condition_value literal_value(std::string_view source);

// a op b under the rules above. For <, <=, >, >= both sides must be numbers.
bool compare(const condition_value& a, compare_op op, const condition_value& b);

// pat(): '*' matches any run of characters (including '/' and none), everything else
// matches itself, case-sensitively; the whole text must match.
bool pattern_matches(std::string_view pattern, std::string_view text) noexcept;

// Formats a number without a trailing ".0": 200, 0.25, 1234.5.
std::string format_number(double n);

}  // namespace serentak::monitor
