#include "cli/version_text.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <boost/version.hpp>

namespace serentak::cli {

std::string version_text() {
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  const char* curl_version = curl != nullptr && curl->version != nullptr ? curl->version : "unknown";
  const char* tls = curl != nullptr && curl->ssl_version != nullptr ? curl->ssl_version : "none";
  return fmt::format("serentak {}\nlibcurl {}\nBoost {}.{}.{}\nTLS {}", serentak_version, curl_version,
                     BOOST_VERSION / 100000, BOOST_VERSION / 100 % 1000, BOOST_VERSION % 100, tls);
}

}  // namespace serentak::cli
