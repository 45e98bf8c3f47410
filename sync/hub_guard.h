/*
 * hub_guard.h - what keeps one client from taking the hub: a deadline on
 * every connection (its head whole in HUB_HEAD_S, then its body and its
 * answer moving at HUB_MIN_RATE), one budget for the memory of all the
 * bodies being read, and per token a request rate and a number of
 * requests under way at once.  The limits are in
 * hub_limits.h; docs/SECURITY.md says why each is what it is.
 *
 * Deadlines are kept by a thread of the guard's own (the watchdog): a
 * connection past its deadline has its socket shut down, which
 * libmicrohttpd sees as the peer gone and closes in its own thread, so
 * nothing of libmicrohttpd is touched from the watchdog.  A connection
 * is known to the guard from libmicrohttpd's STARTED notification to its
 * CLOSED one, which comes before the socket is closed: the watchdog
 * never shuts down a socket number that another connection has reused.
 *
 * Every function may be called from any thread.  Nothing here prints
 * but the watchdog, which writes one log line (hub_log) for each
 * connection it closes.
 */
#ifndef FB_HUB_GUARD_H
#define FB_HUB_GUARD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "error.h"

struct hub_guard;

/* Where a connection is in its request, for its deadline and the log. */
enum hub_phase {
	HUB_PHASE_HEAD,      /* waiting for a request's head: HUB_HEAD_S */
	HUB_PHASE_BODY,      /* reading the body: HUB_MIN_RATE */
	HUB_PHASE_WORK,      /* the hub works on it: no deadline */
	HUB_PHASE_ANSWER,    /* sending the answer: HUB_MIN_RATE */
};

/* One connection, from its accept to its close (owned by the guard). */
struct hub_conn;

/*
 * Make the guard and start its watchdog.  FB_ENOMEM, or FB_EINTERNAL if
 * the thread cannot be started.  Free it with hub_guard_free once no
 * connection is left (after MHD_stop_daemon).
 */
enum fb_code hub_guard_new(struct hub_guard **out, struct fb_error *err)
	FB_MUST_CHECK;
void hub_guard_free(struct hub_guard *g);

/*
 * A connection was accepted on socket fd from addr: its head deadline
 * starts now.  NULL when out of memory (the connection then has no
 * deadline but libmicrohttpd's idle one).  hub_conn_closed before its
 * socket is closed; the guard frees it there.
 */
struct hub_conn *hub_conn_opened(struct hub_guard *g, int fd,
				 const struct sockaddr *addr);
void hub_conn_closed(struct hub_guard *g, struct hub_conn *c);

/* The client's address, as it was at accept (NULL for c NULL). */
const struct sockaddr *hub_conn_addr(const struct hub_conn *c);

/*
 * c enters phase p now.  HEAD: HUB_HEAD_S from now.  BODY: the body
 * deadline starts now (and moves with hub_conn_progress).  WORK: none.
 * ANSWER: HUB_RATE_GRACE_S + bytes / HUB_MIN_RATE from now.  c may be
 * NULL (nothing is done).
 */
void hub_conn_phase(struct hub_conn *c, enum hub_phase p, size_t bytes);

/* `total` body bytes have come: the body's deadline moves to its start
 * + HUB_RATE_GRACE_S + total / HUB_MIN_RATE. */
void hub_conn_progress(struct hub_conn *c, size_t total);

/* 1 once the watchdog closed c (it logged why; nothing else should). */
int hub_conn_killed(const struct hub_conn *c);

/*
 * Reserve n bytes of the bodies' budget (HUB_BODIES_MAX): 1 if taken,
 * 0 if that would pass it.  Give it back with hub_body_release.
 */
int hub_body_reserve(struct hub_guard *g, size_t n);
void hub_body_release(struct hub_guard *g, size_t n);

/* libmicrohttpd read a request line on c: the request has its own log
 * line from here (hub_http.c). */
void hub_conn_request_began(struct hub_conn *c);

/*
 * c is closing: why, for a log line of its own, or NULL when it needs
 * none.  A connection on which libmicrohttpd read no request line has
 * none yet unless the watchdog closed it: libmicrohttpd closed it, or
 * refused it (a request line it could not read, with 400, 414 or 505),
 * or a TLS handshake failed, or the client left.  libmicrohttpd 0.9
 * tells nothing of which: one line says all of them.  (A request line
 * it cannot read after a good request on a kept-alive connection is
 * not told apart from a client that left: no line; see SECURITY.md.)
 */
const char *hub_conn_close_reason(const struct hub_conn *c);

/* Why a token's request may not go on now (hub_token_enter). */
enum hub_token_verdict {
	HUB_TOKEN_GO,         /* it may; hub_token_leave once it ended */
	HUB_TOKEN_TOO_FAST,   /* over its rate (HUB_TOKEN_RATE a second, a
				 hub's HUB_RELAY_RATE) (429) */
	HUB_TOKEN_BUSY,       /* HUB_TOKEN_INFLIGHT of its requests are under
				 way already (429) */
	HUB_TOKEN_FULL,       /* no slot to follow one more token (503) */
};

/*
 * One request of the device `id` (the hub's number of the token) begins:
 * HUB_TOKEN_GO with *slot set, to give to hub_token_leave when the
 * request ends (answered and sent, or cut).  Otherwise *retry_after is
 * the seconds after which it may (1 to HUB_RETRY_AFTER_MAX), for the
 * 429's Retry-After, and nothing is to be left.  A request refused for
 * being one too many under way costs none of the token's rate.  A hub's
 * token (relay 1) has HUB_RELAY_BURST and HUB_RELAY_RATE, a laptop's
 * HUB_TOKEN_BURST and HUB_TOKEN_RATE.
 */
enum hub_token_verdict hub_token_enter(struct hub_guard *g, long long id, int relay,
				       int *slot, int *retry_after);
void hub_token_leave(struct hub_guard *g, int slot);

#endif
