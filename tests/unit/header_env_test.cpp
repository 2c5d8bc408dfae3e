// --header-env 'Name: VAR': what a user may write, and what a run sends, refuses, and never shows.
#include "core/header_env.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

#include "support/refusal_text.hpp"

namespace serentak {
namespace {

std::string refusal_of(std::string_view text) {
  return testing::refusal_text([&] { parse_header_env(text); });
}

TEST(header_env, name_and_variable_are_parsed_with_the_spaces_around_the_variable_trimmed) {
  const header_from_env h = parse_header_env("X-Api-Key:  API_KEY_2 \t");
  EXPECT_EQ(h.name, "X-Api-Key");
  EXPECT_EQ(h.variable, "API_KEY_2");
  EXPECT_EQ(parse_header_env("cookie:_session").variable, "_session");
}

// The reason never quotes what was typed: a value given where the variable's name belongs is a secret.
TEST(header_env, a_malformed_option_is_refused_with_its_reason_and_never_quoted) {
  const std::string no_name =
      "the part after ':' is not an environment variable name (letters, digits and _): give "
      "the variable that holds the value, not the value";
  EXPECT_EQ(refusal_of("X-Api-Key Secret-1"), "expected 'Name: VARIABLE', without a value");
  EXPECT_EQ(refusal_of("X Api Secret-1: KEY"), "the part before ':' is not a header name");
  EXPECT_EQ(refusal_of(": KEY"), "the part before ':' is not a header name");
  EXPECT_EQ(refusal_of("Cookie: sid=Secret-1"), no_name);
  EXPECT_EQ(refusal_of("X-Api-Key: 1Secret"), no_name);
  EXPECT_EQ(refusal_of("X-Api-Key:"), no_name);
  EXPECT_EQ(refusal_of("content-length: KEY"), "'content-length' is set by serentak, not from the environment");
  EXPECT_EQ(refusal_of("Host: KEY"), "'Host' is set by serentak, not from the environment");
}

TEST(header_env, environment_names_are_letters_digits_and_underscores_not_starting_with_a_digit) {
  EXPECT_TRUE(is_environment_name("API_TOKEN"));
  EXPECT_TRUE(is_environment_name("_x9"));
  EXPECT_FALSE(is_environment_name(""));
  EXPECT_FALSE(is_environment_name("9X"));
  EXPECT_FALSE(is_environment_name("A B"));
  EXPECT_FALSE(is_environment_name("A=B"));
}

TEST(header_env, the_value_comes_from_the_environment_and_a_refusal_never_shows_it) {
  ::setenv("SERENTAK_HEADER_ENV_TEST", "key-Secret-1", 1);
  const header_field field = resolve_header_env({"X-Api-Key", "SERENTAK_HEADER_ENV_TEST"});
  EXPECT_EQ(field.name, "X-Api-Key");
  EXPECT_EQ(field.value, "key-Secret-1");

  ::setenv("SERENTAK_HEADER_ENV_TEST", "key-Secret-1\r\nX-Injected: 1", 1);
  try {
    resolve_header_env({"X-Api-Key", "SERENTAK_HEADER_ENV_TEST"});
    ADD_FAILURE() << "a value with CR LF was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "the environment variable 'SERENTAK_HEADER_ENV_TEST' (for header 'X-Api-Key') contains a control "
                 "character");
  }
  ::setenv("SERENTAK_HEADER_ENV_TEST", "key-Secret-{}", 1);
  try {
    resolve_header_env({"X-Api-Key", "SERENTAK_HEADER_ENV_TEST"});
    ADD_FAILURE() << "a value with {} was accepted (the item would replace it)";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()).find("Secret"), std::string::npos) << e.what();
  }
  ::setenv("SERENTAK_HEADER_ENV_TEST", "", 1);
  EXPECT_THROW(resolve_header_env({"X-Api-Key", "SERENTAK_HEADER_ENV_TEST"}), std::invalid_argument);
  ::unsetenv("SERENTAK_HEADER_ENV_TEST");
  EXPECT_THROW(resolve_header_env({"X-Api-Key", "SERENTAK_HEADER_ENV_TEST"}), std::invalid_argument);
}

TEST(header_env, a_bearer_token_from_the_environment_is_refused_as_a_header_value_is) {
  ::setenv("SERENTAK_BEARER_ENV_TEST", "tok-Secret-1", 1);
  const header_field field = resolve_bearer_env("SERENTAK_BEARER_ENV_TEST");
  EXPECT_EQ(field.name, "Authorization");
  EXPECT_EQ(field.value, "Bearer tok-Secret-1");
  // "{}" would be replaced by each item: the token would not go as it is.
  ::setenv("SERENTAK_BEARER_ENV_TEST", "tok-Secret-{}", 1);
  EXPECT_EQ(testing::refusal_text([] { resolve_bearer_env("SERENTAK_BEARER_ENV_TEST"); }),
            "the environment variable 'SERENTAK_BEARER_ENV_TEST' (for the bearer token) contains {}, which serentak "
            "would replace by the item");
  ::setenv("SERENTAK_BEARER_ENV_TEST", "tok-Secret-1\x7f", 1);
  EXPECT_EQ(testing::refusal_text([] { resolve_bearer_env("SERENTAK_BEARER_ENV_TEST"); }),
            "the environment variable 'SERENTAK_BEARER_ENV_TEST' (for the bearer token) contains a control character");
  ::unsetenv("SERENTAK_BEARER_ENV_TEST");
  EXPECT_EQ(testing::refusal_text([] { resolve_bearer_env("SERENTAK_BEARER_ENV_TEST"); }),
            "the environment variable 'SERENTAK_BEARER_ENV_TEST' (for the bearer token) is not set or is empty");
}

}  // namespace
}  // namespace serentak
