#pragma once
// The HTML error pages Werkzeug 2.2 sends (Flask's 404 for an unknown path, 405 for a method a
// route does not take) and the pages for requests the server refuses to read (400, 413, 431).
// Pure functions; thread-safe.

#include <string>
#include <string_view>

#include "server/routes/response_plan.hpp"

namespace serentak::server {

// Werkzeug's HTTPException.get_body() for status: "<!doctype html>\n<html lang=en>\n<title>404
// Not Found</title>\n...". Known: 400, 404, 405, 408, 413, 431, 500; others get a generic text.
std::string werkzeug_error_body(int status);

// A plan for an error page: text/html, no delay, no access line. close: end the connection after.
response_plan error_page(int status, bool close = false);

}  // namespace serentak::server
