/*
 * faultproxy.c - a TCP proxy on loopback that breaks connections on
 * purpose, for the fault tests.
 *
 *   faultproxy --target 127.0.0.1:PORT --port-file F [--seed N]
 *              [--faults LIST] [--max-seconds S]
 *
 * Listens on 127.0.0.1 (a free port, written to F) and forwards each
 * accepted connection to the target.  For each connection it draws one
 * fault, from the seeded generator, among LIST (comma-separated; default
 * all):
 *
 *   pass       forward untouched
 *   up=N       forward the first N bytes towards the hub, then cut both
 *   down=N     forward the first N bytes back to the client, then cut
 *   delay      hold each chunk 0-300 ms before forwarding it
 *   stall      forward the request, then send nothing back for 2-4 s
 *              before cutting (the client's low-speed limit may fire
 *              first)
 *   lost-answer  forward the whole request, let the hub answer (it has
 *              committed by then), and cut before one byte of the
 *              answer reaches the client
 *
 * N is drawn between 1 and 2,000 bytes.  One line per connection goes to
 * stderr: "conn K fault F" and, when it ends, "conn K up=U down=D".  The
 * proxy exits after --max-seconds (default 600) or on SIGTERM.  Single
 * threaded, poll(2) based, bounded: at most 64 connections at once.
 *
 *   --hold-answer K   (instead of drawn faults) forward everything, but
 *              once the (K+1)-th request, counted over all connections,
 *              has gone to the hub whole, hold its answer: the client
 *              never gets a byte of it, and the proxy writes
 *              "held answer of request K+1" to stderr.  The client is
 *              then certainly inside a sync, waiting, and the hub has the
 *              request: a test can kill either at that point without
 *              relying on timing.  When the hub closes the connection
 *              the proxy closes the client's side too.  Requests are
 *              framed by Content-Length (the client sends no chunked
 *              bodies and no Expect).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNS   64
#define CHUNK       16384
#define CUT_MAX     2000
#define HEAD_MAX    8192

enum fault { F_PASS, F_UP, F_DOWN, F_DELAY, F_STALL, F_LOST, F_COUNT };

static const char *const fault_names[F_COUNT] = {
	"pass", "up", "down", "delay", "stall", "lost-answer"
};

struct conn {
	int client, server;
	enum fault fault;
	long budget;              /* bytes left for F_UP / F_DOWN */
	uint64_t hold_until_ms;   /* F_DELAY / F_STALL: forward nothing before */
	uint64_t cut_at_ms;       /* F_STALL: cut then */
	long up, down;            /* bytes forwarded */
	int id;
	int request_done;         /* F_LOST: client has sent its request */
	char head[HEAD_MAX];      /* --hold-answer: the request head so far */
	size_t head_len;
	long body_left;           /* body bytes of the current request, or -1
				     while its head is being read */
	int held;                 /* the answer is being held back */
};

static long hold_after = -1;      /* --hold-answer K, or -1 */
static long requests_whole;       /* requests forwarded whole, all conns */

static uint64_t rng_state = 88172645463325252ULL;
static volatile sig_atomic_t stop;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void close_conn(struct conn *c)
{
	fprintf(stderr, "conn %d up=%ld down=%ld\n", c->id, c->up, c->down);
	if (c->client >= 0)
		close(c->client);
	if (c->server >= 0)
		close(c->server);
	c->client = c->server = -1;
}

/* Content-Length of a request head (0 when it has none). */
static long content_length(const char *head, size_t len)
{
	static const char name[] = "\r\ncontent-length:";
	size_t i, n = sizeof(name) - 1;

	for (i = 0; i + n <= len; i++)
		if (!strncasecmp(head + i, name, n))
			return strtol(head + i + n, NULL, 10);
	return 0;
}

/*
 * --hold-answer: follow the requests in bytes the client sent; once the
 * (hold_after+1)-th is whole, hold this connection's answers.
 */
