/*
 * book_find.c - the index of names and short ids, and finding the
 * record a person means (book_find.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "book_find.h"
#include "book_internal.h"
#include "collate.h"
#include "i18n.h"
#include "label.h"
#include "jscan.h"
#include "text.h"

/* The strings an entry owns. */
enum { S_LABEL, S_YEAR, S_PHONE, S_DATE, S_FOLDED, S_SEARCH, S_MEMBER, S_NSTR };

struct entry {
	struct book_name pub;
	char *s[S_NSTR];
	char *extra;            /* folded place and trainer, or visitors and gift,
				   until the search text is made */
};

struct book_names {
	struct entry *e;        /* sorted by id */
	size_t n;
	struct shortid_set ids;
};

/* One query serves every type; the fields come out of vals in C
 * (jscan), cheaper than a json_extract per field: about 0.4 s of CPU
 * for 100,000 records, 4 ms for a branch's thousand. */
static const char index_sql[] =
	"SELECT id, type, deleted, vals FROM record"
	" WHERE type IN ('member', 'training', 'visit') ORDER BY id";

/* Where each field of vals goes: a string of the entry, or the extra
 * text a search also looks in. */
static const struct { const char *field; int to; } wanted[] = {
	{ "full_name", S_LABEL }, { "title", S_LABEL }, { "person_name", S_LABEL },
	{ "birth_year", S_YEAR }, { "phone", S_PHONE },
	{ "start_date", S_DATE }, { "visit_date", S_DATE }, { "member_id", S_MEMBER },
	{ "location", -1 }, { "trainer", -1 }, { "visitors", -1 }, { "gift", -1 },
};
#define NWANTED (sizeof(wanted) / sizeof(wanted[0]))

static const char *col(sqlite3_stmt *q, int i)
{
	const char *s = (const char *)sqlite3_column_text(q, i);

	return s ? s : "";
}

static void entry_release(struct entry *e)
{
	int i;

	for (i = 0; i < S_NSTR; i++)
		free(e->s[i]);
	free(e->extra);
}

void book_names_close(struct book_names *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->n; i++)
		entry_release(&n->e[i]);
	free(n->e);
	shortid_set_release(&n->ids);
	free(n);
}

static int cmp_id(const void *key, const void *elem)
{
	return strcmp(key, ((const struct entry *)elem)->pub.id);
}

/*
 * An entry's short id, made the first time it is asked for: a command
 * shows a few, and `list` one per line, so a big book does not pay for
 * all of them when a command opens its index.
 */
static struct entry *with_short(const struct book_names *n, struct entry *e)
{
	if (e && !e->pub.short_id[0])
		shortid_of(&n->ids, e->pub.id, e->pub.short_id);
	return e;
}

/* The entry of id, without its short id (while the index is built). */
static struct entry *raw_entry(const struct book_names *n, const char *id)
{
	return n->n ? bsearch(id, n->e, n->n, sizeof(*n->e), cmp_id) : NULL;
}

static struct entry *find_entry(const struct book_names *n, const char *id)
{
	return with_short(n, raw_entry(n, id));
}

const struct book_name *book_names_get(const struct book_names *n, const char *id)
{
	struct entry *e = find_entry(n, id);

	return e ? &e->pub : NULL;
}

/*
 * The fields of vals (a record's JSON object of field -> text) an entry
 * keeps: into e->s, and the extra search text into extra (" | " apart).
 * A field that does not read is left out: the index is for finding, and
 * `verify` is what reports a damaged record.
 */
/* Room reused from one record to the next while the index is read. */
struct scratch {
	struct fb_buf key, val, extra;
};

static enum fb_code read_vals(const char *vals, struct entry *e, struct scratch *x)
{
	struct fb_buf *extra = &x->extra;
	struct jscan j = { vals, vals + strlen(vals) };
	enum fb_code rc = FB_OK;
	size_t i;

