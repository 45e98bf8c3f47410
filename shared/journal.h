/*
 * journal.h - one edit of one record as journal entries, and its hash.
 *
 * A change is what one command did to one record: n field entries that
 * share the device, the record, and one HLC, numbered with the device's
 * consecutive sequence numbers seq .. seq+n-1.  It is stored as one
 * journal row (see store.h) and sent as one unit on the wire; the merge
 * still works per entry.
 *
 * Hash chain: every entry extends its device's chain,
 *     h(k) = SHA-256(h(k-1) || encode(entry k)),   h(0) = 32 zero bytes,
 * where encode() is an unambiguous length-prefixed encoding of the
 * device, sequence, HLC, record id, type, branch, field, value and base
 * (docs/PROTOCOL.md spells it out).  A change stores only the hash after
 * its last entry; a receiver recomputes the chain from the entries.
 *
 * Body text: a JSON array of [field, value, base] with base "" or
 * "<16 hex hlc>:<device>" (stamp_format()).
 */
#ifndef FB_JOURNAL_H
#define FB_JOURNAL_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "limits.h"
#include "merge.h"
#include "model.h"

#define JOURNAL_HASH_LEN 32
#define STAMP_TEXT_MAX (FB_HLC_HEX_LEN + 1 + FB_DEVICE_ID_MAX + 1)

struct jentry {
	char *field;            /* owned */
	char *value;            /* owned */
	struct fb_stamp base;
};

struct jchange {
	char device[FB_DEVICE_ID_MAX + 1];
	uint64_t seq;           /* sequence of e[0] */
	fb_hlc hlc;
	char record_id[FB_RECORD_ID_MAX + 1];
	enum rec_type type;
	char branch[FB_BRANCH_CODE_MAX + 1];
	size_t n;
	struct jentry *e;       /* n entries, owned; room for cap */
	size_t cap;
	unsigned char hash[JOURNAL_HASH_LEN]; /* chain hash after e[n-1] */
};

/*
 * Zero c; release what it owns with jchange_release(), after which it
 * is empty and may be filled again.  Entries are allocated as they are
 * added: a push batch of thousands of changes, most of one to a few
 * fields, costs what it holds, not FB_EDIT_FIELDS_MAX entries each.
 */
void jchange_init(struct jchange *c);
void jchange_release(struct jchange *c);

/* Append an entry (copies field and value).  FB_ETOOBIG past the cap. */
enum fb_code jchange_add(struct jchange *c, const char *field,
			 const char *value, const struct fb_stamp *base);

/* Compute c->hash from the previous chain hash and c's entries. */
enum fb_code journal_hash(const unsigned char prev[JOURNAL_HASH_LEN],
			  struct jchange *c);

/* "<hlc hex>:<device>", or "" for a zero stamp, into out. */
void stamp_format(const struct fb_stamp *s, char out[STAMP_TEXT_MAX]);

/* Parse what stamp_format() writes.  FB_EINVAL otherwise. */
enum fb_code stamp_parse(const char *text, struct fb_stamp *out);

/* 1 if s is a valid device id: 1..FB_DEVICE_ID_MAX of [0-9a-z-]. */
int journal_valid_device(const char *s);

/* Body JSON of c's entries (malloc'd, caller frees). */
enum fb_code journal_body_format(const struct jchange *c, char **out);

/* Fill c's entries from body JSON.  FB_EINVAL on any malformation. */
enum fb_code journal_body_parse(const char *body, struct jchange *c,
				struct fb_error *err);

#endif
