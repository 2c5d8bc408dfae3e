// serentak: fetch many things at once, and mock the APIs they come from.
// Everything lives in the libraries; main only readies the standard streams (before anything
// opens a file), hands over the arguments and returns the exit code.

#include "cli/console.hpp"
#include "cli/run.hpp"

int main(int argc, char** argv) {
  serentak::cli::console::prepare_process();
  return serentak::cli::run(argc, argv);
}
