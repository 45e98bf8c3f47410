/* report.c - coverage against targets, courses by topic, visits by reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i18n.h"
#include "report.h"

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

/*
 * Branch filter: the codes go into a temporary table so that queries
 * can join it whatever their number (no SQL built from data).
 */
static enum fb_code set_scope(struct fb_store *st, const char *const *branches,
			      size_t n, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	size_t i;
	int s;

	rc = store_exec(st, "CREATE TEMP TABLE IF NOT EXISTS report_scope("
			    "branch TEXT PRIMARY KEY); DELETE FROM report_scope;", err);
	if (rc != FB_OK)
		return rc;
	if (n == 0)
		return store_exec(st, "INSERT OR IGNORE INTO report_scope"
				      " SELECT DISTINCT branch FROM record", err);
	rc = store_prepare(st, "INSERT OR IGNORE INTO report_scope VALUES(?1)", &q, err);
	for (i = 0; rc == FB_OK && i < n; i++) {
		sqlite3_bind_text(q, 1, branches[i], -1, SQLITE_STATIC);
		s = sqlite3_step(q);
		if (s != SQLITE_DONE)
			rc = store_fail(st, s, _("report scope"), err);
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	return rc;
}

/*
 * The year's trainings in scope, and the attendance of members who are
 * not deleted at them, as two indexed temporary tables: every figure
 * below is then a join on small tables, whatever the database's size.
 */
static enum fb_code materialise(struct fb_store *st, int year,
				struct fb_error *err)
{
	static const char *const setup[] = {
		"DROP TABLE IF EXISTS temp.report_train",
		"DROP TABLE IF EXISTS temp.report_att",
		"CREATE TEMP TABLE report_train(id TEXT PRIMARY KEY, topics TEXT)",
		"CREATE TEMP TABLE report_att(tid TEXT NOT NULL, mid TEXT NOT NULL)",
	};
	static const char *const fill[] = {
		"INSERT INTO report_train SELECT id, json_extract(vals, '$.topics')"
		" FROM record WHERE type = 'training' AND deleted = 0"
		" AND branch IN (SELECT branch FROM report_scope)"
		" AND substr(json_extract(vals, '$.start_date'), 1, 4) = ?1",
		"INSERT INTO report_att SELECT json_extract(a.vals, '$.training_id'),"
		" json_extract(a.vals, '$.member_id') FROM record a"
		" WHERE a.type = 'attendance' AND a.deleted = 0"
		" AND json_extract(a.vals, '$.training_id') IN (SELECT id FROM report_train)"
		" AND json_extract(a.vals, '$.member_id') IN"
		"  (SELECT id FROM record WHERE type = 'member' AND deleted = 0)",
		"CREATE INDEX temp.report_att_tid ON report_att(tid)",
		"CREATE INDEX temp.report_att_mid ON report_att(mid)",
	};
	sqlite3_stmt *q = NULL;
	enum fb_code rc = FB_OK;
	char yr[8];
	size_t i;
	int s;

	snprintf(yr, sizeof(yr), "%04d", year);
	for (i = 0; rc == FB_OK && i < sizeof(setup) / sizeof(setup[0]); i++)
		rc = store_exec(st, setup[i], err);
	for (i = 0; rc == FB_OK && i < sizeof(fill) / sizeof(fill[0]); i++) {
		if ((rc = store_prepare(st, fill[i], &q, err)) != FB_OK)
			break;
		if (sqlite3_bind_parameter_count(q) > 0)
			sqlite3_bind_text(q, 1, yr, -1, SQLITE_STATIC);
		s = sqlite3_step(q);
		if (s != SQLITE_DONE)
			rc = store_fail(st, s, _("report"), err);
		sqlite3_finalize(q);
	}
	return rc;
}

static int vocab_index(const char *const *vocab, const char *code)
{
	int i;

	for (i = 0; vocab[i]; i++)
		if (!strcmp(vocab[i], code))
			return i;
	return -1;
}

static const char *col(sqlite3_stmt *q, int i)
{
	const char *s = (const char *)sqlite3_column_text(q, i);

	return s ? s : "";
}

static enum fb_code roles(struct fb_store *st, struct report *r,
			  struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s, i;

	rc = store_prepare(st,
		"SELECT coalesce(json_extract(vals, '$.role'), 'member'), count(*)"
		" FROM record WHERE type = 'member' AND deleted = 0"
		" AND branch IN (SELECT branch FROM report_scope) GROUP BY 1", &q, err);
	if (rc != FB_OK)
		return rc;
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		i = vocab_index(model_roles, col(q, 0));
		if (i >= 0)
			r->members_by_role[i] += sqlite3_column_int(q, 1);
		r->members_total += sqlite3_column_int(q, 1);
	}
	if (s != SQLITE_DONE)
		rc = store_fail(st, s, _("report"), err);
	sqlite3_finalize(q);
	return rc;
}

