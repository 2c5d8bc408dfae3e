#pragma once
// Hides credentials in a URL before it is shown (log lines, results records, messages): the
// userinfo of "http://user:pass@host/" becomes "***@", and the value of a sensitive query or
// fragment parameter ("?token=SECRET", "&password=", "api_key=", ...) becomes "***". Only what is
// displayed changes; the request itself still sends the credentials.
// Pure functions, no I/O; thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace serentak {

// The URL as it may be displayed. Returns url unchanged when it holds nothing to hide.
std::string redact_url(std::string_view url);

// An item as it may be displayed: an item that is a URL ("scheme://..." as health's and
// fetch --urls' items are) is redacted like one; any other item is returned as given.
std::string redact_item(std::string_view item);

// Free text (a library's error message) with every URL in it ("scheme://..." up to a space, a
// quote or '<' '>') redacted as redact_url does: libcurl names a proxy in its errors, password and all
// ("Unsupported proxy syntax in 'http://user:secret@[bad'").
std::string redact_urls_in_text(std::string_view text);

// A proxy as given (--proxy, http_proxy, ...): a URL is redacted as redact_url does; one without a
// scheme, which libcurl takes as http://, is masked as if it had one and shown as written:
// "user:secret@h:1" -> "***@h:1".
std::string redact_proxy(std::string_view proxy);

// text (a libcurl error) with every literal occurrence of each proxy in proxies replaced by its
// redact_proxy form, then redact_urls_in_text: libcurl quotes a proxy as it was given, and one without
// a scheme has no "://" for redact_urls_in_text to find. Empty proxies are skipped.
std::string redact_proxies_in_text(std::string_view text, const std::vector<std::string_view>& proxies);

// Whether a query parameter's name (as written, percent-escapes allowed) names a credential:
// token, password, secret, api key, signature, session ... compared without case, '-' as '_'.
bool is_sensitive_parameter(std::string_view name);

}  // namespace serentak
