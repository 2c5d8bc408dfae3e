#pragma once
// The compiled form of a condition (internal to monitor/): a comparison of two operands, each a
// literal, a placeholder read, or a function of one. Built by condition_parser, read by condition.
// Immutable once built; shared between threads through shared_ptr<const>.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "monitor/condition_value.hpp"

namespace serentak::monitor::detail {

enum class placeholder { status, response_time, body, header, connected, certificate_expiration };

struct path_step {
  std::string key;                   // an object key, when index is empty
  std::optional<std::size_t> index;  // an array index
};

struct condition_node;

struct operand {
  enum class kind { literal, read, len, has, pattern, any, percentile, ratio };
  kind type = kind::literal;
  std::string source;                           // as written, trimmed: shown in explanations
  placeholder target = placeholder::status;     // read, len, has, percentile
  std::string header_name;                      // target == header, lower-cased
  std::vector<path_step> path;                  // target == body; empty: the whole body
  condition_value literal;                      // literal
  std::string pattern;                          // pattern
  std::vector<condition_value> options;         // any
  double quantile = 0;                          // percentile, in (0, 1]
  std::chrono::milliseconds window{0};          // percentile, ratio
  std::shared_ptr<const condition_node> inner;  // ratio: the per-check condition counted

  bool is_constant() const noexcept { return type == kind::literal || type == kind::pattern || type == kind::any; }
};

struct condition_node {
  operand left;
  compare_op op = compare_op::eq;
  operand right;
};

// Parses text into a tree; on failure returns nullptr and sets column (1-based) and message.
std::shared_ptr<const condition_node> parse_condition(std::string_view text, std::size_t& column, std::string& message);

}  // namespace serentak::monitor::detail
