#include "themes/theme.hpp"

namespace serentak::themes {
namespace {

// A bulk run logs one line per item, its outcome (and one per retry), like an access log: the
// seed stories' four progress lines per item ("started", "sending", "done", "finished") would be
// four of every five lines and four of every five write(2)s at 10,000 items.
const theme fetch{
    .command = "fetch",
    .summary = "Fetch many URLs at once: items from arguments, files or stdin, with retries, rate limit and results",
    .log_file = "fetch_log.txt",
    .log_title = "Fetch Log",
    .url_pattern = "",
    .expects_json = false,
    .timeout = std::chrono::milliseconds(30000),
    .default_items = {},
    .id = {.noun = "item",
           .run_started = "Memulai {count} permintaan secara concurrent.",
           .run_started_one = "",  // no plural in Bahasa Indonesia
           .run_finished = "Semua permintaan selesai dalam {seconds} detik.",
           .worker_started = "",
           .request_sent = "",
           .ok = "Berhasil! {url} merespons dengan status {status}.",
           .not_found = "Error: {url} tidak ditemukan (404).",
           .other_status = "Menerima status error dari API: {status} - {body}",
           .timeout = "Timeout! {url} tidak merespons dalam {timeout} detik.",
           .connection_error = "Error permintaan ke {url}: {error}",
           .invalid_response = "Respons tidak valid dari {url}: {error}",
           .unexpected = "Terjadi kesalahan tak terduga untuk {url}: {error}",
           .request_done = "",
           .worker_finished = ""},
    .en = {.noun = "item",
           .run_started = "Starting {count} concurrent requests.",
           .run_started_one = "Starting {count} request.",
           .run_finished = "All requests finished in {seconds} seconds.",
           .worker_started = "",
           .request_sent = "",
           .ok = "Success! {url} answered with status {status}.",
           .not_found = "Error: {url} not found (404).",
           .other_status = "Received an error status from the API: {status} - {body}",
           .timeout = "Timeout! {url} did not answer within {timeout} seconds.",
           .connection_error = "Request error for {url}: {error}",
           .invalid_response = "Invalid response from {url}: {error}",
           .unexpected = "Unexpected error for {url}: {error}",
           .request_done = "",
           .worker_finished = ""},
    .keyed = std::nullopt,
    .fixed = {},
};

}  // namespace

const theme& fetch_theme() noexcept { return fetch; }

}  // namespace serentak::themes
