// Micro benchmark: core's is_valid_json on a body dense with \u escapes (4 escapes per 24 bytes,
// 2,000 groups), 20,000 times. Build it against two versions of src/core/json_validate.cpp to compare
// them (bench/RESULTS.md, eighteenth session, has the command).
#include <chrono>
#include <cstdio>
#include <string>

#include "core/json_validate.hpp"

int main() {
  std::string body = "{\"name\":\"";
  for (int i = 0; i < 2000; ++i) body += "\\u00e9\\u4E2D\\uD83D\\uDE00";
  body += "\",\"plain\":\"abcdefghijklmnopqrstuvwxyz0123456789\",\"n\":[1,2,3,4.5e6]}";
  long valid = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int round = 0; round < 20000; ++round) valid += serentak::is_valid_json(body) ? 1 : 0;
  const auto took = std::chrono::steady_clock::now() - start;
  std::printf("%ld valid, %.1f ms\n", valid, std::chrono::duration<double, std::milli>(took).count());
  return valid == 20000 ? 0 : 1;
}
