// Seed conformance: our mock server must answer what the seed's Flask apps answer.
// The goldens (tests/conformance/golden/<theme>.json) were recorded from the seed's own app.py
// files by record_goldens.py; this test replays every recorded request, in file order and
// `repeat_each` times in a row, against the real server in-process (port 0, no delays), and
// checks status, content type (media type and charset), body (exact, one of a set, or a regex
// for the seed's randomness), and, where recorded, the Allow header and a HEAD's Content-Length.
#include "server/http/mock_server.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/test_paths.hpp"

namespace {

using nlohmann::json;

// The delay scale the server runs with; /status/slow's printed delay must be scaled alike.
constexpr double delay_scale = 0.0;

// libcurl's process-wide state, set up before any test (and any server thread) starts.
struct curl_global_guard {
  curl_global_guard() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~curl_global_guard() { curl_global_cleanup(); }
};
const curl_global_guard curl_guard;

struct http_response {
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // names lower-cased; a repeated name keeps the last
  std::string error;                           // curl's error text; empty when a response arrived
};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::string trim(std::string_view text) {
  auto begin = text.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  auto end = text.find_last_not_of(" \t\r\n");
  return std::string(text.substr(begin, end - begin + 1));
}

size_t on_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t on_header(char* data, size_t size, size_t count, void* user) {
  std::string_view line(data, size * count);
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    (*static_cast<std::map<std::string, std::string>*>(user))[lower(line.substr(0, colon))] =
        trim(line.substr(colon + 1));
  }
  return size * count;
}

// One HTTP client per theme, so keep-alive connections are reused across requests like a real client.
class http_client {
 public:
  http_client() : curl_(curl_easy_init()) {}
  ~http_client() { curl_easy_cleanup(curl_); }
  http_client(const http_client&) = delete;
  http_client& operator=(const http_client&) = delete;

  // Sends method (GET, POST, HEAD) to url with no request body.
  http_response send(const std::string& method, const std::string& url) {
    http_response response;
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_reset(curl_);  // keeps the connection cache
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_PATH_AS_IS, 1L);  // send the recorded target as is
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response.headers);
    if (method == "HEAD") {
      curl_easy_setopt(curl_, CURLOPT_NOBODY, 1L);
    } else if (method != "GET") {
      curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method.c_str());
    }
    CURLcode code = curl_easy_perform(curl_);
    if (code != CURLE_OK) {
      response.error = error[0] != '\0' ? error : curl_easy_strerror(code);
      return response;
    }
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &response.status);
    return response;
  }

 private:
  CURL* curl_;
};

// "Application/JSON; Charset=\"UTF-8\"" -> {"application/json", "utf-8"}; no charset -> "".
std::pair<std::string, std::string> media_type_and_charset(std::string_view content_type) {
  auto semicolon = content_type.find(';');
  std::string media = lower(trim(content_type.substr(0, semicolon)));
  std::string charset;
  while (semicolon != std::string_view::npos) {
    content_type.remove_prefix(semicolon + 1);
    semicolon = content_type.find(';');
    std::string param = trim(content_type.substr(0, semicolon));
    auto equals = param.find('=');
    if (equals == std::string::npos || lower(trim(param.substr(0, equals))) != "charset") continue;
    charset = lower(trim(param.substr(equals + 1)));
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
      charset = charset.substr(1, charset.size() - 2);
    }
  }
  return {media, charset};
}

std::set<std::string> method_set(std::string_view allow) {
  std::set<std::string> methods;
  std::stringstream in{std::string(allow)};
  for (std::string method; std::getline(in, method, ',');) {
    if (auto m = trim(method); !m.empty()) methods.insert(m);
  }
  return methods;
}

