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
 *
 *   --rate B --delay MS [--cut-after S]   (instead of drawn faults) a
 *              slow link: each way carries B bytes a second, shared by
 *              all connections in order of arrival, and delivers each
 *              byte MS milliseconds after the link carried it; with
 *              --cut-after every connection is cut S seconds (a decimal
 *              number) after it opened, whatever it was doing, and what
 *              was not delivered by then is lost.  "conn K link cut" goes
 *              to stderr when that happens.  Bytes move in pieces of
 *              LINK_PIECE, so a cut lands between two of them.
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
#define LINK_PIECE  256             /* bytes a link delivers at once */
#define LINK_QUEUE_MAX (8 << 20)    /* bytes waiting on one lane, at most */

enum fault { F_PASS, F_UP, F_DOWN, F_DELAY, F_STALL, F_LOST, F_COUNT };

/* --rate: bytes on their way one way on one connection (a FIFO). */
struct piece {
	uint64_t at_us;           /* delivered then */
	size_t len, off;
	struct piece *next;
	char data[LINK_PIECE];
};

struct lane {
	struct piece *head, *tail;
	size_t queued;
	int eof;                  /* the sending side has closed */
};

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
	struct lane lane[2];      /* --rate: [0] towards the hub, [1] back */
	uint64_t cut_link_us;     /* --cut-after: cut then (0: never) */
};

static long link_rate;            /* --rate B (bytes/s), 0: no link mode */
static uint64_t link_delay_us;    /* --delay */
static uint64_t link_cut_us;      /* --cut-after, 0: never */
static uint64_t link_free_us[2];  /* when each way is free to carry more */

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

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static void close_conn(struct conn *c)
{
	for (int d = 0; d < 2; d++)
		while (c->lane[d].head) {
			struct piece *p = c->lane[d].head;

			c->lane[d].head = p->next;
			free(p);
		}
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

/* --- link mode (--rate) ---------------------------------------------- */

/* Read what side d (0: client, 1: hub) sent and put it on its way. */
static int link_take(struct conn *c, int d)
{
	char buf[CHUNK];
	struct lane *l = &c->lane[d];
	ssize_t n = read(d == 0 ? c->client : c->server, buf, sizeof(buf));
	uint64_t now = now_us();

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0) {
		l->eof = 1;
		return 1;
	}
	for (ssize_t off = 0; off < n; off += LINK_PIECE) {
		struct piece *p = calloc(1, sizeof(*p));
		uint64_t start = link_free_us[d] > now ? link_free_us[d] : now;

		if (!p)
			return 0;
		p->len = (size_t)(n - off) < LINK_PIECE ? (size_t)(n - off) : LINK_PIECE;
		memcpy(p->data, buf + off, p->len);
		link_free_us[d] = start + (uint64_t)p->len * 1000000 / (uint64_t)link_rate;
		p->at_us = link_free_us[d] + link_delay_us;
		if (l->tail)
			l->tail->next = p;
		else
			l->head = p;
		l->tail = p;
		l->queued += p->len;
	}
	return 1;
}

/* Deliver what is due on lane d; 0 when the connection is over. */
static int link_give(struct conn *c, int d, uint64_t now)
{
	struct lane *l = &c->lane[d];
	int out = d == 0 ? c->server : c->client;

	while (l->head && l->head->at_us <= now) {
		struct piece *p = l->head;
		ssize_t w = send(out, p->data + p->off, p->len - p->off,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (w < 0)
			return errno == EAGAIN || errno == EINTR;
		p->off += (size_t)w;
		if (d == 0)
			c->up += w;
		else
			c->down += w;
		if (p->off < p->len)
			return 1;
		l->head = p->next;
		if (!l->head)
			l->tail = NULL;
		l->queued -= p->len;
		free(p);
	}
	/* A side that closed, once all it sent is through, ends it. */
	return !(l->eof && !l->head);
}

/* The next moment something is due on c, or UINT64_MAX. */
static uint64_t link_next_us(const struct conn *c)
{
	uint64_t next = c->cut_link_us ? c->cut_link_us : UINT64_MAX;

	for (int d = 0; d < 2; d++)
		if (c->lane[d].head && c->lane[d].head->at_us < next)
			next = c->lane[d].head->at_us;
	return next;
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
		else if (!strcmp(argv[i], "--rate"))
			link_rate = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "--delay"))
			link_delay_us = (uint64_t)atol(argv[i + 1]) * 1000;
		else if (!strcmp(argv[i], "--cut-after"))
			link_cut_us = (uint64_t)(strtod(argv[i + 1], NULL) * 1e6);
		else
			break;
	}
	if (i < argc || !target || !port_file || parse_target(target, &ta) != 0) {
		fprintf(stderr, "usage: faultproxy --target ADDR:PORT --port-file F"
			" [--seed N] [--faults pass,up,down,delay,stall,lost-answer]"
			" [--max-seconds S] [--hold-answer K]"
			" [--rate B --delay MS [--cut-after S]]\n");
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
		int timeout = 50;

		for (i = 0; i < MAX_CONNS; i++) {
			struct conn *c = &conns[i];

			if (c->client < 0)
				continue;
			if (link_rate) {
				uint64_t us = now_us(), next;

				if (c->cut_link_us && us >= c->cut_link_us) {
					fprintf(stderr, "conn %d link cut\n", c->id);
					close_conn(c);
					continue;
				}
				if (!link_give(c, 0, us) || !link_give(c, 1, us)) {
					close_conn(c);
					continue;
				}
				next = link_next_us(c);
				if (next != UINT64_MAX && (next - us) / 1000 < (uint64_t)timeout)
					timeout = (int)((next - us) / 1000);
				for (int d = 0; d < 2; d++) {
					int fd = d == 0 ? c->client : c->server;
					short ev = 0;

					if (!c->lane[d].eof && c->lane[d].queued < LINK_QUEUE_MAX)
						ev |= POLLIN;
					/* a partial send: wait for room */
					if (c->lane[1 - d].head && c->lane[1 - d].head->off &&
					    c->lane[1 - d].head->at_us <= us)
						ev |= POLLOUT;
					if (!ev)
						continue;
					pfd[np].fd = fd;
					pfd[np].events = ev;
					map[np++] = i * 2 + d;
				}
				continue;
			}
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
		if (poll(pfd, (nfds_t)np, timeout < 1 ? 1 : timeout) < 0) {
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
				c->fault = hold_after >= 0 || link_rate ? F_PASS
					   : (enum fault)allowed[rnd() % (uint64_t)nallowed];
				if (link_rate && link_cut_us)
					c->cut_link_us = now_us() + link_cut_us;
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

			if (c->client < 0 || !(pfd[i].revents & (POLLIN | POLLOUT | POLLHUP | POLLERR)))
				continue;
			if (link_rate) {
				int d = map[i] % 2;

				if ((pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) && !link_take(c, d))
					close_conn(c);
				continue;
			}
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
