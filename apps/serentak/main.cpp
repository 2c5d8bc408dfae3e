// serentak: fetch many things at once, and mock the APIs they come from.
// Everything lives in the libraries; main only hands over the arguments and returns the exit code.

#include "cli/run.hpp"

int main(int argc, char** argv) { return serentak::cli::run(argc, argv); }
