#include "client/outputs/theme_observer.hpp"

#include <array>
#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "client/engine/response_judge.hpp"
#include "core/log_text.hpp"
#include "core/message_template.hpp"
#include "core/percent_encoding.hpp"
#include "core/url_redaction.hpp"

namespace serentak::client {
namespace {

// Which of a theme's messages tells this outcome.
enum class outcome_message : std::size_t {
  ok,
  not_found,
  other_status,
  timeout,
  connection_error,
  invalid_response,
  unexpected
};
constexpr std::size_t outcome_message_count = 7;

outcome_message message_slot(outcome kind, long http_status) {
  switch (kind) {
    case outcome::ok:
      return outcome_message::ok;
    case outcome::not_found:
      return outcome_message::not_found;
    case outcome::client_error:
    case outcome::server_error:
      return outcome_message::other_status;
    case outcome::timeout:
      return outcome_message::timeout;
    case outcome::connection_error:
      return outcome_message::connection_error;
    case outcome::invalid_response:
      // A status we cannot use (1xx, 3xx not followed) is still "a status from the API";
      // a 2xx whose body is unusable is an invalid response.
      return classify_status(http_status) == outcome::invalid_response && http_status >= 100
                 ? outcome_message::other_status
                 : outcome_message::invalid_response;
    case outcome::unexpected:
      return outcome_message::unexpected;
  }
  return outcome_message::unexpected;
}

std::string_view message_text(const themes::messages& voice, outcome_message slot) {
  switch (slot) {
    case outcome_message::ok:
      return voice.ok;
    case outcome_message::not_found:
      return voice.not_found;
    case outcome_message::other_status:
      return voice.other_status;
    case outcome_message::timeout:
      return voice.timeout;
    case outcome_message::connection_error:
      return voice.connection_error;
    case outcome_message::invalid_response:
      return voice.invalid_response;
    case outcome_message::unexpected:
      return voice.unexpected;
  }
  return voice.unexpected;
}

// The context variables that are only worth building when a message names them (item and url are
// always built: the record and the failure digest need them).
enum context_need : unsigned {
  need_noun = 1U << 0,
  need_status = 1U << 1,
  need_body = 1U << 2,
  need_error = 1U << 3,
  need_timeout = 1U << 4,
  need_all = ~0U,
};

// Which of them a template may name, by a plain search for each name: a name found inside a
// longer one ("error" in "{data.error}") only costs a value built and not read.
unsigned needs_of(std::string_view tmpl) {
  unsigned needs = 0;
  if (tmpl.find("noun") != std::string_view::npos) needs |= need_noun;
  if (tmpl.find("status") != std::string_view::npos) needs |= need_status;
  if (tmpl.find("body") != std::string_view::npos) needs |= need_body;
  if (tmpl.find("error") != std::string_view::npos) needs |= need_error;
  if (tmpl.find("timeout") != std::string_view::npos) needs |= need_timeout;
  return needs;
}

// "Worker-<index>", built without a formatting call: once per item.
class worker_label {
 public:
  explicit worker_label(std::size_t index) noexcept {
    std::memcpy(text_.data(), "Worker-", 7);
    size_ = static_cast<std::size_t>(std::to_chars(text_.data() + 7, text_.data() + text_.size(), index).ptr -
                                     text_.data());
  }
  std::string_view view() const noexcept { return {text_.data(), size_}; }

