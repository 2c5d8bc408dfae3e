#include "cli/connection_flags.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

#include "core/log_text.hpp"
#include "core/target_url.hpp"

namespace serentak::cli {
namespace {

enum class kind { file, directory };

// Throws unless path names a readable file (or searchable directory): checked here so that a typo
// is one clear line and exit 2, not the same TLS error on every item.
void require_readable(const std::string& what, const std::string& path, kind expected) {
  const std::string named = what + " '" + escape_for_log(path) + "'";
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw std::invalid_argument(named + ": " + std::strerror(errno));
  if (expected == kind::file && S_ISDIR(st.st_mode)) throw std::invalid_argument(named + " is a directory, not a file");
  if (expected == kind::directory && !S_ISDIR(st.st_mode)) throw std::invalid_argument(named + " is not a directory");
  const int mode = expected == kind::file ? R_OK : (R_OK | X_OK);
  if (::access(path.c_str(), mode) != 0) throw std::invalid_argument(named + ": " + std::strerror(errno));
}

// A non-empty environment variable, or "" (getenv is safe here: no thread has started yet).
std::string env(const char* name) {
  const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe)
  return value == nullptr ? std::string{} : std::string(value);
}

}  // namespace

void add_connection_options(CLI::App& command, connection_flags& flags) {
  command.add_option("--cacert", flags.ca_file,
                     "PEM file of CA certificates to verify https servers with (default: CURL_CA_BUNDLE, "
                     "SSL_CERT_FILE, else the system's)")
      ->type_name("FILE");
  command.add_option("--capath", flags.ca_path, "Directory of hashed CA certificates (default: SSL_CERT_DIR)")
      ->type_name("DIR");
  command.add_flag("-k,--insecure", flags.insecure, "Do not verify the server's certificate or name (warns once)");
  command.add_option("--cert", flags.client_cert_file, "PEM client certificate, for mutual TLS")->type_name("FILE");
  command.add_option("--key", flags.client_key_file, "PEM private key of --cert (default: in the --cert file)")
      ->type_name("FILE");
  command.add_option("--proxy", flags.proxy,
                     "Proxy URL, e.g. http://proxy:3128 (default: http_proxy, HTTPS_PROXY, ALL_PROXY as curl reads them)")
      ->type_name("URL");
  command.add_option("--noproxy", flags.noproxy, "Comma-separated hosts never proxied; '*' for all (default: NO_PROXY)")
      ->type_name("LIST");
  command.add_flag("--http2", flags.http2,
                   "HTTP/2 through libcurl: ALPN on https, prior knowledge on http; streams multiplexed");
  command.add_flag("--http1.1", flags.http1_1, "HTTP/1.1 only");
}

client::connection_options resolve_connection(const connection_flags& flags, client::transport_choice transport) {
  client::connection_options out;
  if (flags.http2 && flags.http1_1) throw std::invalid_argument("--http2 and --http1.1 exclude each other");
  if (flags.http2) out.http = client::http_wish::http2;
  if (flags.http1_1) out.http = client::http_wish::http1_1;
  if (transport == client::transport_choice::native) {
    if (flags.http2) throw std::invalid_argument("--http2 needs libcurl; use --transport auto or curl");
    if (!flags.proxy.empty()) throw std::invalid_argument("--proxy needs libcurl; use --transport auto or curl");
  }
  if (!flags.proxy.empty()) {
    if (auto problem = check_proxy_url(flags.proxy)) throw std::invalid_argument("--proxy " + *problem);
  }
  if (!flags.ca_file.empty()) require_readable("--cacert", flags.ca_file, kind::file);
  if (!flags.ca_path.empty()) require_readable("--capath", flags.ca_path, kind::directory);
  if (!flags.client_cert_file.empty()) require_readable("--cert", flags.client_cert_file, kind::file);
  if (!flags.client_key_file.empty()) require_readable("--key", flags.client_key_file, kind::file);
  if (!flags.client_key_file.empty() && flags.client_cert_file.empty()) {
    throw std::invalid_argument("--key needs --cert");
  }
  out.ca_file = flags.ca_file;
  out.ca_path = flags.ca_path;
  out.insecure = flags.insecure;
  out.client_cert_file = flags.client_cert_file;
  out.client_key_file = flags.client_key_file;
  out.proxy = flags.proxy;
  out.noproxy = flags.noproxy;
  // As the curl tool does (tool_operate.c), and only when none of --cacert, --capath, -k was
  // given: CURL_CA_BUNDLE, else SSL_CERT_FILE and SSL_CERT_DIR.
  if (out.ca_file.empty() && out.ca_path.empty() && !out.insecure) {
    if (std::string bundle = env("CURL_CA_BUNDLE"); !bundle.empty()) {
      require_readable("CURL_CA_BUNDLE", bundle, kind::file);
      out.ca_file = bundle;
    } else {
      if (std::string file = env("SSL_CERT_FILE"); !file.empty()) {
        require_readable("SSL_CERT_FILE", file, kind::file);
        out.ca_file = file;
      }
      if (std::string dir = env("SSL_CERT_DIR"); !dir.empty()) {
        // OpenSSL takes a ':'-separated list here; only a single directory is checked.
        if (dir.find(':') == std::string::npos) require_readable("SSL_CERT_DIR", dir, kind::directory);
        out.ca_path = dir;
      }
    }
  }
  return out;
}

}  // namespace serentak::cli
