/* hub_cmd_units.c - fieldbook-hub init, unit add, unit import. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "hub_cmd.h"
#include "hub_store.h"
#include "model.h"
#include "text.h"

static enum fb_code check_unit(struct cmd_ctx *c, const char *code,
			       const char *level, const char *name)
{
	if (!model_valid_unit_code(code))
		return fb_fail(&c->err, FB_EINVAL,
			       "unit code '%s' is not valid (letters, digits, '.', '-', '_')", code);
	if (!level || !model_in_vocab(model_levels, level))
		return fb_fail(&c->err, FB_EINVAL,
			       "level '%s' is not one of central, province, district, commune, branch",
			       level ? level : "");
	if (!name || !*name || !text_valid_utf8(name, strlen(name)) ||
	    strlen(name) > FB_NAME_MAX)
		return fb_fail(&c->err, FB_EINVAL, "unit %s needs a name (UTF-8, at most %d bytes)",
			       code, FB_NAME_MAX);
	return FB_OK;
}

/* Insert one unit; parent NULL for the top.  FB_EEXIST / FB_ENOENT. */
static enum fb_code insert_unit(struct book *b, const char *code,
				const char *parent, const char *level,
				const char *name, struct fb_error *err)
{
	sqlite3_stmt *q = NULL;
	enum fb_code rc = FB_OK;
	int r;

	rc = store_prepare(b->st, "INSERT INTO unit(code, parent, level, name)"
			   " VALUES(?1, ?2, ?3, ?4)", &q, err);
	if (rc != FB_OK)
		return rc;
	sqlite3_bind_text(q, 1, code, -1, SQLITE_STATIC);
	if (parent)
		sqlite3_bind_text(q, 2, parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, level, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, name, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	if (r == SQLITE_CONSTRAINT_PRIMARYKEY)
		rc = fb_fail(err, FB_EEXIST, "unit %s exists already", code);
	else if (r == SQLITE_CONSTRAINT_FOREIGNKEY)
		rc = fb_fail(err, FB_ENOENT, "no parent unit %s", parent);
	else if (r != SQLITE_DONE)
		rc = store_fail(b->st, r, "saving unit", err);
	sqlite3_finalize(q);
	return rc;
}

static enum fb_code init(struct cmd_ctx *c)
{
	const char *unit = cmd_get(c, "unit"), *name = cmd_get(c, "name");
	const char *level = cmd_get(c, "level");
	struct fb_store *st = NULL;
	struct book *b = NULL;
	struct stat sb;
	char *have = NULL;
	enum fb_code rc = FB_OK;

	if (!unit || !name || !level)
		return cmd_usage(c, "--unit, --name and --level are required");
	if ((rc = check_unit(c, unit, level, name)) != FB_OK)
		return rc;
	if (stat(c->db_path, &sb) == 0 && sb.st_size > 0)
		return fb_fail(&c->err, FB_EEXIST, "%s exists already", c->db_path);
	if ((rc = store_open(c->db_path, STORE_CREATE, hub_schema, &st, &c->err)) != FB_OK)
		return rc;
	store_close(st);
	if ((rc = book_open(c->db_path, hub_schema, &b, &c->err)) != FB_OK)
		return rc;
	if ((rc = store_meta_get(b->st, "hub_unit", &have, &c->err)) != FB_OK)
		goto out;
	if (have) {
		rc = fb_fail(&c->err, FB_EEXIST, "%s is already a hub for %s", c->db_path, have);
		goto out;
	}
	if ((rc = book_begin(b, &c->err)) != FB_OK)
		goto out;
	if ((rc = insert_unit(b, unit, NULL, level, name, &c->err)) == FB_OK &&
	    (rc = store_meta_set(b->st, "hub_unit", unit, &c->err)) == FB_OK)
		rc = book_commit(b, &c->err);
	else
		book_rollback(b);
	if (rc == FB_OK)
		printf("hub for %s (%s) created at %s\n", unit, name, c->db_path);
out:
	free(have);
	book_close(b);
	return rc;
}

static enum fb_code unit_add(struct cmd_ctx *c)
{
	const char *parent = cmd_get(c, "parent"), *name = cmd_get(c, "name");
	const char *level = cmd_get(c, "level");
	struct book *b = NULL;
	enum fb_code rc = FB_OK;

	if (!parent || !name || !level)
		return cmd_usage(c, "--parent, --level and --name are required");
	if ((rc = check_unit(c, c->argv[0], level, name)) != FB_OK)
		return rc;
	if ((rc = hub_open(c, &b)) != FB_OK)
		return rc;
	rc = insert_unit(b, c->argv[0], parent, level, name, &c->err);
	book_close(b);
	return rc;
}

static enum fb_code unit_import(struct cmd_ctx *c)
{
	struct fb_buf data = FB_BUF_INIT((size_t)64 << 20);
	struct csv_reader rd;
	struct book *b = NULL;
	char chunk[65536];
	FILE *f;
	size_t n;
	long added = 0;
	enum fb_code rc = FB_OK;

	f = fopen(c->argv[0], "rb");
	if (!f)
		return fb_fail(&c->err, FB_ENOINPUT, "cannot open %s: %s", c->argv[0],
			       strerror(errno));
	while (rc == FB_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_add(&data, chunk, n);
	fclose(f);
	if (rc != FB_OK) {
		buf_release(&data);
		return fb_fail(&c->err, rc, "%s is too large", c->argv[0]);
	}
	csv_reader_init(&rd, buf_str(&data), data.len);
	if ((rc = hub_open(c, &b)) != FB_OK)
		goto out;
	if ((rc = book_begin(b, &c->err)) != FB_OK)
		goto out;
	rc = csv_read_record(&rd, &c->err);
	if (rc == FB_OK && (rd.nfields != 4 || strcmp(rd.fields[0], "code") ||
			    strcmp(rd.fields[1], "parent") || strcmp(rd.fields[2], "level") ||
			    strcmp(rd.fields[3], "name")))
		rc = fb_fail(&c->err, FB_EINVAL, "line 1: the header must be code,parent,level,name");
	/* Parents must come before their children, as a tree is written. */
	while (rc == FB_OK && (rc = csv_read_record(&rd, &c->err)) == FB_OK && rd.nfields) {
		struct fb_error e;

		if (rd.nfields != 4) {
			rc = fb_fail(&c->err, FB_EINVAL, "line %lu: 4 fields expected", rd.rec_line);
			break;
		}
		rc = check_unit(c, rd.fields[0], rd.fields[2], rd.fields[3]);
		if (rc == FB_OK && !*rd.fields[1])
			rc = fb_fail(&c->err, FB_EINVAL, "a unit needs a parent");
		if (rc == FB_OK)
			rc = insert_unit(b, rd.fields[0], rd.fields[1], rd.fields[2],
					 rd.fields[3], &c->err);
		if (rc != FB_OK) {
			e = c->err;
			fb_fail(&c->err, rc, "line %lu: %s", rd.rec_line, e.msg);
			break;
		}
		added++;
	}
	if (rc == FB_OK)
		rc = book_commit(b, &c->err);
	else
		book_rollback(b);
	if (rc == FB_OK)
		printf("%ld units added\n", added);
out:
	csv_reader_release(&rd);
	buf_release(&data);
	book_close(b);
	return rc;
}

static const struct cmd_option init_opts[] = {
	{ "unit", 0, "CODE", NULL, "the hub's top unit (required)" },
	{ "name", 0, "NAME", NULL, "its name (required)" },
	{ "level", 0, "LEVEL", NULL, "central, province, district, commune or branch (required)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_init_entry = {
	.name = "init",
	.usage = "--db PATH init --unit CODE --name NAME --level LEVEL",
	.help = "create the hub's database for its top unit",
	.options = init_opts,
	.run = init,
};

static const struct cmd_option unit_add_opts[] = {
	{ "parent", 0, "CODE", NULL, "the unit it sits under (required)" },
	{ "level", 0, "LEVEL", NULL, "its level (required)" },
	{ "name", 0, "NAME", NULL, "its name (required)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_unit_add_entry = {
	.name = "unit add",
	.usage = "--db PATH unit add CODE --parent CODE --level LEVEL --name NAME",
	.help = "add an organisation unit",
	.options = unit_add_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = "give one unit code",
	.too_many = "give one unit code",
	.run = unit_add,
};

const struct cmd_entry hub_unit_import_entry = {
	.name = "unit import",
	.usage = "--db PATH unit import FILE.csv",
	.help = "add units from CSV (code,parent,level,name), all or nothing",
	.args_min = 1,
	.args_max = 1,
	.too_few = "give one CSV file",
	.too_many = "give one CSV file",
	.run = unit_import,
};
