#include "themes/theme.hpp"

#include <array>

#include <nlohmann/json.hpp>

namespace serentak::themes {
namespace {

using namespace std::string_view_literals;

// Lines the four keyed themes share; {noun} is the theme's word for an item.
constexpr std::string_view other_status_id = "Menerima status error dari API: {status} - {body}";
constexpr std::string_view timeout_id = "Timeout! Permintaan untuk {noun} {item} tidak direspons dalam {timeout} detik.";
constexpr std::string_view connection_error_id = "Error permintaan untuk {noun} {item}: {error}";
constexpr std::string_view invalid_response_id = "Respons tidak valid dari API untuk {noun} {item}: {error}";
constexpr std::string_view unexpected_id = "Terjadi kesalahan tak terduga untuk {noun} {item}: {error}";
constexpr std::string_view request_sent_id = "Mengirim permintaan ke {url}";
constexpr std::string_view request_done_id = "Permintaan untuk {noun} {item} selesai diproses.";

constexpr std::string_view other_status_en = "Received an error status from the API: {status} - {body}";
constexpr std::string_view timeout_en = "Timeout! The request for {noun} {item} got no answer within {timeout} seconds.";
constexpr std::string_view connection_error_en = "Request error for {noun} {item}: {error}";
constexpr std::string_view invalid_response_en = "Invalid response from the API for {noun} {item}: {error}";
constexpr std::string_view unexpected_en = "Unexpected error for {noun} {item}: {error}";
constexpr std::string_view request_sent_en = "Sending request to {url}";
constexpr std::string_view request_done_en = "Request for {noun} {item} done.";

// ---- weather -------------------------------------------------------------------------------
constexpr std::array weather_items{"JAKARTA"sv, "BANDUNG"sv, "KUALA_LUMPUR"sv, "SURABAYA"sv, "DENPASAR"sv};
constexpr std::string_view weather_records = R"({
  "JAKARTA": {"temp_c": 32, "condition": "Cerah Berawan", "humidity": "75%"},
  "BANDUNG": {"temp_c": 24, "condition": "Hujan Ringan", "humidity": "88%"},
  "SURABAYA": {"temp_c": 34, "condition": "Cerah", "humidity": "70%"},
  "DENPASAR": {"temp_c": 31, "condition": "Cerah", "humidity": "80%"},
  "MEDAN": {"temp_c": 33, "condition": "Badai Petir", "humidity": "85%"}
})";

// ---- books ---------------------------------------------------------------------------------
constexpr std::array book_items{"978-3-16-148410-0"sv, "978-0-26-110221-7"sv, "999-9-99-999999-9"sv,
                                "978-1-40-885565-2"sv};
constexpr std::string_view book_records = R"({
  "978-3-16-148410-0": {"title": "The Art of Concurrent Programming", "status": "Available", "location": "Rak A-3"},
  "978-0-26-110221-7": {"title": "The Lord of The Rings", "status": "On Loan", "due_date": "2024-12-25"},
  "978-1-40-885565-2": {"title": "Harry Potter and the Philosopher's Stone", "status": "Available", "location": "Rak F-1"},
  "978-0-74-327356-5": {"title": "The Da Vinci Code", "status": "On Loan", "due_date": "2024-12-15"},
  "978-0-32-176572-3": {"title": "The C++ Programming Language", "status": "Available", "location": "Rak C-5"}
})";

// ---- pizza ---------------------------------------------------------------------------------
constexpr std::array pizza_items{"ORD-101"sv, "ORD-103"sv, "ORD-999"sv, "ORD-102"sv, "ORD-105"sv};
constexpr std::string_view pizza_records = R"({
  "ORD-101": {"customer": "Budi", "status": "Baking", "estimated_delivery": "19:30"},
  "ORD-102": {"customer": "Ani", "status": "Out for Delivery", "estimated_delivery": "19:25"},
  "ORD-103": {"customer": "Cici", "status": "Preparing", "estimated_delivery": "19:45"},
  "ORD-104": {"customer": "Dedi", "status": "Delivered", "estimated_delivery": "19:10"},
  "ORD-105": {"customer": "Eka", "status": "Baking", "estimated_delivery": "19:50"}
})";