/* Everyone of the target roles, with whether she attended in the year. */
static enum fb_code coverage(struct fb_store *st, struct report *r,
			     struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s, g, k;

	rc = store_prepare(st,
		"SELECT m.id, json_extract(m.vals, '$.full_name'),"
		"  json_extract(m.vals, '$.role'),"
		"  m.id IN (SELECT mid FROM report_att)"
		" FROM record m WHERE m.type = 'member' AND m.deleted = 0"
		" AND m.branch IN (SELECT branch FROM report_scope)"
		" AND json_extract(m.vals, '$.role') IN ('branch_head', 'branch_deputy',"
		"  'commune_president', 'commune_vice', 'commune_president_planned')"
		" ORDER BY fb_vi_name_key(json_extract(m.vals, '$.full_name')), m.id", &q, err);
	if (rc != FB_OK)
		return rc;
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		const char *role = col(q, 2);
		struct report_group *grp = NULL;
		struct report_person *p;

		for (g = 0; g < REPORT_GROUPS && !grp; g++)
			for (k = 0; groups[g].roles[k]; k++)
				if (!strcmp(groups[g].roles[k], role))
					grp = &r->group[g];
		if (!grp)
			continue;
		grp->total++;
		if (sqlite3_column_int(q, 3)) {
			grp->trained++;
			continue;
		}
		p = realloc(grp->untrained, (grp->nuntrained + 1) * sizeof(*p));
		if (!p) {
			rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
			break;
		}
		grp->untrained = p;
		p += grp->nuntrained;
		p->id = strdup(col(q, 0));
		p->name = strdup(col(q, 1));
		p->role = strdup(role);
		grp->nuntrained++;
		if (!p->id || !p->name || !p->role) {
			rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
			break;
		}
	}
	if (rc == FB_OK && s != SQLITE_DONE)
		rc = store_fail(st, s, _("report"), err);
	sqlite3_finalize(q);
	return rc;
}

static enum fb_code courses(struct fb_store *st, struct report *r,
			    struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc;
	int s;

	rc = store_prepare(st,
		"SELECT t.topics, (SELECT count(*) FROM report_att a WHERE a.tid = t.id)"
		" FROM report_train t", &q, err);
	if (rc != FB_OK)
		return rc;
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		char topics[1024], *save = NULL, *tok;
		long att = sqlite3_column_int(q, 1);
		int i;

		r->courses++;
		r->attendances += att;
		snprintf(topics, sizeof(topics), "%s", col(q, 0));
		for (tok = strtok_r(topics, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			i = vocab_index(model_topics, tok);
			if (i < 0)
				continue;
			r->topic_courses[i]++;
			r->topic_attendances[i] += att;
		}
	}
	if (s != SQLITE_DONE)
		rc = store_fail(st, s, _("report"), err);
	sqlite3_finalize(q);
	if (rc != FB_OK)
		return rc;
	rc = store_prepare(st, "SELECT count(DISTINCT mid) FROM report_att", &q, err);
	if (rc != FB_OK)
		return rc;
	s = sqlite3_step(q);
	if (s == SQLITE_ROW)
		r->trainees = sqlite3_column_int(q, 0);
	else
		rc = store_fail(st, s, _("report"), err);
	sqlite3_finalize(q);
	return rc;
}

static enum fb_code visits(struct fb_store *st, struct report *r,
			   struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	char yr[8];
	enum fb_code rc;
	int s, i;

	snprintf(yr, sizeof(yr), "%04d", r->year);
	rc = store_prepare(st,
		"SELECT json_extract(vals, '$.reason'), count(*),"
		"  coalesce(sum(CAST(json_extract(vals, '$.amount_vnd') AS INTEGER)), 0)"
		" FROM record WHERE type = 'visit' AND deleted = 0"
		" AND branch IN (SELECT branch FROM report_scope)"
		" AND substr(json_extract(vals, '$.visit_date'), 1, 4) = ?1 GROUP BY 1",
		&q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, yr, -1, SQLITE_STATIC);
	while ((s = sqlite3_step(q)) == SQLITE_ROW) {
		i = vocab_index(model_reasons, col(q, 0));
		if (i >= 0) {
			r->visits_by_reason[i] += sqlite3_column_int(q, 1);
			r->amount_by_reason[i] += sqlite3_column_int64(q, 2);
		}
		r->visits += sqlite3_column_int(q, 1);
		r->amount += sqlite3_column_int64(q, 2);
	}
	if (s != SQLITE_DONE)
		rc = store_fail(st, s, _("report"), err);
	sqlite3_finalize(q);
	return rc;
}

enum fb_code report_build(struct fb_store *st, const char *const *branches,
			  size_t nbranches, int year, struct report *r,
			  struct fb_error *err)
{
	enum fb_code rc;
	int g;

	memset(r, 0, sizeof(*r));
	r->year = year;
	for (g = 0; g < REPORT_GROUPS; g++) {
		r->group[g].key = groups[g].key;
		r->group[g].title = groups[g].title;
		r->group[g].target_pct = groups[g].target;
	}
	if ((rc = set_scope(st, branches, nbranches, err)) != FB_OK ||
	    (rc = materialise(st, year, err)) != FB_OK ||
	    (rc = roles(st, r, err)) != FB_OK ||
	    (rc = coverage(st, r, err)) != FB_OK ||
	    (rc = courses(st, r, err)) != FB_OK ||
	    (rc = visits(st, r, err)) != FB_OK)
		report_release(r);
	return rc;
}

void report_release(struct report *r)
{
	size_t i;
	int g;

	for (g = 0; g < REPORT_GROUPS; g++) {
		for (i = 0; i < r->group[g].nuntrained; i++) {
			free(r->group[g].untrained[i].id);
			free(r->group[g].untrained[i].name);
			free(r->group[g].untrained[i].role);
		}
		free(r->group[g].untrained);
		r->group[g].untrained = NULL;
		r->group[g].nuntrained = 0;
	}
}

double report_pct(const struct report_group *g)
{
	return g->total ? 100.0 * (double)g->trained / (double)g->total : 0.0;
}
