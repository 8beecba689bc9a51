// An open-loop HTTP/1.1 load generator for the registry workload (bench/suite/workloads/registry.ts),
// in C so that the apparatus costs next to nothing beside the server it measures: the Node generator
// (workloads/registry-http.ts) spent 70-90 µs of CPU per request and its own GC pauses and event-loop
// wakes made a p99 of 1.3-2 ms against a server answering fixed bytes, the whole 2 ms budget.
// Compiled by the bench at run time (load/native-build.ts) into its scratch dir.
//
// Usage: http-open-loop <host> <port>, then one phase per line on stdin:
//   <requests-file> <rate> <total> <grace-seconds> <out-file>
// and it exits with 0 at the end of stdin. The connections are kept from one phase to the next (a
// warm-up's connections serve the measured phase).
//
// Semantics (the same as the Node generator's):
// - A fixed schedule: request i is due at start + i / rate (CLOCK_MONOTONIC; start is 1 ms after the
//   phase's line is read) and is never sent before it. Between sends the process sleeps in epoll_wait
//   on a timerfd armed with the next due time (TFD_TIMER_ABSTIME; timer slack set to 1 ns, not the
//   default 50 µs).
// - Up to 64 keep-alive connections, one request in flight on each (no pipelining), opened when a
//   request is due and none is idle; when all 64 are busy, due requests wait in schedule order for
//   the next free one.
// - Request i's bytes are the (i mod n)-th of the requests file: n records of a little-endian u32
//   length and that many bytes (the bench writes one per request, in the order it picked them).
// - Latency runs from the request's SCHEDULED time to its whole answer, so time spent queued for a
//   free connection counts. An answer is a status line and headers with a Content-Length and that
//   many body bytes; anything else (no Content-Length, chunked, bytes past the answer, over 64 KiB) is
//   a failure and closes the connection, as is a connection error or close with a request in flight.
//   A status other than 200 is a failure too, its latency still recorded (as the Node generator did).
// - Bounded: a phase that has not finished grace-seconds after its last request was due, or in which
//   no answer arrives for 5 s while requests are in flight, ends the process with exit code 3.
//
// Output per phase: <out-file> holds, per answered request in the order answered, three float64 (host
// order: little-endian wherever the bench runs): its scheduled time from the phase's start, its
// latency (from the scheduled time) and the time from its actual send to its answer, all in ms (the
// last says how much of a slow answer was the server's and how much this process's late send). Stdout gets one line of JSON: "answered", "failures", "elapsedMs" (start to
// the last answer), "cpuMicros" (this process's user + system CPU over the phase, getrusage),
// "lateSends" (sent over 1 ms after their scheduled time: this process woke late or every connection
// was busy), "sendLagMaxMs", "firstFailure".
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define CONNECTIONS_MAX 64
#define ANSWER_MAX 65536
#define STALL_NS 5000000000ULL

typedef struct {
  const uint8_t *bytes;
  uint32_t length;
} request_t;

typedef struct {
  int fd; /* -1: not open */
  int busy;
  uint64_t scheduled_ns;
  uint64_t sent_ns; /* when the request was handed to the socket */
  const request_t *request;
  uint32_t written;
  uint32_t received;
  uint8_t buffer[ANSWER_MAX];
} connection_t;

static connection_t connections[CONNECTIONS_MAX];
static struct sockaddr_storage server_address;
static socklen_t server_address_length;
static int epoll_fd;
static int timer_fd;

/* The phase's counters. */
static uint64_t phase_start_ns;
static uint64_t answered, failures, completed, last_answer_ns;
/* Sends later than 1 ms after their scheduled time (this process's wake-up, or a wait for a free
 * connection) and the latest one: whether the generator or the server made a slow answer. */
static uint64_t late_sends, send_lag_max_ns;
static FILE *out;
static char first_failure[160];

static uint64_t now_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;
}

static void die(int code, const char *message) {
  fprintf(stderr, "http-open-loop: %s\n", message);
  exit(code);
}

static void fail(const char *reason) {
  failures++;
  completed++;
  if (first_failure[0] == 0) snprintf(first_failure, sizeof first_failure, "%s", reason);
}

