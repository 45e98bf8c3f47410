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

/*
 * Protocol versions.  This release speaks 2 (/v2/push, /v2/pull); a hub
 * still serves version 1 (/v1/...) to laptops of the release before, in
 * the format that release reads (docs/PROTOCOL.md §15).
 */
#define WIRE_VERSION       2
#define WIRE_VERSION_OLD   1
#define WIRE_PROTOCOL_HEADER "Fieldbook-Protocol" /* on every v2 request and answer */
#define WIRE_BATCH_MAX     10000    /* changes in one push or pull page */
#define WIRE_DEPTH_MAX     8        /* JSON nesting */
#define WIRE_BODY_MAX      ((size_t)16 << 20)  /* inflated body, bytes */
#define WIRE_ZBODY_MAX     ((size_t)4 << 20)   /* compressed body, bytes */
#define WIRE_EPOCH_LEN     16       /* hex digits of a hub history's id */
#define WIRE_PULL_DEFAULT  500      /* changes of a pull page without ?limit */

/* A push request, decoded. */
struct wire_batch {
	int version;
	char device[FB_DEVICE_ID_MAX + 1];
	char forked_from[FB_DEVICE_ID_MAX + 1]; /* v2: "" or the id this
						   device continues (a fork) */
	int relay;                      /* v2: 1 when the sender carries
					   another device's changes that the
					   hub lost (docs/PROTOCOL.md §6.10) */
	uint64_t seq;                   /* sequence of changes[0] */
	size_t n;
	struct jchange *changes;        /* n of them, owned */
	unsigned char last_hash[JOURNAL_HASH_LEN]; /* chain hash after the last */
	struct wire_pull_ask *pull;     /* v2: NULL, or the pull page asked for
					   in the same request (§6.2) */
};

/*
 * v2: a push may ask for the first page of the pull that follows it, so
 * that a sync with little to do is one request (docs/PROTOCOL.md §6.2,
 * "pull").  The same three things GET /v2/pull takes.
 */
struct wire_pull_ask {
	uint64_t after;
	char epoch[WIRE_EPOCH_LEN + 1]; /* "" or 16 hex digits */
	size_t limit;                   /* 1 .. WIRE_BATCH_MAX */
};

/*
 * A change's place in its writer's chain on a pull page.  A run is a
 * stretch of changes next to each other on the page, of one device,
 * with consecutive sequences.  Version 2 sends the hash before a run
 * (`p`) and after it (`x`, the last change's hash) and nothing between,
 * so that a receiver can recompute the run and check both ends.
 */
struct wire_link {
	unsigned char start, end;       /* first / last change of its run */
	unsigned char prev[JOURNAL_HASH_LEN]; /* with start: hash before */
};

/* A pull answer. */
struct wire_page {
	int version;
	fb_hlc hub_time;
	uint64_t next;                  /* cursor for the next pull */
	char epoch[WIRE_EPOCH_LEN + 1]; /* v2: the hub history `next` is in;
					   "" when next is 0 */
	int more;                       /* 1: call again with next */
	/* v2: the hub's last sequence of the asking device (0: none) and
	 * its chain hash there. */
	uint64_t held;
	unsigned char held_hash[JOURNAL_HASH_LEN];
	/* v2: the hub cut the asking cursor back to cut_to, for its history
	 * is no longer the one the cursor counted in (a restore): it may
	 * have lost what others sent, which the asker may hold. */
	int cut;
	uint64_t cut_to;
	size_t n, cap;
	struct jchange *changes;        /* device and seq set; the hash on
					   every change (v1) or at run ends
					   (v2) until wire_page_verify */
	struct wire_link *links;        /* n of them */
};

/* Encode a version-2 push of changes c[0..n) (consecutive, one device);
 * forked_from NULL or "" when the device is no fork. */
enum fb_code wire_push_encode(const struct jchange *c, size_t n,
			      const char *forked_from, struct fb_buf *out);
/* The same, asking for a pull page too (ask NULL: not). */
enum fb_code wire_push_encode_ask(const struct jchange *c, size_t n,
				  const char *forked_from,
				  const struct wire_pull_ask *ask, struct fb_buf *out);
/* The same for changes of another device, which the sender holds and
 * the hub lost ("relay": true). */
enum fb_code wire_relay_encode(const struct jchange *c, size_t n,
			       struct fb_buf *out);
