#include "client/theme_run.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "client/engine.hpp"
#include "client/theme_observer.hpp"
#include "client/vector_source.hpp"
#include "core/message_template.hpp"
#include "core/target_url.hpp"
#include "core/url_template.hpp"
#include "log/event_log.hpp"

namespace serentak::client {
namespace {

constexpr std::size_t default_max_concurrency = 100;

std::string render(std::string_view tmpl, std::string_view name, std::string value) {
  template_context context;
  context.set(name, std::move(value));
  return render_template(tmpl, context);
}

}  // namespace

std::vector<std::string> resolve_urls(const theme_run_config& config, const std::vector<std::string>& items) {
  if (auto problem = check_target_url(config.base_url)) throw std::invalid_argument("--base: " + *problem);
  const themes::theme& theme = *config.theme;
  url_template urls(config.base_url, std::string(theme.url_pattern), theme.url_pattern.empty());
  std::vector<std::string> out;
  out.reserve(items.size());
  for (const std::string& item : items) {
    std::string url = urls.expand(item);
    if (auto problem = check_target_url(url)) throw std::invalid_argument("item " + std::to_string(out.size()) + ": " + *problem);
    out.push_back(std::move(url));
  }
  return out;
}

theme_run_result run_theme(const theme_run_config& config) {
  if (config.theme == nullptr) throw std::invalid_argument("no theme given");
  const themes::theme& theme = *config.theme;
  theme_run_result result;
  result.items = config.items;
  if (result.items.empty()) result.items.assign(theme.default_items.begin(), theme.default_items.end());
  result.urls = resolve_urls(config, result.items);
  result.log_path = config.log_path.empty() ? std::filesystem::path(theme.log_file) : config.log_path;

  log::event_log log = log::event_log::create(result.log_path, std::string(theme.log_title));
  if (config.echo_log) log.echo_to(2);
  const themes::messages& voice = theme.speak(config.lang);
  std::chrono::milliseconds timeout = config.timeout.count() > 0 ? config.timeout : theme.timeout;

  log.write("MainClient", render(voice.run_started, "count", std::to_string(result.items.size())));
  auto started = std::chrono::steady_clock::now();

  std::vector<fetch_request> requests;
  requests.reserve(result.items.size());
  for (std::size_t i = 0; i < result.items.size(); ++i) requests.push_back({i, result.items[i], result.urls[i]});
  vector_source source(std::move(requests));
  theme_observer observer(theme, config.lang, log, timeout, config.keep_outcomes, result.items.size());

  engine_config engine;
  engine.threads = config.threads;
  engine.concurrency = config.concurrency > 0 ? config.concurrency
                                              : std::clamp<std::size_t>(result.items.size(), 1, default_max_concurrency);
  engine.policy.timeout = timeout;
  run_engine(engine, source, observer, config.stop);

  result.wall = std::chrono::steady_clock::now() - started;
  double seconds = std::chrono::duration<double>(result.wall).count();
  log.write("MainClient", render(voice.run_finished, "seconds", fmt::format("{:.2f}", seconds)));

  result.summary = observer.summary();
  result.summary.wall = result.wall;
  result.outcomes = observer.outcomes();
  result.log_error = log.first_error();
  return result;
}

}  // namespace serentak::client
