/*
 * cmd_add.c - fieldbook member add, training add, visit add: options
 * map to fields; the book checks every value and prints the new id.
 * A visit's member may be named as any record is (book_find.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "label.h"
#include "vocab.h"

static const struct cmd_option member_opts[] = {
	{ "name", 0, "NAME", "full_name", N_("her full name (required)") },
	{ "role", 0, "ROLE", "role", N_("her role in the branch (default: member)") },
	{ "birth-year", 0, "Y", "birth_year", N_("the year she was born") },
	{ "phone", 0, "P", "phone", N_("phone number") },
	{ "joined", 0, "DATE", "joined", N_("the day she joined (YYYY-MM-DD or DD/MM/YYYY)") },
	{ "notes", 0, "N", "notes", N_("free text") },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_option training_opts[] = {
	{ "title", 0, "T", "title", N_("what the course was called (required)") },
	{ "date", 0, "DATE", "start_date", N_("the day it began (YYYY-MM-DD or DD/MM/YYYY; required)") },
	{ "end-date", 0, "DATE", "end_date", N_("the day it ended, for a course of several days") },
	{ "topic", 0, "CODE[,CODE...]", "topics", N_("its topics (required)") },
	{ "topics", 0, "CODE[,CODE...]", "topics", N_("the same as --topic") },
	{ "location", 0, "L", "location", N_("where it was held") },
	{ "organizer", 0, "LEVEL", "organizer_level", N_("who organised it: central ... branch") },
	{ "trainer", 0, "NAME", "trainer", N_("who taught it") },
	{ "notes", 0, "N", "notes", N_("free text") },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_option visit_opts[] = {
	{ "date", 0, "DATE", "visit_date", N_("the day of the visit (required)") },
	{ "reason", 0, "R", "reason", N_("why the visit was made (required)") },
	{ "member", 0, "MEMBER", "member_id", N_("the member visited: her name, short id or id") },
	{ "person", 0, "NAME", "person_name", N_("the person visited, when not a member") },
	{ "support", 0, "KIND", "support", N_("what was given") },
	{ "amount-vnd", 0, "N", "amount_vnd", N_("the amount in dong") },
	{ "gift", 0, "TEXT", "gift", N_("the gift") },
	{ "visitors", 0, "TEXT", "visitors", N_("who made the visit") },
	{ "notes", 0, "N", "notes", N_("free text") },
	{ NULL, 0, NULL, NULL, NULL }
};

/* The vocabulary of the type's coded fields, for --help. */
static enum fb_code vocab(enum rec_type t, struct fb_buf *out)
{
	const struct type_def *td = model_type(t);
	const char *const *v;
	enum fb_code rc = FB_OK;
	int i;

	for (i = 0; rc == FB_OK && td->fields[i].name; i++) {
		if (!td->fields[i].vocab)
			continue;
		/* Under Vietnamese, a code a line with its name; in English,
		 * the codes on one line (packaging/fromhelp.py reads them). */
		if (fb_lang_vi())
			rc = buf_printf(out, "%s (%s):\n", label_field(td->fields[i].name),
					td->fields[i].name);
		else
			rc = buf_printf(out, "%s:", td->fields[i].name);
		for (v = td->fields[i].vocab; rc == FB_OK && *v; v++)
			rc = fb_lang_vi() ? buf_printf(out, "  %-27s %s\n", *v, vocab_label(*v))
					  : buf_printf(out, " %s", *v);
		if (rc == FB_OK && !fb_lang_vi())
			rc = buf_addc(out, '\n');
	}
	if (rc == FB_OK)
		rc = buf_adds(out, _("A code may also be given by its Vietnamese name"
				     " (\"Chi hội trưởng\", Tết, \"Bình đẳng giới\", Xã),\n"
				     "without regard to case or accents; several topics by"
				     " \",\" or \";\".  Dates may be\nDD/MM/YYYY, amounts"
				     " 500.000 or \"500,000 đ\".\n"));
	return rc;
}

/*
 * The ids of the references given by name or short id (a visit's
 * member), into refs; complete ids are left to the book to check.
 */
