/*
 * hub_cmd_bundle.c - fieldbook-hub bundle import, bundle export --for:
 * the hub's side of sync carried on a USB stick (docs/PROTOCOL.md §16).
 *
 * A push bundle is applied exactly as its pushes would be over HTTP:
 * the token it names (by SHA-256, as the hub stores it) gives the scope,
 * and each batch meets the same clock check, binding, replay, fork, gap
 * and quarantine rules in the store.  Its answer is an acknowledgement
 * bundle for the laptop.  A pull bundle holds the pages a pull of that
 * laptop would get, from where its last push bundle said it stood.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>

#include "bundle.h"
#include "bundle_client.h"
#include "hub_clock.h"
#include "hub_cmd.h"
#include "hub_store.h"
#include "wire.h"

#define ACK_SUFFIX ".ack"

static fb_hlc hub_now(void)
{
	return HLC_MAKE(hlc_wall_ms(), 0);
}

/* The token a push bundle names, as the store knows it. */
static enum fb_code bundle_token(struct hub_store *st, const cJSON *head,
				 struct hub_device *dev, struct fb_error *err)
{
	const char *sha = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(head,
								      "token_sha256"));
	unsigned char hash[TOKEN_HASH_LEN];
	enum fb_code rc;

	if (!sha || wire_unhex(sha, hash, sizeof(hash)) != FB_OK)
		return fb_fail(err, FB_EINVAL, "the bundle names no token");
	rc = st->ops->auth(st, hash, dev, err);
	if (rc == FB_EAUTH)
		return fb_fail(err, FB_EAUTH, "the bundle's token is not one this hub"
			       " enrolled, or it was revoked; nothing of it was applied");
	return rc;
}

/* What the pushes of one bundle did, for its acknowledgement. */
struct taken {
	size_t changes, applied, replayed, rejected;
	uint64_t ack;
	unsigned char ack_hash[JOURNAL_HASH_LEN];
	cJSON *rejects;
	cJSON *heads;            /* relay: device -> the hub's head after it */
	cJSON *refused;          /* relay: device -> why it was left out */
};

/* Apply one push line of the bundle, as do_push would.  relay: the
 * bundle is a hub's relay, whose lines must all be relays. */
static enum fb_code take_line(struct hub_store *st, struct hub_device *dev, char *line,
			      int relay, struct taken *t, struct fb_error *err)
{
	char msg[HUB_CLOCK_MSG_MAX];
	struct hub_push_result res;
	struct wire_batch batch;
	enum fb_code rc;
	size_t i;

	memset(&res, 0, sizeof(res));
	rc = wire_push_decode(line, strlen(line), &batch, err);
	if (rc == FB_OK && batch.version != WIRE_VERSION)
		rc = fb_fail(err, FB_EINVAL, "a bundle carries version %d pushes", WIRE_VERSION);
	if (rc == FB_OK && batch.relay != relay)
		rc = fb_fail(err, FB_EINVAL, "a %s bundle carries %s pushes only",
			     relay ? "hub's relay" : "laptop's", relay ? "relay" : "its own");
	if (rc == FB_OK && relay && cJSON_GetObjectItemCaseSensitive(t->refused, batch.device)) {
		wire_batch_release(&batch);
		return FB_OK;   /* the rest of a device refused before */
	}
	if (rc == FB_OK && hub_batch_ahead(&batch, hub_now(), msg))
		rc = fb_fail(err, FB_EINVAL, "%s", msg);
	if (rc == FB_OK)
		rc = st->ops->push(st, dev, &batch, &res, err);
	if (rc == FB_ECONFLICT)
		rc = fb_fail(err, FB_ECONFLICT, "the hub expects entry %llu of device %s, and"
			     " the bundle starts later: a bundle in between is missing",
			     (unsigned long long)res.expected, batch.device);
	else if (rc == FB_ECORRUPT && res.fork)
		rc = fb_fail(err, FB_ECORRUPT, "entry %llu of device %s differs from the one"
			     " this hub holds: the laptop was restored from a copy; let it sync"
			     " or make a new bundle after its next sync",
			     (unsigned long long)res.fork, batch.device);
	/* A hub's relay goes on past a device the hub keeps its own
	 * history of, as an online relay does. */
	if (relay && rc != FB_OK && rc != FB_ENOMEM && rc != FB_EIO && rc != FB_EBUSY &&
	    batch.device[0]) {
		cJSON_AddStringToObject(t->refused, batch.device, err->msg);
		fprintf(stderr, "fieldbook-hub: device %s: %s; its changes in this bundle"
			" are left out\n", batch.device, err->msg);
		fb_error_clear(err);
		rc = FB_OK;
		wire_batch_release(&batch);
		return rc;
	}
	if (rc == FB_OK) {
		if (relay)
			cJSON_AddNumberToObject(t->heads, batch.device, (double)res.ack);
		t->changes += batch.n;
		t->applied += res.applied;
		t->replayed += res.replayed;
		t->rejected += res.rejected;
		t->ack = res.ack;
		memcpy(t->ack_hash, res.ack_hash, sizeof(t->ack_hash));
		for (i = 0; i < res.nrejects; i++) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddNumberToObject(o, "seq", (double)res.rejects[i].seq);
			cJSON_AddStringToObject(o, "reason", res.rejects[i].reason);
			cJSON_AddItemToArray(t->rejects, o);
		}
	}
	wire_batch_release(&batch);
	return rc;
}