	if (!jscan_eat(&j, '{'))
		goto out;
	while (rc == FB_OK && jscan_peek(&j) == '"') {
		if (jscan_str(&j, &x->key) != FB_OK || !jscan_eat(&j, ':'))
			break;
		for (i = 0; i < NWANTED && strcmp(wanted[i].field, buf_str(&x->key)); i++)
			;
		if (i == NWANTED) {
			jscan_skip(&j);
		} else if (jscan_str(&j, &x->val) == FB_OK) {
			if (wanted[i].to < 0)
				rc = buf_printf(extra, " | %s", buf_str(&x->val));
			else if (!e->s[wanted[i].to] &&
				 !(e->s[wanted[i].to] = strdup(buf_str(&x->val))))
				rc = FB_ENOMEM;
		}
		if (!jscan_eat(&j, ','))
			break;
	}
out:
	/* What the record does not hold is "". */
	for (i = 0; rc == FB_OK && i < S_NSTR; i++)
		if (i != S_FOLDED && i != S_SEARCH && !e->s[i] && !(e->s[i] = strdup("")))
			rc = FB_ENOMEM;
	return rc;
}

/* One row of index_sql into e. */
static enum fb_code read_entry(sqlite3_stmt *q, struct entry *e, struct scratch *x)
{
	const struct type_def *t = model_type_named(col(q, 1));
	enum fb_code rc;

	memset(e, 0, sizeof(*e));
	if (!t)
		return FB_ECORRUPT;
	snprintf(e->pub.id, sizeof(e->pub.id), "%s", col(q, 0));
	e->pub.type = t->type;
	e->pub.deleted = sqlite3_column_int(q, 2);
	buf_reset(&x->extra);
	rc = read_vals(col(q, 3), e, x);
	if (rc == FB_OK)
		rc = text_fold(e->s[S_LABEL], TEXT_FOLD_ACCENTS, &e->s[S_FOLDED]);
	if (rc == FB_OK)
		rc = text_fold(buf_str(&x->extra), TEXT_FOLD_ACCENTS, &e->extra);
	return rc == FB_OK ? FB_OK : FB_ENOMEM;
}

/*
 * The folded text a search looks in: the label, then (a visit) the
 * member's name, then the phone or the other fields, each part apart
 * ('|' is never in a folded query).  A visit to a member has the
 * member's name as its label when it names no person.
 */
static enum fb_code make_search(struct book_names *n, struct entry *e)
{
	struct fb_buf b = FB_BUF_INIT(0);
	const struct entry *m = e->pub.type == REC_VISIT && *e->s[S_MEMBER]
		? raw_entry(n, e->s[S_MEMBER]) : NULL;
	enum fb_code rc = buf_adds(&b, e->s[S_FOLDED]);

	if (rc == FB_OK && m)
		rc = buf_printf(&b, "|%s", m->s[S_FOLDED]);
	if (rc == FB_OK && e->pub.type == REC_MEMBER)
		rc = buf_printf(&b, "|%s", e->s[S_PHONE]);
	if (rc == FB_OK && e->pub.type != REC_MEMBER)
		rc = buf_printf(&b, "|%s", e->extra);
	if (rc == FB_OK && !(e->s[S_SEARCH] = buf_detach(&b, NULL)))
		rc = FB_ENOMEM;
	buf_release(&b);
	if (rc == FB_OK && m && !*e->s[S_LABEL]) {
		char *label = strdup(m->s[S_LABEL]);

		if (!label)
			return FB_ENOMEM;
		free(e->s[S_LABEL]);
		e->s[S_LABEL] = label;
	}
	return rc;
}

static void publish(struct entry *e)
{
	e->pub.label = e->s[S_LABEL];
	e->pub.year = e->pub.type == REC_MEMBER ? e->s[S_YEAR] : "";
	e->pub.phone = e->pub.type == REC_MEMBER ? e->s[S_PHONE] : "";
	e->pub.date = e->s[S_DATE];
	e->pub.folded = e->s[S_FOLDED];
	e->pub.search = e->s[S_SEARCH];
}

/* The short ids, once every id is known. */
static enum fb_code index_ids(struct book_names *n)
{
	const char **ids = n->n ? malloc(n->n * sizeof(*ids)) : NULL;
	enum fb_code rc;
	size_t i;

	if (n->n && !ids)
		return FB_ENOMEM;
	for (i = 0; i < n->n; i++)
		ids[i] = n->e[i].pub.id;
	rc = shortid_set_init(&n->ids, ids, n->n);
	free(ids);
	return rc;
}

enum fb_code book_names_open(struct book *b, struct book_names **out,
			     struct fb_error *err)
{
	struct book_names *n = calloc(1, sizeof(*n));
	struct scratch x = { FB_BUF_INIT(FB_VALUE_MAX), FB_BUF_INIT(FB_VALUE_MAX),
			     FB_BUF_INIT(0) };
	sqlite3_stmt *q = NULL;
	size_t alloc = 0, i;
	enum fb_code rc;
	int s = SQLITE_DONE;

