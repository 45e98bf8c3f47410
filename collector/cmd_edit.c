/*
 * cmd_edit.c - fieldbook edit RECORD FIELD=VALUE..., delete RECORD,
 * restore RECORD.  RECORD is an id, a short id, a member's name or a
 * training's title (book_find.h); FIELD is a field's name or the name
 * of the `add` option that sets it (name=, birth-year=, date=).  Each
 * says in one line what it did.
 */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "label.h"
#include "i18n.h"
#include "text.h"

/* The `add` command of a type, whose option names edit also takes. */
static const struct cmd_entry *add_entry_of(enum rec_type t)
{
	switch (t) {
	case REC_MEMBER:   return &cmd_member_add_entry;
	case REC_TRAINING: return &cmd_training_add_entry;
	case REC_VISIT:    return &cmd_visit_add_entry;
	default:           return NULL;
	}
}

/* The field `name` means for a record of type t: a field's own name, or
 * an add option's ("birth-year"); the name itself when neither (the
 * book then says the type has no such field). */
static const char *field_named(enum rec_type t, const char *name)
{
	const struct cmd_entry *e = add_entry_of(t);
	const struct cmd_option *o;

	if (model_user_field(model_type(t), name) || !e)
		return name;
	for (o = e->options; o->name; o++)
		if (o->field && !strcmp(o->name, name))
			return o->field;
	return name;
}

/* A value for one line: line breaks as spaces, cut to cols columns. */
static enum fb_code short_value(struct fb_buf *out, const char *v, size_t cols)
{
	struct fb_buf flat = FB_BUF_INIT(0);
	enum fb_code rc = FB_OK;
	const char *p;

	for (p = v; rc == FB_OK && *p; p++)
		rc = buf_addc(&flat, *p == '\n' || *p == '\t' ? ' ' : *p);
	if (rc == FB_OK && text_width(buf_str(&flat)) > cols)
		rc = text_pad(out, buf_str(&flat), cols);
	else if (rc == FB_OK)
		rc = buf_adds(out, buf_str(&flat));
	buf_release(&flat);
	return rc;
}

#define EDIT_VALUE_COLS 40      /* of a changed value, in edit's line */

/* "changed member Lan (1c2e5b7d): phone = 0987000222, notes cleared" */
static enum fb_code say_changed(const struct book_names *n, const struct record *before,
				const struct record *after)
{
	const struct type_def *t = model_type(after->type);
	struct fb_buf line = FB_BUF_INIT(0);
	enum fb_code rc;
	int i, first = 1;

	rc = buf_printf(&line, _("changed %s:"), cli_describe(n, after->id, after->type));
	for (i = 0; rc == FB_OK && t->fields[i].name; i++) {
		const char *was = before->val[i] ? before->val[i] : "";
		const char *now = after->val[i] ? after->val[i] : "";

		if (t->fields[i].internal || !strcmp(was, now))
			continue;
		rc = buf_printf(&line, "%s %s", first ? "" : ",", label_field(t->fields[i].name));
		first = 0;
		if (rc == FB_OK && !*now)
			rc = buf_adds(&line, _(" cleared"));
		else if (rc == FB_OK && (rc = buf_adds(&line, " = ")) == FB_OK)
			rc = short_value(&line, cli_shown(after->type, t->fields[i].name, now),
					 EDIT_VALUE_COLS);
	}
	if (rc == FB_OK)
		printf("%s\n", buf_str(&line));
	buf_release(&line);
	return rc;
}

static enum fb_code edit(struct cmd_ctx *c)
{
	struct field_value fv[FB_EDIT_FIELDS_MAX];
	char id[FB_RECORD_ID_MAX + 1], refs[FB_EDIT_FIELDS_MAX][FB_RECORD_ID_MAX + 1];
	struct record *r = NULL, *after = NULL;
	struct book_names *names = NULL;
	struct book *b = NULL;
	size_t n = 0, changed = 0, i;
	int k;
	enum fb_code rc;

	for (k = 1; k < c->argc; k++) {
		char *eq = strchr(c->argv[k], '=');

		if (!eq || eq == c->argv[k])
			return cmd_usage(c, _("'%s' is not FIELD=VALUE"), c->argv[k]);
		if (n >= FB_EDIT_FIELDS_MAX)
			return cmd_usage(c, _("too many fields"));
		*eq = '\0';
		fv[n].name = c->argv[k];
		fv[n].value = eq + 1;
		n++;
	}
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if ((rc = cli_names(c, b, &names)) != FB_OK ||
	    (rc = cli_find(c, names, c->argv[0], BOOK_FIND_ANY, id)) != FB_OK ||
	    (rc = book_get(b, id, &r, &c->err)) != FB_OK)
		goto out;
	for (i = 0; i < n; i++) {
		const struct field_def *f;

		fv[i].name = field_named(r->type, fv[i].name);
		f = model_user_field(model_type(r->type), fv[i].name);
		/* A member or a training named where an id goes; a complete
		 * id is left to the book, which says when it is unknown. */
		if (!f || f->kind != FK_REF || f->immutable || !*fv[i].value)
			continue;
		rc = cli_find(c, names, fv[i].value, 1 << f->ref, refs[i]);
		if (rc != FB_OK) {
			fb_prefix(&c->err, ": ");
			fb_prefix(&c->err, f->name);
			goto out;
		}
		fv[i].value = refs[i];
	}
	if ((rc = book_edit(b, id, fv, n, &changed, &c->err)) != FB_OK)
		goto out;
	if (changed == 0) {
		fprintf(stderr, _("fieldbook: nothing changed\n"));
		goto out;
	}
	if ((rc = book_get(b, id, &after, &c->err)) == FB_OK)
		rc = say_changed(names, r, after);
	if (rc != FB_OK && !c->err.msg[0])
		fb_fail(&c->err, rc, _("out of memory"));
out:
	record_free(r);
	record_free(after);
	book_names_close(names);
	book_close(b);
	return rc;
}

