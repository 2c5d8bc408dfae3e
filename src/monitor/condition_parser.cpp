// The condition grammar (docs/monitor.md has it for users):
//   condition := operand op operand          op := == | != | <= | >= | < | >
//   operand   := ref | len(ref) | has(ref) | pat(TEXT) | any(V, V, ...) | pNN([RESPONSE_TIME], DUR)
//              | ratio(condition, DUR) | literal
//   ref       := [STATUS] | [RESPONSE_TIME] | [CONNECTED] | [CERTIFICATE_EXPIRATION]
//              | [BODY] ( .key | [index] )* | [HEADER].name
// A literal on the right runs to the end of the text (so "Out for Delivery" needs no quotes, as in
// Gatus); on the left it is one word. Placeholder and function names are case-insensitive.

#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

#include "monitor/condition_tree.hpp"
#include "monitor/duration_text.hpp"

namespace serentak::monitor::detail {
namespace {

struct parse_failure {
  std::size_t offset;
  std::string message;
};

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct placeholder_name {
  std::string_view name;
  placeholder value;
};
constexpr std::array placeholder_names{
    placeholder_name{"STATUS", placeholder::status},
    placeholder_name{"RESPONSE_TIME", placeholder::response_time},
    placeholder_name{"BODY", placeholder::body},
    placeholder_name{"HEADER", placeholder::header},
    placeholder_name{"CONNECTED", placeholder::connected},
    placeholder_name{"CERTIFICATE_EXPIRATION", placeholder::certificate_expiration},
};
constexpr std::string_view placeholder_list =
    "[STATUS], [RESPONSE_TIME], [BODY], [HEADER], [CONNECTED], [CERTIFICATE_EXPIRATION]";
constexpr std::string_view operator_list = "an operator (==, !=, <, <=, >, >=)";

class parser {
 public:
  explicit parser(std::string_view text) : text_(text) {}

  std::shared_ptr<const condition_node> parse_top() {
    auto node = parse_comparison(false, '\0');
    skip_spaces();
    if (pos_ < text_.size()) fail(fmt::format("unexpected '{}' after the condition", text_.substr(pos_)));
    return node;
  }

 private:
  [[noreturn]] void fail(std::string message) const { throw parse_failure{pos_, std::move(message)}; }
  [[noreturn]] void fail_at(std::size_t at, std::string message) const { throw parse_failure{at, std::move(message)}; }

  void skip_spaces() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool at_end() const noexcept { return pos_ >= text_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : text_[pos_]; }
  void expect(char c, std::string_view what) {
    skip_spaces();
    if (peek() != c) fail(fmt::format("expected {}", what));
    ++pos_;
  }

  // inner: parsing ratio()'s condition, whose right literal stops at `stop` (',').
  std::shared_ptr<const condition_node> parse_comparison(bool inner, char stop) {
    auto node = std::make_shared<condition_node>();
    skip_spaces();
    if (at_end()) fail("expected a condition, such as [STATUS] == 200");
    node->left = parse_operand(false, stop);
    skip_spaces();
    const std::size_t op_at = pos_;
    node->op = parse_operator();
    skip_spaces();
    if (at_end() || peek() == stop) fail(fmt::format("expected a value after '{}'", to_string(node->op)));
    node->right = parse_operand(true, stop);
    check_shape(*node, op_at, inner);
    return node;
  }

  compare_op parse_operator() {
    const std::string_view rest = text_.substr(pos_);
    constexpr std::array<std::pair<std::string_view, compare_op>, 6> ops{{{"==", compare_op::eq},
                                                                          {"!=", compare_op::ne},
                                                                          {"<=", compare_op::le},
                                                                          {">=", compare_op::ge},
                                                                          {"<", compare_op::lt},
                                                                          {">", compare_op::gt}}};
    for (const auto& [name, op] : ops) {
      if (rest.substr(0, name.size()) == name) {
        pos_ += name.size();
        return op;
      }
    }
    if (at_end()) fail(fmt::format("expected {} at the end", operator_list));
    fail(fmt::format("expected {}, found '{}'", operator_list, rest.substr(0, 1)));
  }

