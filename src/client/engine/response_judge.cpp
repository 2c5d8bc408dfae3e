#include "client/engine/response_judge.hpp"

#include <string_view>

#include "core/json_validate.hpp"
#include "core/result_record.hpp"

namespace serentak::client {

judged_response judge_response(const fetch_result& result, bool expects_json, bool build_dom) {
  judged_response judged{result.kind, nullptr, false, false, result.error};
  if (result.http_status == 0 || result.body.empty()) return judged;
  // Only a body a record keeps byte for byte is left unparsed: any other is parsed and dumped.
  if (!build_dom && one_line_json_text(result.body)) {
    judged.json = is_valid_json(result.body);  // nlohmann::json::accept's verdict, several times faster
    judged.validated_only = judged.json;
  } else {
    auto parsed = nlohmann::json::parse(result.body, nullptr, /*allow_exceptions=*/false);
    judged.json = !parsed.is_discarded();
    if (judged.json) judged.data = std::move(parsed);
  }
  if (!judged.json && expects_json && result.kind == outcome::ok) {
    judged.kind = outcome::invalid_response;
    judged.error = "response body is not valid JSON";
  }
  return judged;
}

}  // namespace serentak::client