// ---- health --------------------------------------------------------------------------------
constexpr std::array health_items{"/status/ok"sv, "/status/slow"sv, "/status/error"sv, "/status/nonexistent"sv,
                                  "/status/ok"sv};
constexpr std::array health_routes{
    fixed_route{"/status/ok", 200, {0, 0}, R"({"status": "ok", "message": "Service is running normally."})"},
    fixed_route{"/status/slow", 200, {2.0, 3.0},
                R"({"status": "ok", "message": "Service is running, but responded slowly after {delay}s."})"},
    fixed_route{"/status/error", 500, {0, 0},
                R"({"status": "error", "message": "Internal Server Error occurred."})"},
};

// ---- profiles ------------------------------------------------------------------------------
constexpr std::array profile_items{"1121"sv, "1123"sv, "9999"sv, "1124"sv, "1122"sv};
constexpr std::string_view profile_records = R"({
  "1121": {"username": "alpha_dev", "fullName": "Alpha Developer", "followers": 1024},
  "1122": {"username": "beta_tester", "fullName": "Beta Tester", "followers": 256},
  "1123": {"username": "gamma_user", "fullName": "Gamma User", "followers": 512},
  "1124": {"username": "delta_pm", "fullName": "Delta Product Manager", "followers": 2048},
  "1125": {"username": "epsilon_ds", "fullName": "Epsilon Data Scientist", "followers": 4096}
})";

