// per-request-client: a minimal C client that opens one TCP connection per HTTP announce, to check
// whether the Java load generator's --connection-per-request mode is what limits a run (see
// docs/PERFORMANCE.md, "A connection per request: where the time goes"). Not part of the build.
//
//   gcc -O2 -Wall -o /tmp/per-request-client src/bench/c/per-request-client.c
//   taskset -c 1 /tmp/per-request-client PORT [CONNECTIONS [SECONDS]]
//
// Keeps CONNECTIONS (default 64) non-blocking connections open to 127.0.0.1:PORT, each from one of
// 64 sources 127.0.N.2 (the port chosen at connect: IP_BIND_ADDRESS_NO_PORT), sends one GET
// /announce with "Connection: close", reads to EOF, checks "HTTP/1.x 200", closes, and opens the
// next. After SECONDS (default 15, at most 600) prints one line: responses/s, errors, its CPU use
// (all, and the kernel's part) and its CPU time per response (getrusage). Loopback only.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24
#endif
#define MAX_CONNECTIONS 4096
#define MAX_SECONDS 600
#define SOURCES 64
#define TORRENTS 100000

struct conn {
    int fd;
    int len;         // bytes of the response kept
    char head[1024]; // status line, headers and a bencoded body of a few peers
};

static struct conn conns[MAX_CONNECTIONS];
static struct sockaddr_in target;
static int ep;
static long responses, errors;
static unsigned seq;

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void open_connection(int slot) {
    struct conn *c = &conns[slot];
    c->len = 0;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) {
        perror("socket");
        exit(2);
    }
    int one = 1;
    setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
    struct sockaddr_in source = {.sin_family = AF_INET};
    source.sin_addr.s_addr = htonl(0x7f000002u | (unsigned) (slot % SOURCES) << 8);
    if (bind(c->fd, (struct sockaddr *) &source, sizeof source) < 0
            || (connect(c->fd, (struct sockaddr *) &target, sizeof target) < 0 && errno != EINPROGRESS)) {
        errors++;
        close(c->fd);
        c->fd = -1;
        return;
    }
    struct epoll_event e = {.events = EPOLLOUT, .data.u32 = (unsigned) slot};
    epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e);
}

static void finish(int slot, int ok) {
    struct conn *c = &conns[slot];
    if (ok) {
        responses++;
    } else {
        errors++;
    }
    close(c->fd); // also removes it from the epoll set
    open_connection(slot);
}

static void send_request(int slot) {
    char request[512];
    unsigned n = ++seq;
    unsigned t = n * 2654435761u % TORRENTS;
    int len = snprintf(request, sizeof request,
            "GET /announce?info_hash=%%01%%02%%03%%04%%05%%06%%07%%08%%09%%0A%%0B%%0C%%0D%%0E%%0F%%10"
            "%%%02X%%%02X%%%02X%%%02X" // 16 fixed bytes and 4 that pick one of TORRENTS torrents
            "&peer_id=-PR0001-%012u&port=%u&uploaded=0&downloaded=0&left=%u&numwant=30&compact=1 HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\nConnection: close\r\n\r\n",
            t >> 24 & 0xff, t >> 16 & 0xff, t >> 8 & 0xff, t & 0xff, n, 1024 + n % 60000, n % 2 ? 0 : 1000);
    if (send(conns[slot].fd, request, len, MSG_NOSIGNAL) != len) {
        finish(slot, 0);
        return;
    }
    struct epoll_event e = {.events = EPOLLIN, .data.u32 = (unsigned) slot};
    epoll_ctl(ep, EPOLL_CTL_MOD, conns[slot].fd, &e);
}

/** "HTTP/1.x 200" and a bencoded announce reply (an interval, no failure reason). */
static int is_announce_reply(const char *r, int len) {
    return len >= 12 && memcmp(r, "HTTP/1.", 7) == 0 && memcmp(r + 8, " 200", 4) == 0
            && memmem(r, len, "8:interval", 10) != NULL && memmem(r, len, "failure reason", 14) == NULL;
}

static void read_response(int slot) {
    struct conn *c = &conns[slot];
    char buf[8192];
    for (;;) {
        ssize_t r = recv(c->fd, buf, sizeof buf, 0);
        if (r > 0) {
            int keep = (int) sizeof c->head - c->len;
            if (keep > r) {
                keep = (int) r;
            }
            memcpy(c->head + c->len, buf, keep);
            c->len += keep;
        } else if (r == 0) {
            finish(slot, is_announce_reply(c->head, c->len));
            return;
        } else {
            if (errno != EAGAIN) {
                finish(slot, 0);
            }
            return;
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s PORT [CONNECTIONS [SECONDS]]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]);
    int n = argc > 2 ? atoi(argv[2]) : 64;
    double seconds = argc > 3 ? atof(argv[3]) : 15;
    if (port < 1 || port > 65535 || n < 1 || n > MAX_CONNECTIONS || seconds <= 0 || seconds > MAX_SECONDS) {
        fprintf(stderr, "port 1-65535, connections 1-%d, seconds up to %d\n", MAX_CONNECTIONS, MAX_SECONDS);
        return 2;
    }
    target.sin_family = AF_INET;
    target.sin_port = htons((unsigned short) port);
    target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ep = epoll_create1(0);
    for (int i = 0; i < n; i++) {
        open_connection(i);
    }
    struct epoll_event events[64];
    double start = now(), end = start + seconds;
    while (now() < end) {
        int k = epoll_wait(ep, events, 64, 100);
        for (int i = 0; i < k; i++) {
            int slot = (int) events[i].data.u32;
            if (conns[slot].fd < 0) {
                continue;
            }
            if (events[i].events & EPOLLOUT) {
                send_request(slot);
            } else {
                read_response(slot);
            }
        }
        for (int i = 0; i < n; i++) {
            if (conns[i].fd < 0) {
                open_connection(i); // a failed connect: try again
            }
        }
    }
    double elapsed = now() - start;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    double cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + sys;
    printf("RESULT client=c mode=per-request responses_per_s=%.0f errors=%ld responses=%ld cpu_pct=%.0f"
           " kernel_pct=%.0f cpu_us_per_response=%.1f\n",
            responses / elapsed, errors, responses, 100 * cpu / elapsed, 100 * sys / elapsed,
            responses ? 1e6 * cpu / responses : 0);
    return 0;
}
