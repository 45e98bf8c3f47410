/*
 * hlc.h - hybrid logical clock.
 *
 * An HLC is 64 bits: the upper 48 are milliseconds since the Unix epoch,
 * the lower 16 a counter that orders events within one millisecond (or
 * while the wall clock lags behind a time already seen).  It never goes
 * backwards, whatever the wall clock does, and it advances past every
 * timestamp it observes (a pulled entry, the hub's time), so a device
 * with a slow clock still orders its new edits after what it has seen.
 * Ties between devices are broken by device id (see merge.h).
 *
 * On the wire and in text an HLC is exactly 16 lower-case hex digits,
 * never a JSON number.  The clock's state is persisted by the store.
 */
#ifndef FB_HLC_H
#define FB_HLC_H

#include <stdint.h>
#include "error.h"

typedef uint64_t fb_hlc;

#define HLC_COUNTER_BITS 16
#define HLC_MS(h)        ((h) >> HLC_COUNTER_BITS)
#define HLC_COUNTER(h)   ((h) & 0xFFFFu)
#define HLC_MAKE(ms, c)  (((fb_hlc)(ms) << HLC_COUNTER_BITS) | ((c) & 0xFFFFu))
/* The largest millisecond value that still fits signed 64-bit storage. */
#define HLC_MS_MAX       ((UINT64_C(1) << 47) - 1)

/* Wall-clock milliseconds since the epoch (CLOCK_REALTIME). */
uint64_t hlc_wall_ms(void);

/*
 * Milliseconds since this machine booted, suspend included
 * (CLOCK_BOOTTIME): it runs on whatever the wall clock is set to, so
 * a time learnt from the hub can be carried forward within one boot
 * and compared with the wall clock later.  0 when unknown.
 */
uint64_t hlc_boot_ms(void);

#define HLC_BOOT_ID_MAX 64      /* hlc_boot_id's buffer, NUL included */

/*
 * This boot's id (Linux: /proc/sys/kernel/random/boot_id, 36 characters)
 * into out; "" when unknown.  Two readings in the same boot are equal.
 */
void hlc_boot_id(char out[HLC_BOOT_ID_MAX]);

/*
 * The next timestamp for a local event, given the last one issued or
 * observed and the wall clock: max(last + 1, wall_ms:0).
 */
fb_hlc hlc_tick(fb_hlc last, uint64_t wall_ms);

/*
 * Fold a timestamp seen from elsewhere into the clock: the result is
 * >= last and >= seen, so the next tick orders after both.
 */
fb_hlc hlc_observe(fb_hlc last, fb_hlc seen);

/* Write h as 16 hex digits plus NUL into out[17]. */
void hlc_format(fb_hlc h, char out[17]);

/* Parse exactly 16 hex digits (either case).  FB_EINVAL otherwise. */
enum fb_code hlc_parse(const char *s, fb_hlc *out)
	FB_MUST_CHECK;

#define HLC_HUMAN_MAX 32   /* hlc_human's buffer: 23 characters and NUL, with room */

/* "2026-11-27 15:04:05.123" in UTC, for humans, into out[HLC_HUMAN_MAX]. */
void hlc_human(fb_hlc h, char out[HLC_HUMAN_MAX]);

#endif
