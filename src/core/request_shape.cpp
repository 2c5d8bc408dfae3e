#include "core/request_shape.hpp"

#include <array>
#include <stdexcept>

#include "core/ascii.hpp"
#include "core/json_text.hpp"
#include "core/log_text.hpp"
#include "core/version.hpp"

namespace serentak {
namespace {

constexpr std::string_view item_mark = "{}";

// Headers whose values are credentials or session state: never displayed.
constexpr std::array<std::string_view, 5> builtin_secrets = {"authorization", "proxy-authorization", "cookie",
                                                             "set-cookie", "x-api-key"};

std::vector<std::string> split_at_item(std::string_view text) {
  std::vector<std::string> pieces;
  for (;;) {
    const std::size_t at = text.find(item_mark);
    pieces.emplace_back(text.substr(0, at));
    if (at == std::string_view::npos) return pieces;
    text.remove_prefix(at + item_mark.size());
  }
}

bool only_spaces(std::string_view text) noexcept { return text.find_first_not_of(" \t") == std::string_view::npos; }

void append_json_content(std::string& out, std::string_view item) {
  const std::size_t at = out.size();
  append_json_string(out, item);  // quoted: drop the quotes, the template has its own
  out.erase(at, 1);
  out.pop_back();
}

}  // namespace

bool is_framing_header(std::string_view name) noexcept {
  return ascii_iequals(name, "Host") || ascii_iequals(name, "Content-Length") ||
         ascii_iequals(name, "Transfer-Encoding");
}

bool is_authorization_header(std::string_view name) noexcept { return ascii_iequals(name, "Authorization"); }

bool has_control_character(std::string_view text) noexcept {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && byte != '\t') || byte == 0x7F) return true;
  }
  return false;
}

bool is_http_token(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (char c : text) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("!#$%&'*+-.^_`|~").find(c) == std::string_view::npos) return false;
  }
  return true;
}

header_field parse_header_line(std::string_view line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) throw std::invalid_argument("expected 'Name: value'");
  std::string_view name = line.substr(0, colon);
  std::string_view value = line.substr(colon + 1);
  if (!is_http_token(name)) throw std::invalid_argument("the header name is not an HTTP token");
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (has_control_character(value)) {
    throw std::invalid_argument("the value of header '" + std::string(name) + "' contains a control character");
  }
  return header_field{std::string(name), std::string(value)};
}

