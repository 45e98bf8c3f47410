/*
 * ui_api.c - the local page's JSON API (ui.h).  Each request opens the
 * book, makes the calls the commands make (book_add, book_edit,
 * book_set_deleted, book_resolve..., book_report, book_each with
 * book_names_search) and closes it: the same checks, the same journal,
 * the same messages, and no lock held between requests, so that a
 * command or a sync waits at most for one short transaction of the page.
 *
 * An error is {"error": code, "message": text, "field": name}: the code
 * is one of the names below (one for each fb_code), the message is the
 * library's, in the language the request asked for, and the field is
 * the record field the message begins with, when it does, so that the
 * page shows it beside that field.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "conflict_id.h"
#include "label.h"
#include "recjson.h"
#include "report.h"
#include "text.h"
#include "ui.h"
#include "vocab.h"

#define FIELD_NAME_MAX 32

/* One request's work. */
struct api {
	struct ui_app *app;
	const struct ui_request *rq;
	struct ui_answer *an;
	struct cmd_ctx c;       /* db_path and err, as a command has them */
	struct book *b;
};

/* The error codes of answers, by fb_code (the JSON keeps codes). */
static const char *const code_names[FB_NCODES] = {
	[FB_OK] = "ok", [FB_EUSAGE] = "bad_request", [FB_EINVAL] = "invalid",
	[FB_ENOENT] = "not_found", [FB_EEXIST] = "exists", [FB_ENOINPUT] = "no_input",
	[FB_ECORRUPT] = "corrupt", [FB_EIO] = "io", [FB_ENOMEM] = "no_memory",
	[FB_ENET] = "unreachable", [FB_EBUSY] = "busy", [FB_EAUTH] = "refused",
	[FB_ECONFLICT] = "conflict", [FB_ETOOBIG] = "too_big", [FB_EINTERNAL] = "internal",
	[FB_EPROTO] = "protocol",
};

static int status_of(enum fb_code rc)
{
	switch (rc) {
	case FB_EUSAGE:    return 400;
	case FB_EINVAL:
	case FB_ETOOBIG:   return 422;
	case FB_ENOENT:    return 404;
	case FB_EEXIST:
	case FB_ECONFLICT: return 409;
	case FB_EBUSY:     return 503;
	default:           return 500;
	}
}

/*
 * The field a message is about: the word it begins with ("joined:
 * '31/02/2026' is not a date", "full_name is required"), when that is
 * a field of type t (REC_NTYPES: of any type).
 */
static const char *field_of(const char *msg, enum rec_type t, char out[FIELD_NAME_MAX])
{
	size_t n = 0;
	int k;

	while (n < FIELD_NAME_MAX - 1 && (islower((unsigned char)msg[n]) || msg[n] == '_'))
		n++;
	if (!n || (msg[n] != ':' && msg[n] != ' '))
		return NULL;
	memcpy(out, msg, n);
	out[n] = '\0';
	for (k = 0; k < REC_NTYPES; k++)
		if ((t == REC_NTYPES || (int)t == k) && model_user_field(model_type(k), out))
			return out;
	return NULL;
}

static void fail_answer(struct api *a, enum fb_code rc, enum rec_type t)
{
	cJSON *o;
	char name[FIELD_NAME_MAX];
	const char *msg, *field;

	/* Memory ran out where no message was written: say so, in words. */
	if (rc == FB_ENOMEM && !a->c.err.msg[0])
		fb_fail(&a->c.err, rc, _("out of memory"));
	o = cJSON_CreateObject();
	msg = a->c.err.msg[0] ? a->c.err.msg : fb_strerror(rc);
	field = field_of(msg, t, name);

	if (rc <= FB_OK || rc >= FB_NCODES)
		rc = FB_EINTERNAL;
	a->an->status = status_of(rc);
	if (o) {
		cJSON_AddStringToObject(o, "error", code_names[rc]);
		cJSON_AddStringToObject(o, "message", msg);
		if (field)
			cJSON_AddStringToObject(o, "field", field);
		else
			cJSON_AddNullToObject(o, "field");
	}
	cJSON_Delete(a->an->doc);
	a->an->doc = o;
}

