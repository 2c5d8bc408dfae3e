#pragma once
// The one way a fuzz target reports a broken property: print what broke and abort, so libFuzzer
// saves the input as a crash-<sha1> reproducer and `make fuzz` fails. (assert() would vanish
// under NDEBUG, and the fuzz preset builds with optimisation.)

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition)                                                                   \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                             \
    }                                                                                           \
  } while (false)
