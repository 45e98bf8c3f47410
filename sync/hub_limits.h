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
#define HUB_READ_CHUNK      65536               /* bytes read from a file at once */

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
#define HUB_CONN_TIMEOUT_S   30     /* idle or slow connections are closed */
#define HUB_CONN_MAX         1024   /* open connections at once */
#define HUB_PUSH_WAITING_MAX 256    /* pushes queued for the writer: then 503 */

/* serve: requests and answers */
#define HUB_PULL_DEFAULT     500    /* changes per pull page without ?limit */
#define HUB_PULL_CHANGE_BYTES 256   /* a pulled change's keys, ids and hashes,
				       beside its entries' text, for the page cap */
#define HUB_NUMBER_MAX       (1ULL << 53) /* cursors: exact in any JSON reader */
#define HUB_RETRY_AFTER_S    5      /* Retry-After of a 503 */
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