std::string basic_authorization(std::string_view user_and_password) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "Basic ";
  std::size_t i = 0;
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(user_and_password[k]); };
  for (; i + 2 < user_and_password.size(); i += 3) {
    const unsigned triple = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(alphabet[(triple >> shift) & 63]);
  }
  const std::size_t rest = user_and_password.size() - i;
  if (rest > 0) {
    const unsigned triple = (byte(i) << 16) | (rest == 2 ? byte(i + 1) << 8 : 0U);
    out.push_back(alphabet[(triple >> 18) & 63]);
    out.push_back(alphabet[(triple >> 12) & 63]);
    out.push_back(rest == 2 ? alphabet[(triple >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string default_user_agent() { return "serentak/" + std::string(project_version()); }

request_shape::request_shape() {
  add_line("User-Agent", default_user_agent());
  add_line("Accept", "*/*");
  add_line("Accept-Encoding", "identity");  // the native transport decodes no content coding
  for (std::string_view name : builtin_secrets) secret_names_.emplace_back(name);
}

void request_shape::add_line(std::string name, std::string value) {
  line added;
  added.empty_value = value.empty();
  const std::string text = added.empty_value ? name + ":" : name + ": " + value;
  added.pieces = split_at_item(text);
  if (added.pieces.size() == 1) added.curl_text = added.empty_value ? name + ";" : text;
  added.name = std::move(name);
  lines_.push_back(std::move(added));
}

request_shape request_shape::prepare(const request_spec& spec) {
  request_shape shape;
  for (const std::string& name : spec.redact) {
    if (!is_http_token(name)) throw std::invalid_argument("--redact-header: '" + escape_for_log(name) + "' is not a header name");
    shape.secret_names_.push_back(ascii_lower(name));
  }
  shape.has_body_ = spec.body.has_value();
  shape.json_ = spec.json;
  shape.method_ = !spec.method.empty() ? spec.method : (shape.has_body_ ? "POST" : "GET");
  if (!is_http_token(shape.method_)) throw std::invalid_argument("--method: not an HTTP token (letters, digits, !#$%&'*+-.^_`|~)");
  shape.netrc_ = spec.netrc;

  // The three default lines keep their places; a user header of the same name replaces the value.
  std::string agent = spec.user_agent.value_or(default_user_agent());
  if (has_control_character(agent)) throw std::invalid_argument("-A: the User-Agent contains a control character");
  std::string accept = spec.json ? "application/json" : "*/*";
  std::string encoding = "identity";
  std::vector<const header_field*> rest;
  bool agent_set = false, accept_set = false, encoding_set = false, type_set = false;
  for (const header_field& field : spec.headers) {
    if (!is_http_token(field.name)) throw std::invalid_argument("-H: a header name is not an HTTP token");
    if (has_control_character(field.value)) {
      throw std::invalid_argument("-H: the value of header '" + field.name + "' contains a control character");
    }
    if (is_framing_header(field.name)) {
      throw std::invalid_argument("-H: '" + field.name + "' is set by serentak itself (from the URL and the body)");
    }
    if (!agent_set && ascii_iequals(field.name, "User-Agent")) {
      agent = field.value;
      agent_set = true;
    } else if (!accept_set && ascii_iequals(field.name, "Accept")) {
      accept = field.value;
      accept_set = true;
    } else if (!encoding_set && ascii_iequals(field.name, "Accept-Encoding")) {
      encoding = field.value;
      encoding_set = true;
    } else {
      if (ascii_iequals(field.name, "Content-Type")) type_set = true;
      rest.push_back(&field);
    }
  }
  shape.lines_.clear();
  if (!agent.empty()) shape.add_line("User-Agent", agent);
  shape.add_line("Accept", accept);
  shape.add_line("Accept-Encoding", encoding);
  for (const header_field* field : rest) shape.add_line(field->name, field->value);
  if (shape.has_body_ && !type_set) {
    shape.add_line("Content-Type", spec.json ? "application/json" : "application/x-www-form-urlencoded");
  }
  if (shape.has_body_) shape.body_pieces_ = split_at_item(*spec.body);

  for (const line& l : shape.lines_) {
    if (l.pieces.size() == 1) continue;
    shape.item_in_headers_ = true;
    if (shape.is_secret_header(l.name)) shape.item_is_secret_ = true;
  }
  shape.plain_get_ = shape.method_ == "GET" && !shape.has_body_ && spec.headers.empty() && !spec.user_agent &&
                     !spec.json && !spec.netrc;
  if (shape.method_ == "HEAD") {
    shape.needs_curl_ = "HEAD";
  } else if (spec.netrc) {
    shape.needs_curl_ = "--netrc";
  } else if (!ascii_iequals(encoding, "identity")) {
    shape.needs_curl_ = "an Accept-Encoding other than identity";
  }
  return shape;
}

bool request_shape::is_secret_header(std::string_view name) const {
  const std::string key = ascii_lower(name);
  for (const std::string& secret : secret_names_) {
    if (key == secret) return true;
  }
  return false;
}

void request_shape::expand_curl_line(std::size_t k, std::string_view item, std::string& out) const {
  const line& l = lines_[k];
  out.clear();
  for (std::size_t i = 0; i < l.pieces.size(); ++i) {
    if (i > 0) out.append(item);
    out.append(l.pieces[i]);
  }
  // curl drops a custom header whose value is blank, and sends "Name;" as an empty "Name:".
  const std::string_view value = std::string_view(out).substr(l.name.size() + 1);
  if (only_spaces(value)) {
    out.resize(l.name.size());
    out.push_back(';');
  }
}

void request_shape::append_header_block(std::string& out, std::string_view item) const {
  for (const line& l : lines_) {
    const std::size_t start = out.size();
    for (std::size_t i = 0; i < l.pieces.size(); ++i) {
      if (i > 0) out.append(item);
      out.append(l.pieces[i]);
    }
    if (l.pieces.size() > 1 && only_spaces(std::string_view(out).substr(start + l.name.size() + 1))) {
      out.resize(start + l.name.size() + 1);  // "Name:", as curl sends an empty header
    }
    out.append("\r\n");
  }
}

std::string_view request_shape::body_for(std::string_view item, std::string& scratch) const {
  if (body_pieces_.size() <= 1) return body_pieces_.empty() ? std::string_view() : std::string_view(body_pieces_[0]);
  scratch.clear();
  for (std::size_t i = 0; i < body_pieces_.size(); ++i) {
    if (i > 0) {
      if (json_) {
        append_json_content(scratch, item);
      } else {
        scratch.append(item);
      }
    }
    scratch.append(body_pieces_[i]);
  }
  return scratch;
}

std::optional<std::string> request_shape::check_item(std::string_view item) const {
  if (!item_in_headers_ || !has_control_character(item)) return std::nullopt;
  for (const line& l : lines_) {
    if (l.pieces.size() > 1) return "would put a control character (CR, LF, NUL, ...) into the header '" + l.name + "'";
  }
  return std::nullopt;
}

}  // namespace serentak
