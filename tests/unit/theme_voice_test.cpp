// Every theme speaks the seed's messages verbatim (its examples) and ours where the seed is open.
#include "client/outputs/theme_observer.hpp"

#include <gtest/gtest.h>

#include "core/message_template.hpp"
#include "themes/theme.hpp"

namespace serentak {
namespace {

using client::fetch_request;
using client::fetch_result;
using themes::language;

std::string say(std::string_view command, language lang, const fetch_request& request, const fetch_result& result,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(5000)) {
  const themes::theme* theme = themes::find_theme(command);
  EXPECT_NE(theme, nullptr) << command;
  log::event_log disabled;
  client::theme_observer observer(*theme, lang, disabled, timeout, false, 0);
  return observer.render_outcome(request, result);
}

fetch_result http(long status, std::string body) {
  fetch_result r;
  r.kind = classify_status(status);
  r.http_status = status;
  r.body = std::move(body);
  return r;
}

fetch_result failed(outcome kind, std::string error) {
  fetch_result r;
  r.kind = kind;
  r.error = std::move(error);
  return r;
}

TEST(seed_themes, the_five_seed_stories_in_order) {
  std::vector<std::string_view> commands;
  for (const auto& t : themes::seed_themes()) commands.push_back(t.command);
  EXPECT_EQ(commands, (std::vector<std::string_view>{"weather", "books", "pizza", "health", "profiles"}));
  EXPECT_EQ(themes::find_theme("nope"), nullptr);
}

TEST(seed_themes, english_has_a_singular_start_line_and_it_is_well_formed) {
  for (const auto& t : themes::seed_themes()) {
    std::string_view one = t.speak(language::en).run_started_one;
    EXPECT_FALSE(one.empty()) << t.command;
    EXPECT_FALSE(validate_template(one).has_value()) << t.command;
    EXPECT_EQ(one.find("requests"), std::string_view::npos) << one;
  }
}

TEST(seed_themes, every_template_is_well_formed) {
  for (const auto& t : themes::seed_themes()) {
    for (language lang : {language::id, language::en}) {
      const themes::messages& m = t.speak(lang);
      for (std::string_view tmpl : {m.run_started, m.run_finished, m.worker_started, m.request_sent, m.ok, m.not_found,
                                    m.other_status, m.timeout, m.connection_error, m.invalid_response, m.unexpected,
                                    m.request_done, m.worker_finished}) {
        EXPECT_FALSE(tmpl.empty()) << t.command;
        auto problem = validate_template(tmpl);
        EXPECT_FALSE(problem.has_value()) << t.command << ": " << tmpl << ": " << problem.value_or("");
      }
    }
  }
}

TEST(seed_themes, seed_items_and_log_files) {
  auto items = [](std::string_view c) {
    auto span = themes::find_theme(c)->default_items;
    return std::vector<std::string_view>(span.begin(), span.end());
  };
  EXPECT_EQ(items("weather"), (std::vector<std::string_view>{"JAKARTA", "BANDUNG", "KUALA_LUMPUR", "SURABAYA", "DENPASAR"}));
  EXPECT_EQ(items("books").size(), 4u);
  EXPECT_EQ(items("pizza"), (std::vector<std::string_view>{"ORD-101", "ORD-103", "ORD-999", "ORD-102", "ORD-105"}));
  EXPECT_EQ(items("health").size(), 5u);
  EXPECT_EQ(items("profiles"), (std::vector<std::string_view>{"1121", "1123", "9999", "1124", "1122"}));
  EXPECT_EQ(themes::find_theme("health")->timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(themes::find_theme("pizza")->log_file, "pizza_tracker_log.txt");
}

TEST(seed_themes, expected_outcomes_follow_the_seed_data) {
  auto expect = [](std::string_view c, std::string_view item) { return themes::expected_outcomes(*themes::find_theme(c), item); };
  EXPECT_EQ(expect("weather", "KUALA_LUMPUR"), std::vector<outcome>{outcome::not_found});
  EXPECT_EQ(expect("weather", "jakarta"), std::vector<outcome>{outcome::ok});  // the server upper-cases
  EXPECT_EQ(expect("books", "999-9-99-999999-9"), std::vector<outcome>{outcome::not_found});
  EXPECT_EQ(expect("pizza", "ORD-999"), std::vector<outcome>{outcome::not_found});
  EXPECT_EQ(expect("profiles", "9999"), std::vector<outcome>{outcome::not_found});
  EXPECT_EQ(expect("profiles", "1121"), std::vector<outcome>{outcome::ok});
  EXPECT_EQ(expect("health", "http://h:1/status/error"), std::vector<outcome>{outcome::server_error});
  EXPECT_EQ(expect("health", "/status/nonexistent"), std::vector<outcome>{outcome::not_found});
  EXPECT_EQ(expect("health", "/status/slow"), (std::vector<outcome>{outcome::ok, outcome::timeout}));
}

TEST(theme_voice, weather_speaks_the_seed_examples) {
  fetch_request jakarta{0, "JAKARTA", "http://127.0.0.1:5000/get_weather?city=JAKARTA"};
  EXPECT_EQ(say("weather", language::id, jakarta,
                http(200, R"({"city":"JAKARTA","condition":"Cerah Berawan","humidity":"75%","temp_c":32})")),
            "Berhasil! Cuaca di JAKARTA: Cerah Berawan, 32°C");
  fetch_request kl{2, "KUALA_LUMPUR", "http://127.0.0.1:5000/get_weather?city=KUALA_LUMPUR"};
  EXPECT_EQ(say("weather", language::id, kl,
                http(404, R"({"error":"city_not_found","message":"City 'KUALA_LUMPUR' not found in our database."})")),
            "Error: Kota KUALA_LUMPUR tidak ditemukan. Pesan: City 'KUALA_LUMPUR' not found in our database.");
  EXPECT_EQ(say("weather", language::id, jakarta, http(503, std::string(150, 'x'))),
            "Menerima status error dari API: 503 - " + std::string(100, 'x'));
  EXPECT_EQ(say("weather", language::id, jakarta, failed(outcome::timeout, "Operation timed out")),
            "Timeout! Permintaan untuk kota JAKARTA tidak direspons dalam 5 detik.");
  EXPECT_EQ(say("weather", language::en, kl, http(404, "not json")),
            "Error: city KUALA_LUMPUR not found. Message: Not found");
}

TEST(theme_voice, books_pizza_and_profiles_speak_the_seed_examples) {
  EXPECT_EQ(say("books", language::id, {0, "978-0-26-110221-7", "u"},
                http(200, R"({"due_date":"2024-12-25","isbn":"978-0-26-110221-7","status":"On Loan","title":"The Lord of The Rings"})")),
            "Berhasil! Buku 'The Lord of The Rings' status: On Loan");
  EXPECT_EQ(say("books", language::id, {2, "999-9-99-999999-9", "u"},
                http(404, R"({"error":"isbn_not_found","message":"Book with ISBN '999-9-99-999999-9' not found in the catalog."})")),
            "Error: ISBN 999-9-99-999999-9 tidak ditemukan. Pesan: Book with ISBN '999-9-99-999999-9' not found in the catalog.");
  EXPECT_EQ(say("pizza", language::id, {0, "ORD-101", "u"},
                http(200, R"({"customer":"Budi","estimated_delivery":"19:30","order_id":"ORD-101","status":"Baking"})")),
            "Berhasil! Pesanan ORD-101 untuk Budi status: Baking");
  EXPECT_EQ(say("pizza", language::id, {2, "ORD-999", "u"}, http(404, R"({"error":"order_not_found","message":"Order ID 'ORD-999' not found."})")),
            "Error: ID Pesanan ORD-999 tidak ditemukan. Pesan: Order ID 'ORD-999' not found.");
  EXPECT_EQ(say("profiles", language::id, {0, "1121", "u"},
                http(200, R"({"followers":1024,"fullName":"Alpha Developer","user_id":"1121","username":"alpha_dev"})")),
            "Berhasil! Profil untuk @alpha_dev ditemukan (1024 followers).");
  EXPECT_EQ(say("profiles", language::id, {2, "9999", "u"},
                http(404, R"({"error":"user_not_found","message":"User with ID '9999' does not exist."})")),
            "Error: User ID 9999 tidak ditemukan. Pesan: User with ID '9999' does not exist.");
  EXPECT_EQ(say("profiles", language::id, {1, "1123", "u"}, failed(outcome::connection_error, "Connection refused")),
            "Error permintaan untuk User ID 1123: Connection refused");
}

TEST(theme_voice, health_speaks_the_seed_examples) {
  std::string base = "http://127.0.0.1:5000";
  fetch_request ok{0, base + "/status/ok", base + "/status/ok"};
  EXPECT_EQ(say("health", language::id, ok, http(200, "{}")), "SUKSES! URL " + base + "/status/ok merespons dengan status 200.");
  fetch_request missing{3, base + "/status/nonexistent", base + "/status/nonexistent"};
  EXPECT_EQ(say("health", language::id, missing, http(404, "<html>")),
            "GAGAL! URL " + base + "/status/nonexistent merespons dengan status 404.");
  fetch_request error{2, base + "/status/error", base + "/status/error"};
  EXPECT_EQ(say("health", language::id, error, http(500, "{}")), "GAGAL! URL " + base + "/status/error merespons dengan status 500.");
  fetch_request slow{1, base + "/status/slow", base + "/status/slow"};
  EXPECT_EQ(say("health", language::id, slow, failed(outcome::timeout, "timed out"), std::chrono::milliseconds(2500)),
            "TIMEOUT! URL " + base + "/status/slow tidak merespons dalam batas waktu.");
  EXPECT_EQ(say("health", language::id, ok, failed(outcome::connection_error, "Connection refused")),
            "KONEKSI GAGAL! Tidak dapat terhubung ke " + base + "/status/ok. Error: Connection refused");
  EXPECT_EQ(say("health", language::en, ok, http(200, "not json")), "SUCCESS! URL " + base + "/status/ok answered with status 200.");
}

TEST(theme_voice, a_2xx_that_is_not_json_is_an_invalid_response_for_json_themes) {
  EXPECT_EQ(say("weather", language::id, {0, "JAKARTA", "u"}, http(200, "<html>oops</html>")),
            "Respons tidak valid dari API untuk kota JAKARTA: response body is not valid JSON");
}

}  // namespace
}  // namespace serentak
