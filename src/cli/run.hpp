#pragma once
// The command line: parses argv with CLI11, runs the chosen command, returns the exit status.
// Exit status: 0 every item ok, 1 some items failed, 2 usage or input error, 130/143 interrupted.

namespace serentak::cli {

int run(int argc, char** argv);

}  // namespace serentak::cli
