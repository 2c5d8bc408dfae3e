#pragma once
// The words of `serentak monitor`'s event log and alert events: one line per check, one per
// health change, and the readable list of what failed. The engine's result is adapted here too
// (fetch_result -> finished_check), so every place that turns an answer into monitor terms is in
// one file pair. Pure functions; the event log escapes what a server sent.

#include <string>

#include "client/engine/fetch_types.hpp"
#include "monitor/alert_message.hpp"
#include "monitor/check_source.hpp"
#include "monitor/endpoint_monitor.hpp"

namespace serentak::monitor {

// The engine's final result of one check as endpoint_monitor reads it. connected: a response came,
// or one that could not be used (invalid_response); a timeout or a connection error did not
// connect as far as the conditions can tell.
finished_check finished_check_of(const client::fetch_result& result, const check_ticket& ticket);

// What failed, readable: the failed conditions with the values seen ("[STATUS] (500) == 200; ..."),
// then the transport's error; without conditions, the error or the outcome. Empty when it passed.
std::string failure_text(const check_report& report, const client::fetch_result& result);

// "pass: 200 ok in 12.3 ms, 0.4 ms late; up" or
// "FAIL: 500 server_error in 3.1 ms, 0.2 ms late: [STATUS] (500) == 200; up, 1 failure in a row".
// prefix goes first ("re-check 1 of 2 "), for the re-checks of a confirm burst.
std::string check_line(const check_report& report, const finished_check& check, const std::string& failure,
                       const health_state& state, const std::string& prefix = {});

// "up -> down: [STATUS] (500) == 200" (the reason only when there is one).
std::string change_line(const health_decision& decision, const std::string& failure);

// The event an alert is sent for; the URL is redacted (it may hold a token).
alert_event alert_event_of(const endpoint_config& endpoint, const health_decision& decision, const std::string& failure,
                           wall_time at);

}  // namespace serentak::monitor