/* A bad request: a message of our own (marked), no field. */
static void bad_request(struct api *a, const char *msgid)
{
	fb_fail(&a->c.err, FB_EUSAGE, "%s", _(msgid));
	fail_answer(a, FB_EUSAGE, REC_NTYPES);
}

static void ok_answer(struct api *a, cJSON *doc)
{
	if (!doc) {
		fb_fail(&a->c.err, FB_ENOMEM, _("out of memory"));
		fail_answer(a, FB_ENOMEM, REC_NTYPES);
		return;
	}
	a->an->status = 200;
	a->an->doc = doc;
}

static enum fb_code open_book(struct api *a)
{
	return a->b ? FB_OK : cli_open_quiet(&a->c, &a->b);
}

static const char *body_str(const struct api *a, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(a->rq->body, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The type a request names ("member", "members"), not attendance. */
static const struct type_def *type_named(const char *name)
{
	const struct type_def *t = name ? model_type_named(name) : NULL;

	return t && t->type != REC_ATTENDANCE ? t : NULL;
}

/* --- what the page needs to draw its forms --------------------------- */

static const char *kind_name(enum field_kind k)
{
	static const char *const names[] = {
		[FK_TEXT] = "text", [FK_NOTES] = "notes", [FK_PHONE] = "phone",
		[FK_DATE] = "date", [FK_YEAR] = "year", [FK_AMOUNT] = "amount",
		[FK_ENUM] = "enum", [FK_TOPICS] = "topics", [FK_REF] = "ref",
		[FK_BOOL] = "bool", [FK_SEEN] = "seen",
	};

	return (size_t)k < sizeof(names) / sizeof(names[0]) && names[k] ? names[k] : "text";
}

/* A code as the page shows it: its Vietnamese name under Vietnamese,
 * in English the code with spaces ("branch head"). */
static cJSON *vocab_json(const char *const *vocab)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	char en[64];
	size_t i;

	for (; arr && *vocab; vocab++) {
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o))
			goto fail;
		snprintf(en, sizeof(en), "%s", *vocab);
		for (i = 0; en[i]; i++)
			if (en[i] == '_')
				en[i] = ' ';
		if (!cJSON_AddStringToObject(o, "code", *vocab) ||
		    !cJSON_AddStringToObject(o, "label", fb_lang_vi() ? vocab_label(*vocab) : en) ||
		    !cJSON_AddStringToObject(o, "vi", vocab_label(*vocab)))
			goto fail;
	}
	return arr;
fail:
	cJSON_Delete(arr);
	return NULL;
}

/* The fields a person fills in for a type, in the model's order. */
static cJSON *fields_json(const struct type_def *t)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	int i;

	for (i = 0; arr && t->fields[i].name; i++) {
		const struct field_def *f = &t->fields[i];

		if (f->internal || f->immutable || !strcmp(f->name, FIELD_DELETED))
			continue;
		if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o) ||
		    !cJSON_AddStringToObject(o, "name", f->name) ||
		    !cJSON_AddStringToObject(o, "kind", kind_name(f->kind)) ||
		    !cJSON_AddBoolToObject(o, "required", f->required) ||
		    !cJSON_AddNumberToObject(o, "max", (double)f->max) ||
		    (f->vocab && !cJSON_AddItemToObject(o, "vocab", vocab_json(f->vocab))))
			goto fail;
	}
	return arr;
fail:
	cJSON_Delete(arr);
	return NULL;
}

static void info(struct api *a)
{
	static const enum rec_type types[] = { REC_MEMBER, REC_TRAINING, REC_VISIT };
	cJSON *o = cJSON_CreateObject(), *t;
	char *name = NULL;
	enum fb_code rc;
	int year;
	size_t i;

	if ((rc = open_book(a)) != FB_OK ||
	    (rc = book_meta_get(a->b, "branch_name", &name, &a->c.err)) != FB_OK ||
	    (rc = cli_year(&a->c, NULL, &year)) != FB_OK) {
		cJSON_Delete(o);
		fail_answer(a, rc, REC_NTYPES);
		return;
	}
	if (o) {
		cJSON_AddStringToObject(o, "branch", book_branch(a->b));
		cJSON_AddStringToObject(o, "branch_name", name ? name : "");
		cJSON_AddNumberToObject(o, "year", year);
		cJSON_AddStringToObject(o, "lang", fb_lang());
		cJSON_AddItemToObject(o, "text", ui_text_json());
		t = cJSON_AddObjectToObject(o, "types");
		for (i = 0; t && i < sizeof(types) / sizeof(types[0]); i++)
			cJSON_AddItemToObject(t, model_type(types[i])->name,
					      fields_json(model_type(types[i])));
	}
	free(name);
	ok_answer(a, o);
}