	*out = NULL;
	if (!n)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	rc = store_prepare(b->st, index_sql, &q, err);
	while (rc == FB_OK && (s = sqlite3_step(q)) == SQLITE_ROW) {
		if (n->n == alloc) {
			size_t more = alloc ? alloc * 2 : 64;
			struct entry *e = realloc(n->e, more * sizeof(*e));

			if (!e) {
				rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
				break;
			}
			n->e = e;
			alloc = more;
		}
		rc = read_entry(q, &n->e[n->n], &x);
		n->n++;         /* released on failure too */
		if (rc == FB_ECORRUPT)
			fb_fail(err, rc, _("record %s has an unknown type"), col(q, 0));
		else if (rc != FB_OK)
			fb_fail(err, rc, _("out of memory"));
	}
	if (rc == FB_OK && s != SQLITE_DONE)
		rc = store_fail(b->st, s, _("reading records"), err);
	sqlite3_finalize(q);
	buf_release(&x.key);
	buf_release(&x.val);
	buf_release(&x.extra);
	for (i = 0; rc == FB_OK && i < n->n; i++)
		if ((rc = make_search(n, &n->e[i])) != FB_OK)
			fb_fail(err, rc, _("out of memory"));
	for (i = 0; rc == FB_OK && i < n->n; i++) {
		free(n->e[i].extra);
		n->e[i].extra = NULL;
		publish(&n->e[i]);
	}
	if (rc == FB_OK && (rc = index_ids(n)) != FB_OK)
		fb_fail(err, rc, _("out of memory"));
	if (rc != FB_OK) {
		book_names_close(n);
		return rc;
	}
	*out = n;
	return FB_OK;
}

void book_names_short(const struct book_names *n, const char *id,
		      char out[FB_ATT_ID_LEN + 1])
{
	char t[SHORTID_HEX + 1], m[SHORTID_HEX + 1];
	const char *colon = strchr(id, ':');

	if (colon && (size_t)(colon - id) == FB_ID_LEN) {
		char tid[FB_ID_LEN + 1];

		memcpy(tid, id, FB_ID_LEN);
		tid[FB_ID_LEN] = '\0';
		shortid_of(&n->ids, tid, t);
		shortid_of(&n->ids, colon + 1, m);
		snprintf(out, FB_ATT_ID_LEN + 1, "%s:%s", t, m);
		return;
	}
	shortid_of(&n->ids, id, t);
	snprintf(out, FB_ATT_ID_LEN + 1, "%s", t);
}

size_t book_names_short_width(const struct book_names *n, enum rec_type t)
{
	size_t i, w = SHORTID_MIN, len;

	for (i = 0; i < n->n; i++) {
		if (n->e[i].pub.type != t)
			continue;
		len = strlen(with_short(n, &n->e[i])->pub.short_id);
		if (len > w)
			w = len;
	}
	return w;
}

enum fb_code book_names_describe(const struct book_names *n, const char *id,
				 enum rec_type t, struct fb_buf *out)
{
	const struct entry *e = find_entry(n, id);
	const char *colon = strchr(id, ':');
	char sid[FB_ATT_ID_LEN + 1], day[FB_WHEN_MAX];

	if (!e && colon && (size_t)(colon - id) == FB_ID_LEN) {
		char tid[FB_ID_LEN + 1];
		const struct entry *te, *me;

		memcpy(tid, id, FB_ID_LEN);
		tid[FB_ID_LEN] = '\0';
		te = find_entry(n, tid);
		me = find_entry(n, colon + 1);
		book_names_short(n, id, sid);
		return buf_printf(out, _("attendance of %s at \"%s\" (%s)"),
				  me ? me->pub.label : colon + 1,
				  te ? te->pub.label : tid, sid);
	}
	if (!e)
		return t < REC_NTYPES ? buf_printf(out, "%s %s", label_type(t), id)
				      : buf_adds(out, id);
	fb_day(e->pub.date, day);       /* dd/mm/yyyy in Vietnamese */
	switch (e->pub.type) {
	case REC_MEMBER:
		return buf_printf(out, _("member %s (%s)"), e->pub.label, e->pub.short_id);
	case REC_TRAINING:
		return buf_printf(out, _("training \"%s\" %s (%s)"), e->pub.label, day,
				  e->pub.short_id);
	default:
		return *e->pub.label
			? buf_printf(out, _("visit %s to %s (%s)"), day, e->pub.label,
				     e->pub.short_id)
			: buf_printf(out, _("visit %s (%s)"), day, e->pub.short_id);
	}
}

