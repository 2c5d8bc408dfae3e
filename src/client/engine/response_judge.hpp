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
  nlohmann::json data;          // the body as JSON when it parsed (also for 404s: their "message"); else null
  bool json = false;            // the body is valid JSON
  bool validated_only = false;  // valid JSON left unparsed (build_dom false): data is null
  std::string error;            // why, for transport failures and unusable bodies
};

// build_dom false: a body that a results record keeps byte for byte (core/result_record's
// one_line_json_text: an object or array on one line) is only validated (one pass, no allocation
// per value) and data stays null; for a caller whose messages read no field of it (`fetch`), where
// building the document cost more than the rest of judging (core/json_validate.hpp: nlohmann's
// verdict without its lexer). Any other body is parsed as with build_dom.
judged_response judge_response(const fetch_result& result, bool expects_json, bool build_dom = true);

}  // namespace serentak::client
