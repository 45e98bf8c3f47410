/* model.c - record types, vocabularies and value validation. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/rand.h>

#include "i18n.h"
#include "limits.h"
#include "buf.h"
#include "model.h"
#include "text.h"
#include "value.h"
#include "vocab.h"

/*
 * Each vocabulary is written once, as a list; the definitions below and
 * the checks that their counts (model.h) agree are made from it, so a
 * code added without its count fails the build.
 */
#define ROLES "member", "branch_head", "branch_deputy", "commune_president", \
	"commune_vice", "commune_president_planned", "official"
#define TOPICS "association_work", "gender_equality", "population_family_planning", \
	"parenting", "food_safety", "domestic_violence", "child_injury", \
	"digital_transformation", "political_theory", "leadership", \
	"trusted_address", "stem", "legal_consulting", "other"
#define LEVELS "central", "province", "district", "commune", "branch"
#define REASONS "illness", "hardship", "tet", "health_check", "childbirth", \
	"bereavement", "other"
#define SUPPORTS "cash", "gift", "health_check", "other"
#define NCODES(...) (sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *))

_Static_assert(NCODES(ROLES) == MODEL_NROLES, "model_roles and MODEL_NROLES differ");
_Static_assert(NCODES(TOPICS) == MODEL_NTOPICS, "model_topics and MODEL_NTOPICS differ");
_Static_assert(NCODES(LEVELS) == MODEL_NLEVELS, "model_levels and MODEL_NLEVELS differ");
_Static_assert(NCODES(REASONS) == MODEL_NREASONS, "model_reasons and MODEL_NREASONS differ");
_Static_assert(NCODES(SUPPORTS) == MODEL_NSUPPORTS, "model_supports and MODEL_NSUPPORTS differ");

const char *const model_roles[] = { ROLES, NULL };
const char *const model_topics[] = { TOPICS, NULL };
const char *const model_levels[] = { LEVELS, NULL };
const char *const model_reasons[] = { REASONS, NULL };
const char *const model_supports[] = { SUPPORTS, NULL };

#define DELETED_DEF { FIELD_DELETED, FK_BOOL, 0, 1, NULL, 0, 0, 0 }
/* Every type's internal seen vector, listing that type's fields. */
#define SEEN_DEF(type) { FIELD_SEEN, FK_SEEN, 0, FB_SEEN_MAX, NULL, type, 0, 1 }

static const struct field_def member_fields[] = {
	{ "full_name",  FK_TEXT,  1, FB_NAME_MAX,  NULL, 0, 0, 0 },
	{ "role",       FK_ENUM,  0, 0, model_roles, 0, 0, 0 },
	{ "birth_year", FK_YEAR,  0, 0, NULL, 0, 0, 0 },
	{ "phone",      FK_PHONE, 0, FB_SHORT_MAX, NULL, 0, 0, 0 },
	{ "joined",     FK_DATE,  0, 0, NULL, 0, 0, 0 },
	{ "notes",      FK_NOTES, 0, FB_NOTES_MAX, NULL, 0, 0, 0 },
	DELETED_DEF,
	SEEN_DEF(REC_MEMBER),
	{ NULL, 0, 0, 0, NULL, 0, 0, 0 }
};

static const struct field_def training_fields[] = {
	{ "title",           FK_TEXT,   1, FB_NAME_MAX, NULL, 0, 0, 0 },
	{ "start_date",      FK_DATE,   1, 0, NULL, 0, 0, 0 },
	{ "end_date",        FK_DATE,   0, 0, NULL, 0, 0, 0 },
	{ "topics",          FK_TOPICS, 1, 0, model_topics, 0, 0, 0 },
	{ "location",        FK_TEXT,   0, FB_SHORT_MAX, NULL, 0, 0, 0 },
	{ "organizer_level", FK_ENUM,   0, 0, model_levels, 0, 0, 0 },
	{ "trainer",         FK_TEXT,   0, FB_NAME_MAX, NULL, 0, 0, 0 },
	{ "notes",           FK_NOTES,  0, FB_NOTES_MAX, NULL, 0, 0, 0 },
	DELETED_DEF,
	SEEN_DEF(REC_TRAINING),
	{ NULL, 0, 0, 0, NULL, 0, 0, 0 }
};