/* The acknowledgement bundle for device: what the hub now holds of it
 * (a laptop's), or of each device it relayed (a hub's). */
static enum fb_code write_ack(const char *path, const char *device, int relay,
			      struct taken *t, struct fb_error *err)
{
	struct fb_buf text = FB_BUF_INIT(0);
	char hex[2 * JOURNAL_HASH_LEN + 1], *line = NULL;
	cJSON *h = cJSON_CreateObject();
	enum fb_code rc = FB_OK;
	int built;

	wire_hex(t->ack_hash, JOURNAL_HASH_LEN, hex);
	built = h && cJSON_AddStringToObject(h, "device", device);
	if (built && relay)
		built = cJSON_AddStringToObject(h, BUNDLE_KIND_KEY, BUNDLE_RELAY_ACK) &&
			cJSON_AddItemToObject(h, "heads", t->heads) &&
			(t->heads = NULL, cJSON_AddItemToObject(h, "refused", t->refused)) &&
			(t->refused = NULL, 1);
	else if (built)
		built = cJSON_AddStringToObject(h, BUNDLE_KIND_KEY, BUNDLE_ACK) &&
			cJSON_AddNumberToObject(h, "ack", (double)t->ack) &&
			cJSON_AddStringToObject(h, "ack_hash", hex) &&
			cJSON_AddItemToObject(h, "rejected", t->rejects) &&
			(t->rejects = NULL, 1);
	if (!built || !(line = cJSON_PrintUnformatted(h)) ||
	    buf_adds(&text, line) != FB_OK || buf_addc(&text, '\n') != FB_OK)
		rc = fb_fail(err, FB_ENOMEM, "out of memory");
	if (rc == FB_OK)
		rc = bundle_write(path, &text, err);
	free(line);
	cJSON_Delete(h);
	buf_release(&text);
	return rc;
}

/* A bundle meant for this hub itself: the upstream's answer to its
 * relay bundle, or the changes it holds for this hub's unit. */
static enum fb_code import_for_this_hub(struct cmd_ctx *c, const char *kind)
{
	struct sync_local l;
	size_t n = 0;
	enum fb_code rc;

	if ((rc = hub_open_local(c, &l)) != FB_OK)
		return rc;
	if ((rc = l.ops->relay_identity(l.ctx, &c->err)) != FB_OK)
		goto out;
	if (!strcmp(kind, BUNDLE_RELAY_ACK)) {
		rc = bundle_take_relay_ack(&l, c->argv[0], &n, &c->err);
		if (rc == FB_OK)
			printf("acknowledged: the upstream holds what this hub relayed of %zu"
			       " devices\n", n);
	} else {
		rc = bundle_take_pull(&l, c->argv[0], 1, &n, &c->err);
		if (rc == FB_OK)
			printf("bundle applied: %zu changes from the upstream\n", n);
	}
out:
	sync_local_close(&l);
	return rc;
}

static enum fb_code bundle_import(struct cmd_ctx *c)
{
	const char *path = c->argv[0], *ack_opt = cmd_get(c, "ack");
	struct fb_buf text = FB_BUF_INIT(0);
	struct taken t = { 0 };
	struct hub_store *st = NULL;
	struct hub_device dev;
	const char *kind, *device, *epoch;
	cJSON *head = NULL;
	char ack_path[4096], *line;
	enum fb_code rc;
	size_t pos = 0;
	int relay;