static void count_requests(struct conn *c, const char *p, size_t n)
{
	while (n > 0 && !c->held) {
		if (c->body_left < 0) {
			c->head[c->head_len < HEAD_MAX ? c->head_len++ : HEAD_MAX - 1] = *p++;
			n--;
			if (c->head_len >= 4 &&
			    !memcmp(c->head + c->head_len - 4, "\r\n\r\n", 4))
				c->body_left = content_length(c->head, c->head_len);
			else
				continue;
		} else {
			size_t take = (size_t)c->body_left < n ? (size_t)c->body_left : n;

			c->body_left -= (long)take;
			p += take;
			n -= take;
		}
		if (c->body_left == 0) {
			c->body_left = -1;
			c->head_len = 0;
			if (requests_whole++ == hold_after) {
				c->held = 1;
				fprintf(stderr, "held answer of request %ld\n", requests_whole);
			}
		}
	}
}

/* Forward what one side has; 0 when the connection is over. */
static int pump(struct conn *c, int from_client)
{
	char buf[CHUNK];
	int in = from_client ? c->client : c->server;
	int out = from_client ? c->server : c->client;
	long want = sizeof(buf);
	ssize_t n;

	if (from_client && c->fault == F_UP && c->budget < want)
		want = c->budget;
	if (!from_client && c->fault == F_DOWN && c->budget < want)
		want = c->budget;
	if (want <= 0)
		return 0;
	n = read(in, buf, (size_t)want);
	if (n <= 0)
		return 0;
	if (!from_client && c->fault == F_LOST)
		return 0;       /* the hub has answered: lose the answer */
	if (!from_client && c->held)
		return 1;       /* read and dropped: the client waits on */
	if (write(out, buf, (size_t)n) != n)
		return 0;
	if (from_client && hold_after >= 0)
		count_requests(c, buf, (size_t)n);
	if (from_client) {
		c->up += n;
		if (c->fault == F_UP)
			c->budget -= n;
	} else {
		c->down += n;
		if (c->fault == F_DOWN)
			c->budget -= n;
	}
	if ((c->fault == F_UP || c->fault == F_DOWN) && c->budget <= 0)
		return 0;       /* N bytes through: cut here */
	if (c->fault == F_DELAY)
		c->hold_until_ms = now_ms() + rnd() % 300;
	if (from_client && c->fault == F_STALL && !c->request_done) {
		c->request_done = 1;
		c->hold_until_ms = now_ms() + 2000 + rnd() % 2000;
		c->cut_at_ms = c->hold_until_ms;
	}
	return 1;
}

