#pragma once
// One monitor condition ("[STATUS] == 200", "len([BODY].items) > 0", "p95([RESPONSE_TIME], 5m) < 300"),
// compiled once from its text into an immutable tree and evaluated against each check. The language
// follows Gatus's placeholders and functions (docs/monitor.md says where it differs). A compiled
// condition is immutable and shared freely between threads; a check_input belongs to one evaluation.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "monitor/check_result.hpp"
#include "monitor/check_window.hpp"
#include "monitor/condition_value.hpp"

namespace serentak::monitor {

namespace detail {
struct condition_node;
}

// A syntax error: the 1-based column in the condition text and what was expected there.
struct condition_error {
  std::size_t column = 0;
  std::string message;
  std::string render() const;  // "column 12: expected an operator (==, !=, <, <=, >, >=)"
};

// One condition's verdict on one check: passed or not, the values it saw ("503"), and the
// condition with those values shown next to what read them ("[STATUS] (503) == 200").
struct condition_verdict {
  bool passed = false;
  std::string seen;
  std::string explained;
};

// What a check offers the conditions: the result, the endpoint's recent window (window conditions
// read it; it should already hold this check's sample), and now. The body is parsed as JSON at
// most once, and only when a condition reads a [BODY] path.
class check_input {
 public:
  check_input(const check_result& result, const check_window* window, std::chrono::steady_clock::time_point now);
  ~check_input();
  check_input(const check_input&) = delete;
  check_input& operator=(const check_input&) = delete;

  const check_result& result() const noexcept { return result_; }
  const check_window* window() const noexcept { return window_; }
  std::chrono::steady_clock::time_point now() const noexcept { return now_; }
  // The body as JSON, parsed on first use; nullptr when it is not JSON.
  const nlohmann::json* body_json();
  bool body_parsed() const noexcept { return parsed_; }

 private:
  const check_result& result_;
  const check_window* window_;
  std::chrono::steady_clock::time_point now_;
  bool parsed_ = false;
  struct json_holder;
  std::unique_ptr<json_holder> json_;
};

class condition {
 public:
  // nullopt and error filled when text is not a valid condition.
  static std::optional<condition> compile(std::string_view text, condition_error& error);

  const std::string& text() const noexcept { return text_; }
  bool reads_body() const noexcept;                   // a [BODY] path: the body must be kept for this check
  bool is_window() const noexcept;                    // reads the endpoint's history: pNN(), ratio()
  bool reads_header() const noexcept;                 // [HEADER].name: the response headers are needed
  bool reads_certificate() const noexcept;            // [CERTIFICATE_EXPIRATION]: the peer certificate is needed
  // The header names its [HEADER].name reads, lower-cased: what the engine keeps of each response.
  std::vector<std::string> headers_read() const;
  std::chrono::milliseconds window() const noexcept;  // the longest span it reads; 0 if none

  condition_verdict evaluate(check_input& input) const;

 private:
  condition(std::shared_ptr<const detail::condition_node> node, std::string text)
      : node_(std::move(node)), text_(std::move(text)) {}
  std::shared_ptr<const detail::condition_node> node_;
  std::string text_;
};

// All of an endpoint's conditions on one check.
struct check_evaluation {
  bool passed = true;                       // every condition passed
  bool only_window_failed = false;          // some failed, and each of them is a window condition
  std::vector<condition_verdict> verdicts;  // one per condition, in order
};
check_evaluation evaluate_all(const std::vector<condition>& conditions, check_input& input);

// The longest window among conditions: how much history their endpoint must keep.
std::chrono::milliseconds longest_window(const std::vector<condition>& conditions) noexcept;

}  // namespace serentak::monitor
