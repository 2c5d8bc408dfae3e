#pragma once
// --web on a client command run with --every (the five themes and fetch): the dashboard_state the
// run's finished items feed, and the dashboard_server that shows it, for the whole run. Each item
// is one endpoint; the theme chooses the page's view (themes::theme::dashboard_view). There is no
// history database: the history route answers 503. Owned by run_client_command on main's thread;
// the state is fed from the engine's workers and the server's thread (it locks itself).

#include <string>

#include "cli/web_choice.hpp"
#include "client/outputs/item_sink.hpp"
#include "themes/theme.hpp"
#include "web/dashboard_server.hpp"
#include "web/dashboard_state.hpp"

namespace serentak::cli {

class theme_dashboard {
 public:
  // Listens and serves at once. Throws std::system_error when it cannot listen.
  theme_dashboard(const themes::theme& theme, themes::language lang, const web_choice& choice);
  ~theme_dashboard();
  theme_dashboard(const theme_dashboard&) = delete;
  theme_dashboard& operator=(const theme_dashboard&) = delete;

  client::item_sink* sink() noexcept { return &state_; }
  std::string url() const { return server_.url(); }
  void stop() { server_.stop(); }  // streams and requests closed; idempotent

 private:
  web::dashboard_state state_;    // declared first: the server reads it until it stops
  web::dashboard_server server_;
};

}  // namespace serentak::cli
