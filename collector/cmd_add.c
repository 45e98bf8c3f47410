/*
 * cmd_add.c - fieldbook member add, training add, visit add: options
 * map to fields; the book checks every value and prints the new id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const struct cmd_option member_opts[] = {
	{ "name", 0, "NAME", "full_name", "her full name (required)" },
	{ "role", 0, "ROLE", "role", "her role in the branch (default: member)" },
	{ "birth-year", 0, "Y", "birth_year", "the year she was born" },
	{ "phone", 0, "P", "phone", "phone number" },
	{ "joined", 0, "DATE", "joined", "the day she joined (YYYY-MM-DD or DD/MM/YYYY)" },
	{ "notes", 0, "N", "notes", "free text" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_option training_opts[] = {
	{ "title", 0, "T", "title", "what the course was called (required)" },
	{ "date", 0, "DATE", "start_date", "the day it began (YYYY-MM-DD or DD/MM/YYYY; required)" },
	{ "end-date", 0, "DATE", "end_date", "the day it ended, for a course of several days" },
	{ "topic", 0, "CODE[,CODE...]", "topics", "its topics (required)" },
	{ "topics", 0, "CODE[,CODE...]", "topics", "the same as --topic" },
	{ "location", 0, "L", "location", "where it was held" },
	{ "organizer", 0, "LEVEL", "organizer_level", "who organised it: central ... branch" },
	{ "trainer", 0, "NAME", "trainer", "who taught it" },
	{ "notes", 0, "N", "notes", "free text" },
	{ NULL, 0, NULL, NULL, NULL }
};

static const struct cmd_option visit_opts[] = {
	{ "date", 0, "DATE", "visit_date", "the day of the visit (required)" },
	{ "reason", 0, "R", "reason", "why the visit was made (required)" },
	{ "member", 0, "ID", "member_id", "the member visited" },
	{ "person", 0, "NAME", "person_name", "the person visited, when not a member" },
	{ "support", 0, "KIND", "support", "what was given" },
	{ "amount-vnd", 0, "N", "amount_vnd", "the amount in dong" },
	{ "gift", 0, "TEXT", "gift", "the gift" },
	{ "visitors", 0, "TEXT", "visitors", "who made the visit" },
	{ "notes", 0, "N", "notes", "free text" },
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
		rc = buf_printf(out, "%s:", td->fields[i].name);
		for (v = td->fields[i].vocab; rc == FB_OK && *v; v++)
			rc = buf_printf(out, " %s", *v);
		if (rc == FB_OK)
			rc = buf_addc(out, '\n');
	}
	if (rc == FB_OK)
		rc = buf_adds(out, "A code may also be given by its Vietnamese name"
			      " (\"Chi hội trưởng\", Tết, \"Bình đẳng giới\", Xã),\n"
			      "without regard to case or accents; several topics by"
			      " \",\" or \";\".  Dates may be\nDD/MM/YYYY, amounts"
			      " 500.000 or \"500,000 đ\".\n");
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
		fprintf(stderr, "%s: %s %s read as %s (a Vietnamese number without its"
			" leading 0)\n", c->prog, f->name, fv[i].value, *fixed);
		fv[i].value = *fixed;
		return;
	}
}

static enum fb_code add(struct cmd_ctx *c, enum rec_type t)
{
	struct field_value fv[FB_EDIT_FIELDS_MAX];
	char id[FB_RECORD_ID_MAX + 1], *fixed = NULL;
	struct book *b = NULL;
	size_t n = cmd_fields(c, fv, FB_EDIT_FIELDS_MAX);
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	phone_zero(c, t, fv, n, &fixed);
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
	.help = "add a member; prints her id",
	.options = member_opts,
	.run = member_add,
	.help_extra = member_vocab,
};

const struct cmd_entry cmd_training_add_entry = {
	.name = "training add",
	.usage = "training add --title T --date DATE [--end-date DATE] --topic CODE[,CODE...]"
		 " [--location L] [--organizer LEVEL] [--trainer NAME] [--notes N]",
	.help = "add a training course; prints its id",
	.options = training_opts,
	.run = training_add,
	.help_extra = training_vocab,
};

const struct cmd_entry cmd_visit_add_entry = {
	.name = "visit add",
	.usage = "visit add --date DATE --reason R (--member ID | --person NAME) [--support KIND]"
		 " [--amount-vnd N] [--gift TEXT] [--visitors TEXT] [--notes N]",
	.help = "add a support visit; prints its id",
	.options = visit_opts,
	.run = visit_add,
	.help_extra = visit_vocab,
};