static const struct field_def attendance_fields[] = {
	{ "training_id", FK_REF, 1, 0, NULL, REC_TRAINING, 1, 0 },
	{ "member_id",   FK_REF, 1, 0, NULL, REC_MEMBER, 1, 0 },
	DELETED_DEF,
	SEEN_DEF(REC_ATTENDANCE),
	{ NULL, 0, 0, 0, NULL, 0, 0, 0 }
};

static const struct field_def visit_fields[] = {
	{ "visit_date",  FK_DATE,   1, 0, NULL, 0, 0, 0 },
	{ "reason",      FK_ENUM,   1, 0, model_reasons, 0, 0, 0 },
	{ "member_id",   FK_REF,    0, 0, NULL, REC_MEMBER, 0, 0 },
	{ "person_name", FK_TEXT,   0, FB_NAME_MAX, NULL, 0, 0, 0 },
	{ "support",     FK_ENUM,   0, 0, model_supports, 0, 0, 0 },
	{ "amount_vnd",  FK_AMOUNT, 0, 0, NULL, 0, 0, 0 },
	{ "gift",        FK_TEXT,   0, FB_SHORT_MAX, NULL, 0, 0, 0 },
	{ "visitors",    FK_TEXT,   0, FB_SHORT_MAX, NULL, 0, 0, 0 },
	{ "notes",       FK_NOTES,  0, FB_NOTES_MAX, NULL, 0, 0, 0 },
	DELETED_DEF,
	SEEN_DEF(REC_VISIT),
	{ NULL, 0, 0, 0, NULL, 0, 0, 0 }
};

static const struct type_def types[REC_NTYPES] = {
	{ REC_MEMBER,     "member",     "members",     member_fields },
	{ REC_TRAINING,   "training",   "trainings",   training_fields },
	{ REC_ATTENDANCE, "attendance", "attendances", attendance_fields },
	{ REC_VISIT,      "visit",      "visits",      visit_fields },
};

const struct type_def *model_type(enum rec_type t)
{
	return (unsigned)t < REC_NTYPES ? &types[t] : NULL;
}

const struct type_def *model_type_named(const char *name)
{
	int i;

	for (i = 0; i < REC_NTYPES; i++)
		if (!strcmp(name, types[i].name) || !strcmp(name, types[i].plural))
			return &types[i];
	return NULL;
}

int model_field_index(const struct type_def *t, const char *name)
{
	int i;

	for (i = 0; t->fields[i].name; i++)
		if (!strcmp(t->fields[i].name, name))
			return i;
	return -1;
}

const struct field_def *model_field(const struct type_def *t, const char *name)
{
	int i = model_field_index(t, name);

	return i < 0 ? NULL : &t->fields[i];
}

const struct field_def *model_user_field(const struct type_def *t,
					 const char *name)
{
	const struct field_def *f = model_field(t, name);

	return f && !f->internal ? f : NULL;
}

size_t model_nfields(const struct type_def *t)
{
	size_t n = 0;

	while (t->fields[n].name)
		n++;
	return n;
}

int model_in_vocab(const char *const *vocab, const char *code)
{
	for (; *vocab; vocab++)
		if (!strcmp(*vocab, code))
			return 1;
	return 0;
}

