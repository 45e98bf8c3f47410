/*
 * model.h - the record types of docs/DATA-MODEL.md, their fields and validation.
 *
 * Every field value is text.  Dates are YYYY-MM-DD, integers are decimal
 * without sign or leading zeros, topics are comma-separated codes, and
 * the `deleted` field of every type is "0" or "1".  An empty value means
 * the field is not set; required fields cannot be empty.  model_check()
 * turns what a user typed into this canonical text or says why not.
 *
 * Every type also has the internal field `_seen`: the seen vector a
 * delete writes (seen.h).  The merge keeps it like any field, but no
 * user names it: model_user_field() does not find it, and nothing shows,
 * lists, exports or imports it (docs/DATA-MODEL.md).
 */
#ifndef FB_MODEL_H
#define FB_MODEL_H

#include <stddef.h>
#include "error.h"

enum rec_type {
	REC_MEMBER,
	REC_TRAINING,
	REC_ATTENDANCE,
	REC_VISIT,
	REC_NTYPES
};

enum field_kind {
	FK_TEXT,        /* one line of text */
	FK_NOTES,       /* text that may hold line breaks */
	FK_PHONE,       /* a phone number: text as FK_TEXT, but typed input
			 * gets back a leading zero (model_check_typed) */
	FK_DATE,        /* YYYY-MM-DD, a real calendar date */
	FK_YEAR,        /* FB_YEAR_MIN..FB_YEAR_MAX */
	FK_AMOUNT,      /* integer 0..FB_AMOUNT_MAX */
	FK_ENUM,        /* one code of a vocabulary */
	FK_TOPICS,      /* one or more codes of the topic vocabulary */
	FK_REF,         /* id of a record of another type */
	FK_BOOL,        /* "0" or "1" (deleted) */
	FK_SEEN,        /* a delete's seen vector (`_seen`, seen.h) */
};

struct field_def {
	const char *name;
	enum field_kind kind;
	int required;
	size_t max;                 /* bytes, for text kinds */
	const char *const *vocab;   /* for FK_ENUM and FK_TOPICS, NULL-ended */
	enum rec_type ref;          /* FK_REF: the type referred to;
				     * FK_SEEN: the type whose fields it lists */
	int immutable;              /* set at creation only (attendance keys) */
	int internal;               /* merged like any field, never named by
				     * users nor shown (`_seen`) */
};

struct type_def {
	enum rec_type type;
	const char *name;           /* "member" */
	const char *plural;         /* "members" */
	const struct field_def *fields; /* ends with { NULL } */
};

/*
 * The vocabularies, each ending with NULL.  The counts are part of the
 * declarations, so a code added to a list without its count (and so
 * without every array sized by it, report.h) does not compile.
 */
#define MODEL_NROLES    7
#define MODEL_NTOPICS   14
#define MODEL_NLEVELS   5
#define MODEL_NREASONS  7
#define MODEL_NSUPPORTS 4
extern const char *const model_roles[MODEL_NROLES + 1];
extern const char *const model_topics[MODEL_NTOPICS + 1];
extern const char *const model_levels[MODEL_NLEVELS + 1];
extern const char *const model_reasons[MODEL_NREASONS + 1];
extern const char *const model_supports[MODEL_NSUPPORTS + 1];

#define FIELD_DELETED "deleted"
#define FIELD_SEEN    "_seen"
/* The characters a seen vector is written in (seen.h): field names,
 * '@', stamps of hex HLCs and device ids, ','. */
#define SEEN_CHARS "abcdefghijklmnopqrstuvwxyz0123456789_-@:,"

/* The definition of a type, by enum or by name ("member" or "members"). */
const struct type_def *model_type(enum rec_type t);
const struct type_def *model_type_named(const char *name);

/* A field of a type, internal ones included, or NULL. */
const struct field_def *model_field(const struct type_def *t, const char *name);

/*
 * A field users may name (edit, add, import, export): a field of the
 * type that is not internal, or NULL.
 */
const struct field_def *model_user_field(const struct type_def *t,
					 const char *name);

/* Index of a field in t->fields, or -1. */
int model_field_index(const struct type_def *t, const char *name);

/* Number of fields of a type (including `deleted` and `_seen`). */
size_t model_nfields(const struct type_def *t);

/* 1 if code is in the NULL-ended vocabulary. */
int model_in_vocab(const char *const *vocab, const char *code);

/*
 * Check and canonicalise one value typed for field f: UTF-8 and NFC,
 * trimming, limits, dates, numbers, vocabularies.  References are only
 * checked for form here (the store checks they exist).  A seen vector
 * is only checked for its size and bytes here: it is written by the
 * program, never typed, and a received one is read whole where its
 * change is applied (seen_parse()).  On success
 * *out is a malloc'd canonical string ("" for an unset optional field).
 * On failure FB_EINVAL / FB_ETOOBIG with err naming the field.
 */
enum fb_code model_check(const struct field_def *f, const char *value,
			 char **out, struct fb_error *err)
	FB_MUST_CHECK;

/*
 * model_check() for a value a person or a spreadsheet typed now: an
 * FK_PHONE value that lost its leading zero (value_phone_zero, value.h)
 * gets it back, and *fixed (may be NULL) is set to 1; otherwise 0.
 * Not for entries of other devices, whose values are what they are:
 * a phone written "912345678" before stays valid as it is.
 */
enum fb_code model_check_typed(const struct field_def *f, const char *value,
			       char **out, int *fixed, struct fb_error *err)
	FB_MUST_CHECK;

/* 1 if s is a valid YYYY-MM-DD calendar date. */
int model_valid_date(const char *s);

/* 1 if s is a lower-case UUID, 8-4-4-4-12 hex. */
int model_valid_uuid(const char *s);

/*
 * A new lower-case UUID into out[37]: version 7 (RFC 9562), the wall
 * clock's milliseconds, a counter, 62 random bits.  Ids one thread makes
 * sort in the order it made them (docs/DECISIONS.md says why).
 */
enum fb_code model_new_uuid(char out[FB_ID_LEN + 1])
	FB_MUST_CHECK;

/* Attendance id "training_id:member_id" into out[FB_ATT_ID_LEN + 1]. */
void model_attendance_id(const char *training_id, const char *member_id,
			 char out[FB_ATT_ID_LEN + 1]);

/* 1 if s is a valid record id for type t. */
int model_valid_id(enum rec_type t, const char *s);

/* 1 if s is a valid organisation unit code: letters, digits, '.', '-', '_'. */
int model_valid_unit_code(const char *s);

/*
 * The unit tree's rule (docs/OPERATIONS.md, "Units"): a province sits
 * under the centre, a district under a province, a commune under a
 * district or directly under a province (the 2025 reform removed the
 * districts of many provinces), a branch under a commune.  1 when a
 * unit of level `child` may sit directly under one of level `parent`.
 * Levels are model_levels codes; anything else is 0.
 */
int model_level_holds(const char *parent, const char *child);

/* 1 when a hub's own unit (its top, init) may be of this level: any
 * but branch (a branch's book is its laptop). */
int model_level_may_top(const char *level);

#endif
