/*
 * bundle_client.h - the laptop's side of bundles (docs/PROTOCOL.md §16):
 * what `fieldbook bundle export`, `bundle ack` and `bundle import` do.
 * The messages are those of HTTP sync; bundle.h has the file.
 */
#ifndef FB_BUNDLE_CLIENT_H
#define FB_BUNDLE_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "book.h"
#include "sync_local.h"

/* The header key saying what a bundle holds. */
#define BUNDLE_KIND_KEY "bundle"
#define BUNDLE_PUSH     "push"     /* a laptop's unsent changes */
#define BUNDLE_ACK      "ack"      /* the hub's acknowledgement of them */
#define BUNDLE_PULL     "pull"     /* what others changed, for one laptop or hub */
#define BUNDLE_RELAY    "relay"    /* a hub's relay to the hub above */
#define BUNDLE_RELAY_ACK "relay-ack" /* the upstream's heads after it */

/*
 * Write every change of this laptop the hub has not acknowledged into a
 * push bundle at path, with the token's SHA-256 (the hub finds the
 * token by it, as by the Authorization header) and this laptop's pull
 * cursor (where the hub's answer is to start).  *changes: how many.
 */
enum fb_code bundle_export_push(struct book *b, const char *path, size_t *changes,
				size_t *bytes, struct fb_error *err)
	FB_MUST_CHECK;

/* Take the hub's acknowledgement bundle at path: acked_seq moves up to
 * what it says, where this book's chain agrees.  *acked: the new one. */
enum fb_code bundle_take_ack(struct book *b, const char *path, uint64_t *acked,
			     size_t *rejected, struct fb_error *err)
	FB_MUST_CHECK;

/* Apply a pull bundle made for this laptop, page by page, each checked
 * as a pull's.  *changes: how many arrived. */
enum fb_code bundle_take_pull(struct sync_local *l, const char *path, int relay_all,
			      size_t *changes, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * A hub's relay into a bundle for the hub above (`fieldbook-hub bundle
 * export --upstream`): every other device's changes the upstream is
 * not known to hold, in commit order, as relay pushes; nothing is known
 * held until bundle_take_relay_ack() takes the upstream's answer.
 */
enum fb_code bundle_export_relay(struct sync_local *l, const char *path, size_t *changes,
				 size_t *devices, struct fb_error *err)
	FB_MUST_CHECK;
enum fb_code bundle_take_relay_ack(struct sync_local *l, const char *path, size_t *devices,
				   struct fb_error *err)
	FB_MUST_CHECK;

#endif