/* 1 if every word of `words` is a whole word of `text`, in order (both
 * folded: words apart by one space). */
static int words_in_order(const char *text, const char *words)
{
	const char *w = words;

	while (*w) {
		size_t len = strcspn(w, " ");
		const char *p = text;
		int found = 0;

		while (*p) {
			size_t plen = strcspn(p, " ");

			if (plen == len && !strncmp(p, w, len)) {
				found = 1;
				text = p + plen;
				break;
			}
			p += plen;
			p += *p == ' ';
		}
		if (!found)
			return 0;
		w += len;
		w += *w == ' ';
	}
	return 1;
}

/*
 * Candidates as the lists show them (docs/DECISIONS.md, "Vietnamese
 * order"): by type, members by name (given name first), the others by
 * their label in Vietnamese order, then by id.  Without a collator (no
 * memory for one), by the folded label.
 */
static int cmp_cand(const void *a, const void *b, void *ctx)
{
	const struct book_name *x = *(const struct book_name *const *)a;
	const struct book_name *y = *(const struct book_name *const *)b;
	struct fb_collator *coll = ctx;
	int c = (x->type > y->type) - (x->type < y->type);

	if (!c && coll)
		c = x->type == REC_MEMBER ? fb_collate_name(coll, x->label, -1, y->label, -1)
					  : fb_collate(coll, x->label, -1, y->label, -1);
	else if (!c)
		c = strcmp(x->folded, y->folded);
	return c ? c : strcmp(x->id, y->id);
}

/* The candidates of one tier: those matched by id, and those matched by
 * name in the preferred state (in the other when none is). */
struct tier {
	const struct book_name **c;
	size_t n;
};

static void prefer(struct tier *names, int want_deleted)
{
	size_t i, k = 0;

	for (i = 0; i < names->n; i++)
		if (names->c[i]->deleted == want_deleted)
			names->c[k++] = names->c[i];
	if (k)
		names->n = k;
}

/* What `fieldbook list` calls the types of flags. */
static const char *what(int flags)
{
	switch (flags & (BOOK_FIND_MEMBER | BOOK_FIND_TRAINING | BOOK_FIND_VISIT)) {
	case BOOK_FIND_MEMBER:   return "members";
	case BOOK_FIND_TRAINING: return "trainings";
	case BOOK_FIND_VISIT:    return "visits";
	default:                 return "";
	}
}

/* What a message calls n records of the types of flags (label.h). */
static const char *what_label(int flags, unsigned long n)
{
	switch (flags & (BOOK_FIND_MEMBER | BOOK_FIND_TRAINING | BOOK_FIND_VISIT)) {
	case BOOK_FIND_MEMBER:   return label_types(REC_MEMBER, n);
	case BOOK_FIND_TRAINING: return label_types(REC_TRAINING, n);
	case BOOK_FIND_VISIT:    return label_types(REC_VISIT, n);
	default:                 return ngettext("record", "records", n);
	}
}

/* The same types, when all the candidates are of one. */
static int types_of(const struct tier *t)
{
	size_t i;
	int f = 0;

	for (i = 0; i < t->n; i++)
		f |= 1 << t->c[i]->type;
	return f;
}

/* "TRAINING:MEMBER": each side found on its own, then the pair. */
static enum fb_code find_attendance(const struct book_names *n, const char *ref,
				    struct book_found *found, struct fb_error *err)
{
	const char *colon = strchr(ref, ':');
	char *tref = strndup(ref, (size_t)(colon - ref));
	char tid[FB_RECORD_ID_MAX + 1], mid[FB_RECORD_ID_MAX + 1];
	enum fb_code rc;

	if (!tref)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	rc = book_names_find(n, tref, BOOK_FIND_TRAINING, found, err);
	free(tref);
	if (rc != FB_OK)
		return rc;
	snprintf(tid, sizeof(tid), "%s", found->id);
	if ((rc = book_names_find(n, colon + 1, BOOK_FIND_MEMBER, found, err)) != FB_OK)
		return rc;
	snprintf(mid, sizeof(mid), "%s", found->id);
	if (!model_valid_uuid(tid) || !model_valid_uuid(mid))
		return fb_fail(err, FB_ENOENT, _("no attendance '%s'"), ref);
	model_attendance_id(tid, mid, found->id);
	return FB_OK;
}

