#include "cli/theme_dashboard.hpp"

namespace serentak::cli {
namespace {

web::dashboard_options options_for(const themes::theme& theme, themes::language lang, const web_choice& choice) {
  web::dashboard_options options;
  options.title = "serentak " + std::string(theme.command);
  options.token = choice.token;
  options.lang = lang == themes::language::id ? "id" : "en";
  return options;
}

}  // namespace

theme_dashboard::theme_dashboard(const themes::theme& theme, themes::language lang, const web_choice& choice)
    : state_(std::string(theme.dashboard_view), std::string(theme.command)),
      server_(state_, nullptr, choice.address, options_for(theme, lang, choice)) {
  server_.start();
}

theme_dashboard::~theme_dashboard() { server_.stop(); }

}  // namespace serentak::cli