static enum fb_code set_deleted(struct cmd_ctx *c, int deleted)
{
	char id[FB_RECORD_ID_MAX + 1], sid[FB_ATT_ID_LEN + 1];
	struct book_names *names = NULL;
	struct record *r = NULL;
	struct book *b = NULL;
	const char *what;
	int was;
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	if ((rc = cli_names(c, b, &names)) != FB_OK ||
	    (rc = cli_find(c, names, c->argv[0],
			   BOOK_FIND_ANY | (deleted ? 0 : BOOK_FIND_DELETED_FIRST), id)) != FB_OK ||
	    (rc = book_get(b, id, &r, &c->err)) != FB_OK)
		goto out;
	was = record_deleted(r);
	if ((rc = book_set_deleted(b, id, deleted, &c->err)) != FB_OK)
		goto out;
	what = cli_describe(names, id, r->type);
	book_names_short(names, id, sid);
	if (was == deleted)
		printf(deleted ? _("%s was already deleted\n") : _("%s was not deleted\n"), what);
	else if (deleted)
		printf(_("deleted %s; 'fieldbook restore %s' brings it back\n"), what, sid);
	else
		printf(_("restored %s\n"), what);
out:
	record_free(r);
	book_names_close(names);
	book_close(b);
	return rc;
}

static enum fb_code delete(struct cmd_ctx *c)
{
	return set_deleted(c, 1);
}

static enum fb_code restore(struct cmd_ctx *c)
{
	return set_deleted(c, 0);
}

#define HELP_COLS 76             /* edit --help's lines of fields */
#define HELP_INDENT 11

/* The names edit takes for one type: "name|full_name, role, ...". */
static enum fb_code type_fields(struct fb_buf *out, enum rec_type t)
{
	const struct type_def *td = model_type(t);
	const struct cmd_entry *e = add_entry_of(t);
	struct fb_buf one = FB_BUF_INIT(0);
	size_t col = HELP_INDENT;
	enum fb_code rc = buf_adds(out, "  ");
	int i, first = 1;

	/* A type's name wider than the indent (in a translation) has the
	 * line to itself. */
	if (rc == FB_OK && text_width(label_type(t)) <= HELP_INDENT - 2)
		rc = text_pad(out, label_type(t), HELP_INDENT - 2);
	else if (rc == FB_OK)
		rc = buf_printf(out, "%s\n%*s", label_type(t), HELP_INDENT, "");
	for (i = 0; rc == FB_OK && td->fields[i].name; i++) {
		const struct field_def *f = &td->fields[i];
		const struct cmd_option *o;

		if (f->internal || f->immutable || !strcmp(f->name, FIELD_DELETED))
			continue;
		buf_reset(&one);
		for (o = e->options; rc == FB_OK && o->name; o++)
			if (o->field && !strcmp(o->field, f->name) && strcmp(o->name, f->name))
				rc = buf_printf(&one, "%s|", o->name);
		if (rc == FB_OK)
			rc = buf_adds(&one, f->name);
		if (rc == FB_OK && !first)
			rc = buf_adds(out, ",");
		/* A new line, under the first field, when this one would
		 * not fit on this one. */
		if (rc == FB_OK && !first && col + 2 + one.len > HELP_COLS) {
			rc = buf_printf(out, "\n%*s", HELP_INDENT, "");
			col = HELP_INDENT;
		} else if (rc == FB_OK && !first) {
			rc = buf_addc(out, ' ');
			col += 2;
		}
		if (rc == FB_OK)
			rc = buf_adds(out, buf_str(&one));
		col += one.len;
		first = 0;
	}
	buf_release(&one);
	return rc == FB_OK ? buf_addc(out, '\n') : rc;
}

static enum fb_code edit_fields(struct fb_buf *out)
{
	enum fb_code rc = buf_adds(out, _("fields, by type (an add option's name, or the"
					  " field's):\n"));

	if (rc == FB_OK)
		rc = type_fields(out, REC_MEMBER);
	if (rc == FB_OK)
		rc = type_fields(out, REC_TRAINING);
	if (rc == FB_OK)
		rc = type_fields(out, REC_VISIT);
	if (rc == FB_OK)
		rc = buf_adds(out, _("\nAn empty value clears an optional field.  RECORD is an"
				     " id, a short id\n(fieldbook list), a member's name or a"
				     " training's title.\n"));
	return rc;
}

const struct cmd_entry cmd_edit_entry = {
	.name = "edit",
	.usage = "edit RECORD FIELD=VALUE...",
	.help = N_("change fields of a record"),
	.args_min = 2,
	.args_max = CMD_ARGS_ANY,
	.too_few = N_("give a record and at least one FIELD=VALUE"),
	.run = edit,
	.help_extra = edit_fields,
};

const struct cmd_entry cmd_delete_entry = {
	.name = "delete",
	.usage = "delete RECORD",
	.help = N_("delete a record (it can be restored)"),
	.args_min = 1,
	.args_max = 1,
	.too_few = N_("give exactly one record"),
	.too_many = N_("give exactly one record"),
	.run = delete,
};

const struct cmd_entry cmd_restore_entry = {
	.name = "restore",
	.usage = "restore RECORD",
	.help = N_("undo a delete"),
	.args_min = 1,
	.args_max = 1,
	.too_few = N_("give exactly one record"),
	.too_many = N_("give exactly one record"),
	.run = restore,
};
