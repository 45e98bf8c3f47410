/*
 * hub_http.h - the hub's HTTP endpoint (libmicrohttpd): /v1/push,
 * /v1/pull and /v1/health with the rules (§6 to §9) and the limits (§12) of
 * docs/PROTOCOL.md.  It speaks to storage only through hub_store.h.
 */
#ifndef FB_HUB_HTTP_H
#define FB_HUB_HTTP_H

#include "hub_store.h"

#define HUB_THREADS          8      /* request threads in the pool */
#define HUB_HEAP_KEEP        ((size_t)32 << 20) /* freed heap kept per arena */
#define HUB_SQLITE_HEAP      ((long long)64 << 20) /* SQLite's caches, all connections */
#define HUB_CONN_TIMEOUT_S   30     /* idle or slow connections are closed */
#define HUB_CONN_MAX         1024   /* open connections at once */
#define HUB_PUSH_WAITING_MAX 256    /* pushes queued for the writer: then 503 */
#define HUB_PULL_DEFAULT     500    /* changes per pull page */
#define HUB_DRAIN_S          30     /* SIGTERM: wait this long for requests */
#define HUB_RETRY_AFTER_S    5

struct hub_serve_config {
	const char *listen;        /* "127.0.0.1:8470", "[::1]:0" */
	const char *tls_cert;      /* PEM files, both or neither */
	const char *tls_key;
	const char *port_file;     /* if set, the bound port is written here */
};

/*
 * Serve until SIGTERM or SIGINT, then finish requests in flight (up to
 * HUB_DRAIN_S) and return FB_OK.  Prints "listening on ADDR:PORT" to
 * stdout once bound, and one line per request to stderr.
 */
enum fb_code hub_serve(struct hub_store *store,
		       const struct hub_serve_config *cfg, struct fb_error *err);

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

/* Write e as one line on stderr, client bytes escaped. */
void hub_log(const struct hub_log_entry *e);

/* The PEM file at path, whole, malloc'd into *out (at most HUB_PEM_MAX). */
enum fb_code hub_read_pem(const char *path, char **out, struct fb_error *err)
	__attribute__((warn_unused_result));

/* "127.0.0.1:8470" or "[::1]:8470" into a socket address. */
struct sockaddr_storage;
enum fb_code hub_parse_listen(const char *s, struct sockaddr_storage *ss,
			      struct fb_error *err) __attribute__((warn_unused_result));

/*
 * Block SIGTERM and SIGINT in the calling thread (and so in every thread
 * it starts after): call before any thread exists; hub_serve waits for
 * them with sigwait.
 */
void hub_block_signals(void);

#endif
