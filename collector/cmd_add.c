/*
 * cmd_add.c - fieldbook member add, training add, visit add: options
 * map to fields; the book checks every value and prints the new id.
 */
#include <stdio.h>

#include "commands.h"

static const struct opt_field member_opts[] = {
	{ "name", "full_name" }, { "role", "role" },
	{ "birth-year", "birth_year" }, { "phone", "phone" },
	{ "joined", "joined" }, { "notes", "notes" }, { NULL, NULL }
};

static const struct opt_field training_opts[] = {
	{ "title", "title" }, { "date", "start_date" },
	{ "end-date", "end_date" }, { "topic", "topics" },
	{ "topics", "topics" }, { "location", "location" },
	{ "organizer", "organizer_level" }, { "trainer", "trainer" },
	{ "notes", "notes" }, { NULL, NULL }
};

static const struct opt_field visit_opts[] = {
	{ "date", "visit_date" }, { "reason", "reason" },
	{ "member", "member_id" }, { "person", "person_name" },
	{ "support", "support" }, { "amount-vnd", "amount_vnd" },
	{ "gift", "gift" }, { "visitors", "visitors" }, { "notes", "notes" },
	{ NULL, NULL }
};

/* Print the vocabulary of the type's coded fields after --help. */
static void print_vocab(enum rec_type t)
{
	const struct type_def *td = model_type(t);
	const char *const *v;
	int i;

	for (i = 0; td->fields[i].name; i++) {
		if (!td->fields[i].vocab)
			continue;
		printf("%s:", td->fields[i].name);
		for (v = td->fields[i].vocab; *v; v++)
			printf(" %s", *v);
		printf("\n");
	}
}

static enum fb_code add(struct cli *c, enum rec_type t,
			const struct opt_field *opts)
{
	struct field_value fv[FB_EDIT_FIELDS_MAX];
	char id[FB_RECORD_ID_MAX + 1];
	struct book *b = NULL;
	size_t n;
	int first;
	enum fb_code rc;

	rc = cli_parse_opts(c, opts, fv, &n, NULL, NULL, &first);
	if (rc != FB_OK)
		return rc;
	if (first < 0) {
		print_vocab(t);
		return FB_OK;
	}
	if (first < c->argc)
		return cli_usage(c, "unexpected argument '%s'", c->argv[first]);
	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	rc = book_add(b, t, NULL, fv, n, id, &c->err);
	if (rc == FB_OK)
		printf("%s\n", id);
	book_close(b);
	return rc;
}

enum fb_code cmd_member_add(struct cli *c)
{
	return add(c, REC_MEMBER, member_opts);
}

enum fb_code cmd_training_add(struct cli *c)
{
	return add(c, REC_TRAINING, training_opts);
}

enum fb_code cmd_visit_add(struct cli *c)
{
	return add(c, REC_VISIT, visit_opts);
}
