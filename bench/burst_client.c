/* A load generator for one burst: opens N connections to 127.0.0.1:PORT at once, sends one
 * "GET TARGET" (Connection: close) on each as soon as it connects, and reads each response to
 * EOF, all on one epoll loop. Prints the time from the first request sent to the last response
 * complete, and how many answered 200. Small on purpose: the client must cost less than the
 * server it measures (libcurl pays ~150 us of CPU per fresh connection here; this ~15 us).
 * Build: cc -O2 -o burst_client bench/burst_client.c
 * Usage: burst_client PORT N TARGET [TIMEOUT_S=30] [leave]
 * With "leave": keep-alive requests; once every request is sent, wait 200 ms and close every
 * connection without reading (clients giving up during the server's delay); prints how many were
 * sent. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct conn {
  int fd;
  int sent;
  int done;
  int ok;        /* status line said 200 */
  size_t seen;   /* bytes received */
  char head[16]; /* first bytes: "HTTP/1.1 200" */
};

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: %s PORT N TARGET [TIMEOUT_S]\n", argv[0]);
    return 2;
  }
  int port = atoi(argv[1]);
  int n = atoi(argv[2]);
  const char* target = argv[3];
  double timeout_s = argc > 4 ? atof(argv[4]) : 30.0;
  int leave = argc > 5 && strcmp(argv[5], "leave") == 0;
  int sent_count = 0;
  struct rlimit lim;
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);

  char request[1024];
  /* Leaving clients send keep-alive requests: after "Connection: close" the server takes a FIN
   * for a half-close and still answers (docs/mock-server.md), so only these cancel on leaving. */
  int request_len = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s\r\n", target,
                             leave ? "" : "Connection: close\r\n");
  struct conn* conns = calloc((size_t)n, sizeof *conns);
  int ep = epoll_create1(0);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((unsigned short)port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  double first_sent = 0, last_done = 0, start = now_s();
  int opened = 0, finished = 0, ok = 0, failed = 0;
  for (int i = 0; i < n; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) {
      perror("socket");
      ++failed;
      continue;
    }
    conns[i].fd = fd;
    if (connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0 && errno != EINPROGRESS) {
      ++failed;
      close(fd);
      conns[i].done = 1;
      continue;
    }
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN, .data.u32 = (unsigned)i};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    ++opened;
  }
  struct epoll_event events[1024];
  char buf[65536];
  while (finished + failed < n && now_s() - start < timeout_s) {
    if (leave && sent_count + failed >= n) {
      usleep(200000);
      for (int i = 0; i < n; ++i) {
        if (!conns[i].done) close(conns[i].fd);
      }
      printf("connections=%d sent=%d failed=%d left_without_reading=1\n", opened, sent_count, failed);
      return sent_count == n ? 0 : 1;
    }
    int k = epoll_wait(ep, events, 1024, 100);
    for (int e = 0; e < k; ++e) {
      struct conn* c = &conns[events[e].data.u32];
      if (c->done) continue;
      if (!c->sent && (events[e].events & EPOLLOUT)) {
        if (send(c->fd, request, (size_t)request_len, MSG_NOSIGNAL) == request_len) {
          c->sent = 1;
          ++sent_count;
          if (first_sent == 0) first_sent = now_s();
          struct epoll_event ev = {.events = EPOLLIN, .data.u32 = events[e].data.u32};
          epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
        } else {
          c->done = 1;
          ++failed;
          close(c->fd);
        }
        continue;
      }
      if (events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        for (;;) {
          ssize_t r = recv(c->fd, buf, sizeof buf, 0);
          if (r > 0) {
            if (c->seen < sizeof c->head - 1) {
              size_t take = (size_t)r < sizeof c->head - 1 - c->seen ? (size_t)r : sizeof c->head - 1 - c->seen;
              memcpy(c->head + c->seen, buf, take);
            }
            c->seen += (size_t)r;
            continue;
          }
          if (r < 0 && errno == EAGAIN) break;
          c->done = 1;
          close(c->fd);
          if (r == 0 && strncmp(c->head, "HTTP/1.1 200", 12) == 0) {
            ++ok;
            ++finished;
            last_done = now_s();
          } else {
            ++failed;
          }
          break;
        }
      }
    }
  }
  printf("connections=%d answered_200=%d failed=%d unfinished=%d first_sent_to_last_answer_s=%.3f\n", opened, ok,
         failed, n - finished - failed, last_done > 0 ? last_done - first_sent : -1.0);
  return ok == n ? 0 : 1;
}
