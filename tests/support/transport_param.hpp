#pragma once
// Runs an engine or CLI test once per transport (libcurl, native HTTP/1.1) instead of copying it:
// a suite derives from transport_test, its tests are TEST_P, SERENTAK_FOR_EACH_TRANSPORT(suite)
// instantiates it as transports/<suite>.<test>/curl and .../native. Helpers that build configs or
// command lines read current_transport(), set by the fixture before each test body runs.
// One test runs at a time per process (gtest), so the single variable needs no lock.

#include <gtest/gtest.h>

#include <string>

#include "client/transport/transport_choice.hpp"

namespace serentak::testing {

inline client::transport_choice& current_transport() {
  static client::transport_choice transport = client::transport_choice::automatic;
  return transport;
}

class transport_test : public ::testing::TestWithParam<client::transport_choice> {
 protected:
  void SetUp() override { current_transport() = GetParam(); }
  void TearDown() override { current_transport() = client::transport_choice::automatic; }
};

inline std::string transport_test_name(const ::testing::TestParamInfo<client::transport_choice>& info) {
  return std::string(client::to_string(info.param));
}

}  // namespace serentak::testing

#define SERENTAK_FOR_EACH_TRANSPORT(suite)                                                              \
  INSTANTIATE_TEST_SUITE_P(transports, suite,                                                          \
                           ::testing::Values(::serentak::client::transport_choice::curl,                \
                                             ::serentak::client::transport_choice::native),             \
                           ::serentak::testing::transport_test_name)
