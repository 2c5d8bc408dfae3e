#pragma once
// One route's faults at run time: decides whether a request gets one (counting it as the next
// attempt of its item) and rewrites the handler's response_plan into the fault.
// Decisions are reproducible: with a seed, a share rule's draw is a pure function of (seed, path,
// item, rule, attempt), so the n-th request for an item gets the same fate in every run, and two
// attempts at one item are drawn independently (a retry can succeed).
// A limit rule keeps a token bucket, the only state that changes: each behind its own mutex
// (limit_bucket), taken for one arithmetic step per request. decide() is thread-safe (the
// attempt_counter has its own lock). Owned by its handler; refers to the router's delay_model
// and attempt_counter.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/token_bucket.hpp"
#include "server/faults/attempt_counter.hpp"
#include "scenario/delay_model.hpp"
#include "scenario/fault_rule.hpp"
#include "server/routes/response_plan.hpp"

namespace serentak::server {

class route_faults {
 public:
  // rules' items must already be case-folded as the route folds its keys.
  route_faults(std::string_view path, std::vector<fault_rule> rules, const delay_model& delays,
               attempt_counter& attempts);

  bool empty() const noexcept { return rules_.empty(); }

  struct decision {
    const fault_rule* rule = nullptr;  // nullptr: no fault for this request
    std::uint64_t attempt = 0;         // this request's attempt number (0: untracked or no faults)
    std::uint64_t retry_after_s = 0;   // a limit rule: whole seconds until its bucket has a token, >= 1
  };

  // Counts this request as the next attempt for item and picks the first rule that hits it.
  decision decide(std::string_view item) const;

 private:
  // One limit rule's bucket: `limit_per_second` tokens a second, bursts of as many (at least 1).
  struct limit_bucket {
    explicit limit_bucket(double rate);
    std::mutex mutex;  // guards bucket
    token_bucket bucket;
  };

  std::string path_;
  std::vector<fault_rule> rules_;
  std::vector<std::unique_ptr<limit_bucket>> limits_;  // [i]: rules_[i]'s bucket, or null for other kinds
  const delay_model& delays_;
  attempt_counter& attempts_;
};

// Turns plan (the handler's normal answer, delay included) into the decision's fault (its rule
// must be set). The access line is left to the caller.
void apply_fault(const route_faults::decision& fault, response_plan& plan);

// The page a fault of kind html answers with status 200.
inline constexpr std::string_view fault_html_body =
    "<!doctype html>\n<html lang=en>\n<title>Service Temporarily Down for Maintenance</title>\n"
    "<h1>We'll be back soon</h1>\n<p>This page is served by serentak's html fault.</p>\n";

}  // namespace serentak::server
