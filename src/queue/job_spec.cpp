#include "queue/job_spec.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/fnv1a.hpp"
#include "core/log_text.hpp"
#include "core/retry_policy.hpp"
#include "core/url_redaction.hpp"

namespace serentak::queue {

std::string job_spec::to_json() const {
  nlohmann::json j;
  j["version"] = version;
  j["url"] = url_template;
  j["urls"] = items_are_urls;
  j["timeout_ms"] = timeout.count();
  j["connect_timeout_ms"] = connect_timeout.count();
  j["retries"] = retries;
  j["rate_per_second"] = rate_per_second ? nlohmann::json(*rate_per_second) : nlohmann::json(nullptr);
  j["max_body_bytes"] = max_body_bytes;
  j["follow"] = follow_redirects;
  if (host_rate_per_second) j["host_rate_per_second"] = *host_rate_per_second;
  if (adaptive) j["adaptive"] = true;
  if (!method.empty()) j["method"] = method;
  if (!headers.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [name, value] : headers) list.push_back(nlohmann::json::array({name, value}));
    j["headers"] = std::move(list);
  }
  if (body) j["body"] = *body;
  if (json_body) j["json"] = true;
  if (user_agent) j["user_agent"] = *user_agent;
  if (!bearer_env.empty()) j["bearer_env"] = bearer_env;
  if (!header_env.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& [name, variable] : header_env) list.push_back(nlohmann::json::array({name, variable}));
    j["header_env"] = std::move(list);
  }
  return j.dump();  // nlohmann's object is a std::map: keys come out sorted
}

std::string job_spec::digest() const { return fmt::format("{:016x}", fnv1a_64().add(to_json()).value()); }

std::optional<job_spec> parse_job_spec(std::string_view json, std::string& problem) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  const int version = j.is_object() ? j.value("version", 0) : 0;
  if (j.is_discarded() || !j.is_object() || (version < 1 || version > 3)) {
    problem = "the job's stored specification is not one this serentak understands";
    return std::nullopt;
  }
  try {
    job_spec spec;
    spec.version = version;
    spec.url_template = j.at("url").get<std::string>();
    spec.items_are_urls = j.at("urls").get<bool>();
    spec.timeout = std::chrono::milliseconds(j.at("timeout_ms").get<long long>());
    spec.connect_timeout = std::chrono::milliseconds(j.at("connect_timeout_ms").get<long long>());
    spec.retries = j.at("retries").get<int>();
    if (!j.at("rate_per_second").is_null()) spec.rate_per_second = j.at("rate_per_second").get<double>();
    spec.max_body_bytes = j.at("max_body_bytes").get<std::uint64_t>();
    spec.follow_redirects = j.at("follow").get<bool>();
    if (j.contains("host_rate_per_second")) spec.host_rate_per_second = j.at("host_rate_per_second").get<double>();
    spec.adaptive = j.value("adaptive", false);
    spec.method = j.value("method", std::string());
    if (j.contains("headers")) {
      for (const auto& field : j.at("headers")) {
        spec.headers.emplace_back(field.at(0).get<std::string>(), field.at(1).get<std::string>());
      }
    }
    if (j.contains("body")) spec.body = j.at("body").get<std::string>();
    spec.json_body = j.value("json", false);
    if (j.contains("user_agent")) spec.user_agent = j.at("user_agent").get<std::string>();
    spec.bearer_env = j.value("bearer_env", std::string());
    if (j.contains("header_env")) {
      for (const auto& field : j.at("header_env")) {
        spec.header_env.emplace_back(field.at(0).get<std::string>(), field.at(1).get<std::string>());
      }
    }
    if ((version == 3) != !spec.header_env.empty()) throw std::invalid_argument("version");
    if (spec.host_rate_per_second && !(*spec.host_rate_per_second > 0)) throw std::invalid_argument("range");
    if (spec.adaptive && !spec.host_rate_per_second) throw std::invalid_argument("adaptive without a rate");
    if (spec.timeout.count() <= 0 || spec.retries < 0 || spec.retries > 100) throw std::invalid_argument("range");
    return spec;
  } catch (const std::exception&) {
    problem = "the job's stored specification is incomplete or out of range";
    return std::nullopt;
  }
}

request_spec request_spec_of(const job_spec& spec) {
  request_spec request;
  request.method = spec.method;
  for (const auto& [name, value] : spec.headers) request.headers.push_back({name, value});
  request.body = spec.body;
  request.json = spec.json_body;
  request.user_agent = spec.user_agent;
  return request;
}

job_spec normalized(job_spec spec) {
  if (spec.method == (spec.body ? "POST" : "GET")) spec.method.clear();
  if (spec.connect_timeout >= spec.timeout) spec.connect_timeout = std::chrono::milliseconds(0);
  return spec;
}

std::string first_difference(const job_spec& stored, const job_spec& pushed) {
  const nlohmann::json a = nlohmann::json::parse(stored.to_json());
  const nlohmann::json b = nlohmann::json::parse(pushed.to_json());
  // Header values and bodies may hold credentials (X-Api-Key, password=...) and the URL a token in
  // its query: an error shows header names, whether a body is set, and the URL redacted, never more.
  auto shown = [](const nlohmann::json& j, const std::string& key) {
    if (!j.contains(key)) return std::string("not set");
    const nlohmann::json& value = j.at(key);
    std::string text;
    if (key == "headers" && value.is_array()) {
      nlohmann::json names = nlohmann::json::array();
      for (const auto& header : value)
        if (header.is_array() && !header.empty()) names.push_back(header[0]);
      text = "[" + names.dump().substr(1, names.dump().size() - 2) + "] (values not shown)";
    } else if (key == "body") {
      text = "set (not shown)";
    } else if (key == "url" && value.is_string()) {
      text = nlohmann::json(redact_url(value.get<std::string>())).dump();
    } else {
      text = value.dump();
    }
    if (text.size() > 80) text = text.substr(0, 77) + "...";
    return escape_for_log(text);
  };
  std::vector<std::string> keys;
  for (const auto& [key, value] : a.items()) keys.push_back(key);
  for (const auto& [key, value] : b.items()) {
    if (!a.contains(key)) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());
  for (const std::string& key : keys) {
    if (key == "version") continue;  // the stream's layout: the job's stays, whichever serentak pushes
    if (a.contains(key) && b.contains(key) && a.at(key) == b.at(key)) continue;
    const std::string in_job = shown(a, key), in_push = shown(b, key);
    if (in_job == in_push) return key + ": this push's differs from the job's (not shown: it may hold a secret)";
    return key + " is " + in_job + " in the job, " + in_push + " in this push";
  }
  return "";
}

std::chrono::milliseconds default_lease(const job_spec& spec) {
  retry_policy retry;
  auto backoff = std::chrono::milliseconds(0);
  for (int attempt = 1; attempt <= spec.retries; ++attempt)
    backoff += retry.delay_before(attempt, 1.0, std::nullopt);  // the longest wait
  return 2 * (spec.timeout * (spec.retries + 1) + backoff) + std::chrono::milliseconds(2000);
}

}  // namespace serentak::queue
