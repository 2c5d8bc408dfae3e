#include "client/engine/response_judge.hpp"

#include <string_view>

#include "core/find_any.hpp"
#include "core/json_validate.hpp"

namespace serentak::client {

namespace {

// An object or array on one line, trailing whitespace aside (Flask's jsonify ends with a newline).
bool one_line_container(std::string_view body) noexcept {
  if (body.empty() || (body.front() != '{' && body.front() != '[')) return false;
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r' || body.back() == ' ' || body.back() == '\t')) {
    body.remove_suffix(1);
  }
  return find_any(body, "\r\n") == std::string_view::npos;
}

}  // namespace

judged_response judge_response(const fetch_result& result, bool expects_json, bool build_dom) {
  judged_response judged{result.kind, nullptr, false, false, result.error};
  if (result.http_status == 0 || result.body.empty()) return judged;
  if (!build_dom && one_line_container(result.body)) {
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
