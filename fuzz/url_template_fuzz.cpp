// Fuzzes the URL template, the percent encoder, the target URL check and the display redaction
// (core/url_template, core/percent_encoding, core/target_url, core/url_redaction): whatever an item holds, its part of the URL has only
// unreserved bytes and %XX escapes, decodes back to the item, and never makes an acceptable URL
// unacceptable; the URL check accepts only http(s) URLs without raw controls or spaces, and its
// refusal is one printable line.
// Input: [selector byte] then the item (or the URL to check).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/percent_encoding.hpp"
#include "core/target_url.hpp"
#include "core/url_redaction.hpp"
#include "core/url_template.hpp"
#include "fuzz_check.hpp"

namespace {

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

bool is_upper_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

void check_encoded(std::string_view encoded, std::string_view item) {
  for (std::size_t i = 0; i < encoded.size(); ++i) {
    auto c = static_cast<unsigned char>(encoded[i]);
    if (c == '%') {
      FUZZ_CHECK(i + 2 < encoded.size());
      FUZZ_CHECK(is_upper_hex(encoded[i + 1]) && is_upper_hex(encoded[i + 2]));
      i += 2;
    } else {
      FUZZ_CHECK(is_unreserved(c));
    }
  }
  auto decoded = serentak::percent_decode(encoded);
  FUZZ_CHECK(decoded.has_value() && *decoded == item);
}

bool is_printable_line(std::string_view text) {
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F) return false;
  }
  return true;
}

// What is displayed hides the userinfo, never grows controls, and is the URL itself when there
// is nothing to hide.
void check_redaction(std::string_view url) {
  std::string shown = serentak::redact_url(url);
  if (url.find('@') == std::string_view::npos && url.find('=') == std::string_view::npos) FUZZ_CHECK(shown == url);
  if (url.starts_with("http://") && url.find('@') != std::string_view::npos &&
      url.find_first_of("/?#", 7) == std::string_view::npos) {
    FUZZ_CHECK(shown.starts_with("http://***@"));
  }
  std::size_t controls = 0;
  for (char c : url) controls += static_cast<unsigned char>(c) < 0x20 ? 1 : 0;
  std::size_t shown_controls = 0;
  for (char c : shown) shown_controls += static_cast<unsigned char>(c) < 0x20 ? 1 : 0;
  FUZZ_CHECK(shown_controls <= controls);
}

void check_url_check(std::string_view url) {
  check_redaction(url);
  auto problem = serentak::check_target_url(url);
  if (problem) {
    FUZZ_CHECK(is_printable_line(*problem));
    return;
  }
  std::string scheme(url.substr(0, url.find("://")));
  for (char& c : scheme) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  FUZZ_CHECK(scheme == "http" || scheme == "https");
  for (char ch : url) {
    auto c = static_cast<unsigned char>(ch);
    FUZZ_CHECK(c > 0x20 && c != 0x7F);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  if (data[0] % 2 == 0) {  // the input is an item
    std::string encoded = serentak::percent_encode(rest);
    check_encoded(encoded, rest);
    if (rest == "." || rest == "..") encoded = rest == "." ? "%2E" : "%2E%2E";  // never a dot segment

    static const serentak::url_template weather("http://127.0.0.1:5000/", "/get_weather?city={}&again={}");
    std::string url = weather.expand(rest);
    std::string expected = "http://127.0.0.1:5000/get_weather?city=" + encoded + "&again=" + encoded;
    FUZZ_CHECK(url == expected);
    FUZZ_CHECK(url.find("/./") == std::string::npos && url.find("/../") == std::string::npos);
    FUZZ_CHECK(url.find("=.&") == std::string::npos && url.find("=..&") == std::string::npos);
    FUZZ_CHECK(!serentak::check_target_url(url).has_value());  // no item makes the URL unacceptable

    static const serentak::url_template health("http://127.0.0.1:5000", "", true);
    std::string whole = health.expand(rest);
    FUZZ_CHECK(rest.starts_with('/') ? whole == "http://127.0.0.1:5000" + std::string(rest) : whole == rest);
    check_url_check(whole);
  } else {  // the input is a URL someone typed, and an encoded text to decode
    check_url_check(rest);
    if (auto decoded = serentak::percent_decode(rest, data[0] % 4 == 1)) {
      check_encoded(serentak::percent_encode(*decoded), *decoded);
    }
  }
  return 0;
}
