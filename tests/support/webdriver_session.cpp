#include "support/webdriver_session.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <stdexcept>

#include <curl/curl.h>

#include "support/polling.hpp"

namespace serentak::testing {
namespace {

using namespace std::chrono_literals;

// A port the kernel has just handed out and released: free unless another process races for it.
unsigned short free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    ::close(fd);
    throw std::runtime_error("no free loopback port");
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

std::size_t collect(char* data, std::size_t size, std::size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

// One HTTP exchange with chromedriver; the body as text, or nullopt when it did not answer.
std::optional<std::string> exchange(unsigned short port, const std::string& method, const std::string& path,
                                    const std::string& body, long timeout_ms) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return std::nullopt;
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  std::string out;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json; charset=utf-8");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  if (method != "GET" && method != "DELETE") curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &out);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (code != CURLE_OK) return std::nullopt;
  return out;
}

}  // namespace

webdriver_session::webdriver_session(const std::filesystem::path& scratch) {
  if (::access(chromedriver_path, X_OK) != 0) {
    throw std::runtime_error(
        std::string(chromedriver_path) +
        " is missing: install Debian's chromium and chromium-driver (scripts/install-deps.sh --test)");
  }
  port_ = free_port();
  driver_.emplace(std::vector<std::string>{chromedriver_path, "--port=" + std::to_string(port_)},
                  scratch / "chromedriver");
  const bool ready = wait_for(
      [&] {
        auto status = exchange(port_, "GET", "/status", "", 1000);
        if (!status) return false;
        const auto j = nlohmann::json::parse(*status, nullptr, false);
        return j.is_object() && j["value"].value("ready", false);
      },
      20s);
  if (!ready) throw std::runtime_error("chromedriver did not become ready: " + driver_->err());
  const nlohmann::json capabilities = {
      {"capabilities",
       {{"alwaysMatch",
         {{"browserName", "chrome"},
          {"goog:chromeOptions",
           {{"args",
             {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
              "--user-data-dir=" + (scratch / "chromium-profile").string()}}}},
          {"goog:loggingPrefs", {{"browser", "ALL"}}}}}}}};
  const nlohmann::json answer = call("POST", "/session", capabilities);
  session_ = answer.value("sessionId", "");
  if (session_.empty()) throw std::runtime_error("chromedriver opened no session: " + answer.dump());
}

webdriver_session::~webdriver_session() {
  if (!session_.empty()) exchange(port_, "DELETE", "/session/" + session_, "", 10000);
  if (driver_) {
    driver_->signal(SIGTERM);
    driver_->wait(5s);
  }
}

nlohmann::json webdriver_session::call(const std::string& method, const std::string& path, const nlohmann::json& body) {
  auto text = exchange(port_, method, path, body.dump(), 60000);
  if (!text) throw std::runtime_error("chromedriver did not answer " + method + " " + path);
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (!j.is_object() || !j.contains("value")) throw std::runtime_error("chromedriver answered: " + *text);
  if (j["value"].is_object() && j["value"].contains("error")) {
    throw std::runtime_error("WebDriver " + method + " " + path + ": " + j["value"].dump());
  }
  return j["value"];
}

void webdriver_session::navigate(const std::string& url) {
  call("POST", "/session/" + session_ + "/url", {{"url", url}});
}

nlohmann::json webdriver_session::execute(const std::string& script) {
  return call("POST", "/session/" + session_ + "/execute/sync",
              {{"script", script}, {"args", nlohmann::json::array()}});
}

nlohmann::json webdriver_session::browser_log() {
  return call("POST", "/session/" + session_ + "/se/log", {{"type", "browser"}});
}

}  // namespace serentak::testing
