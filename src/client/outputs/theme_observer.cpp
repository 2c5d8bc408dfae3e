#include "client/outputs/theme_observer.hpp"

#include <fmt/format.h>

#include "client/engine/response_judge.hpp"
#include "core/log_text.hpp"
#include "core/message_template.hpp"
#include "core/percent_encoding.hpp"
#include "core/url_redaction.hpp"

namespace serentak::client {
namespace {

// Which of a theme's messages tells this outcome.
std::string_view message_for(const themes::messages& voice, outcome kind, long http_status) {
  switch (kind) {
    case outcome::ok: return voice.ok;
    case outcome::not_found: return voice.not_found;
    case outcome::client_error:
    case outcome::server_error: return voice.other_status;
    case outcome::timeout: return voice.timeout;
    case outcome::connection_error: return voice.connection_error;
    case outcome::invalid_response:
      // A status we cannot use (1xx, 3xx not followed) is still "a status from the API";
      // a 2xx whose body is unusable is an invalid response.
      return classify_status(http_status) == outcome::invalid_response && http_status >= 100 ? voice.other_status
                                                                                           : voice.invalid_response;
    case outcome::unexpected: return voice.unexpected;
  }
  return voice.unexpected;
}

// One line for every theme: the seeds never retried, so there is no seed wording to follow.
constexpr std::string_view retrying_id = "Percobaan {attempt} gagal ({reason}), mencoba lagi dalam {wait} ms.";
// url with every occurrence of the item (as sent: percent-encoded, or whole) replaced by "***".
std::string mask_item(std::string url, std::string_view item) {
  if (item.empty()) return url;
  for (const std::string& form : {percent_encode(item), std::string(item)}) {
    for (std::size_t at = url.find(form); at != std::string::npos; at = url.find(form, at + 3)) {
      url.replace(at, form.size(), "***");
    }
  }
  return url;
}

constexpr std::string_view retrying_en = "Attempt {attempt} failed ({reason}), retrying in {wait} ms.";

}  // namespace

std::string worker_name(std::size_t index) { return fmt::format("Worker-{}", index); }

theme_observer::theme_observer(const themes::theme& theme, themes::language lang, log::event_log& log,
                               std::chrono::milliseconds timeout, bool keep_outcomes, std::size_t expected_items)
    : theme_(theme),
      voice_(theme.speak(lang)),
      lang_(lang),
      log_(log),
      timeout_text_(fmt::format("{}", static_cast<double>(timeout.count()) / 1000.0)),
      keep_outcomes_(keep_outcomes) {
  if (keep_outcomes_) outcomes_.assign(expected_items, outcome::unexpected);
}

// What every message of an item may name; item and URL with credentials hidden (they are sent,
// never shown). Built once per event and shared by its lines: redaction and copies cost more
// than rendering.
template_context theme_observer::item_context(const fetch_request& request) const {
  template_context context;
  context.variables.reserve(7);
  if (hide_items_) {
    context.set("item", "***").set("url", redact_url(mask_item(request.url, request.item)));
  } else {
    context.set("item", redact_item(request.item)).set("url", redact_url(request.url));
  }
  context.set("noun", std::string(voice_.noun));
  return context;
}

template_context theme_observer::outcome_context(const fetch_request& request, const fetch_result& result,
                                                 const judged_response& judged) const {
  template_context context = item_context(request);
  context.set("status", std::to_string(result.http_status))
      .set("body", std::string(utf8_prefix(result.body, 100)))
      .set("error", judged.error)
      .set("timeout", timeout_text_);
  if (!judged.data.is_null()) context.data = &judged.data;
  return context;
}

void theme_observer::write_line(std::string_view name, std::string_view tmpl, const template_context& context) {
  if (!tmpl.empty()) log_.write(name, render_template(tmpl, context));
}

void theme_observer::on_start(const fetch_request& request) {
  if (voice_.worker_started.empty() && voice_.request_sent.empty()) return;
  std::string name = worker_name(request.index);
  template_context context = item_context(request);
  write_line(name, voice_.worker_started, context);
  write_line(name, voice_.request_sent, context);
}

std::string theme_observer::render_outcome(const fetch_request& request, const fetch_result& result) const {
  return render_judged(request, result, judge_response(result, theme_.expects_json));
}

std::string theme_observer::render_judged(const fetch_request& request, const fetch_result& result,
                                          const judged_response& judged) const {
  return render_template(message_for(voice_, judged.kind, result.http_status), outcome_context(request, result, judged));
}

void theme_observer::on_retry(const fetch_request& request, const fetch_result& failed_attempt,
                              std::chrono::milliseconds wait) {
  std::string reason(to_string(failed_attempt.kind));
  if (failed_attempt.http_status != 0) reason += " " + std::to_string(failed_attempt.http_status);
  template_context context;
  context.set("attempt", std::to_string(failed_attempt.attempts)).set("reason", reason).set("wait", std::to_string(wait.count()));
  log_.write(worker_name(request.index),
             render_template(lang_ == themes::language::id ? retrying_id : retrying_en, context));
}

void theme_observer::on_finish(const fetch_request& request, const fetch_result& result) {
  judged_response judged = judge_response(result, theme_.expects_json);
  std::string name = worker_name(request.index);
  template_context context = outcome_context(request, result, judged);
  log_.write(name, render_template(message_for(voice_, judged.kind, result.http_status), context));
  write_line(name, voice_.request_done, context);
  write_line(name, voice_.worker_finished, context);

  bool cancelled = judged.kind == outcome::unexpected && stop_ != nullptr && stop_->load(std::memory_order_relaxed);
  if (results_ != nullptr && !cancelled) {
    result_record record;
    record.index = request.index;
    record.item = *context.find("item");  // redacted: credentials are sent, never recorded
    record.url = *context.find("url");
    record.kind = judged.kind;
    record.http_status = result.http_status;
    record.attempts = result.attempts;
    record.latency = result.latency;
    record.data = judged.data.is_null() ? nullptr : &judged.data;
    record.body = result.body;
    record.error = judged.error;
    record.http_version = result.http_version;
    record.round = round_;
    results_->append(record);
  }
  if (progress_ != nullptr) progress_->count_done(judged.kind, result.latency);

  std::lock_guard lock(tally_mutex_);
  summary_.add(judged.kind, result.attempts, result.latency);
  if (keep_outcomes_ && request.index < outcomes_.size()) outcomes_[request.index] = judged.kind;
  failures_.add(request.index, *context.find("item"), *context.find("url"), judged.kind, result.http_status, judged.error);
}

run_summary theme_observer::summary() const {
  std::lock_guard lock(tally_mutex_);
  return summary_;
}

failure_digest theme_observer::failures() const {
  std::lock_guard lock(tally_mutex_);
  return failures_;
}

std::vector<outcome> theme_observer::outcomes() const {
  std::lock_guard lock(tally_mutex_);
  return outcomes_;
}

}  // namespace serentak::client
