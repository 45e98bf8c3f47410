/*
 * hub_http.h - the hub's HTTP endpoint (libmicrohttpd): /v1/push,
 * /v1/pull and /v1/health with the rules (§6 to §9) and the limits (§12) of
 * docs/PROTOCOL.md.  It speaks to storage only through hub_store.h.
 */
#ifndef FB_HUB_HTTP_H
#define FB_HUB_HTTP_H

#include "hub_limits.h"
#include "hub_store.h"

struct hub_serve_config {
	const char *listen;        /* "127.0.0.1:8470", "[::1]:0" */
	const char *tls_cert;      /* PEM files, both or neither */
	const char *tls_key;
	const char *port_file;     /* if set, the bound port is written here */
	const char *tls_priorities; /* GnuTLS priority string; NULL: the default,
				      HUB_TLS_PRIORITIES_DEFAULT */
};

/* The log's status of a connection the hub closed for its slowness
 * (hub_guard.c): nothing is sent, the connection is shut. */
#define HUB_STATUS_TIMEOUT 408

/*
 * Serve until SIGTERM or SIGINT, then finish requests in flight (up to
 * HUB_DRAIN_S), stop the server and return FB_OK; the caller then closes
 * the store.  Prints "listening on ADDR:PORT (port N)" to stdout once
 * bound (and HUB_NO_TLS_WARNING to stderr when ADDR is no loopback
 * address and there is no TLS), writes N to cfg->port_file if set, and
 * one line per request to stderr (hub_log).
 *
 * The caller must have called hub_block_signals before it started any
 * thread (the store's checkpointer included).  The signals are then only
 * ever taken by the one sigwait here: one that comes before it (at
 * start-up) is pending and stops the hub as soon as it listens; a second
 * one during the drain stays pending, unread, and is discarded when the
 * process exits, so the drain and the close still run whole (the exit
 * status is 0).  To stop a hub at once, SIGKILL it; the store survives
 * that as it survives a crash.
 *
 * Errors: FB_EUSAGE for a bad cfg->listen, half a TLS pair, or priorities
 * GnuTLS does not take (or without TLS), FB_ENOINPUT / FB_EINVAL for TLS
 * files, FB_EIO if it cannot listen.
 */
enum fb_code hub_serve(struct hub_store *store,
		       const struct hub_serve_config *cfg, struct fb_error *err)
	FB_MUST_CHECK;

/* One request, as the log writes it (hub_log.c). */
struct sockaddr;
struct hub_log_entry {
	const struct sockaddr *client;  /* NULL: unknown */
	const char *method, *url;       /* as decoded by the server */
	int status;
	long long device;               /* 0 before the token is known */
	size_t in_bytes, out_bytes;
	uint64_t ms;                    /* since the request began */
	const char *reason;             /* why it was refused, or NULL */
};

/*
 * Write e as one line on stderr.  What a client sent (method, path,
 * reason) has its control bytes, DEL and backslash written as \xNN, so
 * it can neither end the line nor forge another; the query is left out,
 * and a path holding a token is not written at all.
 */
void hub_log(const struct hub_log_entry *e);

/* The PEM file at path, whole, into *out (malloc'd: the caller frees it).
 * FB_ENOINPUT if it cannot be opened, FB_EINVAL if it is empty, cannot be
 * read whole or is over HUB_PEM_MAX. */
enum fb_code hub_read_pem(const char *path, char **out, struct fb_error *err)
	FB_MUST_CHECK;

/* "127.0.0.1:8470" or "[::1]:8470" into *ss (port 0: any free port);
 * FB_EUSAGE, with the form expected, for anything else. */
struct sockaddr_storage;
enum fb_code hub_parse_listen(const char *s, struct sockaddr_storage *ss,
			      struct fb_error *err) FB_MUST_CHECK;

/* 1 when ss is a loopback address (127.0.0.0/8, ::1, ::ffff:127.x):
 * only this machine reaches it. */
int hub_is_loopback(const struct sockaddr_storage *ss);

/* The line serve writes on stderr when it listens on another address
 * without TLS. */
#define HUB_NO_TLS_WARNING "hub: warning: listening on %s without TLS: device tokens and" \
	" members' records cross the network readable by anyone on the path, and a token" \
	" read there writes as its laptop; give --tls-cert and --tls-key, or listen on" \
	" 127.0.0.1 behind a reverse proxy that serves TLS (docs/OPERATIONS.md)\n"

/*
 * Block SIGTERM and SIGINT in the calling thread (and so in every thread
 * it starts after): call before any thread exists; hub_serve waits for
 * them with sigwait.
 */
void hub_block_signals(void);

#endif