static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int model_valid_date(const char *s)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, i;

	for (i = 0; i < 10; i++) {
		if (i == 4 || i == 7) {
			if (s[i] != '-')
				return 0;
		} else if (!isdigit((unsigned char)s[i])) {
			return 0;
		}
	}
	if (s[10] != '\0')
		return 0;
	y = atoi(s);
	m = atoi(s + 5);
	d = atoi(s + 8);
	if (y < FB_YEAR_MIN || y > FB_YEAR_MAX || m < 1 || m > 12 || d < 1)
		return 0;
	return d <= mdays[m - 1] + (m == 2 && leap(y));
}

int model_valid_uuid(const char *s)
{
	int i;

	for (i = 0; i < FB_ID_LEN; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!((s[i] >= '0' && s[i] <= '9') ||
			     (s[i] >= 'a' && s[i] <= 'f'))) {
			return 0;
		}
	}
	return s[FB_ID_LEN] == '\0';
}

/*
 * Version 7: 48 bits of Unix time in ms, the version, 12 bits of counter
 * (rand_a, RFC 9562 method 1), the variant, 62 random bits.  Within a
 * thread the (time, counter) pair only grows: a clock that steps back
 * or a burst of more than 4,096 ids in one ms borrows from the next ms.
 */
enum fb_code model_new_uuid(char out[FB_ID_LEN + 1])
{
	static _Thread_local uint64_t last_ms;
	static _Thread_local unsigned counter;
	unsigned char b[16];
	struct timespec ts;
	uint64_t ms;
	int i;

	if (RAND_bytes(b, sizeof(b)) != 1)
		return FB_EINTERNAL;
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	if (ms > last_ms) {
		last_ms = ms;
		counter = 0;
	} else if (++counter > 0xFFF) {
		last_ms++;
		counter = 0;
	}
	for (i = 5; i >= 0; i--)
		b[5 - i] = (unsigned char)(last_ms >> (8 * i));
	b[6] = (unsigned char)(0x70 | (counter >> 8));      /* version 7 */
	b[7] = (unsigned char)(counter & 0xFF);
	b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);      /* RFC 4122 variant */
	snprintf(out, FB_ID_LEN + 1,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9],
		 b[10], b[11], b[12], b[13], b[14], b[15]);
	return FB_OK;
}

void model_attendance_id(const char *training_id, const char *member_id,
			 char out[FB_ATT_ID_LEN + 1])
{
	snprintf(out, FB_ATT_ID_LEN + 1, "%s:%s", training_id, member_id);
}

int model_valid_id(enum rec_type t, const char *s)
{
	char a[FB_ID_LEN + 1];

	if (t != REC_ATTENDANCE)
		return model_valid_uuid(s);
	if (strlen(s) != FB_ATT_ID_LEN || s[FB_ID_LEN] != ':')
		return 0;
	memcpy(a, s, FB_ID_LEN);
	a[FB_ID_LEN] = '\0';
	return model_valid_uuid(a) && model_valid_uuid(s + FB_ID_LEN + 1);
}

int model_valid_unit_code(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > FB_BRANCH_CODE_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && !strchr(".-_", s[i]))
			return 0;
	return 1;
}

int model_level_holds(const char *parent, const char *child)
{
	static const struct {
		const char *parent, *child;
	} rule[] = {
		{ "central", "province" },
		{ "province", "district" },
		{ "province", "commune" },
		{ "district", "commune" },
		{ "commune", "branch" },
	};
	size_t i;

	if (!parent || !child)
		return 0;
	for (i = 0; i < sizeof(rule) / sizeof(rule[0]); i++)
		if (!strcmp(rule[i].parent, parent) && !strcmp(rule[i].child, child))
			return 1;
	return 0;
}

int model_level_may_top(const char *level)
{
	return level && model_in_vocab(model_levels, level) && strcmp(level, "branch") != 0;
}

