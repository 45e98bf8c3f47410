/*
 * report.c - coverage against targets, courses by topic, visits by
 * reason: each branch's own figures from one pass over the records.
 *
 * Members, trainings and visits are read type by type (the record_type
 * index), the attendances in one scan of the table; each record's
 * fields are read from its JSON in place (jscan), and the attendances
 * are joined to the year's trainings and to the members through hash
 * tables.  The cost is that of reading the records once, whatever the
 * number of branches or of the units they are added into.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "collate.h"
#include "i18n.h"
#include "jscan.h"
#include "report.h"

/*
 * The order of every list of names a report gives, the one place it is
 * said (key_cmp, order_people): by given name in Vietnamese order, then the
 * whole name (fb_collate_name_key, collate.h: the key SQLite's
 * fb_vi_name_key gives), then id, each compared by its bytes.  Sorted
 * here, in C, whatever store the rows came from: a store only feeds
 * rows (PostgreSQL has no collation that gives this order, and a hot
 * standby no temporary table to sort in).
 */

static const struct {
	const char *key, *title;
	int target;
	const char *roles[3];
} groups[REPORT_GROUPS] = {
	{ "branch_heads_deputies", N_("Branch heads and deputies"), 100,
	  { "branch_head", "branch_deputy", NULL } },
	{ "commune_presidents_vices", N_("Commune presidents and vice presidents"), 100,
	  { "commune_president", "commune_vice", NULL } },
	{ "planned_commune_presidents", N_("Planned for commune president"), 50,
	  { "commune_president_planned", NULL, NULL } },
};

/* --- an id -> index table (open addressing; the keys are copies) ------ */

#define NONE SIZE_MAX

struct idmap {
	char **key;             /* NULL: a free slot */
	size_t *val;
	size_t cap, n;          /* cap: 0 or a power of two */
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;        /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 0x100000001b3ULL;
	return h;
}

static size_t idmap_get(const struct idmap *m, const char *key)
{
	size_t i;

	if (!m->cap)
		return NONE;
	for (i = hash_str(key) & (m->cap - 1); m->key[i]; i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->key[i], key))
			return m->val[i];
	return NONE;
}

static enum fb_code idmap_grow(struct idmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024, i, j;
	char **key = calloc(cap, sizeof(*key));
	size_t *val = calloc(cap, sizeof(*val));

	if (!key || !val) {
		free(key);
		free(val);
		return FB_ENOMEM;
	}
	for (i = 0; i < m->cap; i++) {
		if (!m->key[i])
			continue;
		for (j = hash_str(m->key[i]) & (cap - 1); key[j]; j = (j + 1) & (cap - 1))
			;
		key[j] = m->key[i];
		val[j] = m->val[i];
	}
	free(m->key);
	free(m->val);
	m->key = key;
	m->val = val;
	m->cap = cap;
	return FB_OK;
}

/* Map key to val; a key already there keeps its first value. */
static enum fb_code idmap_put(struct idmap *m, const char *key, size_t val)
{
	size_t i;

	if ((m->n + 1) * 2 > m->cap && idmap_grow(m) != FB_OK)
		return FB_ENOMEM;
	for (i = hash_str(key) & (m->cap - 1); m->key[i]; i = (i + 1) & (m->cap - 1))
		if (!strcmp(m->key[i], key))
			return FB_OK;
	if (!(m->key[i] = strdup(key)))
		return FB_ENOMEM;
	m->val[i] = val;
	m->n++;
	return FB_OK;
}

static void idmap_release(struct idmap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->key[i]);
	free(m->key);
	free(m->val);
	memset(m, 0, sizeof(*m));
}

/* --- the scan's working state ------------------------------------------ */

struct member {
	size_t branch;
	int group;              /* -1: of no target group */
	int trained;
	size_t person;          /* with names, a target group's: in people */
};

struct training {
	size_t branch;
	uint32_t topics;        /* bit i: model_topics[i] */
	long attendances;
};

