#include "core/message_template.hpp"

#include <gtest/gtest.h>

namespace serentak {
namespace {

TEST(render_template, fills_variables_and_json_fields_like_python_get) {
  auto data = nlohmann::json::parse(R"({"city": "JAKARTA", "condition": "Cerah Berawan", "temp_c": 32})");
  template_context context;
  context.set("item", "jakarta");
  context.data = &data;
  EXPECT_EQ(render_template("Berhasil! Cuaca di {data.city ?? item}: {data.condition ?? 'N/A'}, {data.temp_c ?? 'N/A'}°C",
                            context),
            "Berhasil! Cuaca di JAKARTA: Cerah Berawan, 32°C");
}

TEST(render_template, falls_back_in_order) {
  auto data = nlohmann::json::parse(R"({"other": 1})");
  template_context context;
  context.set("item", "BANDUNG");
  context.data = &data;
  EXPECT_EQ(render_template("{data.city ?? item} {data.temp_c ?? 'N/A'}", context), "BANDUNG N/A");
  context.data = nullptr;
  EXPECT_EQ(render_template("{data.message ?? 'Not found'}", context), "Not found");
}

TEST(render_template, prints_values_as_python_str_does) {
  auto data = nlohmann::json::parse(R"({"t": true, "n": null, "f": 32.5, "s": "x", "o": {"a": 1}})");
  template_context context;
  context.data = &data;
  EXPECT_EQ(render_template("{data.t} {data.n} {data.f} {data.s} {data.o}", context), "True None 32.5 x {\"a\":1}");
}

TEST(render_template, literal_braces_and_unknown_names) {
  template_context context;
  EXPECT_EQ(render_template("{{x}} {nothing}.", context), "{x} .");
}

TEST(validate_template, reports_malformed_templates) {
  EXPECT_FALSE(validate_template("ok {item} {data.a ?? 'b'} {{x}}").has_value());
  EXPECT_TRUE(validate_template("open {item").has_value());
  EXPECT_TRUE(validate_template("close }").has_value());
  EXPECT_TRUE(validate_template("empty {}").has_value());
  EXPECT_TRUE(validate_template("bad {'a ?? b}").has_value());
}

}  // namespace
}  // namespace serentak
