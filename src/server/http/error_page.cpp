#include "server/http/error_page.hpp"

namespace serentak::server {
namespace {

struct http_error {
  int status;
  std::string_view name;
  std::string_view description;  // already HTML-escaped, as Werkzeug renders it
};

// Names and descriptions from werkzeug/exceptions.py (2.2).
constexpr http_error errors[] = {
    {400, "Bad Request", "The browser (or proxy) sent a request that this server could not understand."},
    {404, "Not Found",
     "The requested URL was not found on the server. If you entered the URL manually please check your "
     "spelling and try again."},
    {405, "Method Not Allowed", "The method is not allowed for the requested URL."},
    {408, "Request Timeout",
     "The server closed the network connection because the browser didn&#39;t finish the request within "
     "the specified time."},
    {413, "Request Entity Too Large", "The data value transmitted exceeds the capacity limit."},
    {414, "Request URI Too Large",
     "The length of the requested URL exceeds the capacity limit for this server. The request cannot be "
     "processed."},
    {431, "Request Header Fields Too Large", "One or more header fields exceeds the maximum size."},
    {500, "Internal Server Error",
     "The server encountered an internal error and was unable to complete your request. Either the server "
     "is overloaded or there is an error in the application."},
};

}  // namespace

std::string werkzeug_error_body(int status) {
  std::string_view name = "Error";
  std::string_view description = "The server could not answer this request.";
  for (const http_error& e : errors) {
    if (e.status == status) {
      name = e.name;
      description = e.description;
    }
  }
  std::string code = std::to_string(status);
  std::string body = "<!doctype html>\n<html lang=en>\n<title>";
  body.append(code).append(" ").append(name).append("</title>\n<h1>");
  body.append(name).append("</h1>\n<p>").append(description).append("</p>\n");
  return body;
}

response_plan error_page(int status, bool close) {
  response_plan plan;
  plan.status = status;
  plan.content_type = html_content_type;
  plan.body = werkzeug_error_body(status);
  plan.allow_header = status == 405;
  plan.close = close;
  return plan;
}

}  // namespace serentak::server
