#include "server/faults/route_faults.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "core/splitmix64.hpp"
#include "server/routes/flask_json.hpp"

namespace serentak::server {
namespace {

// Fault draws use purposes of their own, apart from delays and picks (1-4 in delay_model.cpp):
// the rule's index and the attempt number are mixed in, so each (rule, attempt) draws anew.
std::uint64_t fault_purpose(std::size_t rule_index, std::uint64_t attempt) {
  return splitmix64(0x4641554c54ULL ^ (static_cast<std::uint64_t>(rule_index) << 40)) ^ attempt;
}

bool attempt_matches(const fault_rule& rule, std::uint64_t attempt) {
  if (rule.attempt_min == 0) return true;
  return attempt >= rule.attempt_min && attempt <= rule.attempt_max;
}

}  // namespace

route_faults::route_faults(std::string_view path, std::vector<fault_rule> rules, const delay_model& delays,
                           attempt_counter& attempts)
    : path_(path), rules_(std::move(rules)), delays_(delays), attempts_(attempts) {
  for (const fault_rule& rule : rules_) {
    limits_.push_back(rule.kind == fault_kind::limit ? std::make_unique<limit_bucket>(rule.limit_per_second) : nullptr);
  }
}

route_faults::limit_bucket::limit_bucket(double rate)
    : bucket(rate, std::max(1.0, std::floor(rate)), std::chrono::steady_clock::now()) {}

route_faults::decision route_faults::decide(std::string_view item) const {
  decision out;
  if (rules_.empty()) return out;
  out.attempt = attempts_.next(path_, item);
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    const fault_rule& rule = rules_[i];
    if (rule.item && *rule.item != item) continue;
    if (!attempt_matches(rule, out.attempt)) continue;
    if (limits_[i]) {
      token_bucket::clock::duration wait{};
      {
        std::lock_guard lock(limits_[i]->mutex);
        if (limits_[i]->bucket.try_take(token_bucket::clock::now(), wait)) continue;  // within the limit
      }
      // At most a day, as a status fault's retry-after=: a limit of 1e-10/s would otherwise say
      // "Retry-After: 18446744064486179580" (a double beyond uint64 cast: undefined behaviour).
      double seconds =
          std::clamp(std::chrono::duration<double>(wait).count(), 1.0, static_cast<double>(max_retry_after_s));
      out.retry_after_s = static_cast<std::uint64_t>(std::ceil(seconds));
      out.rule = &rule;
      return out;
    }
    if (rule.share < 1.0) {
      if (rule.share <= 0.0) continue;
      double u = delay_model::unit_interval(delays_.draw(path_, item, fault_purpose(i, out.attempt)));
      if (u >= rule.share) continue;
    }
    out.rule = &rule;
    return out;
  }
  return out;
}

void apply_fault(const route_faults::decision& fault, response_plan& plan) {
  const fault_rule& rule = *fault.rule;
  plan.fault = fault_name(rule.kind);
  switch (rule.kind) {
    case fault_kind::limit: {
      plan.status = 429;
      plan.content_type = json_content_type;
      nlohmann::ordered_json body{{"error", "rate_limited"},
                                  {"message", fmt::format("serentak allows {} requests a second here.", rule.limit_per_second)}};
      plan.body = jsonify_body(body);
      plan.extra_headers.emplace_back("Retry-After", std::to_string(fault.retry_after_s));
      break;
    }
    case fault_kind::status: {
      plan.status = rule.status;
      plan.content_type = json_content_type;
      if (rule.body) {
        plan.body = jsonify_body(*rule.body);
      } else {
        nlohmann::ordered_json body{{"error", "injected_fault"},
                                    {"message", fmt::format("serentak injected status {}.", rule.status)}};
        plan.body = jsonify_body(body);
      }
      if (rule.retry_after_s) plan.extra_headers.emplace_back("Retry-After", std::to_string(*rule.retry_after_s));
      break;
    }
    case fault_kind::reset:
      plan.how = delivery::reset;
      break;
    case fault_kind::close:
      plan.how = delivery::close_early;
      break;
    case fault_kind::truncate:
      plan.how = delivery::truncate;
      plan.close = true;
      break;
    case fault_kind::malformed_json:
      // A proper prefix of a JSON object that stops before its closing brace never parses.
      plan.body.resize(plan.body.size() / 2);
      break;
    case fault_kind::html:
      plan.status = 200;
      plan.content_type = html_content_type;
      plan.body = std::string(fault_html_body);
      break;
    case fault_kind::drip:
      plan.how = delivery::drip;
      plan.drip_bytes_per_second = rule.bytes_per_second;
      break;
    case fault_kind::hang:
      plan.how = delivery::hang;
      break;
    case fault_kind::huge:
      plan.status = 200;
      plan.content_type = json_content_type;
      plan.how = delivery::huge;
      plan.huge_body_bytes = rule.bytes;
      plan.body.clear();
      break;
  }
}

}  // namespace serentak::server