struct scan {
	int year, names;
	struct fb_error *err;
	char yr[8];
	struct report_scan *out;
	struct idmap branches, members, trainings;
	size_t last_branch;     /* the branch of the row before (rows come by branch) */
	size_t branch_cap;
	struct member *member;
	size_t nmember, member_cap;
	struct training *training;
	size_t ntraining, training_cap;
	size_t people_cap;
	struct fb_buf key, val[4];
	int have[4];
};

static int vocab_index(const char *const *vocab, const char *code)
{
	int i;

	for (i = 0; vocab[i]; i++)
		if (!strcmp(vocab[i], code))
			return i;
	return -1;
}

static int group_of(const char *role)
{
	int g, k;

	for (g = 0; g < REPORT_GROUPS; g++)
		for (k = 0; groups[g].roles[k]; k++)
			if (!strcmp(groups[g].roles[k], role))
				return g;
	return -1;
}

/* Grow *p (of *cap elements of size sz) to hold n + 1. */
static enum fb_code room(void **p, size_t *cap, size_t n, size_t sz)
{
	size_t want = *cap ? *cap * 2 : 256;
	void *q;

	if (n < *cap)
		return FB_OK;
	if (!(q = realloc(*p, want * sz)))
		return FB_ENOMEM;
	*p = q;
	*cap = want;
	return FB_OK;
}

/* The index of branch `code` in s->out->branch, added when new. */
static enum fb_code branch_of(struct scan *s, const char *code, size_t *out)
{
	struct report_scan *o = s->out;
	size_t i;

	if (s->last_branch != NONE && !strcmp(o->branch[s->last_branch].code, code)) {
		*out = s->last_branch;
		return FB_OK;
	}
	i = idmap_get(&s->branches, code);
	if (i == NONE) {
		struct report_branch *b;

		if (room((void **)&o->branch, &s->branch_cap, o->nbranch, sizeof(*b)) != FB_OK)
			return FB_ENOMEM;
		b = &o->branch[o->nbranch];
		memset(b, 0, sizeof(*b));
		report_init(&b->r, s->year);
		if (!(b->code = strdup(code)))
			return FB_ENOMEM;
		i = o->nbranch++;
		if (idmap_put(&s->branches, code, i) != FB_OK)
			return FB_ENOMEM;
	}
	s->last_branch = i;
	*out = i;
	return FB_OK;
}

/*
 * Read the fields named in want (at most 4) of a record's JSON into
 * s->val[i], s->have[i] saying which it holds.  The JSON is the store's
 * own (book_state.c writes it): an object of strings.
 */
static void fields(struct scan *s, const char *vals, size_t len,
		   const char *const want[4])
{
	struct jscan j = { vals, vals + len };
	int k;

	memset(s->have, 0, sizeof(s->have));
	if (!jscan_eat(&j, '{') || jscan_eat(&j, '}'))
		return;
	do {
		if (jscan_str(&j, &s->key) != FB_OK || !jscan_eat(&j, ':'))
			return;
		for (k = 0; k < 4 && want[k]; k++)
			if (!strcmp(want[k], buf_str(&s->key)))
				break;
		if (k < 4 && want[k])
			s->have[k] = jscan_str(&j, &s->val[k]) == FB_OK;
		else
			jscan_skip(&j);
	} while (jscan_eat(&j, ','));
}

static int in_year(struct scan *s, int k)
{
	return s->have[k] && s->val[k].len >= 4 && !memcmp(s->val[k].data, s->yr, 4);
}

static const char *val(struct scan *s, int k)
{
	return s->have[k] ? buf_str(&s->val[k]) : NULL;
}

typedef enum fb_code (*row_fn)(struct scan *s, const char *id, size_t branch,
			       const char *vals, size_t len);

/* What each_row hands the store's rows to. */
struct pass {
	struct scan *s;
	row_fn fn;
};

/* report_row_fn: a row counted in its branch's records, then (when not
 * deleted) handed to the pass's fn. */
static enum fb_code take_row(void *ctx, const struct report_row *row)
{
	struct pass *p = ctx;
	struct scan *s = p->s;
	enum fb_code rc;
	size_t b;

