#pragma once
// Turns the request options of a client command (-X, -H, -d, --json, -A, -u, --header-file,
// --bearer-env, --netrc, --redact-header) into a request_spec: reads --data @FILE, the header
// files and the bearer variable. Errors name the option, file and line, never a header's value.
// Runs once per command on the main thread.

#include <CLI/CLI.hpp>

#include "cli/client_options.hpp"
#include "core/request_shape.hpp"

namespace serentak::cli {

// Throws std::invalid_argument (exit 2) for a bad or unreadable option; file_read_interrupted (one
// of them) when a stop signal came while a file was read (a FIFO that has no writer, or no end).
request_spec make_request_spec(const client_options& options, const CLI::App& app);

}  // namespace serentak::cli