static int parse_target(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *target = NULL, *port_file = NULL, *faults = NULL;
	struct sockaddr_in ta, la;
	struct conn conns[MAX_CONNS];
	int allowed[F_COUNT], nallowed = 0, ls, i, next_id = 1, one = 1;
	long max_seconds = 600;
	socklen_t len = sizeof(la);
	uint64_t deadline;
	FILE *pf;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--target"))
			target = argv[i + 1];
		else if (!strcmp(argv[i], "--port-file"))
			port_file = argv[i + 1];
		else if (!strcmp(argv[i], "--seed"))
			rng_state ^= strtoull(argv[i + 1], NULL, 10) * 0x9E3779B97F4A7C15ULL;
		else if (!strcmp(argv[i], "--faults"))
			faults = argv[i + 1];
		else if (!strcmp(argv[i], "--max-seconds"))
			max_seconds = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--hold-answer"))
			hold_after = atol(argv[i + 1]);
		else
			break;
	}
	if (i < argc || !target || !port_file || parse_target(target, &ta) != 0) {
		fprintf(stderr, "usage: faultproxy --target ADDR:PORT --port-file F"
			" [--seed N] [--faults pass,up,down,delay,stall,lost-answer]"
			" [--max-seconds S] [--hold-answer K]\n");
		return 64;
	}
	for (i = 0; i < F_COUNT; i++)
		if (!faults || strstr(faults, fault_names[i]))
			allowed[nallowed++] = i;
	if (!nallowed) {
		fprintf(stderr, "faultproxy: no known fault in '%s'\n", faults);
		return 64;
	}
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&la, 0, sizeof(la));
	la.sin_family = AF_INET;
	la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ls < 0 || bind(ls, (struct sockaddr *)&la, sizeof(la)) != 0 ||
	    listen(ls, 64) != 0 || getsockname(ls, (struct sockaddr *)&la, &len) != 0) {
		perror("faultproxy: listen");
		return 71;
	}
	pf = fopen(port_file, "w");
	if (!pf) {
		perror("faultproxy: port file");
		return 73;
	}
	fprintf(pf, "%u\n", ntohs(la.sin_port));
	fclose(pf);
	for (i = 0; i < MAX_CONNS; i++)
		conns[i].client = conns[i].server = -1;
	deadline = now_ms() + (uint64_t)max_seconds * 1000;

	while (!stop && now_ms() < deadline) {
		struct pollfd pfd[1 + 2 * MAX_CONNS];
		int map[1 + 2 * MAX_CONNS], np = 1;
		uint64_t t = now_ms();

		pfd[0].fd = ls;
		pfd[0].events = POLLIN;
		for (i = 0; i < MAX_CONNS; i++) {
			struct conn *c = &conns[i];

			if (c->client < 0)
				continue;
			if (c->fault == F_STALL && c->cut_at_ms && t >= c->cut_at_ms) {
				close_conn(c);
				continue;
			}
			if (c->hold_until_ms > t)
				continue;
			pfd[np].fd = c->client;
			pfd[np].events = POLLIN;
			map[np++] = i * 2;
			pfd[np].fd = c->server;
			pfd[np].events = POLLIN;
			map[np++] = i * 2 + 1;
		}
		if (poll(pfd, (nfds_t)np, 50) < 0) {
			if (errno == EINTR)
				continue;
			perror("faultproxy: poll");
			return 71;
		}
		if (pfd[0].revents & POLLIN) {
			int cfd = accept4(ls, NULL, NULL, SOCK_CLOEXEC), slot = -1;

			for (i = 0; cfd >= 0 && i < MAX_CONNS; i++)
				if (conns[i].client < 0) {
					slot = i;
					break;
				}
			if (cfd >= 0 && slot < 0) {
				close(cfd);
			} else if (cfd >= 0) {
				struct conn *c = &conns[slot];

				memset(c, 0, sizeof(*c));
				c->client = cfd;
				c->server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
				c->id = next_id++;
				c->fault = hold_after >= 0 ? F_PASS
					   : (enum fault)allowed[rnd() % (uint64_t)nallowed];
				c->body_left = -1;
				c->budget = 1 + (long)(rnd() % CUT_MAX);
				if (c->server < 0 ||
				    connect(c->server, (struct sockaddr *)&ta, sizeof(ta)) != 0) {
					fprintf(stderr, "conn %d fault target-down\n", c->id);
					close(cfd);
					if (c->server >= 0)
						close(c->server);
					c->client = c->server = -1;
				} else if (c->fault == F_UP || c->fault == F_DOWN) {
					fprintf(stderr, "conn %d fault %s=%ld\n", c->id,
						fault_names[c->fault], c->budget);
				} else {
					fprintf(stderr, "conn %d fault %s\n", c->id,
						fault_names[c->fault]);
				}
			}
		}
		for (i = 1; i < np; i++) {
			struct conn *c = &conns[map[i] / 2];

			if (c->client < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!pump(c, map[i] % 2 == 0))
				close_conn(c);
		}
	}
	for (i = 0; i < MAX_CONNS; i++)
		if (conns[i].client >= 0)
			close_conn(&conns[i]);
	close(ls);
	return 0;
}
