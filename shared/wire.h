/*
 * wire.h - the JSON messages of /v1/push and /v1/pull (docs/PROTOCOL.md).
 *
 * Encoders write a message into an fb_buf; decoders check everything a
 * hostile peer could send (types, sizes, nesting, duplicate keys, ids,
 * HLCs as 16-hex strings, sequence arithmetic) before anything reaches
 * the store, and fill journal changes (journal.h) that own their text.
 *
 * What a change does not repeat on the wire: the device and the first
 * sequence are said once per push batch (each change's sequence follows
 * from the one before), the branch once unless a change differs, and a
 * base stamp written by the change's own device is its HLC alone.
 */
#ifndef FB_WIRE_H
#define FB_WIRE_H

#include <stddef.h>
#include "buf.h"
#include "journal.h"

#define WIRE_VERSION       1
#define WIRE_BATCH_MAX     10000    /* changes in one push or pull page */
#define WIRE_DEPTH_MAX     8        /* JSON nesting */
#define WIRE_BODY_MAX      ((size_t)16 << 20)  /* inflated body, bytes */
#define WIRE_ZBODY_MAX     ((size_t)4 << 20)   /* compressed body, bytes */

/* A push request, decoded. */
struct wire_batch {
	char device[FB_DEVICE_ID_MAX + 1];
	uint64_t seq;                   /* sequence of changes[0] */
	size_t n;
	struct jchange *changes;        /* n of them, owned */
	unsigned char last_hash[JOURNAL_HASH_LEN]; /* chain hash after the last */
};

/* A pull answer, decoded. */
struct wire_page {
	fb_hlc hub_time;
	uint64_t next;                  /* cursor for the next pull */
	int more;                       /* 1: call again with next */
	size_t n;
	struct jchange *changes;        /* with device, seq and hash set */
};

/* Encode a push of changes c[0..n) (consecutive, one device). */
enum fb_code wire_push_encode(const struct jchange *c, size_t n,
			      struct fb_buf *out);
enum fb_code wire_push_decode(const char *json, size_t len,
			      struct wire_batch *out, struct fb_error *err);
void wire_batch_release(struct wire_batch *b);

/*
 * Pull answers are written a change at a time by the hub:
 * wire_pull_begin(), wire_pull_add() for each, wire_pull_end().
 */
enum fb_code wire_pull_begin(struct fb_buf *out);
enum fb_code wire_pull_add(struct fb_buf *out, const struct jchange *c,
			   int first);
enum fb_code wire_pull_end(struct fb_buf *out, uint64_t next, int more,
			   fb_hlc hub_time);
enum fb_code wire_pull_decode(const char *json, size_t len,
			      struct wire_page *out, struct fb_error *err);
void wire_page_release(struct wire_page *p);

/* Hex of a hash (64 characters + NUL) and back. */
void wire_hex(const unsigned char *h, size_t n, char *out);
enum fb_code wire_unhex(const char *s, unsigned char *out, size_t n);

/* {"error": code, "message": msg, "hub_time": ...} into out. */
enum fb_code wire_error(struct fb_buf *out, const char *code, const char *msg,
			fb_hlc hub_time);

#endif
