/*
 * hub_main.c - the `fieldbook-hub` program: the table of its commands
 * (one entry each, hub_cmd_*.c), where its database is, and the one
 * place that prints errors and picks the exit status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "hub_cmd.h"
#include "hub_relay.h"
#include "hub_store.h"
#include "sync_local.h"

#define HUB_VERSION "0.1.0"

static const struct cmd_entry *const commands[] = {
	&hub_init_entry,
	&hub_unit_add_entry,
	&hub_unit_import_entry,
	&hub_unit_list_entry,
	&hub_unit_rename_entry,
	&hub_unit_move_entry,
	&hub_unit_remove_entry,
	&hub_enroll_entry,
	&hub_devices_entry,
	&hub_revoke_entry,
	&hub_serve_entry,
	&hub_report_entry,
	&hub_conflicts_entry,
	&hub_rejected_entry,
	&hub_verify_entry,
	&hub_upstream_set_entry,
	&hub_sync_entry,
	&hub_status_entry,
	&hub_bundle_import_entry,
	&hub_bundle_export_entry,
	&hub_backup_entry,
	&hub_restore_entry,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* FB_OK when init has made a hub database at c->db_path. */
static enum fb_code hub_present(struct cmd_ctx *c)
{
	struct stat st;

	if (stat(c->db_path, &st) != 0)
		return fb_fail(&c->err, FB_ENOINPUT,
			       "no hub database at %s (run 'fieldbook-hub --db %s init' first)",
			       c->db_path, c->db_path);
	return FB_OK;
}

enum fb_code hub_open(struct cmd_ctx *c, struct book **out)
{
	enum fb_code rc;

	/* A book is SQLite's: a command on PostgreSQL asks its store. */
	if (c->store)
		return fb_fail(&c->err, FB_EINTERNAL, "%s: a PostgreSQL store is no book",
			       c->entry ? c->entry->name : "");
	rc = hub_present(c);

	return rc == FB_OK ? book_open(c->db_path, hub_schema, out, &c->err) : rc;
}

enum fb_code hub_open_local(struct cmd_ctx *c, struct sync_local *out)
{
	enum fb_code rc;

	memset(out, 0, sizeof(*out));
	if (!c->store && (rc = hub_present(c)) != FB_OK)
		return rc;
	return hub_local_open(c->store ? c->store : c->db_path, out, &c->err);
}

enum fb_code hub_open_store(struct cmd_ctx *c, struct hub_store **out)
{
	enum fb_code rc;

	*out = NULL;
	if (c->store)
		return hub_store_pg_admin(c->store, out, &c->err);
	rc = hub_present(c);
	return rc == FB_OK ? hub_store_sqlite_admin(c->db_path, out, &c->err) : rc;
}

/* The Unix time of "YYYY-MM-DDTHH:MM:SSZ"; 0 when s is not one. */
static int parse_iso(const char *iso, time_t *t)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = iso ? strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
	if (!end || *end)
		return 0;
	*t = timegm(&tm);
	return 1;
}

void hub_when(const char *iso, char out[FB_WHEN_MAX])
{
	time_t t;

	if (parse_iso(iso, &t))
		fb_when((int64_t)t * 1000, out);
	else
		snprintf(out, FB_WHEN_MAX, "%s", iso ? iso : "");
}

long long hub_seconds_since(const char *iso)
{
	time_t t;

	return parse_iso(iso, &t) ? (long long)(time(NULL) - t) : -1;
}

/* --store URI, else $FIELDBOOK_HUB_STORE: a PostgreSQL store. */
static enum fb_code locate_store(struct cmd_ctx *c)
{
	static char shown[HUB_PG_SHOWN_MAX];
	const char *env = getenv("FIELDBOOK_HUB_STORE");

	if (!c->store && env && *env)
		c->store = env;
	if (!c->store)
		return FB_OK;
	if (!hub_store_is_pg(c->store))
		return fb_fail(&c->err, FB_EUSAGE, "--store takes a postgresql:// URI (an SQLite"
			       " hub is --db PATH)");
	/* Messages name the store as db_path; a password is not shown. */
	hub_store_pg_shown(c->store, shown, sizeof(shown));
	c->db_path = shown;
	return FB_OK;
}

/* --db PATH, else $FIELDBOOK_HUB_DB: a hub has no default place.  A
 * --store (or $FIELDBOOK_HUB_STORE) wins over both. */
static enum fb_code locate_db(struct cmd_ctx *c, const char *opt)
{
	const char *env = getenv("FIELDBOOK_HUB_DB");
	enum fb_code rc = locate_store(c);

	if (rc != FB_OK || c->store)
		return rc;

	c->db_path = opt ? opt : env;
	if (!c->db_path || !*c->db_path)
		return fb_fail(&c->err, FB_EUSAGE, "give the database with --db PATH");
	return FB_OK;
}

static const struct cmd_program program = {
	.name = "fieldbook-hub",
	.version = HUB_VERSION,
	.synopsis = "(--db PATH | --store URI) COMMAND [ARGS]",
	.about = "The hub that Fieldbook laptops sync with.",
	.footer = "The database is --db PATH or $FIELDBOOK_HUB_DB (SQLite), or\n"
		  "--store postgresql://... or $FIELDBOOK_HUB_STORE (PostgreSQL).\n"
		  "'fieldbook-hub COMMAND --help' shows a command's options.\n",
	.table = commands,
	.n = NCOMMANDS,
	.locate_db = locate_db,
	.store_option = 1,
};

int main(int argc, char **argv)
{
	return cmd_run(&program, argc, argv);
}