	if (snprintf(ack_path, sizeof(ack_path), "%s%s", ack_opt ? ack_opt : path,
		     ack_opt ? "" : ACK_SUFFIX) >= (int)sizeof(ack_path))
		return fb_fail(&c->err, FB_EINVAL, "the file name is too long");
	if ((rc = bundle_read(path, &text, &c->err)) != FB_OK)
		return rc;
	line = bundle_next_line(&text, &pos);
	head = line ? cJSON_Parse(line) : NULL;
	kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(head, BUNDLE_KIND_KEY));
	device = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(head, "device"));
	epoch = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(head, "pull_epoch"));
	if (kind && (!strcmp(kind, BUNDLE_RELAY_ACK) || !strcmp(kind, BUNDLE_PULL))) {
		rc = import_for_this_hub(c, kind);
		goto out;
	}
	relay = kind && !strcmp(kind, BUNDLE_RELAY);
	if (!kind || (!relay && strcmp(kind, BUNDLE_PUSH)) || !device ||
	    !journal_valid_device(device)) {
		rc = fb_fail(&c->err, FB_EINVAL, "%s is not a bundle this hub can import"
			     "%s", path, kind ? " (it is an answer for a laptop)" : "");
		goto out;
	}
	if ((rc = hub_open_store(c, &st)) != FB_OK ||
	    (rc = bundle_token(st, head, &dev, &c->err)) != FB_OK)
		goto out;
	if (!(t.rejects = cJSON_CreateArray()) || !(t.heads = cJSON_CreateObject()) ||
	    !(t.refused = cJSON_CreateObject())) {
		rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
		goto out;
	}
	while (rc == FB_OK && (line = bundle_next_line(&text, &pos)))
		rc = take_line(st, &dev, line, relay, &t, &c->err);
	/* Where the sender's pulls stand, for the bundle back to it. */
	if (rc == FB_OK)
		rc = st->ops->bundle_mark(st, device, dev.id, (uint64_t)cJSON_GetNumberValue(
			cJSON_GetObjectItemCaseSensitive(head, "pull_cursor")),
			epoch ? epoch : "", &c->err);
	if (rc == FB_OK && !relay && t.changes == 0) {
		struct wire_heads h;

		/* Nothing new in it: the acknowledgement says what is held. */
		if ((rc = wire_heads_alloc(&h, 1)) == FB_OK) {
			snprintf(h.device[0], sizeof(h.device[0]), "%s", device);
			rc = st->ops->heads(st, &dev, &h, &c->err);
			t.ack = h.seq[0];
			wire_heads_release(&h);
		}
	}
	if (rc == FB_OK)
		rc = write_ack(ack_path, device, relay, &t, &c->err);
	if (rc == FB_OK && relay)
		printf("bundle applied: %zu changes relayed by hub %s (%zu new, %zu held"
		       " already, %zu set aside); give %s back to that hub (fieldbook-hub"
		       " bundle import)\n", t.changes, dev.name, t.applied, t.replayed,
		       t.rejected, ack_path);
	else if (rc == FB_OK)
		printf("bundle applied: %zu changes of device %s (%zu new, %zu held already,"
		       " %zu set aside); give %s back to the laptop (fieldbook bundle ack)\n",
		       t.changes, device, t.applied, t.replayed, t.rejected, ack_path);
out:
	cJSON_Delete(t.rejects);
	cJSON_Delete(t.heads);
	cJSON_Delete(t.refused);
	cJSON_Delete(head);
	buf_release(&text);
	if (st)
		st->ops->close(st);
	return rc;
}

