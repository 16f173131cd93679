/*
 * Ground-truth process for the sampler's tests and benchmark: it does known things on
 * command, so the sampler's figures can be checked against numbers nobody measured.
 * One command per line on stdin, one answer line on stdout ("ok ..." or "error ...").
 *
 *   heap MIB            malloc MIB MiB and write every page (resident anonymous memory)
 *   file PATH           mmap PATH read-only and read every page (resident file-backed memory)
 *   connect PORT N      open N TCP connections to 127.0.0.1:PORT
 *   accept N            accept N connections on our listener (its port is in the ready line)
 *   close               close every connection opened or accepted
 *   fds N               open /dev/null N times
 *   mappings N          create N separate mappings (alternating protections never merge)
 *   burn DUTY MS        busy DUTY% of every 20 ms for MS ms; answers "ok CPU_MS WALL_MS",
 *                       its own CPU time (CLOCK_PROCESS_CPUTIME_ID) and the wall time
 *   exit
 *
 * Starts with "ready PORT PID", PORT being its loopback listener.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_SOCKS 4096

static int socks[MAX_SOCKS];
static int nsocks = 0;
static int listener = -1;
static volatile unsigned long sink = 0;
/* Where allocations are kept: a global the compiler cannot prove unused, or it would
 * remove malloc + memset of memory nobody reads. */
char *volatile held[1024];
static int nheld = 0;

static double ms_of(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmd_heap(long mib) {
  size_t n = (size_t)mib << 20;
  char *p = malloc(n);
  if (!p) return -1;
  memset(p, 0x5a, n);
  held[nheld++ % 1024] = p; /* kept forever: the point is to hold it */
  return 0;
}

static int cmd_file(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  struct stat st;
  if (fstat(fd, &st) < 0) return -1;
  const unsigned char *p = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd); /* the mapping keeps the file */
  if (p == MAP_FAILED) return -1;
  long page = sysconf(_SC_PAGESIZE);
  for (off_t i = 0; i < st.st_size; i += page) sink += p[i];
  return 0;
}

static int cmd_connect(int port, int n) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < n && nsocks < MAX_SOCKS; i++) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) < 0) return -1;
    socks[nsocks++] = s;
  }
  return 0;
}

static int cmd_accept(int n) {
  for (int i = 0; i < n && nsocks < MAX_SOCKS; i++) {
    int s = accept(listener, NULL, NULL);
    if (s < 0) return -1;
    socks[nsocks++] = s;
  }
  return 0;
}

static int cmd_mappings(long n) {
  long page = sysconf(_SC_PAGESIZE);
  char *p = mmap(NULL, n * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return -1;
  for (long i = 0; i < n; i++) {
    p[i * page] = 1; /* resident, so smaps has something to count */
    if (i % 2 && mprotect(p + i * page, page, PROT_READ) < 0) return -1;
  }
  return 0;
}

static void cmd_burn(int duty, long total_ms) {
  const double period = 20.0;
  double start = ms_of(CLOCK_MONOTONIC), cpu0 = ms_of(CLOCK_PROCESS_CPUTIME_ID);
  while (ms_of(CLOCK_MONOTONIC) - start < total_ms) {
    double p0 = ms_of(CLOCK_MONOTONIC);
    while (ms_of(CLOCK_MONOTONIC) - p0 < period * duty / 100.0) sink++;
    double rest = p0 + period - ms_of(CLOCK_MONOTONIC);
    if (rest > 0) {
      struct timespec ts = {0, (long)(rest * 1e6)};
      nanosleep(&ts, NULL);
    }
  }
  printf("ok %.1f %.1f\n", ms_of(CLOCK_PROCESS_CPUTIME_ID) - cpu0, ms_of(CLOCK_MONOTONIC) - start);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = 0};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0 || bind(listener, (struct sockaddr *)&a, sizeof a) < 0 ||
      listen(listener, 128) < 0 || getsockname(listener, (struct sockaddr *)&a, &len) < 0) {
    printf("error listen\n");
    return 1;
  }
  printf("ready %d %d\n", ntohs(a.sin_port), (int)getpid());

  char line[4096], arg[4000];
  long x, y;
  while (fgets(line, sizeof line, stdin)) {
    int rc = 0;
    if (sscanf(line, "heap %ld", &x) == 1) rc = cmd_heap(x);
    else if (sscanf(line, "file %3999s", arg) == 1) rc = cmd_file(arg);
    else if (sscanf(line, "connect %ld %ld", &x, &y) == 2) rc = cmd_connect((int)x, (int)y);
    else if (sscanf(line, "accept %ld", &x) == 1) rc = cmd_accept((int)x);
    else if (sscanf(line, "fds %ld", &x) == 1) {
      for (long i = 0; i < x; i++)
        if (open("/dev/null", O_RDONLY) < 0) rc = -1;
    } else if (sscanf(line, "mappings %ld", &x) == 1) rc = cmd_mappings(x);
    else if (sscanf(line, "burn %ld %ld", &x, &y) == 2) {
      cmd_burn((int)x, y);
      continue;
    } else if (strncmp(line, "close", 5) == 0) {
      while (nsocks > 0) close(socks[--nsocks]);
    } else if (strncmp(line, "exit", 4) == 0) return 0;
    else rc = -2;
    if (rc == -2) printf("error unknown command\n");
    else if (rc < 0) printf("error %s\n", strerror(errno));
    else printf("ok\n");
  }
  return 0;
}