 private:
  std::array<char, 7 + 20> text_{};  // "Worker-" and at most 20 digits
  std::size_t size_ = 0;
};

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

// An item whose lines and record are gathered but not yet written: what counting it needs.
struct finished_item {
  std::size_t index = 0;
  outcome kind = outcome::unexpected;
  int attempts = 1;
  long http_status = 0;
  std::chrono::microseconds latency{0};
  std::string item, url, error;  // for the failure digest (redacted as in the log); an ok item's url: its host
};

struct theme_observer::pending {
  const theme_observer* owner = nullptr;  // whose output this is; null: empty
  std::uint64_t owner_id = 0;             // and its id_, so a new observer at a reused address is not taken for it
  log::event_log::batch lines;
  std::string records;
  std::vector<finished_item> finished;
};

thread_local theme_observer::pending theme_observer::pending_output_;

namespace {
std::atomic<std::uint64_t> next_observer_id{1};
}  // namespace

theme_observer::pending& theme_observer::own_pending() {
  pending& p = pending_output_;
  if (p.owner != this || p.owner_id != id_) {
    // Another observer's output on this thread. An engine worker writes what it gathered at each
    // turn's end and as it ends, and an observer writes its thread's as it is destroyed, so only a
    // caller outside both leaves any; its owner may be gone, so it cannot be written: dropped.
    p.lines.clear();
    p.records.clear();
    p.finished.clear();
    p.owner = this;
    p.owner_id = id_;
  }
  return p;
}

void theme_observer::on_turn_end() noexcept {
  pending& p = pending_output_;
  if (p.owner == this && p.owner_id == id_) write_pending(p);
}

theme_observer::~theme_observer() { on_turn_end(); }

// The lines, then the records, then the counting: an item is counted only once its record is
// written (a failed write is kept by the log and the results file for the exit status).
void theme_observer::write_pending(pending& p) noexcept {
  log_.write_batch(p.lines);
  if (results_ != nullptr) results_->append_formatted(p.records);
  if (progress_ != nullptr) {
    for (const finished_item& f : p.finished) progress_->count_done(f.kind, f.latency);
  }
  try {
    std::lock_guard lock(tally_mutex_);
    for (const finished_item& f : p.finished) {
      summary_.add(f.kind, f.attempts, f.latency);
      if (keep_outcomes_ && f.index < outcomes_.size()) outcomes_[f.index] = f.kind;
      failures_.add(f.index, f.item, f.url, f.kind, f.http_status, f.error);
    }
  } catch (...) {
    // Out of memory in the failure digest: the items are written; only the report loses detail.
  }
  p.lines.clear();
  p.records.clear();
  p.finished.clear();
  p.owner = nullptr;
  p.owner_id = 0;
}

theme_observer::theme_observer(const themes::theme& theme, themes::language lang, log::event_log& log,
                               std::chrono::milliseconds timeout, bool keep_outcomes, std::size_t expected_items)
    : theme_(theme),
      voice_(theme.speak(lang)),
      lang_(lang),
      log_(log),
      timeout_text_(fmt::format("{}", static_cast<double>(timeout.count()) / 1000.0)),
      keep_outcomes_(keep_outcomes),
      reads_data_(false),
      id_(next_observer_id.fetch_add(1, std::memory_order_relaxed)) {
  if (keep_outcomes_) outcomes_.assign(expected_items, outcome::unexpected);
  for (std::string_view message :
       {voice_.worker_started, voice_.request_sent, voice_.ok, voice_.not_found, voice_.other_status, voice_.timeout,
        voice_.connection_error, voice_.invalid_response, voice_.unexpected, voice_.request_done,
        voice_.worker_finished}) {
    if (message.find("data") != std::string_view::npos) reads_data_ = true;
  }
  for (std::size_t k = 0; k < outcome_message_count; ++k) {
    outcome_needs_[k] = needs_of(message_text(voice_, static_cast<outcome_message>(k)));
  }
  start_needs_ = needs_of(voice_.worker_started) | needs_of(voice_.request_sent);
  finish_needs_ = needs_of(voice_.request_done) | needs_of(voice_.worker_finished);
}

// What the messages of an item may name (needs: context_need bits, which of the optional values
// to build); item and URL with credentials hidden (they are sent, never shown). Built once per
// event and shared by its lines: redaction and copies cost more than rendering.
template_context theme_observer::item_context(const fetch_request& request, unsigned needs) const {
  template_context context;
  context.variables.reserve(7);
  if (hide_items_) {
    context.set("item", "***").set("url", redact_url(mask_item(request.url, request.item)));
  } else {
    context.set("item", redact_item(request.item)).set("url", redact_url(request.url));
  }
  if ((needs & need_noun) != 0) context.set("noun", std::string(voice_.noun));
  return context;
}

// An ok item's message names its URL and status; building the body snippet, the error and the
// timeout text for every item too was most of the context's cost.
template_context theme_observer::outcome_context(const fetch_request& request, const fetch_result& result,
                                                 const judged_response& judged, unsigned needs) const {
  template_context context = item_context(request, needs);
  if ((needs & need_status) != 0) context.set("status", std::to_string(result.http_status));
  if ((needs & need_body) != 0) context.set("body", std::string(utf8_prefix(result.body, 100)));
  if ((needs & need_error) != 0) context.set("error", judged.error);
  if ((needs & need_timeout) != 0) context.set("timeout", timeout_text_);
  if (!judged.data.is_null()) context.data = &judged.data;
  return context;
}

void theme_observer::add_line(pending& p, std::string_view name, std::string_view tmpl,
                              const template_context& context) {
  if (!tmpl.empty()) p.lines.add(name, render_template(tmpl, context));
}

void theme_observer::on_start(const fetch_request& request) {
  if (!log_.wants_lines()) return;  // --no-log: nothing to render
  if (voice_.worker_started.empty() && voice_.request_sent.empty()) return;
  const worker_label name(request.index);
  template_context context = item_context(request, start_needs_);
  pending& p = own_pending();
  add_line(p, name.view(), voice_.worker_started, context);
  add_line(p, name.view(), voice_.request_sent, context);
}

std::string theme_observer::render_outcome(const fetch_request& request, const fetch_result& result) const {
  return render_judged(request, result, judge_response(result, theme_.expects_json));
}

std::string theme_observer::render_judged(const fetch_request& request, const fetch_result& result,
                                          const judged_response& judged) const {
  return render_template(message_text(voice_, message_slot(judged.kind, result.http_status)),
                         outcome_context(request, result, judged, need_all));
}

void theme_observer::on_retry(const fetch_request& request, const fetch_result& failed_attempt,
                              std::chrono::milliseconds wait) {
  if (!log_.wants_lines()) return;
  std::string reason(to_string(failed_attempt.kind));
  if (failed_attempt.http_status != 0) reason += " " + std::to_string(failed_attempt.http_status);
  template_context context;
  context.set("attempt", std::to_string(failed_attempt.attempts))
      .set("reason", reason)
      .set("wait", std::to_string(wait.count()));
  own_pending().lines.add(worker_label(request.index).view(),
                          render_template(lang_ == themes::language::id ? retrying_id : retrying_en, context));
}

void theme_observer::on_finish(const fetch_request& request, const fetch_result& result) {
  judged_response judged = judge_response(result, theme_.expects_json, reads_data_ || item_sink_ != nullptr);
  const outcome_message slot = message_slot(judged.kind, result.http_status);
  template_context context =
      outcome_context(request, result, judged, outcome_needs_[static_cast<std::size_t>(slot)] | finish_needs_);
  pending& p = own_pending();
  const bool wants_lines = log_.wants_lines();  // --no-log: the lines would go nowhere
  std::string message;
  if (wants_lines || item_sink_ != nullptr) message = render_template(message_text(voice_, slot), context);
  if (wants_lines) {
    const worker_label name(request.index);
    p.lines.add(name.view(), message);
    add_line(p, name.view(), voice_.request_done, context);
    add_line(p, name.view(), voice_.worker_finished, context);
  }

  bool cancelled = judged.kind == outcome::unexpected && stop_ != nullptr && stop_->load(std::memory_order_relaxed);
  if (item_sink_ != nullptr && !cancelled) {
    // A secret item shows as "***" everywhere; on the dashboard each still needs a name of its own,
    // or every item would fold into one endpoint: its position in the input.
    const std::string secret_name = hide_items_ ? "item " + std::to_string(request.index + 1) : std::string();
    const std::string_view shown =
        hide_items_ ? std::string_view(secret_name) : std::string_view(*context.find("item"));
    item_sink_->on_item({shown, judged.kind, result.latency, message, judged.data.is_null() ? nullptr : &judged.data});
  }
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
    record.body_is_json = judged.validated_only;
    record.body = result.body;
    record.error = judged.error;
    record.http_version = result.http_version;
    record.round = round_;
    results_->format(record, p.records);
  }
  finished_item& f = p.finished.emplace_back();
  f.index = request.index;
  f.kind = judged.kind;
  f.attempts = result.attempts;
  f.http_status = result.http_status;
  f.latency = result.latency;
  if (judged.kind == outcome::ok) {
    // The digest only tallies an ok item's host (url_host of a bare host is the host): a copy of a
    // few bytes, mostly within the string's own buffer, not of the whole URL.
    f.url = url_host(*context.find("url"));
  } else {
    f.url = *context.find("url");
    f.item = *context.find("item");
    f.error = judged.error;
  }
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
