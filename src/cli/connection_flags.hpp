#pragma once
// The TLS, proxy and HTTP-version options every client command shares (--cacert, --capath, -k,
// --cert, --key, --proxy, --noproxy, --http2, --http1.1), their CLI11 wiring, and their checking:
// files must exist and be readable, and the CA variables are read the way the curl tool reads
// them (libcurl itself ignores CURL_CA_BUNDLE, SSL_CERT_FILE and SSL_CERT_DIR).
// CLI code fills connection_flags; resolve_connection() runs once, before any request.

#include <string>

#include <CLI/CLI.hpp>

#include "client/engine/fetch_types.hpp"
#include "client/transport/transport_choice.hpp"

namespace serentak::cli {

struct connection_flags {
  std::string ca_file;           // --cacert FILE
  std::string ca_path;           // --capath DIR
  bool insecure = false;         // -k/--insecure
  std::string client_cert_file;  // --cert FILE
  std::string client_key_file;   // --key FILE
  std::string proxy;             // --proxy URL
  std::string noproxy;           // --noproxy LIST
  bool http2 = false;            // --http2
  bool http1_1 = false;          // --http1.1
};

void add_connection_options(CLI::App& command, connection_flags& flags);

// The engine's connection options from the flags and the environment. Throws
// std::invalid_argument naming the option (or variable) for a missing or unreadable file, a
// directory where a file belongs, or a combination that cannot work (--http2 with --http1.1;
// --http2 or --proxy with --transport native). Reads the environment: call before threads start.
client::connection_options resolve_connection(const connection_flags& flags, client::transport_choice transport);

}  // namespace serentak::cli