static void close_connection(connection_t *connection) {
  close(connection->fd); /* also removes it from the epoll set */
  connection->fd = -1;
  connection->busy = 0;
  connection->received = 0;
}

/* The in-flight request of `connection` failed: counted, and the connection closed. */
static void fail_connection(connection_t *connection, const char *reason) {
  if (connection->busy) fail(reason);
  close_connection(connection);
}

static void watch(connection_t *connection, uint32_t events, int operation) {
  struct epoll_event event = {.events = events, .data.ptr = connection};
  if (epoll_ctl(epoll_fd, operation, connection->fd, &event) != 0) die(2, "epoll_ctl failed");
}

/* Writes what is left of the request; waits for EPOLLOUT when the socket takes only part of it. */
static void write_request(connection_t *connection) {
  const request_t *request = connection->request;
  while (connection->written < request->length) {
    ssize_t wrote = send(connection->fd, request->bytes + connection->written,
                         request->length - connection->written, MSG_NOSIGNAL);
    if (wrote < 0) {
      if (errno == EAGAIN) {
        watch(connection, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
        return;
      }
      fail_connection(connection, strerror(errno));
      return;
    }
    connection->written += (uint32_t)wrote;
  }
}

static void send_request(connection_t *connection, const request_t *request, uint64_t scheduled_ns) {
  uint64_t now = now_ns(), lag = now - scheduled_ns;
  connection->sent_ns = now;
  if (lag > 1000000ULL) late_sends++;
  if (lag > send_lag_max_ns) send_lag_max_ns = lag;
  connection->busy = 1;
  connection->scheduled_ns = scheduled_ns;
  connection->request = request;
  connection->written = 0;
  connection->received = 0;
  write_request(connection);
}

/* An idle open connection, else a newly opened one while fewer than 64 are open, else NULL. A failed
 * connect fails the request it was for (`*failed`). */
static connection_t *free_connection(int *failed) {
  connection_t *unopened = NULL;
  for (int index = 0; index < CONNECTIONS_MAX; index++) {
    connection_t *connection = &connections[index];
    if (connection->fd >= 0 && !connection->busy) return connection;
    if (connection->fd < 0 && unopened == NULL) unopened = connection;
  }
  if (unopened == NULL) return NULL;
  int fd = socket(server_address.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) die(2, "socket failed");
  /* A blocking connect: on loopback it completes at once; then non-blocking for the phase. */
  if (connect(fd, (struct sockaddr *)&server_address, server_address_length) != 0) {
    fail(strerror(errno));
    close(fd);
    *failed = 1;
    return NULL;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  unopened->fd = fd;
  unopened->busy = 0;
  unopened->received = 0;
  watch(unopened, EPOLLIN, EPOLL_CTL_ADD);
  return unopened;
}

/* 1: a whole answer is in the buffer (its status in *status), 0: not yet, -1: not an answer we accept. */
static int parse_answer(const connection_t *connection, int *status, const char **why) {
  const char *buffer = (const char *)connection->buffer;
  const char *end = memmem(buffer, connection->received, "\r\n\r\n", 4);
  if (end == NULL) {
    *why = "an answer's head over 64 KiB";
    return connection->received == ANSWER_MAX ? -1 : 0;
  }
  *why = "not an HTTP/1.1 status line";
  if (connection->received < 12 || memcmp(buffer, "HTTP/1.1 ", 9) != 0) return -1;
  *status = (buffer[9] - '0') * 100 + (buffer[10] - '0') * 10 + (buffer[11] - '0');
  long long length = -1;
  for (const char *line = memmem(buffer, (size_t)(end - buffer) + 2, "\r\n", 2); line != NULL && line < end;
       line = memmem(line + 2, (size_t)(end - line), "\r\n", 2)) {
    const char *name = line + 2;
    if (strncasecmp(name, "transfer-encoding:", 18) == 0) {
      *why = "an answer with Transfer-Encoding";
      return -1;
    }
    if (strncasecmp(name, "content-length:", 15) == 0) length = strtoll(name + 15, NULL, 10);
  }
  if (length < 0) {
    *why = "an answer without Content-Length";
    return -1;
  }
  long long whole = (end + 4 - buffer) + length;
  if (whole > ANSWER_MAX) {
    *why = "an answer over 64 KiB";
    return -1;
  }
  if (connection->received < whole) return 0;
  if (connection->received > whole) {
    *why = "bytes past the answer (no request was pipelined)";
    return -1;
  }
  return 1;
}

static void on_readable(connection_t *connection) {
  ssize_t got = read(connection->fd, connection->buffer + connection->received, ANSWER_MAX - connection->received);
  if (got < 0 && errno == EAGAIN) return;
  if (got <= 0) {
    fail_connection(connection, got == 0 ? "the server closed the connection" : strerror(errno));
    return;
  }
  if (!connection->busy) {
    fail_connection(connection, "bytes with no request in flight");
    return;
  }
  connection->received += (uint32_t)got;
  int status = 0;
  const char *why = NULL;
  int parsed = parse_answer(connection, &status, &why);
  if (parsed == 0) return;
  if (parsed < 0) {
    fail_connection(connection, why);
    return;
  }
  uint64_t now = now_ns();
  double sample[3] = {(double)(connection->scheduled_ns - phase_start_ns) / 1e6,
                      (double)(now - connection->scheduled_ns) / 1e6, (double)(now - connection->sent_ns) / 1e6};
  fwrite(sample, sizeof sample, 1, out);
  answered++;
  completed++;
  last_answer_ns = now;
  if (status != 200) {
    failures++;
    if (first_failure[0] == 0) snprintf(first_failure, sizeof first_failure, "status %d", status);
  }
  connection->busy = 0;
  connection->received = 0;
}

/* The requests of the file at `path` (their bytes in one allocation, returned in *bytes_out). */
static request_t *read_requests(const char *path, size_t *count, uint8_t **bytes_out) {
  FILE *file = fopen(path, "rb");
  if (file == NULL) die(2, "cannot open the requests file");
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  uint8_t *bytes = malloc((size_t)size + 1);
  if (bytes == NULL || fread(bytes, 1, (size_t)size, file) != (size_t)size) die(2, "cannot read the requests file");
  fclose(file);
  size_t capacity = 1024, found = 0;
  request_t *requests = malloc(capacity * sizeof *requests);
  for (long at = 0; at + 4 <= size;) {
    uint32_t length = (uint32_t)bytes[at] | (uint32_t)bytes[at + 1] << 8 | (uint32_t)bytes[at + 2] << 16 |
                      (uint32_t)bytes[at + 3] << 24;
    if (at + 4 + (long)length > size) die(2, "a truncated request in the requests file");
    if (found == capacity) requests = realloc(requests, (capacity *= 2) * sizeof *requests);
    requests[found++] = (request_t){bytes + at + 4, length};
    at += 4 + (long)length;
  }
  if (found == 0) die(2, "no request in the requests file");
  *count = found;
  *bytes_out = bytes;
  return requests;
}

static uint64_t cpu_micros(void) {
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  return (uint64_t)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000ULL +
         (uint64_t)(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

static void arm_timer(uint64_t at_ns) {
  struct itimerspec when = {.it_value = {.tv_sec = (time_t)(at_ns / 1000000000ULL),
                                         .tv_nsec = (long)(at_ns % 1000000000ULL)}};
  timerfd_settime(timer_fd, TFD_TIMER_ABSTIME, &when, NULL);
}

static void run_phase(const char *requests_path, double rate, uint64_t total, double grace_seconds,
                      const char *out_path) {
  size_t count = 0;
  uint8_t *bytes = NULL;
  request_t *requests = read_requests(requests_path, &count, &bytes);
  out = fopen(out_path, "wb");
  if (out == NULL) die(2, "cannot open the out file");
  answered = failures = completed = late_sends = send_lag_max_ns = 0;
  first_failure[0] = 0;
  uint64_t cpu_before = cpu_micros();
  phase_start_ns = now_ns() + 1000000ULL;
  last_answer_ns = phase_start_ns;
  double interval_ns = 1e9 / rate;
  uint64_t deadline_ns = phase_start_ns + (uint64_t)((double)total * interval_ns + grace_seconds * 1e9);
  uint64_t sent = 0;
  uint64_t armed_for = UINT64_MAX;
  struct epoll_event events[CONNECTIONS_MAX + 1];
  while (completed < total) {
    uint64_t now = now_ns();
    if (now > deadline_ns) die(3, "the phase did not finish in time (the server stalled)");
    int in_flight = 0;
    for (int index = 0; index < CONNECTIONS_MAX; index++) in_flight |= connections[index].busy;
    if (in_flight && now - last_answer_ns > STALL_NS) die(3, "no answer for 5 s (the server stalled)");
    /* Every request due by now, in schedule order, while a connection is free. */
    int blocked = 0;
    while (sent < total) {
      uint64_t scheduled = phase_start_ns + (uint64_t)((double)sent * interval_ns);
      if (scheduled > now) break;
      int failed = 0;
      connection_t *connection = free_connection(&failed);
      if (failed) {
        sent++;
        continue;
      }
      if (connection == NULL) {
        blocked = 1;
        break;
      }
      send_request(connection, &requests[sent % count], scheduled);
      sent++;
    }
    /* The timer wakes the loop for the next request unless it already waits for a free connection. */
    if (sent < total && !blocked) {
      uint64_t next = phase_start_ns + (uint64_t)((double)sent * interval_ns);
      if (next != armed_for) {
        arm_timer(next);
        armed_for = next;
      }
    }
    int ready = epoll_wait(epoll_fd, events, CONNECTIONS_MAX + 1, 100);
    if (ready < 0 && errno != EINTR) die(2, "epoll_wait failed");
    for (int index = 0; index < ready; index++) {
      if (events[index].data.ptr == NULL) {
        uint64_t expirations;
        if (read(timer_fd, &expirations, sizeof expirations) < 0 && errno != EAGAIN) die(2, "timerfd read failed");
        armed_for = UINT64_MAX;
        continue;
      }
      connection_t *connection = events[index].data.ptr;
      if (connection->fd < 0) continue;
      if (events[index].events & EPOLLOUT) {
        write_request(connection);
        if (connection->fd >= 0 && connection->written == connection->request->length)
          watch(connection, EPOLLIN, EPOLL_CTL_MOD);
      }
      if (connection->fd >= 0 && events[index].events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(connection);
    }
  }
  uint64_t cpu = cpu_micros() - cpu_before;
  if (fclose(out) != 0) die(2, "cannot write the out file");
  free(bytes);
  free(requests);
  printf("{\"answered\":%llu,\"failures\":%llu,\"elapsedMs\":%.3f,\"cpuMicros\":%llu,\"lateSends\":%llu,"
         "\"sendLagMaxMs\":%.3f,\"firstFailure\":\"%s\"}\n",
         (unsigned long long)answered, (unsigned long long)failures, (double)(last_answer_ns - phase_start_ns) / 1e6,
         (unsigned long long)cpu, (unsigned long long)late_sends, (double)send_lag_max_ns / 1e6, first_failure);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc != 3) die(2, "usage: http-open-loop <host> <port>, phases on stdin");
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *found = NULL;
  if (getaddrinfo(argv[1], argv[2], &hints, &found) != 0 || found == NULL) die(2, "cannot resolve the host");
  memcpy(&server_address, found->ai_addr, found->ai_addrlen);
  server_address_length = found->ai_addrlen;
  freeaddrinfo(found);
  prctl(PR_SET_TIMERSLACK, 1UL);
  for (int index = 0; index < CONNECTIONS_MAX; index++) connections[index].fd = -1;
  epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (epoll_fd < 0 || timer_fd < 0) die(2, "epoll or timerfd failed");
  struct epoll_event timer_event = {.events = EPOLLIN, .data.ptr = NULL};
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, timer_fd, &timer_event);
  char line[4096], requests_path[2048], out_path[2048];
  while (fgets(line, sizeof line, stdin) != NULL) {
    double rate = 0, grace = 0;
    unsigned long long total = 0;
    if (sscanf(line, "%2047s %lf %llu %lf %2047s", requests_path, &rate, &total, &grace, out_path) != 5 ||
        rate <= 0 || total == 0)
      die(2, "a phase line is <requests-file> <rate> <total> <grace-seconds> <out-file>");
    run_phase(requests_path, rate, total, grace, out_path);
  }
  return 0;
}
