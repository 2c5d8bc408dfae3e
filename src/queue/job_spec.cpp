#include "queue/job_spec.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/retry_policy.hpp"

namespace serentak::queue {

std::string job_spec::to_json() const {
  nlohmann::json j;
  j["version"] = 1;
  j["url"] = url_template;
  j["urls"] = items_are_urls;
  j["timeout_ms"] = timeout.count();
  j["connect_timeout_ms"] = connect_timeout.count();
  j["retries"] = retries;
  j["rate_per_second"] = rate_per_second ? nlohmann::json(*rate_per_second) : nlohmann::json(nullptr);
  j["max_body_bytes"] = max_body_bytes;
  j["follow"] = follow_redirects;
  return j.dump();  // nlohmann's object is a std::map: keys come out sorted
}

std::string job_spec::digest() const {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : to_json()) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return fmt::format("{:016x}", hash);
}

std::optional<job_spec> parse_job_spec(std::string_view json, std::string& problem) {
  auto j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("version", 0) != 1) {
    problem = "the job's stored specification is not one this serentak understands";
    return std::nullopt;
  }
  try {
    job_spec spec;
    spec.url_template = j.at("url").get<std::string>();
    spec.items_are_urls = j.at("urls").get<bool>();
    spec.timeout = std::chrono::milliseconds(j.at("timeout_ms").get<long long>());
    spec.connect_timeout = std::chrono::milliseconds(j.at("connect_timeout_ms").get<long long>());
    spec.retries = j.at("retries").get<int>();
    if (!j.at("rate_per_second").is_null()) spec.rate_per_second = j.at("rate_per_second").get<double>();
    spec.max_body_bytes = j.at("max_body_bytes").get<std::uint64_t>();
    spec.follow_redirects = j.at("follow").get<bool>();
    if (spec.timeout.count() <= 0 || spec.retries < 0 || spec.retries > 100) throw std::invalid_argument("range");
    return spec;
  } catch (const std::exception&) {
    problem = "the job's stored specification is incomplete or out of range";
    return std::nullopt;
  }
}

std::chrono::milliseconds default_lease(const job_spec& spec) {
  retry_policy retry;
  auto backoff = std::chrono::milliseconds(0);
  for (int attempt = 1; attempt <= spec.retries; ++attempt)
    backoff += retry.delay_before(attempt, 1.0, std::nullopt);  // the longest wait
  return 2 * (spec.timeout * (spec.retries + 1) + backoff) + std::chrono::milliseconds(2000);
}

}  // namespace serentak::queue