/* --- lists and records ------------------------------------------------ */

struct listing {
	cJSON *arr;
	const struct book_names *names;
	const char *folded;             /* NULL: all */
};

/* A record as list --json has it, with its short id and what a person
 * calls it (a visit's member by her name). */
static cJSON *record_json(const struct book_names *names, const struct record *r)
{
	const struct book_name *e = book_names_get(names, r->id);
	char sid[FB_ATT_ID_LEN + 1];
	cJSON *o = record_to_json(r);

	book_names_short(names, r->id, sid);
	if (o && (!cJSON_AddStringToObject(o, "short_id", sid) ||
		  !cJSON_AddStringToObject(o, "label", e ? e->label : ""))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static enum fb_code list_one(const struct record *r, void *ctx)
{
	struct listing *l = ctx;
	cJSON *o;

	if (l->folded && !book_names_search(l->names, r->id, l->folded))
		return FB_OK;
	o = record_json(l->names, r);
	return o && cJSON_AddItemToArray(l->arr, o) ? FB_OK : FB_ENOMEM;
}

static void list(struct api *a)
{
	const struct type_def *t = type_named(a->rq->arg(a->rq->arg_ctx, "type"));
	const char *search = a->rq->arg(a->rq->arg_ctx, "search");
	const char *all = a->rq->arg(a->rq->arg_ctx, "all");
	const char *year_s = a->rq->arg(a->rq->arg_ctx, "year");
	struct listing l = { NULL, NULL, NULL };
	struct book_names *names = NULL;
	char *folded = NULL;
	cJSON *o = NULL;
	int year = 0;
	enum fb_code rc;

	if (!t) {
		bad_request(a, N_("choose members, trainings or visits"));
		return;
	}
	if (year_s && *year_s && (rc = cli_year(&a->c, year_s, &year)) != FB_OK)
		goto fail;
	if (search && *search && (rc = text_fold(search, TEXT_FOLD_ACCENTS, &folded)) != FB_OK) {
		fb_fail(&a->c.err, rc, _("--search: %s"), rc == FB_EINVAL ? _("invalid UTF-8")
									    : _("out of memory"));
		goto fail;
	}
	if ((rc = open_book(a)) != FB_OK || (rc = book_names_open(a->b, &names, &a->c.err)) != FB_OK)
		goto fail;
	if (!(o = cJSON_CreateObject()) || !(l.arr = cJSON_AddArrayToObject(o, "items"))) {
		rc = fb_fail(&a->c.err, FB_ENOMEM, _("out of memory"));
		goto fail;
	}
	l.names = names;
	l.folded = folded;
	rc = book_each(a->b, t->type, year, all && !strcmp(all, "1"), list_one, &l, &a->c.err);
	if (rc != FB_OK)
		goto fail;
	cJSON_AddNumberToObject(o, "count", cJSON_GetArraySize(l.arr));
	ok_answer(a, o);
	o = NULL;
	goto out;
fail:
	fail_answer(a, rc, REC_NTYPES);
out:
	cJSON_Delete(o);
	free(folded);
	book_names_close(names);
}

static enum fb_code add_link(const char *id, void *ctx)
{
	return cJSON_AddItemToArray(ctx, cJSON_CreateString(id)) ? FB_OK : FB_ENOMEM;
}

/* One record, as show --json has it (a training's attendees, a member's
 * trainings), with its short id and label. */
static void record(struct api *a)
{
	const char *id = a->rq->arg(a->rq->arg_ctx, "id");
	struct book_names *names = NULL;
	struct record *r = NULL;
	cJSON *o = NULL, *links;
	enum fb_code rc;

	if (!id) {
		bad_request(a, N_("give a record's id"));
		return;
	}
	if ((rc = open_book(a)) != FB_OK || (rc = book_names_open(a->b, &names, &a->c.err)) != FB_OK ||
	    (rc = book_get(a->b, id, &r, &a->c.err)) != FB_OK)
		goto fail;
	if (!(o = record_json(names, r))) {
		rc = fb_fail(&a->c.err, FB_ENOMEM, _("out of memory"));
		goto fail;
	}
	if (r->type == REC_TRAINING || r->type == REC_MEMBER) {
		links = cJSON_AddArrayToObject(o, r->type == REC_TRAINING ? "attendees" : "trainings");
		if (!links) {
			rc = fb_fail(&a->c.err, FB_ENOMEM, _("out of memory"));
			goto fail;
		}
		if ((rc = book_each_link(a->b, r, add_link, links, &a->c.err)) != FB_OK)
			goto fail;
	}
	ok_answer(a, o);
	o = NULL;
	goto out;
fail:
	fail_answer(a, rc, REC_NTYPES);
out:
	cJSON_Delete(o);
	record_free(r);
	book_names_close(names);
}

/* --- writes ------------------------------------------------------------ */

/*
 * The "fields" object of the body as field values into fv (pointing
 * into the body); *n of them.  A value that is not a string is a bad
 * request.  A phone that lost its leading zero gets it back, as in
 * `member add` (model_check_typed): *fixed is then the caller's to free.
 */
static int body_fields(struct api *a, enum rec_type t, struct field_value *fv, size_t *n,
		       char **fixed, int *phone_fixed)
{
	const cJSON *fields = cJSON_GetObjectItemCaseSensitive(a->rq->body, "fields"), *it;

	*n = 0;
	*fixed = NULL;
	*phone_fixed = 0;
	if (!cJSON_IsObject(fields)) {
		bad_request(a, N_("the request has no fields"));
		return 0;
	}
	cJSON_ArrayForEach(it, fields) {
		const struct field_def *f;

		if (!cJSON_IsString(it)) {
			bad_request(a, N_("every field's value is text"));
			return 0;
		}
		if (*n >= FB_EDIT_FIELDS_MAX) {
			fb_fail(&a->c.err, FB_ETOOBIG, _("too many fields in one edit"));
			fail_answer(a, FB_ETOOBIG, t);
			return 0;
		}
		fv[*n].name = it->string;
		fv[*n].value = it->valuestring;
		f = model_user_field(model_type(t), it->string);
		if (f && f->kind == FK_PHONE && !*fixed) {
			int was = 0;

			if (model_check_typed(f, it->valuestring, fixed, &was, NULL) == FB_OK && was) {
				fv[*n].value = *fixed;
				*phone_fixed = 1;
			} else {
				free(*fixed);
				*fixed = NULL;
			}
		}
		(*n)++;
	}
	return 1;
}

static void add(struct api *a)
{
	const struct type_def *t = type_named(body_str(a, "type"));
	struct field_value fv[FB_EDIT_FIELDS_MAX];
	char id[FB_RECORD_ID_MAX + 1];
	char *fixed = NULL;
	size_t n;
	int phone_fixed;
	enum fb_code rc;
	cJSON *o;

	if (!t) {
		bad_request(a, N_("choose members, trainings or visits"));
		return;
	}
	if (!body_fields(a, t->type, fv, &n, &fixed, &phone_fixed))
		goto out;
	if ((rc = open_book(a)) != FB_OK ||
	    (rc = book_add(a->b, t->type, NULL, fv, n, id, &a->c.err)) != FB_OK) {
		fail_answer(a, rc, t->type);
		goto out;
	}
	if ((o = cJSON_CreateObject()) != NULL) {
		cJSON_AddStringToObject(o, "id", id);
		cJSON_AddBoolToObject(o, "phone_fixed", phone_fixed);
	}
	ok_answer(a, o);
out:
	free(fixed);
}

/* The record a body's "id" names, loaded (its type for the messages). */
static struct record *body_record(struct api *a, const char *key, enum fb_code *rc)
{
	const char *id = body_str(a, key);
	struct record *r = NULL;

	if (!id) {
		bad_request(a, N_("give a record's id"));
		*rc = FB_EUSAGE;
		return NULL;
	}
	if ((*rc = open_book(a)) != FB_OK || (*rc = book_get(a->b, id, &r, &a->c.err)) != FB_OK) {
		fail_answer(a, *rc, REC_NTYPES);
		return NULL;
	}
	return r;
}

static void edit(struct api *a)
{
	struct field_value fv[FB_EDIT_FIELDS_MAX];
	struct record *r;
	char *fixed = NULL;
	size_t n, changed = 0;
	int phone_fixed;
	enum fb_code rc;
	cJSON *o;

	if (!(r = body_record(a, "id", &rc)))
		return;
	if (!body_fields(a, r->type, fv, &n, &fixed, &phone_fixed))
		goto out;
	if ((rc = book_edit(a->b, r->id, fv, n, &changed, &a->c.err)) != FB_OK) {
		fail_answer(a, rc, r->type);
		goto out;
	}
	if ((o = cJSON_CreateObject()) != NULL) {
		cJSON_AddNumberToObject(o, "changed", (double)changed);
		cJSON_AddBoolToObject(o, "phone_fixed", phone_fixed);
	}
	ok_answer(a, o);
out:
	free(fixed);
	record_free(r);
}

static void set_deleted(struct api *a, int deleted)
{
	struct record *r;
	enum fb_code rc;
	cJSON *o;
	int was;

	if (!(r = body_record(a, "id", &rc)))
		return;
	was = record_deleted(r);
	if ((rc = book_set_deleted(a->b, r->id, deleted, &a->c.err)) != FB_OK) {
		fail_answer(a, rc, r->type);
	} else if ((o = cJSON_CreateObject()) != NULL) {
		cJSON_AddBoolToObject(o, "deleted", deleted);
		cJSON_AddBoolToObject(o, "changed", was != deleted);
		ok_answer(a, o);
	} else {
		ok_answer(a, NULL);
	}
	record_free(r);
}

static void delete(struct api *a)
{
	set_deleted(a, 1);
}

static void restore(struct api *a)
{
	set_deleted(a, 0);
}

/* --- attendance: a training's checklist ---------------------------------- */

struct attendees {
	char (*ids)[FB_ID_LEN + 1];
	size_t n, cap;
};

static enum fb_code note_attendee(const char *id, void *ctx)
{
	struct attendees *at = ctx;

	if (at->n == at->cap) {
		size_t cap = at->cap ? 2 * at->cap : 64;
		void *p = realloc(at->ids, cap * sizeof(*at->ids));

		if (!p)
			return FB_ENOMEM;
		at->ids = p;
		at->cap = cap;
	}
	snprintf(at->ids[at->n++], FB_ID_LEN + 1, "%s", id);
	return FB_OK;
}

static int listed(const cJSON *arr, const char *id)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (!strcmp(it->valuestring, id))
			return 1;
	return 0;
}

/*
 * Make the training's attendees the members listed, in one
 * transaction, as `training attend` and `training unattend` do: a
 * member added (book_add of an attendance, which restores one removed
 * before), an attendee not listed removed (its attendance deleted).
 */
static void attendance(struct api *a)
{
	const cJSON *members = cJSON_GetObjectItemCaseSensitive(a->rq->body, "members"), *it;
	struct attendees now = { NULL, 0, 0 };
	char id[FB_RECORD_ID_MAX + 1];
	size_t i, added = 0, removed = 0;
	struct record *t;
	enum fb_code rc = FB_OK;
	cJSON *o;

	if (!cJSON_IsArray(members)) {
		bad_request(a, N_("give the members who attended"));
		return;
	}
	cJSON_ArrayForEach(it, members)
		if (!cJSON_IsString(it)) {
			bad_request(a, N_("give the members who attended"));
			return;
		}
	if (!(t = body_record(a, "training", &rc)))
		return;
	if (t->type != REC_TRAINING) {
		rc = fb_fail(&a->c.err, FB_EINVAL, _("training_id: '%s' is not a record id"), t->id);
		goto fail;
	}
	if ((rc = book_each_link(a->b, t, note_attendee, &now, &a->c.err)) != FB_OK ||
	    (rc = book_begin(a->b, &a->c.err)) != FB_OK)
		goto fail;
	cJSON_ArrayForEach(it, members) {
		struct field_value fv[] = { { "training_id", t->id }, { "member_id", it->valuestring } };
		int had = 0;

		for (i = 0; i < now.n && !had; i++)
			had = !strcmp(now.ids[i], it->valuestring);
		if (had)
			continue;
		if ((rc = book_add(a->b, REC_ATTENDANCE, NULL, fv, 2, id, &a->c.err)) != FB_OK)
			break;
		added++;
	}
	for (i = 0; rc == FB_OK && i < now.n; i++) {
		if (listed(members, now.ids[i]))
			continue;
		model_attendance_id(t->id, now.ids[i], id);
		if ((rc = book_set_deleted(a->b, id, 1, &a->c.err)) == FB_OK)
			removed++;
	}
	if (rc == FB_OK)
		rc = book_commit(a->b, &a->c.err);
	else
		book_rollback(a->b);
	if (rc != FB_OK)
		goto fail;
	if ((o = cJSON_CreateObject()) != NULL) {
		cJSON_AddNumberToObject(o, "added", (double)added);
		cJSON_AddNumberToObject(o, "removed", (double)removed);
	}
	ok_answer(a, o);
	goto out;
fail:
	fail_answer(a, rc, REC_ATTENDANCE);
out:
	free(now.ids);
	record_free(t);
}

/* --- the report, conflicts, sync ----------------------------------------- */

static void report(struct api *a)
{
	const char *year_s = a->rq->arg(a->rq->arg_ctx, "year");
	struct report r;
	char *name = NULL;
	enum fb_code rc;
	cJSON *o;
	int year;

	if ((rc = cli_year(&a->c, year_s && *year_s ? year_s : NULL, &year)) != FB_OK ||
	    (rc = open_book(a)) != FB_OK ||
	    (rc = book_meta_get(a->b, "branch_name", &name, &a->c.err)) != FB_OK ||
	    (rc = book_report(a->b, year, &r, &a->c.err)) != FB_OK) {
		free(name);
		fail_answer(a, rc, REC_NTYPES);
		return;
	}
	o = cli_report_json(&r, book_branch(a->b));
	if (o)
		cJSON_AddStringToObject(o, "branch_name", name ? name : "");
	report_release(&r);
	free(name);
	ok_answer(a, o);
}

struct conflicts {
	cJSON *arr;
	const struct book_names *names;
	struct book *b;
};

static enum fb_code conflict_one(const struct book_conflict *k, void *ctx)
{
	struct conflicts *x = ctx;
	const struct book_name *e = book_names_get(x->names, k->record);
	char id[CONFLICT_ID_SHOWN + 1];
	cJSON *o;

	if (k->resolved || k->inherited)
		return FB_OK;
	snprintf(id, sizeof(id), "%s", k->id);
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddItemToArray(x->arr, o) ||
	    !cJSON_AddStringToObject(o, "id", id) ||
	    !cJSON_AddStringToObject(o, "record", k->record) ||
	    !cJSON_AddStringToObject(o, "label", e ? e->label : "") ||
	    !cJSON_AddStringToObject(o, "type", k->type) ||
	    !cJSON_AddStringToObject(o, "field", k->field) ||
	    !cJSON_AddStringToObject(o, "kind", k->kind) ||
	    !cJSON_AddStringToObject(o, "current", k->current) ||
	    !cJSON_AddStringToObject(o, "other", k->loser_value) ||
	    !cJSON_AddStringToObject(o, "other_device", k->loser_device) ||
	    !cJSON_AddBoolToObject(o, "other_here", !strcmp(k->loser_device, book_device(x->b))))
		return FB_ENOMEM;
	return FB_OK;
}

