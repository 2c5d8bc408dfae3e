#pragma once
// Value conventions shared by every command's options, applied after the options are registered
// so the registrations stay one line each: durations (--timeout 500ms, 5s, 2m, 1h or a bare number
// of seconds) are turned into seconds before CLI11's range check sees them.

#include <chrono>

#include <CLI/CLI.hpp>

namespace serentak::cli {

// A CLI11 transform: "500ms" -> "0.5", "2m" -> "120", "5" -> "5"; anything else is refused with
// a message naming the accepted forms.
CLI::Validator duration_in_seconds();

// Puts duration_in_seconds() in front of the named options that command has.
void accept_durations(CLI::App& command, std::initializer_list<const char*> option_names);

// A duration option's seconds, as duration_in_seconds leaves them, in whole milliseconds.
std::chrono::milliseconds seconds_to_ms(double seconds);

}  // namespace serentak::cli
