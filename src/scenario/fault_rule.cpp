#include "scenario/fault_rule.hpp"

#include <array>
#include <cmath>
#include <utility>

namespace serentak::server {
namespace {

constexpr std::array<std::pair<fault_kind, std::string_view>, 10> fault_names{{
    {fault_kind::status, "status"},
    {fault_kind::reset, "reset"},
    {fault_kind::close, "close"},
    {fault_kind::truncate, "truncate"},
    {fault_kind::malformed_json, "malformed-json"},
    {fault_kind::html, "html"},
    {fault_kind::drip, "drip"},
    {fault_kind::hang, "hang"},
    {fault_kind::huge, "huge"},
    {fault_kind::limit, "limit"},
}};

}  // namespace

std::string_view fault_name(fault_kind kind) noexcept {
  for (const auto& [k, name] : fault_names) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<fault_kind> fault_kind_named(std::string_view name) noexcept {
  for (const auto& [k, n] : fault_names) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::optional<std::string> fault_rule::problem() const {
  if (!(share >= 0 && share <= 1)) return "share: must be a number in [0, 1]";
  if (attempt_min == 0 && attempt_max != 0) return "attempt: must start at 1";
  if (attempt_max < attempt_min) return "attempt: the range must not end before it starts";
  if (kind == fault_kind::status && !sendable_status(status)) {
    return "status: must be 100-599 and allow a body (not 1xx, 204 or 304)";
  }
  if (kind != fault_kind::status && (body || retry_after_s)) {
    return body ? "body: only a \"status\" fault has a body" : "retry_after_s: only a \"status\" fault has one";
  }
  if (retry_after_s && *retry_after_s > max_retry_after_s) return "retry_after_s: must be at most 86400";
  if (kind == fault_kind::drip && bytes_per_second == 0) return "bytes_per_second: must be > 0";
  if (kind != fault_kind::drip && bytes_per_second != 0) return "bytes_per_second: only a \"drip\" fault has one";
  if (kind == fault_kind::huge && (bytes == 0 || bytes > max_huge_body_bytes)) {
    return "bytes: must be between 1 and 64 GiB";
  }
  if (kind != fault_kind::huge && bytes != 0) return "bytes: only a \"huge\" fault has a size";
  if (kind == fault_kind::limit && !(limit_per_second > 0 && limit_per_second <= max_limit_per_second)) {
    return "limit_per_second: must be a number of requests a second, > 0";
  }
  if (kind != fault_kind::limit && limit_per_second != 0) return "limit_per_second: only a \"limit\" fault has one";
  if (kind == fault_kind::limit && share != 1.0) return "share: a \"limit\" fault counts every request it matches";
  return std::nullopt;
}

}  // namespace serentak::server
