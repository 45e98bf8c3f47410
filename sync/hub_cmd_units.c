/* hub_cmd_units.c - fieldbook-hub init, unit add, unit import. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv.h"
#include "hub_cmd.h"
#include "hub_limits.h"
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

static enum fb_code init(struct cmd_ctx *c)
{
	const struct hub_unit top = { cmd_get(c, "unit"), NULL, cmd_get(c, "level"),
				      cmd_get(c, "name") };
	struct stat sb;
	enum fb_code rc;

	if (!top.code || !top.name || !top.level)
		return cmd_usage(c, "--unit, --name and --level are required");
	if ((rc = check_unit(c, top.code, top.level, top.name)) != FB_OK)
		return rc;
	if (stat(c->db_path, &sb) == 0 && sb.st_size > 0)
		return fb_fail(&c->err, FB_EEXIST, "%s exists already", c->db_path);
	rc = hub_store_sqlite_create(c->db_path, &top, &c->err);
	if (rc == FB_OK)
		printf("hub for %s (%s) created at %s\n", top.code, top.name, c->db_path);
	return rc;
}

static enum fb_code unit_add(struct cmd_ctx *c)
{
	const struct hub_unit u = { c->argv[0], cmd_get(c, "parent"), cmd_get(c, "level"),
				    cmd_get(c, "name") };
	struct hub_store *st = NULL;
	size_t failed;
	enum fb_code rc;

	if (!u.parent || !u.name || !u.level)
		return cmd_usage(c, "--parent, --level and --name are required");
	if ((rc = check_unit(c, u.code, u.level, u.name)) != FB_OK)
		return rc;
	if ((rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	rc = st->ops->add_units(st, &u, 1, &failed, &c->err);
	st->ops->close(st);
	return rc;
}

/* Read the whole of path into data (at most its cap). */
static enum fb_code read_whole(struct cmd_ctx *c, const char *path, struct fb_buf *data)
{
	char chunk[HUB_READ_CHUNK];
	enum fb_code rc = FB_OK;
	FILE *f = fopen(path, "rb");
	size_t n;
	int bad, saved;

	if (!f)
		return fb_fail(&c->err, FB_ENOINPUT, "cannot open %s: %s", path, strerror(errno));
	while (rc == FB_OK && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_add(data, chunk, n);
	/* A read error must not pass for the end of the file: the units
	 * after it would be missing from an import that says it is done. */
	saved = errno;
	bad = ferror(f);
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	if (rc != FB_OK)
		return fb_fail(&c->err, rc, "%s is too large", path);
	if (bad)
		return fb_fail(&c->err, FB_EIO, "cannot read %s: %s; nothing imported", path,
			       strerror(saved ? saved : EIO));
	return FB_OK;
}

static void free_units(struct hub_unit *u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free((char *)u[i].code);
		free((char *)u[i].parent);
		free((char *)u[i].level);
		free((char *)u[i].name);
	}
	free(u);
}

/* One checked row of a units CSV, copied, as units[*n]. */
static enum fb_code keep_row(struct cmd_ctx *c, const struct csv_reader *rd,
			     struct hub_unit **units, unsigned long **lines, size_t *n)
{
	struct hub_unit *u = realloc(*units, (*n + 1) * sizeof(**units));
	unsigned long *l;
	struct fb_error e;
	enum fb_code rc;

	if (!u)
		return fb_fail(&c->err, FB_ENOMEM, "out of memory");
	*units = u;
	if (!(l = realloc(*lines, (*n + 1) * sizeof(**lines))))
		return fb_fail(&c->err, FB_ENOMEM, "out of memory");
	*lines = l;
	if (rd->nfields != HUB_UNITS_FIELDS)
		return fb_fail(&c->err, FB_EINVAL, "line %lu: %d fields expected", rd->rec_line,
			       HUB_UNITS_FIELDS);
	rc = check_unit(c, rd->fields[0], rd->fields[2], rd->fields[3]);
	if (rc == FB_OK && !*rd->fields[1])
		rc = fb_fail(&c->err, FB_EINVAL, "a unit needs a parent");
	if (rc != FB_OK) {
		e = c->err;
		return fb_fail(&c->err, rc, "line %lu: %s", rd->rec_line, e.msg);
	}
	u[*n] = (struct hub_unit){ strdup(rd->fields[0]), strdup(rd->fields[1]),
				   strdup(rd->fields[2]), strdup(rd->fields[3]) };
	l[*n] = rd->rec_line;
	(*n)++;
	if (!u[*n - 1].code || !u[*n - 1].parent || !u[*n - 1].level || !u[*n - 1].name)
		return fb_fail(&c->err, FB_ENOMEM, "out of memory");
	return FB_OK;
}

static enum fb_code unit_import(struct cmd_ctx *c)
{
	struct fb_buf data = FB_BUF_INIT(HUB_UNITS_FILE_MAX);
	struct hub_store *st = NULL;
	struct hub_unit *units = NULL;
	unsigned long *lines = NULL;
	struct csv_reader rd;
	size_t n = 0, failed = 0;
	enum fb_code rc;

	if ((rc = read_whole(c, c->argv[0], &data)) != FB_OK) {
		buf_release(&data);
		return rc;
	}
	csv_reader_init(&rd, buf_str(&data), data.len);
	rc = csv_read_record(&rd, &c->err);
	if (rc == FB_OK && (rd.nfields != HUB_UNITS_FIELDS || strcmp(rd.fields[0], "code") ||
			    strcmp(rd.fields[1], "parent") || strcmp(rd.fields[2], "level") ||
			    strcmp(rd.fields[3], "name")))
		rc = fb_fail(&c->err, FB_EINVAL, "line 1: the header must be code,parent,level,name");
	while (rc == FB_OK && (rc = csv_read_record(&rd, &c->err)) == FB_OK && rd.nfields)
		rc = keep_row(c, &rd, &units, &lines, &n);
	if (rc == FB_OK)
		rc = hub_open_store(c, &st);
	/* Parents must come before their children, as a tree is written. */
	if (rc == FB_OK && (rc = st->ops->add_units(st, units, n, &failed, &c->err)) != FB_OK) {
		struct fb_error e = c->err;

		fb_fail(&c->err, rc, "line %lu: %s", lines[failed], e.msg);
	}
	if (rc == FB_OK)
		printf("%zu units added\n", n);
	if (st)
		st->ops->close(st);
	free_units(units, n);
	free(lines);
	csv_reader_release(&rd);
	buf_release(&data);
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
