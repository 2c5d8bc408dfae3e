#pragma once
// `serentak CMD --config FILE`: a TOML file of the command's options, one `key = value` per option
// by its long name (`timeout = "5s"`, `no-log = true`, `items = ["a", "b"]`), optionally under a
// `[CMD]` table (for a subcommand of `job`, also `[job.CMD]`). Precedence: the command line, then the
// file, then the defaults. CLI11 2.1 reads config files for the top-level app only, so the values are
// applied here, after parsing, to every option the command line left unset, through the option's own
// validators; a file's option that excludes one given on the command line is left out, and two in the
// file that exclude each other are refused, as is a key given twice. Options that need another are
// checked by their command, after this (CLI11 would check `needs` while parsing, before the file).

#include <cstddef>

#include <CLI/CLI.hpp>

namespace serentak::cli {

// A config file bigger than this is a wrong path (/dev/zero), not options.
inline constexpr std::size_t max_config_file_bytes = 16 * 1024 * 1024;

// Throws CLI::Error (the file is malformed, a value fails its check) or std::invalid_argument (the
// file cannot be read, is a directory or over max_config_file_bytes; a key the command does not
// have), each naming the file; file_read_interrupted when a stop signal came while it was read.
void apply_config_file(CLI::App& command);

}  // namespace serentak::cli
