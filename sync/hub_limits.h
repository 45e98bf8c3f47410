/*
 * hub_limits.h - the limits of fieldbook-hub's commands and server,
 * named in one place (shared/limits.h holds those of both programs).
 */
#ifndef FB_HUB_LIMITS_H
#define FB_HUB_LIMITS_H

#define HUB_UNITS_FILE_MAX  ((size_t)64 << 20)  /* unit import: the CSV file */
#define HUB_READ_CHUNK      65536               /* bytes read from a file at once */
#define HUB_PEM_MAX         ((size_t)1 << 20)   /* --tls-cert, --tls-key files */
#define HUB_NUMBER_MAX      (1ULL << 53)        /* cursors: exact in any JSON reader */
#define HUB_LOG_PATH_MAX    256                 /* a request's path in the log, escaped */

/* A number as text, for messages: FB_STR(WIRE_BATCH_MAX) is "10000". */
#define FB_STR_(x) #x
#define FB_STR(x)  FB_STR_(x)

#endif
