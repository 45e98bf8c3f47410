/*
 * hub_limits.h - the limits and defaults of fieldbook-hub's commands and
 * server, named in one place (shared/limits.h holds those of both
 * programs, shared/wire.h those of the protocol).
 */
#ifndef FB_HUB_LIMITS_H
#define FB_HUB_LIMITS_H

#include "limits.h"

/* unit import */
#define HUB_UNITS_FILE_MAX  ((size_t)64 << 20)  /* unit import: the CSV file */
#define HUB_UNITS_FIELDS    4                   /* code,parent,level,name */
#define HUB_UNITS_ROWS_MAX  1000000             /* unit import: rows (a country's
						   communes and branches fit) */
#define HUB_READ_CHUNK      65536               /* bytes read from a file at once */
#define HUB_UNIT_DEPTH_MAX  16                  /* unit list: indentation levels shown */

/* devices: a pull (a read) notes its time at most this often per device */
#define HUB_PULL_NOTE_S     60

/* serve: start-up */
#define HUB_LISTEN_DEFAULT  "127.0.0.1:8470"    /* serve without --listen */
#define HUB_HOST_MAX        64                  /* the address part of --listen */
#define HUB_PEM_MAX         ((size_t)1 << 20)   /* --tls-cert, --tls-key files */

/* serve: threads, memory, connections */
#define HUB_THREADS          8      /* request threads in the pool */
#define HUB_STORE_CONNS      (HUB_THREADS + 2) /* pooled store connections: one a
					       * request thread, and a margin */
#define HUB_HEAP_KEEP        ((size_t)32 << 20) /* freed heap kept per arena */
#define HUB_SQLITE_HEAP      ((long long)64 << 20) /* SQLite's caches, all connections */
#define HUB_CONN_TIMEOUT_S   30     /* a connection silent this long is closed */
#define HUB_CONN_MAX         4096   /* open connections at once; past it new
				       ones wait in the kernel's backlog */
#define HUB_CONN_PER_IP      2048   /* of them from one address: half, so one
				       address (a carrier NAT, or an attacker)
				       never holds the whole hub */
#define HUB_FD_SPARE         64     /* open files beside the connections
				       (SQLite, log, the listening socket) */
#define HUB_CONN_MEMORY_KIB  32     /* libmicrohttpd's memory a connection:
				       bounds the head (431/414) */
#define HUB_CONN_MEMORY      ((size_t)HUB_CONN_MEMORY_KIB << 10)
#define HUB_PUSH_WAITING_MAX 256    /* pushes queued for the writer: then 503 */

/*
 * serve: deadlines (hub_guard.c).  A connection's head (from its accept,
 * or from the end of the request before on a kept-alive connection) must
 * be whole within HUB_HEAD_S; a body, and the answer, must move at
 * HUB_MIN_RATE bytes a second on average after HUB_RATE_GRACE_S.  Past
 * either the connection is closed, whatever a slow client still trickles.
 */
#define HUB_HEAD_S           10     /* the request line and headers, whole */
#define HUB_RATE_GRACE_S     10     /* before the rate below is asked for */
#define HUB_MIN_RATE         1024   /* bytes a second, body and answer */
#define HUB_WATCH_MS         250    /* how often deadlines are looked at */

/* serve: memory before work.  Bodies are read only once the token is
 * known; all of them together (reserved from Content-Length, or grown
 * in steps when chunked) may hold this much, then 503 busy. */
#define HUB_BODIES_MAX       ((size_t)64 << 20)
#define HUB_BODY_STEP        ((size_t)256 << 10) /* a chunked body's reservation step */

/* serve: requests a token may make: a bucket of HUB_TOKEN_BURST refilled
 * at HUB_TOKEN_RATE a second; empty, 429 with Retry-After.  A sync of
 * 100,000 changes is about 60 requests. */
#define HUB_TOKEN_BURST      300
#define HUB_TOKEN_RATE       5
/* A hub's token (enroll --hub) relays the changes of every laptop of its
 * unit, a run of each at a time: ten laptops' worth. */
#define HUB_RELAY_BURST      3000
#define HUB_RELAY_RATE       50
#define HUB_TOKEN_SLOTS      4096   /* tokens followed at once (the least
				       recently seen one is forgotten) */
#define HUB_TOKEN_INFLIGHT   4      /* a token's requests under way at once
				       (head judged, answer not yet sent): a
				       laptop sends one at a time; past it 429 */

/* serve: what a request head may hold */
#define HUB_QUERY_ARGS_MAX   16     /* query parameters; more: 414 */
#define HUB_URI_MAX          2048   /* request target; longer: 414 */
#define HUB_TARGET_PATH_MAX  256    /* its path as sent, kept for the log */

/* serve: TLS (GnuTLS priority string): TLS 1.3 and 1.2 only, forward-
 * secret key exchange, AEAD ciphers, the server's order. */
#define HUB_TLS_PRIORITIES_DEFAULT \
	"SECURE128:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:-CIPHER-ALL:+AES-256-GCM:" \
	"+CHACHA20-POLY1305:+AES-128-GCM:-MAC-ALL:+AEAD:-KX-ALL:+ECDHE-ECDSA:" \
	"+ECDHE-RSA:%SERVER_PRECEDENCE"
#define HUB_TLS_PRIORITIES_MAX 1024 /* --tls-priorities */
#define HUB_HSTS             "max-age=31536000" /* Strict-Transport-Security */

/* serve: requests and answers */
#define HUB_PULL_DEFAULT     WIRE_PULL_DEFAULT  /* changes per pull page without ?limit */
#define HUB_DEFLATE_MIN      256    /* bytes: a smaller answer goes as it is */
#define HUB_PULL_CHANGE_BYTES 256   /* a pulled change's keys, ids and hashes,
				       beside its entries' text, for the page cap */
#define HUB_NUMBER_MAX       (1ULL << 53) /* cursors: exact in any JSON reader */
#define HUB_RETRY_AFTER_S    5      /* Retry-After of a 503 */
#define HUB_RETRY_AFTER_MAX  60     /* the longest Retry-After of a 429 */
#define HUB_NUM_TEXT_MAX     24     /* a number as text, with its NUL */
#define HUB_ZBODY_MIB        4      /* WIRE_ZBODY_MAX in MiB, for messages */

/* serve: stopping */
#define HUB_DRAIN_S          30     /* SIGTERM: wait this long for requests */
#define HUB_DRAIN_POLL_MS    100    /* how often the drain looks again */

/* the request log */
#define HUB_LOG_PATH_MAX    256     /* a request's path in the log, escaped */
#define HUB_LOG_METHOD_MAX  32      /* its method, escaped */
#define HUB_LOG_REASON_MAX  (FB_ERRMSG_MAX * 4) /* a refusal's reason, escaped */
#define HUB_LOG_TIME_MAX    32      /* "2026-03-08T07:15:00Z" and its NUL */

#define HUB_MS_PER_MIN 60000u      /* the clock_ahead message counts minutes */

#endif