  void check_shape(const condition_node& node, std::size_t op_at, bool inner) const {
    const auto& l = node.left;
    const auto& r = node.right;
    if (l.is_constant() && r.is_constant()) {
      fail_at(0, fmt::format("a condition must read something: one side should be a placeholder ({}) or a "
                             "function of one",
                             placeholder_list));
    }
    const bool matcher = l.type == operand::kind::pattern || l.type == operand::kind::any ||
                         r.type == operand::kind::pattern || r.type == operand::kind::any;
    if (matcher && node.op != compare_op::eq && node.op != compare_op::ne) {
      fail_at(op_at, "pat() and any() compare only with == or !=");
    }
    if (inner) {
      for (const operand* o : {&l, &r}) {
        if (o->type == operand::kind::percentile || o->type == operand::kind::ratio) {
          fail_at(0, "ratio() counts single checks: no window function inside it");
        }
        if ((o->type == operand::kind::read || o->type == operand::kind::len || o->type == operand::kind::has) &&
            o->target != placeholder::status && o->target != placeholder::response_time &&
            o->target != placeholder::connected) {
          fail_at(0, "ratio() can read only [STATUS], [RESPONSE_TIME] and [CONNECTED] (history keeps no bodies)");
        }
      }
    }
  }

  operand parse_operand(bool right_side, char stop) {
    skip_spaces();
    const std::size_t start = pos_;
    operand out;
    if (peek() == '[') {
      out = parse_ref();
    } else if (std::size_t name_end = function_name_end(); name_end != 0) {
      out = parse_function(text_.substr(pos_, name_end - pos_), name_end, stop);
    } else {
      out.type = operand::kind::literal;
      std::size_t end = pos_;
      if (right_side) {
        while (end < text_.size() && text_[end] != stop) ++end;
      } else {
        while (end < text_.size() && !std::isspace(static_cast<unsigned char>(text_[end])) &&
               std::string_view("=!<>").find(text_[end]) == std::string_view::npos) {
          ++end;
        }
      }
      std::string_view lit = text_.substr(pos_, end - pos_);
      while (!lit.empty() && std::isspace(static_cast<unsigned char>(lit.back()))) lit.remove_suffix(1);
      if (lit.empty()) fail("expected a placeholder such as [STATUS], a function or a value");
      pos_ = end;
      out.literal = literal_value(lit);
    }
    std::string_view source = text_.substr(start, pos_ - start);
    while (!source.empty() && std::isspace(static_cast<unsigned char>(source.back()))) source.remove_suffix(1);
    out.source = std::string(source);
    return out;
  }

  // The end of "name" when the text at pos_ is name( for a known function; 0 otherwise.
  std::size_t function_name_end() const {
    std::size_t end = pos_;
    while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '.')) ++end;
    if (end == pos_ || end >= text_.size() || text_[end] != '(') return 0;
    return end;
  }

