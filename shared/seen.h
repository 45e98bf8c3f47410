/*
 * seen.h - the seen vector a delete carries (docs/DATA-MODEL.md, "The
 * seen vector"; the rule that reads it is docs/MERGE.md's).
 *
 * A change that sets `deleted` to 1 also writes the internal field
 * `_seen`: what its writer held of the record's other fields when it
 * deleted.  For each field that has a stamp there (every field but
 * `deleted` and `_seen`), "field@<16 hex hlc>:<device>", joined by
 * ',', in the type's field order:
 *
 *     full_name@0190d2a1c4000000:1f2e3d4c5b6a7988,role@...
 *
 * A receiver compares an edit's stamp with the one the winning delete
 * lists for that field: a greater stamp is an edit the deleter never
 * saw, so the two meet as a conflict, in whatever order they arrive.
 * A single greatest stamp would not do: an old offline edit can be
 * older than other edits the deleter did see.
 */
#ifndef FB_SEEN_H
#define FB_SEEN_H

#include <stddef.h>

#include "error.h"
#include "merge.h"
#include "model.h"

#define SEEN_ITEM_SEP  ','      /* between the fields of a vector */
#define SEEN_STAMP_SEP '@'      /* between a field's name and its stamp */

/*
 * The vector of what a record of type t holds: val[i] and stamp[i] are
 * its fields by index (val[i] NULL: never written here).  `deleted` and
 * the internal fields are left out.  *out is malloc'd, the caller's;
 * "" when nothing is held.  FB_ENOMEM, or FB_ETOOBIG past FB_SEEN_MAX
 * (a model whose fields no longer fit; test_model guards it).
 */
enum fb_code seen_format(const struct type_def *t, char *const val[],
			 const struct fb_stamp stamp[], char **out)
	FB_MUST_CHECK;

/*
 * Read the vector `text` of type t.  It must be canonical, as
 * seen_format() writes it: fields of t that are neither `deleted` nor
 * internal, each once, in the type's order, each with a valid non-zero
 * stamp in stamp_format()'s form, at most FB_SEEN_MAX bytes.  When stamp
 * is not NULL (nstamp at least model_nfields(t)), stamp[i] receives the
 * stamp listed for field i, the zero stamp for a field not listed.
 * FB_EINVAL or FB_ETOOBIG with err naming the field `_seen`.
 */
enum fb_code seen_parse(const struct type_def *t, const char *text,
			struct fb_stamp stamp[], size_t nstamp,
			struct fb_error *err)
	FB_MUST_CHECK;

/*
 * The vector `text` of type t again, each listed stamp passed through
 * fn first (a fork renames the stamps of the writes it moves to the
 * new device id; docs/PROTOCOL.md, "A laptop restored or copied").
 * *out is malloc'd, the caller's.  seen_parse()'s errors.
 */
typedef void (*seen_stamp_fn)(struct fb_stamp *s, void *ctx);
enum fb_code seen_rewrite(const struct type_def *t, const char *text,
			  seen_stamp_fn fn, void *ctx, char **out,
			  struct fb_error *err)
	FB_MUST_CHECK;

/* How many fields a canonical vector lists (`fieldbook log` says so). */
size_t seen_count(const char *text);

#endif