/* The conflicts this laptop is to settle, as `conflicts --json` lists
 * them (open, not inherited), with the record's name. */
static void conflicts(struct api *a)
{
	struct conflicts x = { NULL, NULL, NULL };
	struct book_names *names = NULL;
	cJSON *o = cJSON_CreateObject();
	enum fb_code rc;

	if (!o || !(x.arr = cJSON_AddArrayToObject(o, "items"))) {
		rc = fb_fail(&a->c.err, FB_ENOMEM, _("out of memory"));
		goto fail;
	}
	if ((rc = open_book(a)) != FB_OK || (rc = book_names_open(a->b, &names, &a->c.err)) != FB_OK)
		goto fail;
	x.names = names;
	x.b = a->b;
	if ((rc = book_each_conflict(a->b, 1, conflict_one, &x, &a->c.err)) != FB_OK)
		goto fail;
	ok_answer(a, o);
	o = NULL;
	goto out;
fail:
	fail_answer(a, rc, REC_NTYPES);
out:
	cJSON_Delete(o);
	book_names_close(names);
}

/* Settle a conflict as `resolve` does: keep current, keep other, or a value. */
static void resolve(struct api *a)
{
	const char *id = body_str(a, "id"), *keep = body_str(a, "keep"), *value = body_str(a, "value");
	char prefix[CONFLICT_ID_LEN + 1];
	long long row = 0;
	enum fb_code rc;

	if (!id || !!keep == !!value || (keep && strcmp(keep, "current") && strcmp(keep, "other"))) {
		bad_request(a, N_("give --keep current, --keep other or --value V"));
		return;
	}
	if (!conflict_id_prefix(id, prefix)) {
		rc = fb_fail(&a->c.err, FB_EINVAL, _("'%s' is not a conflict id (see"
						     " 'fieldbook conflicts')"), id);
		fail_answer(a, rc, REC_NTYPES);
		return;
	}
	if ((rc = open_book(a)) == FB_OK &&
	    (rc = book_conflict_find(a->b, id, &row, &a->c.err)) == FB_OK)
		rc = value ? book_resolve(a->b, row, value, &a->c.err)
			   : book_resolve_keep(a->b, row, !strcmp(keep, "current"), &a->c.err);
	if (rc != FB_OK) {
		fail_answer(a, rc, REC_NTYPES);
		return;
	}
	ok_answer(a, cJSON_CreateObject());
}

