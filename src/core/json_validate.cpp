#include "core/json_validate.hpp"

#include <array>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/ascii.hpp"

namespace serentak {
namespace {

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// The open containers, innermost last: '[' or '{'. Depth is unlimited, as in nlohmann's SAX
// parser; the first levels live on the stack so a usual body allocates nothing.
class container_stack {
 public:
  bool empty() const noexcept { return size_ == 0; }
  char top() const noexcept { return size_ <= inline_.size() ? inline_[size_ - 1] : spill_.back(); }
  void push(char c) {
    if (size_ < inline_.size()) {
      inline_[size_] = c;
    } else {
      spill_.push_back(c);
    }
    ++size_;
  }
  void pop() noexcept {
    if (size_ > inline_.size()) spill_.pop_back();
    --size_;
  }

 private:
  std::array<char, 64> inline_{};
  std::vector<char> spill_;
  std::size_t size_ = 0;
};

class validator {
 public:
  explicit validator(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  bool run() {
    // nlohmann skips a UTF-8 byte order mark before the value (its lexer's skip_bom).
    if (end_ - p_ >= 3 && p_[0] == '\xEF' && p_[1] == '\xBB' && p_[2] == '\xBF') p_ += 3;
    skip_whitespace();
    for (;;) {
      if (!value()) return false;
      // After a value: close containers, or a comma and the next member.
      for (;;) {
        skip_whitespace();
        if (open_.empty()) {
          // nlohmann's lexer takes a NUL byte for the end of the input (for C strings), so text
          // after one is not read: the same answer here.
          return p_ == end_ || *p_ == '\0';
        }
        if (p_ == end_) return false;
        const char c = *p_;
        if (c == ',') {
          ++p_;
          skip_whitespace();
          if (open_.top() == '{' && !member_name()) return false;
          break;  // the next value
        }
        if ((c == ']' && open_.top() == '[') || (c == '}' && open_.top() == '{')) {
          ++p_;
          open_.pop();
          continue;
        }
        return false;
      }
    }
  }

 private:
  void skip_whitespace() noexcept {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  // One value at p_; a container is opened (and, if empty, closed) and its first value read by
  // the caller's loop, so nesting never recurses.
  bool value() {
    for (;;) {
      if (p_ == end_) return false;
      switch (*p_) {
        case '[':
          ++p_;
          skip_whitespace();
          if (p_ != end_ && *p_ == ']') {
            ++p_;
            return true;
          }
          open_.push('[');
          continue;  // its first element
        case '{':
          ++p_;
          skip_whitespace();
          if (p_ != end_ && *p_ == '}') {
            ++p_;
            return true;
          }
          open_.push('{');
          if (!member_name()) return false;
          continue;  // its first member's value
        case '"':
          return string();
        case 't':
          return literal("true");
        case 'f':
          return literal("false");
        case 'n':
          return literal("null");
        default:
          return number();
      }
    }
  }

  // "name" then ':' and whitespace, at p_.
  bool member_name() {
    if (p_ == end_ || *p_ != '"' || !string()) return false;
    skip_whitespace();
    if (p_ == end_ || *p_ != ':') return false;
    ++p_;
    skip_whitespace();
    return true;
  }

  bool literal(std::string_view word) noexcept {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  bool digits() noexcept {
    if (p_ == end_ || !is_digit(*p_)) return false;
    while (p_ != end_ && is_digit(*p_)) ++p_;
    return true;
  }

  // RFC 8259's number grammar; then, where the value could be too large for a double (an
  // exponent, or more digits than a double's range), nlohmann's check that it is finite.
  bool number() {
    const char* start = p_;
    if (*p_ == '-') ++p_;
    if (p_ == end_) return false;
    if (*p_ == '0') {
      ++p_;
    } else if (!digits()) {
      return false;
    }
    bool exponent = false;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (!digits()) return false;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (!digits()) return false;
      exponent = true;
    }
    // Without an exponent, under 300 characters is far below DBL_MAX (about 1.8e308).
    if (!exponent && p_ - start < 300) return true;
    const std::string token(start, p_);  // strtod needs a terminated string; rare
    return std::isfinite(std::strtod(token.c_str(), nullptr));
  }

  // Four hex digits at p_ (after "\u").
  bool hex4(unsigned& code) noexcept {
    if (end_ - p_ < 4) return false;
    code = 0;
    for (int k = 0; k < 4; ++k) {
      const int digit = hex_digit_value(p_[k]);
      if (digit < 0) return false;
      code = code * 16 + static_cast<unsigned>(digit);
    }
    p_ += 4;
    return true;
  }

  bool escape() noexcept {
    if (p_ == end_) return false;
    const char c = *p_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
      case 'b':
      case 'f':
      case 'n':
      case 'r':
      case 't':
        return true;
      case 'u':
        break;
      default:
        return false;
    }
    unsigned code = 0;
    if (!hex4(code)) return false;
    if (code >= 0xDC00 && code <= 0xDFFF) return false;  // a low surrogate must follow a high one
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
      p_ += 2;
      unsigned low = 0;
      return hex4(low) && low >= 0xDC00 && low <= 0xDFFF;
    }
    return true;
  }

  // count continuation bytes (0x80-0xBF) at p_, the first within [first_min, first_max].
  bool continuation(int count, unsigned char first_min, unsigned char first_max) noexcept {
    if (end_ - p_ < count) return false;
    const auto first = static_cast<unsigned char>(p_[0]);
    if (first < first_min || first > first_max) return false;
    for (int k = 1; k < count; ++k) {
      const auto b = static_cast<unsigned char>(p_[k]);
      if (b < 0x80 || b > 0xBF) return false;
    }
    p_ += count;
    return true;
  }

  // A string at p_ (its opening quote): valid UTF-8 (RFC 3629), no raw control character.
  bool string() {
    ++p_;
    for (;;) {
      // The common case first: printable ASCII.
      while (p_ != end_) {
        const auto c = static_cast<unsigned char>(*p_);
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
        ++p_;
      }
      if (p_ == end_) return false;
      const auto c = static_cast<unsigned char>(*p_++);
      if (c == '"') return true;
      if (c == '\\') {
        if (!escape()) return false;
        continue;
      }
      bool ok = false;
      if (c < 0x80) {
        ok = false;  // a control character
      } else if (c >= 0xC2 && c <= 0xDF) {
        ok = continuation(1, 0x80, 0xBF);
      } else if (c == 0xE0) {
        ok = continuation(2, 0xA0, 0xBF);
      } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        ok = continuation(2, 0x80, 0xBF);
      } else if (c == 0xED) {
        ok = continuation(2, 0x80, 0x9F);  // not a UTF-16 surrogate
      } else if (c == 0xF0) {
        ok = continuation(3, 0x90, 0xBF);
      } else if (c >= 0xF1 && c <= 0xF3) {
        ok = continuation(3, 0x80, 0xBF);
      } else if (c == 0xF4) {
        ok = continuation(3, 0x80, 0x8F);  // not past U+10FFFF
      }
      if (!ok) return false;
    }
  }

  const char* p_;
  const char* end_;
  container_stack open_;
};

}  // namespace

bool is_valid_json(std::string_view text) { return validator(text).run(); }

}  // namespace serentak
