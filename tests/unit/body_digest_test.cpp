#include "client/outputs/body_digest.hpp"

#include <gtest/gtest.h>

namespace serentak::client {
namespace {

TEST(body_digest, is_the_sha256_of_the_text_in_lower_case_hex) {
  // FIPS 180-2's test vectors.
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_NE(sha256_hex("data:{}"), sha256_hex("json:{}"));
}

}  // namespace
}  // namespace serentak::client
