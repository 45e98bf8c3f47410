/*
 * hub_cmd_backup.c - fieldbook-hub backup, fieldbook-hub restore.
 *
 * backup takes a consistent copy while the hub serves (a plain cp of a
 * serving hub's file misses what sits in its WAL); restore puts one back
 * while it is stopped.  A copy is an SQLite hub file whichever store it
 * is of (hub_store_pg_backup.c), so either store takes either's.  After a restore the next `serve` begins a new
 * history, and laptops send again what the copy lacks (docs/PROTOCOL.md
 * §13.5): nothing is asked of anyone.
 */
#include <stdio.h>

#include "hub_cmd.h"
#include "hub_store.h"

static enum fb_code backup(struct cmd_ctx *c)
{
	struct hub_store *st = NULL;
	uint64_t entries = 0;
	enum fb_code rc;

	if ((rc = hub_open_store(c, &st)) != FB_OK)
		return rc;
	rc = st->ops->backup(st, c->argv[0], &entries, &c->err);
	if (rc == FB_OK)
		printf("backup written: %s (%llu entries, every chain checked); keep it"
		       " off this machine\n", c->argv[0], (unsigned long long)entries);
	st->ops->close(st);
	return rc;
}

const struct cmd_entry hub_backup_entry = {
	.name = "backup",
	.usage = "--db PATH backup FILE",
	.help = "write a checked copy of the hub's database, also while it serves",
	.args_min = 1,
	.args_max = 1,
	.too_few = "give the file to write",
	.run = backup,
};

static enum fb_code restore(struct cmd_ctx *c)
{
	uint64_t entries = 0;
	enum fb_code rc;

	/* A copy is an SQLite hub file, of either store's backup. */
	rc = c->store ? hub_store_pg_restore(c->argv[0], c->store, &entries, &c->err)
		      : hub_store_sqlite_restore(c->argv[0], c->db_path, &entries, &c->err);

	if (rc == FB_OK)
		printf("restored: %s from %s (%llu entries); start the hub again: laptops"
		       " send what the copy lacks at their next sync\n", c->db_path,
		       c->argv[0], (unsigned long long)entries);
	return rc;
}

const struct cmd_entry hub_restore_entry = {
	.name = "restore",
	.usage = "--db PATH restore FILE",
	.help = "put a backup back in place of the hub's database, while the hub is stopped",
	.args_min = 1,
	.args_max = 1,
	.too_few = "give the backup to put back",
	.run = restore,
};
