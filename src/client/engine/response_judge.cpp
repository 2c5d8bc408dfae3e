#include "client/engine/response_judge.hpp"

namespace serentak::client {

judged_response judge_response(const fetch_result& result, bool expects_json) {
  judged_response judged{result.kind, nullptr, result.error};
  if (result.http_status == 0 || result.body.empty()) return judged;
  auto parsed = nlohmann::json::parse(result.body, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_discarded()) {
    judged.data = std::move(parsed);
  } else if (expects_json && result.kind == outcome::ok) {
    judged.kind = outcome::invalid_response;
    judged.error = "response body is not valid JSON";
  }
  return judged;
}

}  // namespace serentak::client