  operand parse_ref() {
    const std::size_t open = pos_;
    ++pos_;  // '['
    std::size_t close = text_.find(']', pos_);
    if (close == std::string_view::npos) fail_at(open, fmt::format("expected a placeholder: {}", placeholder_list));
    const std::string_view name = text_.substr(pos_, close - pos_);
    operand out;
    out.type = operand::kind::read;
    bool known = false;
    for (const auto& p : placeholder_names) {
      if (iequals(p.name, name)) {
        out.target = p.value;
        known = true;
      }
    }
    if (!known) fail_at(pos_, fmt::format("unknown placeholder [{}]; expected one of {}", name, placeholder_list));
    pos_ = close + 1;
    if (out.target == placeholder::body) {
      parse_body_path(out);
    } else if (out.target == placeholder::header) {
      if (peek() != '.') fail("expected .NAME after [HEADER], such as [HEADER].content-type");
      ++pos_;
      std::size_t end = pos_;
      while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) ||
                                    std::string_view("-_!#$%&'*+.^`|~").find(text_[end]) != std::string_view::npos)) {
        ++end;
      }
      if (end == pos_) fail("expected a header name after [HEADER].");
      out.header_name = lower(text_.substr(pos_, end - pos_));
      pos_ = end;
    } else if (peek() == '.' || peek() == '[') {
      fail(fmt::format("[{}] has no fields; only [BODY] and [HEADER] do", name));
    }
    return out;
  }

  void parse_body_path(operand& out) {
    while (peek() == '.' || peek() == '[') {
      if (peek() == '.') {
        ++pos_;
        std::size_t end = pos_;
        while (end < text_.size() && std::string_view(".[] \t(),").find(text_[end]) == std::string_view::npos) ++end;
        if (end == pos_) fail("expected a key after '.'");
        out.path.push_back({std::string(text_.substr(pos_, end - pos_)), std::nullopt});
        pos_ = end;
      } else {
        ++pos_;
        std::size_t index = 0;
        auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), index);
        if (ec != std::errc{}) fail("expected an array index (0, 1, ...) after '['");
        pos_ = static_cast<std::size_t>(end - text_.data());
        if (peek() != ']') fail("expected ']' after the array index");
        ++pos_;
        out.path.push_back({{}, index});
      }
    }
  }

  // The text up to the parenthesis that closes the one just opened, nesting counted.
  std::string_view raw_arguments(std::size_t open) {
    int depth = 1;
    std::size_t i = pos_;
    for (; i < text_.size(); ++i) {
      if (text_[i] == '(') ++depth;
      if (text_[i] == ')' && --depth == 0) break;
    }
    if (i >= text_.size()) fail_at(open, "expected ')' to close this '('");
    std::string_view inside = text_.substr(pos_, i - pos_);
    pos_ = i + 1;
    return inside;
  }

  std::chrono::milliseconds parse_window_argument() {
    expect(',', "',' and a window duration, such as 5m");
    skip_spaces();
    const std::size_t at = pos_;
    std::size_t end = text_.find(')', pos_);
    if (end == std::string_view::npos) fail("expected a window duration and ')'");
    std::string_view d = text_.substr(pos_, end - pos_);
    while (!d.empty() && std::isspace(static_cast<unsigned char>(d.back()))) d.remove_suffix(1);
    auto window = parse_duration(d);
    if (!window || window->count() == 0) {
      fail_at(at, fmt::format("expected a window duration such as 30s, 5m or 1h, found '{}'", d));
    }
    pos_ = end + 1;
    return *window;
  }

  operand parse_function(std::string_view name, std::size_t name_end, char stop) {
    const std::size_t name_at = pos_;
    pos_ = name_end + 1;  // past '('
    const std::size_t open = name_end;
    operand out;
    if (iequals(name, "len") || iequals(name, "has")) {
      out.type = iequals(name, "len") ? operand::kind::len : operand::kind::has;
      skip_spaces();
      if (peek() != '[') fail(fmt::format("expected a placeholder inside {}(), such as [BODY].items", lower(name)));
      operand ref = parse_ref();
      out.target = ref.target;
      out.header_name = std::move(ref.header_name);
      out.path = std::move(ref.path);
      expect(')', fmt::format("')' to close {}(", lower(name)));
    } else if (iequals(name, "pat")) {
      out.type = operand::kind::pattern;
      out.pattern = std::string(raw_arguments(open));
    } else if (iequals(name, "any")) {
      out.type = operand::kind::any;
      std::string_view args = raw_arguments(open);
      std::size_t from = 0;
      while (from <= args.size()) {
        std::size_t comma = args.find(',', from);
        if (comma == std::string_view::npos) comma = args.size();
        std::string_view item = args.substr(from, comma - from);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
        while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
        if (item.empty()) fail_at(open + 1 + from, "expected a value in any(): empty item");
        out.options.push_back(literal_value(item));
        from = comma + 1;
      }
    } else if ((name[0] == 'p' || name[0] == 'P') && name.size() > 1) {
      double q = 0;
      auto [end, ec] = std::from_chars(name.data() + 1, name.data() + name.size(), q);
      if (ec != std::errc{} || end != name.data() + name.size() || q <= 0 || q > 100) {
        fail_at(name_at, fmt::format("unknown function {}(); a percentile is p1 to p100, such as p95", name));
      }
      out.type = operand::kind::percentile;
      out.quantile = q / 100.0;
      skip_spaces();
      if (peek() != '[') fail(fmt::format("expected [RESPONSE_TIME] inside {}()", name));
      const std::size_t ref_at = pos_;
      operand ref = parse_ref();
      if (ref.target != placeholder::response_time)
        fail_at(ref_at, fmt::format("{}() reads only [RESPONSE_TIME]", name));
      out.target = placeholder::response_time;
      out.window = parse_window_argument();
    } else if (iequals(name, "ratio")) {
      // Refused before recursing, so no input can nest ratio() deep enough to exhaust the stack.
      if (in_ratio_) fail_at(name_at, "ratio() counts single checks: no window function inside it");
      in_ratio_ = true;
      out.type = operand::kind::ratio;
      out.inner = parse_comparison(true, ',');
      out.window = parse_window_argument();
      in_ratio_ = false;
    } else {
      fail_at(name_at, fmt::format("unknown function {}(); expected len, has, pat, any, pNN or ratio", name));
    }
    (void)stop;
    return out;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  bool in_ratio_ = false;
};

}  // namespace

std::shared_ptr<const condition_node> parse_condition(std::string_view text, std::size_t& column,
                                                      std::string& message) {
  try {
    return parser(text).parse_top();
  } catch (const parse_failure& failure) {
    column = failure.offset + 1;
    message = failure.message;
    return nullptr;
  }
}

}  // namespace serentak::monitor::detail
