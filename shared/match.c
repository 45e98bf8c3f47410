/*
 * match.c - import's matching keys: a hash table of every record of one
 * type by key, with what tells same-named members apart.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "i18n.h"
#include "label.h"
#include "match.h"
#include "text.h"
#include "value.h"

#define MATCH_BUCKETS_MIN 256
#define MATCH_SHOWN       3     /* candidates named in a message */
#define PHONE_KEY_MAX     32

struct entry {
	char id[FB_RECORD_ID_MAX + 1];
	char *key;              /* what rows are looked up by */
	char *shown;            /* "Nguyễn Thị Lan (1980, 0912345678" */
	char year[8];           /* members: birth_year */
	char phone[PHONE_KEY_MAX];  /* members: match_phone_key() */
	int deleted;
	unsigned long line;     /* the row that matched or added it, or 0 */
	struct entry *next;     /* in its bucket */
};

struct match_index {
	const struct type_def *t;
	struct entry **bucket;
	size_t nbuckets, n;
	/* field indexes of the type's key fields, -1 when not of it */
	int name, year, phone, title, start, date, reason, member, person;
};

static size_t hash(const char *s)
{
	size_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

void match_phone_key(const char *phone, char *out, size_t size)
{
	char d[PHONE_KEY_MAX];
	size_t n = 0;
	const char *p;

	out[0] = '\0';
	for (p = phone; *p && n < sizeof(d) - 1; p++)
		if (isdigit((unsigned char)*p))
			d[n++] = *p;
	d[n] = '\0';
	if (n == 0)
		return;
	/* +84 912 345 678 is 0912345678. */
	if ((n == 11 || n == 12) && d[0] == '8' && d[1] == '4' && d[2] != '0') {
		snprintf(out, size, "0%s", d + 2);
		return;
	}
	if (!value_phone_zero(d, out, size))
		snprintf(out, size, "%s", d);
}

static const char *val(const char *const *vals, int i)
{
	return i >= 0 && vals[i] ? vals[i] : "";
}

/* The key of a row or record of x's type, malloc'd into *key. */
static enum fb_code make_key(const struct match_index *x, const char *const *vals,
			     char **key)
{
	struct fb_buf b = FB_BUF_INIT(0);
	char *f = NULL;
	enum fb_code rc = FB_OK;

	*key = NULL;
	switch (x->t->type) {
	case REC_MEMBER:
		rc = text_fold(val(vals, x->name), TEXT_FOLD_TONES, key);
		return rc;
	case REC_TRAINING:
		rc = text_fold(val(vals, x->title), TEXT_FOLD_TONES, &f);
		if (rc == FB_OK)
			rc = buf_printf(&b, "%s\x1f%s", f, val(vals, x->start));
		break;
	case REC_VISIT:
		if (*val(vals, x->member))
			rc = buf_printf(&b, "%s\x1f%s\x1fm%s", val(vals, x->date),
					val(vals, x->reason), val(vals, x->member));
		else if ((rc = text_fold(val(vals, x->person), TEXT_FOLD_TONES, &f)) == FB_OK)
			rc = buf_printf(&b, "%s\x1f%s\x1fp%s", val(vals, x->date),
					val(vals, x->reason), f);
		break;
	default:
		rc = FB_EINVAL;
	}
	free(f);
	if (rc == FB_OK)
		*key = buf_detach(&b, NULL);
	buf_release(&b);
	return rc;
}

/* How a candidate is named in a message, without its id. */
static enum fb_code make_shown(const struct match_index *x, const char *const *vals,
			       char **out)
{
	struct fb_buf b = FB_BUF_INIT(0);
	enum fb_code rc;

	switch (x->t->type) {
	case REC_MEMBER:
		rc = buf_printf(&b, "%s (%s%s%s%s", val(vals, x->name),
				val(vals, x->year), *val(vals, x->year) ? ", " : "",
				val(vals, x->phone), *val(vals, x->phone) ? ", " : "");
		break;
	case REC_TRAINING:
		rc = buf_printf(&b, "%s (%s, ", val(vals, x->title), val(vals, x->start));
		break;
	default:
		rc = buf_printf(&b, "%s %s %s (", val(vals, x->date), val(vals, x->reason),
				*val(vals, x->person) ? val(vals, x->person)
						      : val(vals, x->member));
	}
	*out = rc == FB_OK ? buf_detach(&b, NULL) : NULL;
	buf_release(&b);
	return rc;
}

static enum fb_code grow(struct match_index *x)
{
	size_t n = x->nbuckets ? x->nbuckets * 2 : MATCH_BUCKETS_MIN, i;
	struct entry **nb = calloc(n, sizeof(*nb)), *e, *next;

	if (!nb)
		return FB_ENOMEM;
	for (i = 0; i < x->nbuckets; i++)
		for (e = x->bucket[i]; e; e = next) {
			next = e->next;
			e->next = nb[hash(e->key) & (n - 1)];
			nb[hash(e->key) & (n - 1)] = e;
		}
	free(x->bucket);
	x->bucket = nb;
	x->nbuckets = n;
	return FB_OK;
}

static enum fb_code insert(struct match_index *x, const char *const *vals,
			   const char *id, int deleted, unsigned long line)
{
	struct entry *e;
	enum fb_code rc;
	size_t h;

	if (x->n >= x->nbuckets && (rc = grow(x)) != FB_OK)
		return rc;
	if (!(e = calloc(1, sizeof(*e))))
		return FB_ENOMEM;
	snprintf(e->id, sizeof(e->id), "%s", id);
	e->deleted = deleted;
	e->line = line;
	snprintf(e->year, sizeof(e->year), "%s", val(vals, x->year));
	match_phone_key(val(vals, x->phone), e->phone, sizeof(e->phone));
	if ((rc = make_key(x, vals, &e->key)) != FB_OK ||
	    (rc = make_shown(x, vals, &e->shown)) != FB_OK) {
		free(e->key);
		free(e);
		return rc;
	}
	h = hash(e->key) & (x->nbuckets - 1);
	e->next = x->bucket[h];
	x->bucket[h] = e;
	x->n++;
	return FB_OK;
}

static enum fb_code index_one(const struct record *r, void *ctx)
{
	struct match_index *x = ctx;

	return insert(x, (const char *const *)r->val, r->id, record_deleted(r), 0);
}

enum fb_code match_open(struct book *b, enum rec_type t,
			struct match_index **out, struct fb_error *err)
{
	struct match_index *x = calloc(1, sizeof(*x));
	enum fb_code rc = FB_OK;

	*out = NULL;
	if (!x)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	x->t = model_type(t);
	x->name = model_field_index(x->t, "full_name");
	x->year = model_field_index(x->t, "birth_year");
	x->phone = model_field_index(x->t, "phone");
	x->title = model_field_index(x->t, "title");
	x->start = model_field_index(x->t, "start_date");
	x->date = model_field_index(x->t, "visit_date");
	x->reason = model_field_index(x->t, "reason");
	x->member = model_field_index(x->t, "member_id");
	x->person = model_field_index(x->t, "person_name");
	if (t != REC_ATTENDANCE)
		rc = book_each(b, t, 0, 1, index_one, x, err);
	if (rc != FB_OK) {
		if (rc == FB_ENOMEM)
			fb_fail(err, rc, _("out of memory"));
		match_close(x);
		return rc;
	}
	*out = x;
	return FB_OK;
}

void match_close(struct match_index *x)
{
	struct entry *e, *next;
	size_t i;

	if (!x)
		return;
	for (i = 0; i < x->nbuckets; i++)
		for (e = x->bucket[i]; e; e = next) {
			next = e->next;
			free(e->key);
			free(e->shown);
			free(e);
		}
	free(x->bucket);
	free(x);
}

/* Does member entry e fit a row with this birth year and phone key? */
static int member_fits(const struct entry *e, const char *year, const char *phone)
{
	if (*year && *e->year)
		return !strcmp(year, e->year);
	if (*phone && *e->phone)
		return !strcmp(phone, e->phone);
	return 1;
}

/* What the key compares, for messages. */
static const char *key_words(const struct match_index *x, const char *year,
			     const char *phone)
{
	switch (x->t->type) {
	case REC_MEMBER:
		return *year ? _("name and birth year") : *phone ? _("name and phone") : _("name");
	case REC_TRAINING:
		return _("title and start date");
	default:
		return _("date, reason and person");
	}
}

enum fb_code match_find(struct match_index *x, const char *const *vals,
			unsigned long line, char id[FB_RECORD_ID_MAX + 1],
			struct fb_error *err)
{
	struct entry *e, *found[MATCH_SHOWN + 1];
	char *key = NULL, phone[PHONE_KEY_MAX];
	const char *year = val(vals, x->year);
	char list[FB_ERRMSG_MAX];
	size_t nfound = 0, len = 0, i;
	int pass, n;
	enum fb_code rc;

	id[0] = '\0';
	if (x->t->type == REC_ATTENDANCE || x->nbuckets == 0)
		return FB_OK;
	match_phone_key(val(vals, x->phone), phone, sizeof(phone));
	if ((rc = make_key(x, vals, &key)) != FB_OK)
		return fb_fail(err, rc, "%s", fb_strerror(rc));
	/* Records not deleted first; deleted ones only when none is. */
	for (pass = 0; pass < 2 && nfound == 0; pass++)
		for (e = x->bucket[hash(key) & (x->nbuckets - 1)]; e; e = e->next) {
			if (e->deleted != pass || strcmp(e->key, key))
				continue;
			if (x->t->type == REC_MEMBER && !member_fits(e, year, phone))
				continue;
			if (nfound <= MATCH_SHOWN)
				found[nfound] = e;
			nfound++;
		}
	free(key);
	if (nfound == 0)
		return FB_OK;
	if (nfound == 1 && !found[0]->line) {
		snprintf(id, FB_RECORD_ID_MAX + 1, "%s", found[0]->id);
		found[0]->line = line;
		return FB_OK;
	}
	if (nfound == 1)
		return fb_fail(err, FB_EINVAL,
			       _("the same %s as line %lu (%s): %s%s)"), label_type(x->t->type),
			       found[0]->line, key_words(x, year, phone), found[0]->shown,
			       found[0]->id);
	list[0] = '\0';
	for (i = 0; i < nfound && i < MATCH_SHOWN; i++) {
		n = snprintf(list + len, sizeof(list) - len, "%s%s%s)", i ? "; " : "",
			     found[i]->shown, found[i]->id);
		if (n < 0 || (size_t)n >= sizeof(list) - len)
			break;
		len += (size_t)n;
	}
	return fb_fail(err, FB_EINVAL,
		       _("%zu %s match by %s: %s%s; give the row an id column, or tell"
		         " them apart%s"), nfound,
		       label_types(x->t->type, nfound), key_words(x, year, phone), list,
		       nfound > MATCH_SHOWN ? "; ..." : "",
		       x->t->type == REC_MEMBER ? _(" by birth year or phone") : "");
}

enum fb_code match_add(struct match_index *x, const char *const *vals,
		       const char *id, unsigned long line)
{
	if (x->t->type == REC_ATTENDANCE)
		return FB_OK;
	return insert(x, vals, id, 0, line);
}
