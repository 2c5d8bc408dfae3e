#include "themes/theme.hpp"

namespace serentak::themes {
namespace {

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
           .run_finished = "Semua permintaan selesai dalam {seconds} detik.",
           .worker_started = "Memulai pekerjaan untuk item: {item}",
           .request_sent = "Mengirim permintaan ke {url}",
           .ok = "Berhasil! {url} merespons dengan status {status}.",
           .not_found = "Error: {url} tidak ditemukan (404).",
           .other_status = "Menerima status error dari API: {status} - {body}",
           .timeout = "Timeout! {url} tidak merespons dalam {timeout} detik.",
           .connection_error = "Error permintaan ke {url}: {error}",
           .invalid_response = "Respons tidak valid dari {url}: {error}",
           .unexpected = "Terjadi kesalahan tak terduga untuk {url}: {error}",
           .request_done = "Permintaan untuk item {item} selesai diproses.",
           .worker_finished = "Selesai pekerjaan untuk item: {item}"},
    .en = {.noun = "item",
           .run_started = "Starting {count} concurrent requests.",
           .run_finished = "All requests finished in {seconds} seconds.",
           .worker_started = "Starting work for item: {item}",
           .request_sent = "Sending request to {url}",
           .ok = "Success! {url} answered with status {status}.",
           .not_found = "Error: {url} not found (404).",
           .other_status = "Received an error status from the API: {status} - {body}",
           .timeout = "Timeout! {url} did not answer within {timeout} seconds.",
           .connection_error = "Request error for {url}: {error}",
           .invalid_response = "Invalid response from {url}: {error}",
           .unexpected = "Unexpected error for {url}: {error}",
           .request_done = "Request for item {item} done.",
           .worker_finished = "Finished work for item: {item}"},
    .keyed = std::nullopt,
    .fixed = {},
};

}  // namespace

const theme& fetch_theme() noexcept { return fetch; }

}  // namespace serentak::themes