const std::array<theme, 5> themes{{
    {
        .command = "weather",
        .summary = "Weather for many cities at once (the weather portal story)",
        .log_file = "weather_client_log.txt",
        .log_title = "Weather Client Log",
        .url_pattern = "/get_weather?city={}",
        .expects_json = true,
        .timeout = std::chrono::milliseconds(5000),
        .default_items = weather_items,
        .id = {.noun = "kota",
               .run_started = "Memulai {count} permintaan prakiraan cuaca secara concurrent.",
               .run_started_one = "",  // no plural in Bahasa Indonesia
               .run_finished = "Semua permintaan cuaca selesai dalam {seconds} detik.",
               .worker_started = "Memulai pekerjaan untuk kota: {item}",
               .request_sent = request_sent_id,
               .ok = "Berhasil! Cuaca di {data.city ?? item}: {data.condition ?? 'N/A'}, {data.temp_c ?? 'N/A'}°C",
               .not_found = "Error: Kota {item} tidak ditemukan. Pesan: {data.message ?? 'Not found'}",
               .other_status = other_status_id,
               .timeout = timeout_id,
               .connection_error = connection_error_id,
               .invalid_response = invalid_response_id,
               .unexpected = unexpected_id,
               .request_done = request_done_id,
               .worker_finished = "Selesai pekerjaan untuk kota: {item}"},
        .en = {.noun = "city",
               .run_started = "Starting {count} concurrent weather forecast requests.",
               .run_started_one = "Starting {count} weather forecast request.",
               .run_finished = "All weather requests finished in {seconds} seconds.",
               .worker_started = "Starting work for city: {item}",
               .request_sent = request_sent_en,
               .ok = "Success! Weather in {data.city ?? item}: {data.condition ?? 'N/A'}, {data.temp_c ?? 'N/A'}°C",
               .not_found = "Error: city {item} not found. Message: {data.message ?? 'Not found'}",
               .other_status = other_status_en,
               .timeout = timeout_en,
               .connection_error = connection_error_en,
               .invalid_response = invalid_response_en,
               .unexpected = unexpected_en,
               .request_done = request_done_en,
               .worker_finished = "Finished work for city: {item}"},
        .keyed = keyed_route{.path = "/get_weather",
                             .param = "city",
                             .upper_case = true,
                             .delay = {0.2, 0.6},
                             .records_json = weather_records,
                             .not_found_error = "city_not_found",
                             .not_found_message = "City '{key}' not found in our database.",
                             .missing_message = "",
                             .found_line = "Sending weather for {key}: {record} (after {delay}s delay)",
                             .random_line = "Sending random weather for {key}: {record} (after {delay}s delay)",
                             .not_found_line = "City {key} not found (after {delay}s delay)",
                             .missing_line = ""},
        .fixed = {},
        .dashboard_view = "weather_tiles",
    },
    {
        .command = "books",
        .summary = "Check the status of many library books at once (the student story)",
        .log_file = "library_client_log.txt",
        .log_title = "Library Client Log",
        .url_pattern = "/check_book_status?isbn={}",
        .expects_json = true,
        .timeout = std::chrono::milliseconds(5000),
        .default_items = book_items,
        .id = {.noun = "ISBN",
               .run_started = "Memulai {count} pengecekan status buku secara concurrent.",
               .run_started_one = "",  // no plural in Bahasa Indonesia
               .run_finished = "Semua pengecekan buku selesai dalam {seconds} detik.",
               .worker_started = "Memulai pekerjaan untuk ISBN: {item}",
               .request_sent = request_sent_id,
               .ok = "Berhasil! Buku '{data.title ?? 'N/A'}' status: {data.status ?? 'N/A'}",
               .not_found = "Error: ISBN {item} tidak ditemukan. Pesan: {data.message ?? 'Not found'}",
               .other_status = other_status_id,
               .timeout = timeout_id,
               .connection_error = connection_error_id,
               .invalid_response = invalid_response_id,
               .unexpected = unexpected_id,
               .request_done = request_done_id,
               .worker_finished = "Selesai pekerjaan untuk ISBN: {item}"},
        .en = {.noun = "ISBN",
               .run_started = "Starting {count} concurrent book status checks.",
               .run_started_one = "Starting {count} book status check.",
               .run_finished = "All book checks finished in {seconds} seconds.",
               .worker_started = "Starting work for ISBN: {item}",
               .request_sent = request_sent_en,
               .ok = "Success! Book '{data.title ?? 'N/A'}' status: {data.status ?? 'N/A'}",
               .not_found = "Error: ISBN {item} not found. Message: {data.message ?? 'Not found'}",
               .other_status = other_status_en,
               .timeout = timeout_en,
               .connection_error = connection_error_en,
               .invalid_response = invalid_response_en,
               .unexpected = unexpected_en,
               .request_done = request_done_en,
               .worker_finished = "Finished work for ISBN: {item}"},
        .keyed = keyed_route{.path = "/check_book_status",
                             .param = "isbn",
                             .upper_case = false,
                             .delay = {0.1, 0.4},
                             .records_json = book_records,
                             .not_found_error = "isbn_not_found",
                             .not_found_message = "Book with ISBN '{key}' not found in the catalog.",
                             .missing_message = "ISBN parameter is required.",
                             .found_line = "Sending status for ISBN {key}: {record} (after {delay}s delay)",
                             .random_line = "",
                             .not_found_line = "ISBN {key} not found (after {delay}s delay)",
                             .missing_line = "ISBN parameter missing (after {delay}s delay)"},
        .fixed = {},
    },
    {
        .command = "pizza",
        .summary = "Track many pizza orders at once (the pizza shop dashboard story)",
        .log_file = "pizza_tracker_log.txt",
        .log_title = "Pizza Tracker Log",
        .url_pattern = "/get_order_status?order_id={}",
        .expects_json = true,
        .timeout = std::chrono::milliseconds(5000),
        .default_items = pizza_items,
        .id = {.noun = "ID Pesanan",
               .run_started = "Memulai {count} pelacakan pesanan pizza secara concurrent.",
               .run_started_one = "",  // no plural in Bahasa Indonesia
               .run_finished = "Semua pelacakan pesanan selesai dalam {seconds} detik.",
               .worker_started = "Memulai pelacakan untuk ID Pesanan: {item}",
               .request_sent = request_sent_id,
               .ok = "Berhasil! Pesanan {data.order_id ?? item} untuk {data.customer ?? 'N/A'} status: "
                     "{data.status ?? 'N/A'}",
               .not_found = "Error: ID Pesanan {item} tidak ditemukan. Pesan: {data.message ?? 'Not found'}",
               .other_status = other_status_id,
               .timeout = timeout_id,
               .connection_error = connection_error_id,
               .invalid_response = invalid_response_id,
               .unexpected = unexpected_id,
               .request_done = request_done_id,
               .worker_finished = "Selesai pelacakan untuk ID Pesanan: {item}"},
        .en = {.noun = "order ID",
               .run_started = "Starting {count} concurrent pizza order lookups.",
               .run_started_one = "Starting {count} pizza order lookup.",
               .run_finished = "All order lookups finished in {seconds} seconds.",
               .worker_started = "Starting to track order ID: {item}",
               .request_sent = request_sent_en,
               .ok = "Success! Order {data.order_id ?? item} for {data.customer ?? 'N/A'} status: "
                     "{data.status ?? 'N/A'}",
               .not_found = "Error: order ID {item} not found. Message: {data.message ?? 'Not found'}",
               .other_status = other_status_en,
               .timeout = timeout_en,
               .connection_error = connection_error_en,
               .invalid_response = invalid_response_en,
               .unexpected = unexpected_en,
               .request_done = request_done_en,
               .worker_finished = "Finished tracking order ID: {item}"},
        .keyed = keyed_route{.path = "/get_order_status",
                             .param = "order_id",
                             .upper_case = true,
                             .delay = {0.3, 0.8},
                             .records_json = pizza_records,
                             .not_found_error = "order_not_found",
                             .not_found_message = "Order ID '{key}' not found.",
                             .missing_message = "Parameter 'order_id' is required.",
                             .found_line = "Sending status for {key}: {record} (after {delay}s delay)",
                             .random_line = "",
                             .not_found_line = "Order ID {key} not found (after {delay}s delay)",
                             .missing_line = "Order ID parameter missing (after {delay}s delay)"},
        .fixed = {},
        .dashboard_view = "pizza_board",
    },
    {
        .command = "health",
        .summary = "Health-check many service URLs at once (the DevOps story)",
        .log_file = "health_check_log.txt",
        .log_title = "URL Health Check Log",
        .url_pattern = "",
        .expects_json = false,
        .timeout = std::chrono::milliseconds(2500),
        .default_items = health_items,
        .id = {.noun = "URL",
               .run_started = "Memulai {count} pengecekan kesehatan URL secara concurrent.",
               .run_started_one = "",  // no plural in Bahasa Indonesia
               .run_finished = "Semua pengecekan URL selesai dalam {seconds} detik.",
               .worker_started = "Memulai pengecekan untuk URL: {url}",
               .request_sent = "Mengirim permintaan GET ke {url}",
               .ok = "SUKSES! URL {url} merespons dengan status {status}.",
               .not_found = "GAGAL! URL {url} merespons dengan status {status}.",
               .other_status = "GAGAL! URL {url} merespons dengan status {status}.",
               .timeout = "TIMEOUT! URL {url} tidak merespons dalam batas waktu.",
               .connection_error = "KONEKSI GAGAL! Tidak dapat terhubung ke {url}. Error: {error}",
               .invalid_response = "GAGAL! URL {url} memberikan respons yang tidak valid. Error: {error}",
               .unexpected = "KESALAHAN TAK TERDUGA! Saat mengecek {url}. Error: {error}",
               .request_done = "Pengecekan untuk URL {url} selesai diproses.",
               .worker_finished = "Selesai pengecekan untuk URL: {url}"},
        .en = {.noun = "URL",
               .run_started = "Starting {count} concurrent URL health checks.",
               .run_started_one = "Starting {count} URL health check.",
               .run_finished = "All URL checks finished in {seconds} seconds.",
               .worker_started = "Starting check for URL: {url}",
               .request_sent = "Sending GET request to {url}",
               .ok = "SUCCESS! URL {url} answered with status {status}.",
               .not_found = "FAILED! URL {url} answered with status {status}.",
               .other_status = "FAILED! URL {url} answered with status {status}.",
               .timeout = "TIMEOUT! URL {url} did not answer within the time limit.",
               .connection_error = "CONNECTION FAILED! Could not connect to {url}. Error: {error}",
               .invalid_response = "FAILED! URL {url} gave an invalid response. Error: {error}",
               .unexpected = "UNEXPECTED ERROR! While checking {url}. Error: {error}",
               .request_done = "Check for URL {url} done.",
               .worker_finished = "Finished check for URL: {url}"},
        .keyed = std::nullopt,
        .fixed = health_routes,
    },
    {
        .command = "profiles",
        .summary = "Fetch many user profiles at once (the analysts' story)",
        .log_file = "user_profile_fetch_log.txt",
        .log_title = "User Profile Fetch Log",
        .url_pattern = "/get_user_profile?user_id={}",
        .expects_json = true,
        .timeout = std::chrono::milliseconds(5000),
        .default_items = profile_items,
        .id = {.noun = "User ID",
               .run_started = "Memulai {count} pengambilan profil pengguna secara concurrent.",
               .run_started_one = "",  // no plural in Bahasa Indonesia
               .run_finished = "Semua pengambilan profil selesai dalam {seconds} detik.",
               .worker_started = "Memulai pengambilan data untuk User ID: {item}",
               .request_sent = request_sent_id,
               .ok = "Berhasil! Profil untuk @{data.username ?? 'N/A'} ditemukan ({data.followers ?? '0'} followers).",
               .not_found = "Error: User ID {item} tidak ditemukan. Pesan: {data.message ?? 'Not found'}",
               .other_status = other_status_id,
               .timeout = timeout_id,
               .connection_error = connection_error_id,
               .invalid_response = invalid_response_id,
               .unexpected = unexpected_id,
               .request_done = request_done_id,
               .worker_finished = "Selesai pengambilan data untuk User ID: {item}"},
        .en = {.noun = "user ID",
               .run_started = "Starting {count} concurrent user profile fetches.",
               .run_started_one = "Starting {count} user profile fetch.",
               .run_finished = "All profile fetches finished in {seconds} seconds.",
               .worker_started = "Starting to fetch data for user ID: {item}",
               .request_sent = request_sent_en,
               .ok = "Success! Profile for @{data.username ?? 'N/A'} found ({data.followers ?? '0'} followers).",
               .not_found = "Error: user ID {item} not found. Message: {data.message ?? 'Not found'}",
               .other_status = other_status_en,
               .timeout = timeout_en,
               .connection_error = connection_error_en,
               .invalid_response = invalid_response_en,
               .unexpected = unexpected_en,
               .request_done = request_done_en,
               .worker_finished = "Finished fetching data for user ID: {item}"},
        .keyed = keyed_route{.path = "/get_user_profile",
                             .param = "user_id",
                             .upper_case = false,
                             .delay = {0.1, 0.5},
                             .records_json = profile_records,
                             .not_found_error = "user_not_found",
                             .not_found_message = "User with ID '{key}' does not exist.",
                             .missing_message = "Parameter 'user_id' is required.",
                             .found_line = "Sending profile for user_id {key}: {record} (after {delay}s delay)",
                             .random_line = "",
                             .not_found_line = "User ID {key} not found (after {delay}s delay)",
                             .missing_line = "User ID parameter missing (after {delay}s delay)"},
        .fixed = {},
    },
}};