static const struct cmd_option import_opts[] = {
	{ "ack", 0, "FILE", NULL, "where to write the acknowledgement (default: FILE.ack)" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_bundle_import_entry = {
	.name = "bundle import",
	.usage = "--db PATH bundle import FILE [--ack FILE]",
	.help = "apply a bundle: a laptop's or a lower hub's (writing the answer), or the upstream's",
	.options = import_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = "give the bundle the laptop wrote",
	.run = bundle_import,
};

/* bundle export --upstream: this hub's relay, into a bundle. */
static enum fb_code export_upstream(struct cmd_ctx *c)
{
	struct sync_local l;
	size_t n = 0, devices = 0;
	enum fb_code rc;

	if ((rc = hub_open_local(c, &l)) != FB_OK)
		return rc;
	rc = bundle_export_relay(&l, c->argv[0], &n, &devices, &c->err);
	if (rc == FB_OK)
		printf("bundle written: %zu changes of %zu devices for the upstream in %s;"
		       " import it there, then import its answer here\n", n, devices,
		       c->argv[0]);
	sync_local_close(&l);
	return rc;
}

static enum fb_code bundle_export(struct cmd_ctx *c)
{
	const char *device = cmd_get(c, "for");
	char epoch[WIRE_EPOCH_LEN + 1], *line = NULL;
	struct fb_buf text = FB_BUF_INIT(0), out = FB_BUF_INIT(WIRE_BODY_MAX);
	struct hub_store *st = NULL;
	struct hub_device dev;
	cJSON *h = NULL;
	uint64_t after = 0;
	size_t rounds, n = 0;
	enum fb_code rc;

	if (cmd_has(c, "upstream") == (device != NULL))
		return cmd_usage(c, "give --for DEVICE (a laptop or lower hub) or --upstream");
	if (!device)
		return export_upstream(c);
	if (!journal_valid_device(device))
		return fb_fail(&c->err, FB_EINVAL, "'%s' is not a device id", device);
	if ((rc = hub_open_store(c, &st)) != FB_OK ||
	    (rc = st->ops->find_device(st, device, &dev, &c->err)) != FB_OK ||
	    (rc = st->ops->bundle_cursor(st, device, &after, epoch, &c->err)) != FB_OK)
		goto out;
	h = cJSON_CreateObject();
	if (!h || !cJSON_AddStringToObject(h, BUNDLE_KIND_KEY, BUNDLE_PULL) ||
	    !cJSON_AddStringToObject(h, "device", device) ||
	    !(line = cJSON_PrintUnformatted(h)) ||
	    buf_adds(&text, line) != FB_OK || buf_addc(&text, '\n') != FB_OK) {
		rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
		goto out;
	}
	/* The pages a pull from there would get, one a line. */
	for (rounds = 0; rc == FB_OK && rounds < WIRE_BATCH_MAX; rounds++) {
		struct hub_pull req = { WIRE_VERSION, after, epoch, WIRE_BATCH_MAX, device };
		struct wire_page page;

		buf_reset(&out);
		rc = st->ops->pull(st, &dev, &req, hub_now(), &out, &c->err);
		if (rc == FB_OK)
			rc = wire_pull_decode(buf_str(&out), out.len, &page, &c->err);
		if (rc != FB_OK)
			break;
		n += page.n;
		after = page.next;
		snprintf(epoch, sizeof(epoch), "%s", page.epoch);
		if (buf_add(&text, out.data, out.len) != FB_OK || buf_addc(&text, '\n') != FB_OK)
			rc = fb_fail(&c->err, FB_ENOMEM, "out of memory");
		if (!page.more) {
			wire_page_release(&page);
			break;
		}
		wire_page_release(&page);
	}
	if (rc == FB_OK)
		rc = bundle_write(c->argv[0], &text, &c->err);
	if (rc == FB_OK)
		printf("bundle written: %zu changes for device %s in %s; on the laptop run"
		       " 'fieldbook bundle import %s'\n", n, device, c->argv[0], c->argv[0]);
out:
	free(line);
	cJSON_Delete(h);
	buf_release(&text);
	buf_release(&out);
	if (st)
		st->ops->close(st);
	return rc;
}

static const struct cmd_option export_opts[] = {
	{ "for", 0, "DEVICE", NULL, "the laptop's device id (fieldbook status shows it),"
	  " or a lower hub's relay id (its bundles name it)" },
	{ "upstream", 0, NULL, NULL, "this hub's relay to the hub above, into FILE" },
	{ NULL, 0, NULL, NULL, NULL }
};

const struct cmd_entry hub_bundle_export_entry = {
	.name = "bundle export",
	.usage = "--db PATH bundle export (--for DEVICE | --upstream) FILE",
	.help = "write what others changed for a laptop or lower hub, or this hub's relay up, into a file",
	.options = export_opts,
	.args_min = 1,
	.args_max = 1,
	.too_few = "give the file to write",
	.run = bundle_export,
};
