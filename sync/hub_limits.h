/*
 * hub_limits.h - the limits of fieldbook-hub's commands and server,
 * named in one place (shared/limits.h holds those of both programs).
 */
#ifndef FB_HUB_LIMITS_H
#define FB_HUB_LIMITS_H

#define HUB_UNITS_FILE_MAX  ((size_t)64 << 20)  /* unit import: the CSV file */
#define HUB_READ_CHUNK      65536               /* bytes read from a file at once */

#endif