	if (!row->id || !row->branch || !row->vals)
		return FB_OK;
	if ((rc = branch_of(s, row->branch, &b)) == FB_OK) {
		s->out->branch[b].records++;
		if (!row->deleted)
			rc = p->fn(s, row->id, b, row->vals, row->len);
	}
	return rc == FB_ENOMEM ? fb_fail(s->err, FB_ENOMEM, _("out of memory")) : rc;
}

/* Each row of one type, from the store. */
static enum fb_code each_row(struct scan *s, report_rows_fn rows, void *src,
			     const char *type, row_fn fn)
{
	struct pass p = { s, fn };

	return rows(src, type, take_row, &p, s->err);
}

static enum fb_code on_member(struct scan *s, const char *id, size_t b,
			      const char *vals, size_t len)
{
	static const char *const want[4] = { "role", "full_name", "birth_year", NULL };
	struct report *r = &s->out->branch[b].r;
	const char *role;
	struct member *m;
	int i;

	fields(s, vals, len, want);
	role = s->have[0] ? val(s, 0) : "member";
	if ((i = vocab_index(model_roles, role)) >= 0)
		r->members_by_role[i]++;
	r->members_total++;
	if (room((void **)&s->member, &s->member_cap, s->nmember, sizeof(*m)) != FB_OK)
		return FB_ENOMEM;
	m = &s->member[s->nmember];
	m->branch = b;
	m->group = group_of(role);
	m->trained = 0;
	m->person = NONE;
	if (s->names && m->group >= 0) {
		struct report_scan *o = s->out;
		struct report_person *p;

		if (room((void **)&o->people, &s->people_cap, o->npeople, sizeof(*p)) != FB_OK)
			return FB_ENOMEM;
		p = &o->people[o->npeople];
		memset(p, 0, sizeof(*p));
		m->person = o->npeople++;
		p->group = m->group;
		p->birth_year = s->have[2] ? atoi(val(s, 2)) : 0;
		if (!(p->id = strdup(id)) || !(p->name = strdup(s->have[1] ? val(s, 1) : "")) ||
		    !(p->role = strdup(role)) || !(p->branch = strdup(s->out->branch[b].code)))
			return FB_ENOMEM;
	}
	return idmap_put(&s->members, id, s->nmember++);
}