/* Decode a push of version 1 or 2 (out->version says which). */
enum fb_code wire_push_decode(const char *json, size_t len,
			      struct wire_batch *out, struct fb_error *err);
void wire_batch_release(struct wire_batch *b);

/*
 * POST /v2/heads: how much of each named device's chain the hub holds
 * (docs/PROTOCOL.md §7.6).  The request names 1 to WIRE_HEADS_MAX
 * distinct devices; the answer gives, in the same order, the hub's last
 * sequence of each (0: none).
 */
#define WIRE_HEADS_MAX 1000
struct wire_heads {
	size_t n;
	char (*device)[FB_DEVICE_ID_MAX + 1];   /* n of them, owned */
	uint64_t *seq;                          /* n of them, owned */
};
enum fb_code wire_heads_alloc(struct wire_heads *h, size_t n);
/* Append device and seq to h, allocated for WIRE_HEADS_MAX (h->n its
 * count so far); FB_ETOOBIG when full.  Its form is book_head_fn's, so
 * that book_each_other_device() can fill a request with it. */
enum fb_code wire_heads_note(const char *device, uint64_t seq, void *h);
void wire_heads_release(struct wire_heads *h);
/* {"v":2,"devices":[...]} of h's devices. */
enum fb_code wire_heads_request_encode(const struct wire_heads *h, struct fb_buf *out);
/* Decode it into h (seq all 0); repeated or invalid ids are refused. */
enum fb_code wire_heads_request_decode(const char *json, size_t len,
				       struct wire_heads *h, struct fb_error *err);
/* {"v":2,"heads":[...],"hub_time":...}: h's sequences, in order. */
enum fb_code wire_heads_answer_encode(const struct wire_heads *h, fb_hlc hub_time,
				      struct fb_buf *out);
/* Read an answer into h's seq; it must give exactly h->n of them. */
enum fb_code wire_heads_answer_decode(const char *json, size_t len,
				      struct wire_heads *h, fb_hlc *hub_time,
				      struct fb_error *err);

/*
 * A page is built by the hub a change at a time: wire_page_add() gives
 * an empty change at the end (NULL when out of memory); fill its
 * device, seq, hash and content.  wire_page_link() then marks the runs;
 * the hub sets links[i].prev of each run start whose seq is over 1, and
 * wire_pull_encode() writes the page in p->version's format.
 */
struct jchange *wire_page_add(struct wire_page *p);
/*
 * 1 when version 1 leaves c's last entry out (a delete's _seen, which
 * the release before does not know): the hub then sets links[i].prev,
 * the hash before c, so that the change's hash can be sent as the chain
 * stands after the entries it keeps.
 */
int wire_v1_strips(const struct jchange *c);
void wire_page_link(struct wire_page *p);
enum fb_code wire_pull_encode(const struct wire_page *p, struct fb_buf *out);

/* Decode a pull answer of version 1 or 2 (out->version says which). */
enum fb_code wire_pull_decode(const char *json, size_t len,
			      struct wire_page *out, struct fb_error *err);

/*
 * The hash of the receiver's own copy of `device`'s chain after entry
 * `seq`: 1 with hash filled when it holds a change ending there, else 0.
 */
typedef int (*wire_held_fn)(void *ctx, const char *device, uint64_t seq,
			    unsigned char hash[JOURNAL_HASH_LEN]);

/*
 * Check a version-2 page before anything of it is applied: each run
 * must start from the hash the receiver holds before it (when it holds
 * one, asked through held), recompute to the `x` sent at its end, and
 * each device's runs must come in sequence order.  On success every
 * change's hash is its chain hash.  FB_ECORRUPT names the device and
 * sequence where the page and the chain part.
 */
enum fb_code wire_page_verify(struct wire_page *p, wire_held_fn held, void *ctx,
			      struct fb_error *err);
void wire_page_release(struct wire_page *p);

/* Hex of a hash (64 characters + NUL) and back. */
void wire_hex(const unsigned char *h, size_t n, char *out);
enum fb_code wire_unhex(const char *s, unsigned char *out, size_t n);

/* {"error": code, "message": msg, "hub_time": ...} into out. */
enum fb_code wire_error(struct fb_buf *out, const char *code, const char *msg,
			fb_hlc hub_time);

#endif
