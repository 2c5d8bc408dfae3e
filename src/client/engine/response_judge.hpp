#pragma once
// Turns a transfer's result into what the user is told: the final outcome (a 2xx whose body
// must be JSON and is not becomes invalid_response) and the parsed JSON, if any.
// Pure function; thread-safe.

#include <string>

#include <nlohmann/json.hpp>

#include "client/engine/fetch_types.hpp"

namespace serentak::client {

struct judged_response {
  outcome kind = outcome::unexpected;
  nlohmann::json data;  // the body as JSON when it parsed (also for 404s: their "message"); else null
  std::string error;    // why, for transport failures and unusable bodies
};

judged_response judge_response(const fetch_result& result, bool expects_json);

}  // namespace serentak::client