static enum fb_code on_training(struct scan *s, const char *id, size_t b,
				const char *vals, size_t len)
{
	static const char *const want[4] = { "start_date", "topics", NULL, NULL };
	char *save = NULL, *tok;
	struct training *t;
	int i;

	fields(s, vals, len, want);
	if (!in_year(s, 0))
		return FB_OK;
	if (room((void **)&s->training, &s->training_cap, s->ntraining, sizeof(*t)) != FB_OK)
		return FB_ENOMEM;
	t = &s->training[s->ntraining];
	t->branch = b;
	t->topics = 0;
	t->attendances = 0;
	if (s->have[1])
		for (tok = strtok_r(s->val[1].data, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			if ((i = vocab_index(model_topics, tok)) >= 0)
				t->topics |= 1u << i;
	return idmap_put(&s->trainings, id, s->ntraining++);
}

static enum fb_code on_attendance(struct scan *s, const char *id, size_t b,
				  const char *vals, size_t len)
{
	static const char *const want[4] = { "training_id", "member_id", NULL, NULL };
	size_t t, m;

	(void)id;
	(void)b;
	fields(s, vals, len, want);
	if (!s->have[0] || !s->have[1])
		return FB_OK;
	t = idmap_get(&s->trainings, val(s, 0));
	m = idmap_get(&s->members, val(s, 1));
	if (t == NONE || m == NONE)
		return FB_OK;
	s->training[t].attendances++;
	s->member[m].trained = 1;
	return FB_OK;
}

static enum fb_code on_visit(struct scan *s, const char *id, size_t b,
			     const char *vals, size_t len)
{
	static const char *const want[4] = { "visit_date", "reason", "amount_vnd", NULL };
	struct report *r = &s->out->branch[b].r;
	long long amount;
	int i;

	(void)id;
	fields(s, vals, len, want);
	if (!in_year(s, 0))
		return FB_OK;
	/* As SQL's CAST(... AS INTEGER): the leading integer, else 0. */
	amount = s->have[2] ? strtoll(val(s, 2), NULL, 10) : 0;
	if ((i = vocab_index(model_reasons, s->have[1] ? val(s, 1) : "")) >= 0) {
		r->visits_by_reason[i]++;
		r->amount_by_reason[i] += amount;
	}
	r->visits++;
	r->amount += amount;
	return FB_OK;
}

/* The trainings' and the members' figures, into their branches. */
static void tally(struct scan *s)
{
	struct report_scan *o = s->out;
	size_t i;
	int k;

	for (i = 0; i < s->ntraining; i++) {
		const struct training *t = &s->training[i];
		struct report *r = &o->branch[t->branch].r;

		r->courses++;
		r->attendances += t->attendances;
		for (k = 0; k < REPORT_TOPICS; k++)
			if (t->topics & (1u << k)) {
				r->topic_courses[k]++;
				r->topic_attendances[k] += t->attendances;
			}
	}
	for (i = 0; i < s->nmember; i++) {
		const struct member *m = &s->member[i];
		struct report *r = &o->branch[m->branch].r;

		r->trainees += m->trained;
		if (m->group < 0)
			continue;
		r->group[m->group].total++;
		r->group[m->group].trained += m->trained;
	}
}

static void person_release(struct report_person *p)
{
	free(p->id);
	free(p->name);
	free(p->role);
	free(p->branch);
}

/* A person not yet trained and her name's key, for sorting. */
struct sortkey {
	char *key;
	size_t len;
	size_t pos;             /* in people */
	const char *id;
};

/* The order of names: the name's key, then the id, both by their bytes
 * (a key that is the other's beginning first, as SQLite orders BLOBs). */
static int key_cmp(const void *a, const void *b)
{
	const struct sortkey *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->key, y->key, n);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return strcmp(x->id, y->id);
}

/* Keep the people not yet trained, in the order of names (key_cmp). */
static enum fb_code order_people(struct scan *s)
{
	struct report_scan *o = s->out;
	struct report_person *sorted = NULL;
	struct fb_collator *coll = NULL;
	struct fb_buf key = FB_BUF_INIT(0);
	struct sortkey *k = NULL;
	size_t i, n = 0;
	enum fb_code rc = FB_OK;

	for (i = 0; i < s->nmember; i++)
		if (s->member[i].person != NONE && s->member[i].trained) {
			person_release(&o->people[s->member[i].person]);
			memset(&o->people[s->member[i].person], 0, sizeof(*o->people));
		}
	if (!(k = calloc(o->npeople ? o->npeople : 1, sizeof(*k))) ||
	    !(sorted = malloc((o->npeople ? o->npeople : 1) * sizeof(*sorted)))) {
		rc = fb_fail(s->err, FB_ENOMEM, _("out of memory"));
		goto out;
	}
	for (i = 0; rc == FB_OK && i < o->npeople; i++) {
		if (!o->people[i].id)
			continue;
		if (!coll && (rc = fb_collator_open(&coll, s->err)) != FB_OK)
			break;
		buf_reset(&key);
		/* A key fails only for memory (a name is far below the cap). */
		if (fb_collate_name_key(coll, o->people[i].name, strlen(o->people[i].name),
					&key) != FB_OK ||
		    !(k[n].key = malloc(key.len ? key.len : 1))) {
			rc = fb_fail(s->err, FB_ENOMEM, _("out of memory"));
			break;
		}
		if (key.len)
			memcpy(k[n].key, key.data, key.len);
		k[n].len = key.len;
		k[n].pos = i;
		k[n].id = o->people[i].id;
		n++;
	}
	if (rc != FB_OK)
		goto out;
	qsort(k, n, sizeof(*k), key_cmp);
	for (i = 0; i < n; i++) {
		sorted[i] = o->people[k[i].pos];
		memset(&o->people[k[i].pos], 0, sizeof(*o->people));   /* moved */
	}
	for (i = 0; i < o->npeople; i++)
		person_release(&o->people[i]);
	free(o->people);
	o->people = sorted;
	o->npeople = n;
	sorted = NULL;
out:
	for (i = 0; k && i < n; i++)
		free(k[i].key);
	free(k);
	free(sorted);
	buf_release(&key);
	fb_collator_close(coll);
	return rc;
}

static int branch_cmp(const void *a, const void *b)
{
	return strcmp(((const struct report_branch *)a)->code,
		      ((const struct report_branch *)b)->code);
}

enum fb_code report_scan_rows(report_rows_fn rows, void *src, int year, int names,
			      struct report_scan *out, struct fb_error *err)
{
	struct scan s;
	enum fb_code rc;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	out->year = year;
	s.err = err;
	s.year = year;
	s.names = names;
	s.out = out;
	s.last_branch = NONE;
	snprintf(s.yr, sizeof(s.yr), "%04d", year);
	/* The attendances last: they are joined to the members and the
	 * trainings read before them. */
	if ((rc = each_row(&s, rows, src, "member", on_member)) == FB_OK &&
	    (rc = each_row(&s, rows, src, "training", on_training)) == FB_OK &&
	    (rc = each_row(&s, rows, src, "visit", on_visit)) == FB_OK &&
	    (rc = each_row(&s, rows, src, "attendance", on_attendance)) == FB_OK) {
		tally(&s);
		if (names)
			rc = order_people(&s);
	}
	if (rc == FB_OK)
		qsort(out->branch, out->nbranch, sizeof(*out->branch), branch_cmp);
	idmap_release(&s.branches);
	idmap_release(&s.members);
	idmap_release(&s.trainings);
	free(s.member);
	free(s.training);
	buf_release(&s.key);
	for (i = 0; i < 4; i++)
		buf_release(&s.val[i]);
	if (rc != FB_OK)
		report_scan_release(out);
	return rc;
}

/*
 * report_rows_fn over SQLite: the rows of one type through the
 * record_type index, the attendances (most of the records: a scan reads
 * them faster than one look-up each) by a scan of the table itself.
 */
static enum fb_code sqlite_rows(void *src, const char *type, report_row_fn fn, void *ctx,
				struct fb_error *err)
{
	struct fb_store *st = src;
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int r = SQLITE_DONE;

	rc = store_prepare(st, !strcmp(type, "attendance")
			   ? "SELECT id, branch, deleted, vals FROM record NOT INDEXED WHERE type = ?1"
			   : "SELECT id, branch, deleted, vals FROM record WHERE type = ?1",
			   &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, type, -1, SQLITE_STATIC);
	while (rc == FB_OK && (r = sqlite3_step(q)) == SQLITE_ROW) {
		struct report_row row;

		row.id = (const char *)sqlite3_column_text(q, 0);
		row.branch = (const char *)sqlite3_column_text(q, 1);
		row.deleted = sqlite3_column_int(q, 2);
		row.vals = (const char *)sqlite3_column_text(q, 3);
		row.len = (size_t)sqlite3_column_bytes(q, 3);
		rc = fn(ctx, &row);
	}
	if (rc == FB_OK && r != SQLITE_DONE)
		rc = store_fail(st, r, _("report"), err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code report_scan(struct fb_store *st, int year, int names,
			 struct report_scan *out, struct fb_error *err)
{
	enum fb_code rc;

	/* One read transaction: every scan sees the same records. */
	if ((rc = store_exec(st, "SAVEPOINT report", err)) != FB_OK) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	rc = report_scan_rows(sqlite_rows, st, year, names, out, err);
	if (store_exec(st, "RELEASE report", NULL) != FB_OK && rc == FB_OK) {
		report_scan_release(out);
		rc = fb_fail(err, FB_EIO, _("report: cannot end its read"));
	}
	return rc;
}

void report_scan_release(struct report_scan *s)
{
	size_t i;

	for (i = 0; i < s->nbranch; i++) {
		free(s->branch[i].code);
		report_release(&s->branch[i].r);
	}
	free(s->branch);
	for (i = 0; i < s->npeople; i++)
		person_release(&s->people[i]);
	free(s->people);
	memset(s, 0, sizeof(*s));
}

void report_init(struct report *r, int year)
{
	int g;

	memset(r, 0, sizeof(*r));
	r->year = year;
	for (g = 0; g < REPORT_GROUPS; g++) {
		r->group[g].key = groups[g].key;
		r->group[g].title = groups[g].title;
		r->group[g].target_pct = groups[g].target;
	}
}

void report_add(struct report *r, const struct report *f)
{
	int k;

	for (k = 0; k < REPORT_ROLES; k++)
		r->members_by_role[k] += f->members_by_role[k];
	r->members_total += f->members_total;
	for (k = 0; k < REPORT_GROUPS; k++) {
		r->group[k].total += f->group[k].total;
		r->group[k].trained += f->group[k].trained;
	}
	for (k = 0; k < REPORT_TOPICS; k++) {
		r->topic_courses[k] += f->topic_courses[k];
		r->topic_attendances[k] += f->topic_attendances[k];
	}
	r->courses += f->courses;
	r->attendances += f->attendances;
	r->trainees += f->trainees;
	for (k = 0; k < REPORT_REASONS; k++) {
		r->visits_by_reason[k] += f->visits_by_reason[k];
		r->amount_by_reason[k] += f->amount_by_reason[k];
	}
	r->visits += f->visits;
	r->amount += f->amount;
}

enum fb_code report_add_person(struct report *r, const struct report_person *p)
{
	struct report_group *g;
	struct report_person *n;

	if (p->group < 0 || p->group >= REPORT_GROUPS)
		return FB_EINVAL;
	g = &r->group[p->group];
	/* Grown by doubling: the sizes that are powers of two are full. */
	if ((g->nuntrained & (g->nuntrained - 1)) == 0) {
		n = realloc(g->untrained, (g->nuntrained ? g->nuntrained * 2 : 1) * sizeof(*n));
		if (!n)
			return FB_ENOMEM;
		g->untrained = n;
	}
	n = &g->untrained[g->nuntrained];
	*n = *p;
	n->id = strdup(p->id);
	n->name = strdup(p->name);
	n->role = strdup(p->role);
	n->branch = strdup(p->branch);
	g->nuntrained++;
	return n->id && n->name && n->role && n->branch ? FB_OK : FB_ENOMEM;
}

/* Is code one of the n branches (n 0: any)? */
static int listed(const char *code, const char *const *branches, size_t n)
{
	size_t i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (!strcmp(branches[i], code))
			return 1;
	return 0;
}

enum fb_code report_build(struct fb_store *st, const char *const *branches,
			  size_t nbranches, int year, struct report *r,
			  struct fb_error *err)
{
	struct report_scan s;
	enum fb_code rc;
	size_t i;

	report_init(r, year);
	if ((rc = report_scan(st, year, 1, &s, err)) != FB_OK)
		return rc;
	for (i = 0; i < s.nbranch; i++)
		if (listed(s.branch[i].code, branches, nbranches))
			report_add(r, &s.branch[i].r);
	for (i = 0; rc == FB_OK && i < s.npeople; i++)
		if (listed(s.people[i].branch, branches, nbranches) &&
		    report_add_person(r, &s.people[i]) != FB_OK)
			rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
	report_scan_release(&s);
	if (rc != FB_OK)
		report_release(r);
	return rc;
}

void report_release(struct report *r)
{
	size_t i;
	int g;

	for (g = 0; g < REPORT_GROUPS; g++) {
		for (i = 0; i < r->group[g].nuntrained; i++)
			person_release(&r->group[g].untrained[i]);
		free(r->group[g].untrained);
		r->group[g].untrained = NULL;
		r->group[g].nuntrained = 0;
	}
}

double report_pct(const struct report_group *g)
{
	return g->total ? 100.0 * (double)g->trained / (double)g->total : 0.0;
}

int report_met(const struct report_group *g)
{
	return g->total && report_pct(g) >= g->target_pct;
}
