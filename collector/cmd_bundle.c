/*
 * cmd_bundle.c - fieldbook bundle export, bundle ack, bundle import: sync
 * carried on a USB stick where there is no link (docs/PROTOCOL.md §16).
 */
#include <stdio.h>

#include "bundle_client.h"
#include "commands.h"

static enum fb_code bundle_export(struct cmd_ctx *c)
{
	struct book *b = NULL;
	size_t n = 0, bytes = 0;
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	rc = bundle_export_push(b, c->argv[0], &n, &bytes, &c->err);
	if (rc == FB_OK)
		printf(_("bundle written: %zu changes not yet acknowledged by the hub, in %s;"
		         " take it to the hub, then run 'fieldbook bundle ack' on the"
		         " answer it gives\n"), n, c->argv[0]);
	book_close(b);
	return rc;
}

const struct cmd_entry cmd_bundle_export_entry = {
	.name = "bundle export",
	.usage = "bundle export FILE",
	.help = N_("write what the hub has not acknowledged into a file, for a laptop with no link"),
	.args_min = 1,
	.args_max = 1,
	.too_few = N_("give the file to write"),
	.run = bundle_export,
};

static enum fb_code bundle_ack(struct cmd_ctx *c)
{
	struct book *b = NULL;
	uint64_t acked = 0;
	size_t rejected = 0;
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	rc = bundle_take_ack(b, c->argv[0], &acked, &rejected, &c->err);
	if (rc == FB_OK) {
		printf(_("acknowledged: the hub holds this laptop's entries up to %llu"),
		       (unsigned long long)acked);
		if (rejected)
			printf(_("; %zu set aside by the hub (see 'fieldbook status')"), rejected);
		printf("\n");
	}
	book_close(b);
	return rc;
}

const struct cmd_entry cmd_bundle_ack_entry = {
	.name = "bundle ack",
	.usage = "bundle ack FILE",
	.help = N_("take the hub's acknowledgement of a bundle: those changes are sent"),
	.args_min = 1,
	.args_max = 1,
	.too_few = N_("give the acknowledgement file the hub wrote"),
	.run = bundle_ack,
};

static enum fb_code bundle_import(struct cmd_ctx *c)
{
	struct book *b = NULL;
	struct sync_local l;
	size_t n = 0;
	enum fb_code rc;

	if ((rc = cli_open(c, &b)) != FB_OK)
		return rc;
	sync_local_of_book(b, &l);
	rc = bundle_take_pull(&l, c->argv[0], 0, &n, &c->err);
	if (rc == FB_OK)
		printf(_("bundle applied: %zu changes from others\n"), n);
	sync_local_close(&l);
	return rc;
}

const struct cmd_entry cmd_bundle_import_entry = {
	.name = "bundle import",
	.usage = "bundle import FILE",
	.help = N_("apply what others changed, from a file the hub wrote for this laptop"),
	.args_min = 1,
	.args_max = 1,
	.too_few = N_("give the file the hub wrote"),
	.run = bundle_import,
};
