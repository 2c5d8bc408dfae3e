#pragma once
// The --live full-screen view (like oha's): progress, outcome counts by class, the rate of the
// last seconds as a sparkline, p50/p90/p99 and a latency histogram, and the last -v log lines.
// Pure text: render_live_screen() turns numbers into lines already cut to the terminal's width
// and height; progress_line owns the thread that draws them through log::console.
// Thread safety: none needed; plain functions of their arguments.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "client/outputs/run_meter.hpp"

namespace serentak::client {

struct live_screen_input {
  std::string title;        // "serentak fetch"
  std::uint64_t total = 0;  // items this run fetches
  double elapsed_s = 0;
  meter_snapshot meter;
  std::vector<std::uint64_t> per_second;  // items finished in each whole second so far, oldest first
  std::vector<std::string> recent_log;    // the last -v lines, oldest first
  bool utf8 = false;                      // the terminal takes UTF-8: block characters for the sparkline
};

// At most rows lines, each at most columns wide (counted in code points).
std::vector<std::string> render_live_screen(const live_screen_input& input, std::size_t columns, std::size_t rows);

// text cut to columns code points; the progress line and the screen never wrap.
std::string cut_to_columns(std::string_view text, std::size_t columns);

// "850 us", "12.3 ms", "2.41 s".
std::string format_latency(std::uint64_t micros);

// One character per value, scaled to the largest: " _.-=+*#" in ASCII, block elements in UTF-8.
std::string sparkline(const std::vector<std::uint64_t>& values, bool utf8);

}  // namespace serentak::client