static enum fb_code find_refs(struct cmd_ctx *c, struct book *b, enum rec_type t,
			      struct field_value *fv, size_t n,
			      char refs[][FB_RECORD_ID_MAX + 1])
{
	struct book_names *names = NULL;
	enum fb_code rc = FB_OK;
	size_t i;

	for (i = 0; rc == FB_OK && i < n; i++) {
		const struct field_def *f = model_user_field(model_type(t), fv[i].name);

		if (!f || f->kind != FK_REF || !*fv[i].value)
			continue;
		if (!names && (rc = cli_names(c, b, &names)) != FB_OK)
			break;
		if ((rc = cli_find(c, names, fv[i].value, 1 << f->ref, refs[i])) != FB_OK) {
			fb_prefix(&c->err, ": ");
			fb_prefix(&c->err, f->name);
			break;
		}
		fv[i].value = refs[i];
	}
	book_names_close(names);
	return rc;
}

/*
 * A phone typed without the leading zero of a Vietnamese number gets it
 * back (model_check_typed), with a notice; *fixed holds the new text
 * (the caller frees it) and fv points to it.
 */
static void phone_zero(struct cmd_ctx *c, enum rec_type t, struct field_value *fv,
		       size_t n, char **fixed)
{
	const struct field_def *f;
	size_t i;
	int was;

	*fixed = NULL;
	for (i = 0; i < n; i++) {
		f = model_user_field(model_type(t), fv[i].name);
		if (!f || f->kind != FK_PHONE)
			continue;
		/* A bad value is book_add's to report. */
		if (model_check_typed(f, fv[i].value, fixed, &was, NULL) != FB_OK || !was) {
			free(*fixed);
			*fixed = NULL;
			continue;
		}
		fprintf(stderr, _("%s: %s %s read as %s (a Vietnamese number without its"
				  " leading 0)\n"), c->prog, f->name, fv[i].value, *fixed);
		fv[i].value = *fixed;
		return;
	}
}

static enum fb_code add(struct cmd_ctx *c, enum rec_type t)
{
	struct field_value fv[FB_EDIT_FIELDS_MAX];
	char id[FB_RECORD_ID_MAX + 1], refs[FB_EDIT_FIELDS_MAX][FB_RECORD_ID_MAX + 1];
	char *fixed = NULL;
	struct book *b = NULL;
	size_t n = cmd_fields(c, fv, FB_EDIT_FIELDS_MAX);
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	phone_zero(c, t, fv, n, &fixed);
	rc = find_refs(c, b, t, fv, n, refs);
	if (rc == FB_OK)
		rc = book_add(b, t, NULL, fv, n, id, &c->err);
	if (rc == FB_OK)
		printf("%s\n", id);
	free(fixed);
	book_close(b);
	return rc;
}

static enum fb_code member_add(struct cmd_ctx *c)
{
	return add(c, REC_MEMBER);
}

static enum fb_code member_vocab(struct fb_buf *out)
{
	return vocab(REC_MEMBER, out);
}

static enum fb_code training_add(struct cmd_ctx *c)
{
	return add(c, REC_TRAINING);
}

static enum fb_code training_vocab(struct fb_buf *out)
{
	return vocab(REC_TRAINING, out);
}

static enum fb_code visit_add(struct cmd_ctx *c)
{
	return add(c, REC_VISIT);
}

static enum fb_code visit_vocab(struct fb_buf *out)
{
	return vocab(REC_VISIT, out);
}

const struct cmd_entry cmd_member_add_entry = {
	.name = "member add",
	.usage = "member add --name NAME [--role ROLE] [--birth-year Y] [--phone P]"
		 " [--joined DATE] [--notes N]",
	.help = N_("add a member; prints her id"),
	.options = member_opts,
	.run = member_add,
	.help_extra = member_vocab,
};

const struct cmd_entry cmd_training_add_entry = {
	.name = "training add",
	.usage = "training add --title T --date DATE [--end-date DATE] --topic CODE[,CODE...]"
		 " [--location L] [--organizer LEVEL] [--trainer NAME] [--notes N]",
	.help = N_("add a training course; prints its id"),
	.options = training_opts,
	.run = training_add,
	.help_extra = training_vocab,
};

const struct cmd_entry cmd_visit_add_entry = {
	.name = "visit add",
	.usage = "visit add --date DATE --reason R (--member MEMBER | --person NAME) [--support KIND]"
		 " [--amount-vnd N] [--gift TEXT] [--visitors TEXT] [--notes N]",
	.help = N_("add a support visit; prints its id"),
	.options = visit_opts,
	.run = visit_add,
	.help_extra = visit_vocab,
};
