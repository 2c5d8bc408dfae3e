#include "core/json_members.hpp"

#include <chrono>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/json_validate.hpp"
#include "core/result_record.hpp"
#include "support/nlohmann_record_oracle.hpp"

namespace serentak {
namespace {

// name -> value text, last one kept, as nlohmann's object keeps a name given twice.
std::map<std::string, std::string> members_of(std::string_view json, bool* object = nullptr) {
  std::map<std::string, std::string> out;
  const bool is_object = for_each_json_member(
      json, [&](std::string_view name, std::string_view value) { out[std::string(name)] = value; });
  if (object != nullptr) *object = is_object;
  return out;
}

TEST(json_members, names_are_decoded_values_are_their_raw_text_and_the_last_of_a_name_wins) {
  bool object = false;
  auto m = members_of(
      " \t{ \"a\" : 1 ,\"b\":\"x,}\\\"y\",\"c\":{\"d\":[1,{\"e\":\"]\"}]},\"\\u0061\":true , \"f\":null}\r\n", &object);
  EXPECT_TRUE(object);
  EXPECT_EQ(m, (std::map<std::string, std::string>{
                   {"a", "true"}, {"b", "\"x,}\\\"y\""}, {"c", "{\"d\":[1,{\"e\":\"]\"}]}"}, {"f", "null"}}));
  EXPECT_TRUE(members_of("{}", &object).empty());
  EXPECT_TRUE(object);
  EXPECT_TRUE(members_of("\xEF\xBB\xBF{\"k\":-1.5e3}", &object).count("k"));  // after a byte order mark
  EXPECT_EQ(members_of("\xEF\xBB\xBF{\"k\":-1.5e3}")["k"], "-1.5e3");
  for (const char* not_object : {"[]", "1", "\"{\\\"a\\\":1}\"", "null", " [{\"a\":1}]"}) {
    members_of(not_object, &object);
    EXPECT_FALSE(object) << not_object;
  }
}

TEST(json_members, strings_decode_escapes_and_surrogate_pairs_to_utf8) {
  EXPECT_EQ(decode_json_string(R"("plain")"), "plain");
  EXPECT_EQ(decode_json_string(R"("q\"b\\s\/n\nr\rt\tb\bf\f")"), "q\"b\\s/n\nr\rt\tb\bf\f");
  EXPECT_EQ(decode_json_string(R"("\u0041\u00e9\u20AC\ud83d\ude00")"), "A\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80");
  EXPECT_EQ(decode_json_string(R"("\u0000")"), std::string(1, '\0'));
  EXPECT_EQ(decode_json_string("\"\xE2\x82\xAC raw\""), "\xE2\x82\xAC raw");
  for (const char* text : {R"("\ud83d\ude00x")", R"("a\u00e9\ud800\udc00\uDBFF\uDFFF")", R"("\"\\")"})
    EXPECT_EQ(decode_json_string(text), nlohmann::json::parse(text).get<std::string>()) << text;
}

TEST(json_members, numbers_are_typed_as_nlohmanns_lexer_types_them) {
  EXPECT_EQ(json_unsigned("0"), 0u);
  EXPECT_EQ(json_unsigned("18446744073709551615"), 18446744073709551615u);
  for (const char* not_unsigned : {"18446744073709551616", "-1", "-0", "1.0", "1e2", "1E2", "\"5\"", "true", ""})
    EXPECT_FALSE(json_unsigned(not_unsigned).has_value()) << not_unsigned;
  EXPECT_EQ(json_integer("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(json_integer("-0"), 0);
  EXPECT_EQ(json_integer("18446744073709551615"), -1);  // unsigned, then cast as get<long> casts
  for (const char* not_integer : {"-9223372036854775809", "0.5", "-1e0", "null", ""})
    EXPECT_FALSE(json_integer(not_integer).has_value()) << not_integer;
  EXPECT_EQ(json_double("12.345"), 12.345);
  EXPECT_EQ(json_double("-2E-3"), -0.002);
  EXPECT_EQ(json_double("18446744073709551616"), 18446744073709551616.0);
  EXPECT_EQ(json_double("1e-400"), 0.0);  // underflows, as strtod does
  for (const char* not_number : {"\"1\"", "true", "null", "{}", ""})
    EXPECT_FALSE(json_double(not_number).has_value()) << not_number;
  for (const char* number : {"0", "-0", "7", "-7", "1.5", "1e2", "-1.25E+2", "18446744073709551615",
                             "18446744073709551616", "-9223372036854775808", "-9223372036854775809", "1e-320"}) {
    const auto j = nlohmann::json::parse(number);
    EXPECT_EQ(json_unsigned(number).has_value(), j.is_number_unsigned()) << number;
    EXPECT_EQ(json_integer(number).has_value(), j.is_number_integer()) << number;
    EXPECT_EQ(json_double(number), j.get<double>()) << number;
  }
}

// A record as fetch writes it, and lines made from it: what parse_record and recorded_index say of
// each is what nlohmann's document said (the oracle).
TEST(json_members, records_read_without_a_document_agree_with_nlohmanns_on_every_variant) {
  const std::string record =
      R"({"index":7,"item":"u\u00e9\"1","url":"http://h/p?id=u1","outcome":"not_found","status":404,)"
      R"("attempts":2,"latency_ms":3.25,"http_version":"1.1","data":{"error":"User not found","n":[1,{"x":"}"}]}})";
  std::vector<std::string> lines = {
      record,
      R"({"index":1,"item":"a","url":"u","outcome":"ok","status":200,"attempts":1,"latency_ms":0,"round":3})",
      R"({"index":1,"item":"a","url":"u","outcome":"ok","status":200,"attempts":1,"latency_ms":0,"round":-3})",
      R"({"index":1,"item":"a","url":"u","outcome":"ok","status":-200,"attempts":-1,"latency_ms":-0})",
      R"({"\u0069ndex":1,"item":"a","url":"u","outcome":"\u006fk","status":200,"attempts":1,"latency_ms":1e-400})",
      R"({"index":1,"index":2,"item":"a","url":"u","outcome":"ok","status":200,"attempts":1,"latency_ms":1})",
      R"({"index":1,"item":"a","url":"u","outcome":"ok","status":200,"attempts":1,"latency_ms":1,"index":"2"})",
      R"({"index":1.0,"item":"a","url":"u","outcome":"ok","status":200,"attempts":1,"latency_ms":1})",
      R"({"index":1,"item":"a","url":"u","outcome":"ok","status":2e2,"attempts":1,"latency_ms":1})",
      R"({"index":1,"item":"a","url":"u","outcome":"okay","status":200,"attempts":1,"latency_ms":1})",
      R"({"index":1,"item":"a","url":"u","outcome":"ok","status":200,"attempts":1,"latency_ms":"1"})",
      R"({"index":1,"item":"a","url":"u","outcome":"ok","status":200,"attempts":99999999999,"latency_ms":1e300})",
      R"({"index":18446744073709551616,"item":"a","url":"u","outcome":"ok","status":200,"attempts":1,"latency_ms":1})",
      R"({"index":1,"item":1,"url":"u","outcome":"ok","status":200,"attempts":1,"latency_ms":1})",
      R"({"index":1,"item":"a","url":"u","outcome":"ok","status":200,"attempts":1})",
      R"([{"index":1,"item":"a","url":"u","outcome":"ok","status":200,"attempts":1,"latency_ms":1}])",
      "\xEF\xBB\xBF "
      "{\"index\":1,\"item\":\"a\",\"url\":\"u\",\"outcome\":\"ok\",\"status\":200,\"attempts\":1,\"latency_ms\":1} ",
      std::string(R"({"index":1,"item":"a","url":"u","outcome":"ok","status":200,"attempts":1,"latency_ms":1})") +
          '\0' + "junk",
      R"({"index":1,"item":"a","url":"u","outcome":{"ok":1},"status":200,"attempts":1,"latency_ms":1})",
      "",
      "{",
      "}",
      "not json",
      "{\"index\":1,}",
  };
  // Every cut of the real record, and each of its bytes replaced by seven others: torn lines,
  // damaged lines.
  for (std::size_t n = 0; n < record.size(); ++n) {
    lines.push_back(record.substr(0, n));
    for (char c : {'"', '\\', '}', ',', '1', 'x', ' '}) {
      std::string changed = record;
      changed[n] = c;
      lines.push_back(changed);
    }
  }
  std::size_t valid = 0;
  for (const std::string& line : lines) {
    const auto ours = parse_record(line, result_format::jsonl);
    EXPECT_TRUE(testing::same_record(ours, testing::nlohmann_record(line))) << line;
    EXPECT_EQ(recorded_index(line, result_format::jsonl), testing::nlohmann_recorded_index(line)) << line;
    valid += ours ? 1 : 0;
  }
  EXPECT_GT(valid, 20u);  // the variants reach the fields, not only the validator
  const auto read = parse_record(record, result_format::jsonl);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->item, "u\xC3\xA9\"1");
  EXPECT_EQ(read->kind, outcome::not_found);
  EXPECT_EQ(read->latency, std::chrono::microseconds(3250));
}

// A file's latency is untrusted: a huge one is bounded before the conversion (which would be
// undefined behaviour), on either side; NaN (CSV's "nan") is 0.
TEST(json_members, a_records_latency_is_bounded_before_its_conversion) {
  EXPECT_EQ(stored_latency(3.25), std::chrono::microseconds(3250));
  EXPECT_EQ(stored_latency(-2.0), std::chrono::microseconds(-2000));
  EXPECT_EQ(stored_latency(1e300), std::chrono::microseconds(1'000'000'000'000'000'000));
  EXPECT_EQ(stored_latency(-1e300), std::chrono::microseconds(-1'000'000'000'000'000'000));
  EXPECT_EQ(stored_latency(std::numeric_limits<double>::quiet_NaN()), std::chrono::microseconds(0));
  const auto huge =
      parse_record(R"({"index":1,"item":"a","url":"u","outcome":"ok","status":200,"attempts":1,"latency_ms":1e300})",
                   result_format::jsonl);
  ASSERT_TRUE(huge.has_value());
  EXPECT_EQ(huge->latency, std::chrono::microseconds(1'000'000'000'000'000'000));
}

}  // namespace
}  // namespace serentak