/* Parse a decimal integer with no sign; -1 if not one or over max. */
static long long parse_uint(const char *s, long long max)
{
	long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		if (v > (max - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/*
 * The code a typed vocabulary value names (vocab.h: the code, its label
 * or another of its names, without regard to case or accents), or
 * FB_EINVAL / FB_ENOMEM.
 */
static enum fb_code typed_code(const struct field_def *f, const char *v,
			       const char **code, struct fb_error *err)
{
	enum fb_code rc = vocab_match(f->vocab, v, code);

	if (rc == FB_ENOMEM)
		return fb_fail(err, rc, _("%s: out of memory"), f->name);
	return rc;
}

/*
 * Canonical topics: known codes, no repeats, in the order given.  A
 * spreadsheet cell may separate them with ';' as well as ','.
 */
static enum fb_code check_topics(const struct field_def *f, char *v,
				 char **out, struct fb_error *err)
{
	struct fb_buf b = FB_BUF_INIT(4096);
	const char *seen[FB_TOPICS_MAX], *code;
	size_t nseen = 0, i;
	char *save = NULL, *tok;
	enum fb_code rc = FB_OK;

	for (tok = strtok_r(v, ",;", &save); tok; tok = strtok_r(NULL, ",;", &save)) {
		while (*tok == ' ')
			tok++;
		for (i = strlen(tok); i > 0 && tok[i - 1] == ' '; i--)
			tok[i - 1] = '\0';
		if (!*tok)
			continue;
		if ((rc = typed_code(f, tok, &code, err)) == FB_ENOENT) {
			rc = fb_fail(err, FB_EINVAL,
				     _("%s: unknown topic '%s' (see 'fieldbook training --help')"),
				     f->name, tok);
			goto out;
		}
		if (rc != FB_OK)
			goto out;
		for (i = 0; i < nseen; i++)
			if (!strcmp(seen[i], code))
				break;
		if (i < nseen)
			continue;
		if (nseen == FB_TOPICS_MAX) {
			rc = fb_fail(err, FB_ETOOBIG, _("%s: too many topics"), f->name);
			goto out;
		}
		seen[nseen++] = code;
		if ((rc = buf_printf(&b, "%s%s", b.len ? "," : "", code)) != FB_OK)
			goto out;
	}
	if (nseen == 0) {
		rc = fb_fail(err, FB_EINVAL, _("%s: at least one topic is required"),
			     f->name);
		goto out;
	}
	*out = buf_detach(&b, NULL);
out:
	buf_release(&b);
	return rc;
}

/* *v becomes a copy of s (the canonical form of what it held). */
static enum fb_code replace(const struct field_def *f, char **v, const char *s,
			    struct fb_error *err)
{
	char *c;

	if (!strcmp(*v, s))
		return FB_OK;
	if (!(c = strdup(s)))
		return fb_fail(err, FB_ENOMEM, _("%s: out of memory"), f->name);
	free(*v);
	*v = c;
	return FB_OK;
}

enum fb_code model_check(const struct field_def *f, const char *value,
			 char **out, struct fb_error *err)
{
	char *v = NULL;
	enum fb_code rc;
	long long n;

	*out = NULL;
	rc = text_clean(value, strlen(value),
			f->kind == FK_NOTES ? TEXT_MULTILINE : 0, f->name, &v, err);
	if (rc != FB_OK)
		return rc;
	if (!*v) {
		if (f->required) {
			rc = fb_fail(err, FB_EINVAL, _("%s: must not be empty"), f->name);
			goto fail;
		}
		if (f->kind == FK_BOOL) {
			rc = fb_fail(err, FB_EINVAL, _("%s: must be 0 or 1"), f->name);
			goto fail;
		}
		*out = v;
		return FB_OK;
	}
	switch (f->kind) {
	case FK_TEXT:
	case FK_PHONE:
	case FK_NOTES:
		if (strlen(v) > f->max) {
			rc = fb_fail(err, FB_ETOOBIG,
				     _("%s: too long (%zu bytes, at most %zu)"),
				     f->name, strlen(v), f->max);
			goto fail;
		}
		break;
	case FK_DATE: {
		char iso[VALUE_DATE_LEN + 1];

		if (value_date(v, value_this_year(), iso) != FB_OK) {
			rc = fb_fail(err, FB_EINVAL,
				     _("%s: '%s' is not a date (YYYY-MM-DD or DD/MM/YYYY, %d to %d)"),
				     f->name, v, FB_YEAR_MIN, FB_YEAR_MAX);
			goto fail;
		}
		if ((rc = replace(f, &v, iso, err)) != FB_OK)
			goto fail;
		break;
	}
	case FK_YEAR:
		n = parse_uint(v, FB_YEAR_MAX);
		if (n < FB_YEAR_MIN || (v[0] == '0')) {
			rc = fb_fail(err, FB_EINVAL, _("%s: '%s' is not a year (%d to %d)"),
				     f->name, v, FB_YEAR_MIN, FB_YEAR_MAX);
			goto fail;
		}
		break;
	case FK_AMOUNT:
		n = parse_uint(v, FB_AMOUNT_MAX);
		if (n < 0 && value_amount(v, FB_AMOUNT_MAX, &n) != FB_OK) {
			rc = fb_fail(err, FB_EINVAL,
				     _("%s: '%s' is not a whole number of VND from 0 to %lld"),
				     f->name, v, (long long)FB_AMOUNT_MAX);
			goto fail;
		}
		/* Canonical: no leading zeros. */
		snprintf(v, strlen(v) + 1, "%lld", n);
		break;
	case FK_ENUM: {
		const char *code;

		if ((rc = typed_code(f, v, &code, err)) == FB_ENOENT) {
			rc = fb_fail(err, FB_EINVAL, _("%s: unknown value '%s'"),
				     f->name, v);
			goto fail;
		}
		if (rc != FB_OK)
			goto fail;
		if ((rc = replace(f, &v, code, err)) != FB_OK)
			goto fail;
		break;
	}
	case FK_TOPICS: {
		char *t = NULL;

		rc = check_topics(f, v, &t, err);
		if (rc != FB_OK)
			goto fail;
		free(v);
		v = t;
		break;
	}
	case FK_REF:
		if (!model_valid_uuid(v)) {
			rc = fb_fail(err, FB_EINVAL, _("%s: '%s' is not a record id"),
				     f->name, v);
			goto fail;
		}
		break;
	case FK_BOOL:
		if (strcmp(v, "0") && strcmp(v, "1")) {
			rc = fb_fail(err, FB_EINVAL, _("%s: must be 0 or 1"), f->name);
			goto fail;
		}
		break;
	case FK_SEEN:
		/* Written by the program, never typed.  Here only its size
		 * and its characters; its form is read where a change is
		 * applied (seen_parse() in book_apply.c), which keeps this
		 * table below the vector's reader. */
		if (strlen(v) > f->max) {
			rc = fb_fail(err, FB_ETOOBIG, _("%s: too long (%zu bytes, at most %zu)"),
				     f->name, strlen(v), f->max);
			goto fail;
		}
		if (v[strspn(v, SEEN_CHARS)]) {
			rc = fb_fail(err, FB_EINVAL, _("%s: not a seen vector"), f->name);
			goto fail;
		}
		break;
	}
	*out = v;
	return FB_OK;
fail:
	free(v);
	return rc;
}

enum fb_code model_check_typed(const struct field_def *f, const char *value,
			       char **out, int *fixed, struct fb_error *err)
{
	char zero[FB_SHORT_MAX + 2];
	enum fb_code rc = model_check(f, value, out, err);

	if (fixed)
		*fixed = 0;
	if (rc != FB_OK || f->kind != FK_PHONE ||
	    !value_phone_zero(*out, zero, sizeof(zero)))
		return rc;
	if ((rc = replace(f, out, zero, err)) != FB_OK) {
		free(*out);
		*out = NULL;
	} else if (fixed) {
		*fixed = 1;
	}
	return rc;
}