std::string_view path_of(std::string_view url) {
  auto scheme = url.find("://");
  if (scheme != std::string_view::npos) {
    auto slash = url.find('/', scheme + 3);
    url = slash == std::string_view::npos ? std::string_view("/") : url.substr(slash);
  }
  return url.substr(0, url.find_first_of("?#"));
}

std::string fold_case(std::string_view key, bool upper) {
  std::string out(key);
  if (upper) {
    for (char& c : out) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

}  // namespace

std::span<const theme> seed_themes() noexcept { return themes; }

const theme* find_theme(std::string_view command) noexcept {
  for (const theme& t : themes) {
    if (t.command == command) return &t;
  }
  return nullptr;
}

std::vector<outcome> expected_outcomes(const theme& t, std::string_view item) {
  if (t.keyed) {
    auto records = nlohmann::json::parse(t.keyed->records_json);
    bool known = records.contains(fold_case(item, t.keyed->upper_case));
    return {known ? outcome::ok : outcome::not_found};
  }
  std::string_view path = path_of(item);
  for (const fixed_route& route : t.fixed) {
    if (route.path != path) continue;
    outcome answered = classify_status(route.status);
    // A delay longer than the client's timeout may or may not beat the deadline.
    if (route.delay.max_s * 1000 >= static_cast<double>(t.timeout.count())) return {answered, outcome::timeout};
    return {answered};
  }
  return {outcome::not_found};
}

}  // namespace serentak::themes