enum fb_code book_names_find(const struct book_names *n, const char *ref, int flags,
			     struct book_found *found, struct fb_error *err)
{
	char hex[SHORTID_HEX + 1];
	struct tier ids = { NULL, 0 }, names = { NULL, 0 }, words = { NULL, 0 }, *t;
	char *fr = NULL;
	int by_id, want_deleted = !!(flags & BOOK_FIND_DELETED_FIRST);
	enum fb_code rc = FB_OK;
	size_t i;

	memset(found, 0, sizeof(*found));
	if (model_valid_uuid(ref) || model_valid_id(REC_ATTENDANCE, ref)) {
		snprintf(found->id, sizeof(found->id), "%s", ref);
		found->n = 1;
		return FB_OK;
	}
	if (flags & BOOK_FIND_ATTENDANCE && strchr(ref, ':'))
		return find_attendance(n, ref, found, err);
	by_id = shortid_parse(ref, hex);
	if ((rc = text_fold(ref, TEXT_FOLD_ACCENTS, &fr)) != FB_OK)
		return rc == FB_ENOMEM ? fb_fail(err, rc, _("out of memory"))
			: fb_fail(err, FB_EINVAL, _("'%s' is not UTF-8 text: name a record by"
				    " its id or its name"), ref);
	if (n->n && (!(ids.c = malloc(n->n * sizeof(*ids.c))) ||
		     !(names.c = malloc(n->n * sizeof(*names.c))) ||
		     !(words.c = malloc(n->n * sizeof(*words.c))))) {
		rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
		goto out;
	}
	for (i = 0; i < n->n; i++) {
		const struct book_name *e = &n->e[i].pub;
		int named = e->type == REC_MEMBER || e->type == REC_TRAINING;

		if (!(flags & (1 << e->type)))
			continue;
		if (by_id && shortid_match(e->id, hex))
			ids.c[ids.n++] = e;
		else if (named && *fr && !strcmp(e->folded, fr))
			names.c[names.n++] = e;
		else if (named && *fr && words_in_order(e->folded, fr))
			words.c[words.n++] = e;
	}
	prefer(&names, want_deleted);
	prefer(&words, want_deleted);
	/* Ids and whole names first; words of a name only when neither. */
	for (i = 0; i < names.n; i++)
		ids.c[ids.n++] = names.c[i];
	t = ids.n ? &ids : &words;
	found->n = t->n;
	if (t->n > 1) {
		struct fb_collator *coll = NULL;

		if (fb_collator_open(&coll, NULL) != FB_OK)
			coll = NULL;
		qsort_r(t->c, t->n, sizeof(*t->c), cmp_cand, coll);
		fb_collator_close(coll);
	}
	for (i = 0; i < t->n && i < BOOK_FIND_LIST_MAX; i++)
		found->cand[i] = &with_short(n, (struct entry *)t->c[i])->pub;
	if (t->n == 1) {
		snprintf(found->id, sizeof(found->id), "%s", t->c[0]->id);
	} else if (t->n == 0) {
		if ((flags & BOOK_FIND_ANY) == BOOK_FIND_VISIT)
			rc = fb_fail(err, FB_ENOENT, _("no visit has an id that starts or ends"
				       " with '%s' (see 'fieldbook list visits')"), ref);
		else if ((flags & BOOK_FIND_ANY) == BOOK_FIND_ANY ||
			 (flags & BOOK_FIND_ANY) == (BOOK_FIND_ANY & ~BOOK_FIND_ATTENDANCE))
			rc = fb_fail(err, FB_ENOENT, _("no record matches '%s': give a member's"
				       " name, a training's title or an id (see 'fieldbook list')"),
				     ref);
		else
			rc = fb_fail(err, FB_ENOENT, _("no %s matches '%s' (see 'fieldbook list %s')"),
				     what_label(flags, 1), ref, what(flags));
	} else {
		rc = fb_fail(err, FB_EINVAL, _("'%s' could be any of %zu %s (below);"
			       " nothing was done: give more of the name, or a short id"),
			     ref, t->n, what_label(types_of(t), t->n));
	}
out:
	free(fr);
	free(ids.c);
	free(names.c);
	free(words.c);
	return rc;
}

int book_names_search(const struct book_names *n, const char *id, const char *folded)
{
	const struct entry *e = find_entry(n, id);

	return e && strstr(e->pub.search, folded) != NULL;
}