// Checks one response against one golden request; every mismatch is a failure naming `where`.
void expect_conforms(const json& golden, const http_response& got, const std::string& where) {
  ASSERT_TRUE(got.error.empty()) << where << ": no response: " << got.error;
  EXPECT_EQ(got.status, golden.at("status").get<long>()) << where << ": status";

  auto expected_type = media_type_and_charset(golden.at("content_type").get<std::string>());
  auto header = got.headers.find("content-type");
  std::string got_content_type = header == got.headers.end() ? "" : header->second;
  auto got_type = media_type_and_charset(got_content_type);
  EXPECT_EQ(got_type.first, expected_type.first)
      << where << ": media type (Content-Type: \"" << got_content_type << "\")";
  EXPECT_EQ(got_type.second, expected_type.second)
      << where << ": charset (Content-Type: \"" << got_content_type << "\")";

  if (golden.contains("body")) {
    EXPECT_EQ(got.body, golden.at("body").get<std::string>()) << where << ": body";
  } else if (golden.contains("body_one_of")) {
    auto choices = golden.at("body_one_of").get<std::vector<std::string>>();
    EXPECT_NE(std::find(choices.begin(), choices.end(), got.body), choices.end())
        << where << ": body is none of the " << choices.size() << " possible bodies: " << got.body;
  } else if (golden.contains("body_regex")) {
    std::regex pattern(golden.at("body_regex").get<std::string>(), std::regex::ECMAScript);
    std::smatch match;
    if (!std::regex_match(got.body, match, pattern)) {
      ADD_FAILURE() << where << ": body does not match /" << golden.at("body_regex").get<std::string>()
                    << "/: " << got.body;
    } else if (golden.contains("delay_group")) {
      // The seed prints the delay it slept ("%.2f"); ours must print the delay it waited, scaled alike.
      const std::string printed_text = match[golden.at("delay_group").get<int>()].str();
      const double printed = std::stod(printed_text);
      auto range = golden.at("delay_range_s").get<std::vector<double>>();
      EXPECT_GE(printed, range.at(0) * delay_scale - 0.005)
          << where << ": printed delay " << printed_text << " s, delay_scale " << delay_scale;
      EXPECT_LE(printed, range.at(1) * delay_scale + 0.005)
          << where << ": printed delay " << printed_text << " s, delay_scale " << delay_scale;
    }
  } else {
    ADD_FAILURE() << where << ": golden has no body rule";
  }

  if (golden.contains("allow")) {
    auto expected = golden.at("allow").get<std::set<std::string>>();
    auto allow = got.headers.find("allow");
    ASSERT_NE(allow, got.headers.end()) << where << ": no Allow header on a " << got.status;
    EXPECT_EQ(method_set(allow->second), expected) << where << ": Allow: " << allow->second;
  }
  if (golden.contains("content_length")) {
    auto length = got.headers.find("content-length");
    ASSERT_NE(length, got.headers.end()) << where << ": no Content-Length";
    EXPECT_EQ(length->second, std::to_string(golden.at("content_length").get<long>()))
        << where << ": Content-Length";
  }
}

json load_golden(const std::string& theme) {
  auto path = serentak::testing::source_dir() / "tests" / "conformance" / "golden" / (theme + ".json");
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  return json::parse(in);
}

class seed_conformance : public ::testing::TestWithParam<std::string> {};

TEST_P(seed_conformance, answers_like_the_seed_flask_app) {
  const std::string theme = GetParam();
  const json golden = load_golden(theme);
  ASSERT_EQ(golden.at("theme"), theme);
  const int repeat_each = golden.value("repeat_each", 1);

  serentak::server::server_config config;
  config.port = 0;
  config.threads = 2;
  config.seed = 42;
  config.delay_scale = delay_scale;
  config.quiet = true;
  serentak::server::mock_server server(config);  // the destructor stops and joins
  server.start();
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());

  http_client client;
  for (const json& request : golden.at("requests")) {
    const auto method = request.at("method").get<std::string>();
    const auto target = request.at("target").get<std::string>();
    for (int round = 1; round <= repeat_each; ++round) {
      const std::string where = theme + ": " + method + " " + target + " (" + request.value("name", "") +
                                ", send " + std::to_string(round) + "/" + std::to_string(repeat_each) + ")";
      expect_conforms(request, client.send(method, base + target), where);
    }
  }
  server.stop();
}

INSTANTIATE_TEST_SUITE_P(seed_themes, seed_conformance,
                         ::testing::Values("weather", "books", "pizza", "health", "profiles"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) { return param_info.param; });

}  // namespace