static void sync_get(struct api *a)
{
	ok_answer(a, ui_sync_json(a->app));
}

static void sync_post(struct api *a)
{
	enum fb_code rc = ui_sync_start(a->app, &a->c.err);

	if (rc != FB_OK)
		fail_answer(a, rc, REC_NTYPES);
	else
		ok_answer(a, ui_sync_json(a->app));
}

static const struct {
	const char *method, *path;
	void (*fn)(struct api *a);
} routes[] = {
	{ "GET", "/api/info", info },
	{ "GET", "/api/list", list },
	{ "GET", "/api/record", record },
	{ "POST", "/api/add", add },
	{ "POST", "/api/edit", edit },
	{ "POST", "/api/delete", delete },
	{ "POST", "/api/restore", restore },
	{ "POST", "/api/attendance", attendance },
	{ "GET", "/api/report", report },
	{ "GET", "/api/conflicts", conflicts },
	{ "POST", "/api/resolve", resolve },
	{ "GET", "/api/sync", sync_get },
	{ "POST", "/api/sync", sync_post },
};

void ui_api(struct ui_app *app, const struct ui_request *rq, struct ui_answer *an)
{
	struct api *a = calloc(1, sizeof(*a));
	size_t i;

	an->status = 500;
	an->doc = NULL;
	if (!a)
		return;
	a->app = app;
	a->rq = rq;
	a->an = an;
	a->c.prog = app->prog;
	a->c.db_path = app->db_path;
	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (!strcmp(routes[i].path, rq->path) && !strcmp(routes[i].method, rq->method))
			break;
	if (i < sizeof(routes) / sizeof(routes[0])) {
		routes[i].fn(a);
	} else {
		fb_fail(&a->c.err, FB_ENOENT, "%s", _("no such page"));
		fail_answer(a, FB_ENOENT, REC_NTYPES);
	}
	book_close(a->b);
	buf_release(&a->c.detail);
	free(a);
}
