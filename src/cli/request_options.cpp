#include "cli/request_options.hpp"

#include <stdexcept>

#include "cli/signal_watch.hpp"
#include "core/bounded_file.hpp"
#include "core/header_env.hpp"
#include "core/log_text.hpp"

namespace serentak::cli {
namespace {

// A body or header file bigger than this is a mistake (a wrong path), not a request.
constexpr std::size_t max_file_bytes = 16 * 1024 * 1024;

std::string read_small_file(const std::string& path, std::string_view option) {
  try {
    return read_bounded_file(path, max_file_bytes, stop_requested);
  } catch (const file_read_interrupted&) {
    throw file_read_interrupted("interrupted while reading " + std::string(option) + " '" + escape_for_log(path) + "'");
  } catch (const file_read_error& e) {
    throw std::invalid_argument(std::string(option) + ": '" + escape_for_log(path) + "' " + e.what());
  }
}

// One header a line; blank lines and lines starting with '#' skipped; CRLF accepted.
void read_header_file(const std::string& path, std::vector<header_field>& out) {
  const std::string text = read_small_file(path, "--header-file");
  std::size_t number = 0;
  std::size_t from = 0;
  while (from < text.size()) {
    std::size_t end = text.find('\n', from);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + from, end - from);
    from = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    try {
      out.push_back(parse_header_line(line));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("--header-file '" + escape_for_log(path) + "':" + std::to_string(number) + ": " + e.what());
    }
  }
}

}  // namespace

request_spec make_request_spec(const client_options& options, const CLI::App& app) {
  request_spec spec;
  spec.method = options.method;
  if (!spec.method.empty() && !is_http_token(spec.method)) {
    throw std::invalid_argument("--method '" + escape_for_log(spec.method) + "' is not an HTTP token");
  }
  for (std::size_t i = 0; i < options.headers.size(); ++i) {
    try {
      spec.headers.push_back(parse_header_line(options.headers[i]));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument("-H (header " + std::to_string(i + 1) + " of the arguments): " + e.what());
    }
  }
  for (const std::string& path : options.header_files) read_header_file(path, spec.headers);
  if (!options.user.empty()) {
    if (options.user.find(':') == std::string::npos) throw std::invalid_argument("-u: expected USER:PASS");
    if (options.user.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      throw std::invalid_argument("-u: contains CR, LF or NUL");
    }
    spec.headers.push_back({"Authorization", basic_authorization(options.user)});
  }
  if (!options.bearer_env.empty()) {
    try {
      spec.headers.push_back(resolve_bearer_env(options.bearer_env));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--bearer-env: ") + e.what());
    }
  }
  for (const std::string& text : options.header_env) {
    try {
      const header_field field = resolve_header_env(parse_header_env(text));
      spec.redact.push_back(field.name);  // its value came by reference because it is a secret
      spec.headers.push_back(field);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string("--header-env: ") + e.what());
    }
  }
  std::size_t authorizations = 0;
  for (const header_field& field : spec.headers) authorizations += is_authorization_header(field.name) ? 1 : 0;
  if (authorizations > 1) {
    throw std::invalid_argument(
        "Authorization is given more than once (-u, --bearer-env, --header-env, -H, --header-file)");
  }
  if (app.count("--data") > 0) {
    spec.body = options.data.starts_with('@') ? read_small_file(options.data.substr(1), "--data") : options.data;
  }
  if (app.count("--json") > 0) {
    spec.body = options.json;
    spec.json = true;
  }
  if (app.count("--user-agent") > 0) spec.user_agent = options.user_agent;
  spec.redact.insert(spec.redact.end(), options.redact_headers.begin(), options.redact_headers.end());
  spec.netrc = options.netrc;
  return spec;
}

}  // namespace serentak::cli
