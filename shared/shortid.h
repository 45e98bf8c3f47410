/*
 * shortid.h - short ids: the few hex digits of a record id that people
 * read off a list and type back, as git takes a short hash.
 *
 * A record id is a version 7 UUID (model.h): its first 12 hex digits
 * are the time it was made, in milliseconds, so records typed in the
 * same minute share their first 8.  The random digits are at its end.
 * A short id is therefore the id's *last* SHORTID_MIN hex digits, or
 * more where two ids in the book would share them (docs/COMMANDS.md,
 * "Naming a record").  What a user types is matched against both ends
 * of every id, dashes aside: the start of a full id copied from a log
 * works as well as a short id from `list`.
 *
 * A set is built once from a book's ids and then only read.  Nothing
 * here allocates after shortid_set_init(), prints or touches the book.
 */
#ifndef FB_SHORTID_H
#define FB_SHORTID_H

#include <stddef.h>
#include "error.h"

#define SHORTID_MIN     8       /* hex digits shown: 32 random bits */
#define SHORTID_TYPED   4       /* fewest hex digits taken as an id */
#define SHORTID_HEX     32      /* hex digits of a UUID */

/* The ids of a book, each without its dashes, sorted by their start and
 * (reversed) by their end. */
struct shortid_set {
	char (*head)[SHORTID_HEX + 1];  /* sorted */
	char (*tail)[SHORTID_HEX + 1];  /* each reversed, sorted */
	size_t n;
};

/*
 * Build the set from n UUIDs (model_valid_uuid; others are skipped).
 * FB_ENOMEM (no message) when memory runs out; s is then empty.
 * Release with shortid_set_release(), also after a failure.
 */
enum fb_code shortid_set_init(struct shortid_set *s, const char *const *ids,
			      size_t n) FB_MUST_CHECK;
void shortid_set_release(struct shortid_set *s);

/*
 * 1 if ref is typed as an id: SHORTID_TYPED to SHORTID_HEX hex digits
 * (either case), dashes allowed between them; its digits, lower case,
 * go into hex.  0 for anything else (a name).
 */
int shortid_parse(const char *ref, char hex[SHORTID_HEX + 1]);

/* 1 if the id (a UUID) starts or ends with the hex digits of hex. */
int shortid_match(const char *id, const char *hex);

/*
 * How many ids of the set start or end with hex (from shortid_parse);
 * an id that does both counts once.
 */
size_t shortid_count(const struct shortid_set *s, const char *hex);

/*
 * The short id of `id` (a UUID of the set) into out: its last
 * SHORTID_MIN hex digits, or as many more as make it match no other id
 * of the set at either end.  An id not in the set gets SHORTID_MIN.
 */
void shortid_of(const struct shortid_set *s, const char *id,
		char out[SHORTID_HEX + 1]);

#endif
