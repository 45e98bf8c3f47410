/* bundle_client.c - a laptop's bundles: its push out, the answers in. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <cjson/cJSON.h>

#include "book_view.h"
#include "bundle.h"
#include "bundle_client.h"
#include "client.h"
#include "i18n.h"
#include "token.h"
#include "wire.h"

/* The SHA-256 of the laptop's token, in hex, as the hub stores it. */
static enum fb_code token_sha(struct sync_local *l, char hex[2 * TOKEN_HASH_LEN + 1],
			      struct fb_error *err)
{
	unsigned char h[TOKEN_HASH_LEN];
	char *token = NULL;
	enum fb_code rc = l->ops->meta_get(l->ctx, "remote_token", &token, err);

	if (rc == FB_OK && !token)
		rc = fb_fail(err, FB_EUSAGE, _("no token set up: run 'fieldbook remote set URL"
			       " --token-file FILE' once with the token the hub gave you (the URL"
			       " is not used for a bundle)"));
	if (rc == FB_OK && token_hash(token, h) != FB_OK)
		rc = fb_fail(err, FB_EINTERNAL, _("cannot hash the token"));
	if (rc == FB_OK)
		wire_hex(h, TOKEN_HASH_LEN, hex);
	if (token)
		OPENSSL_cleanse(token, strlen(token));
	free(token);
	return rc;
}

/* The header line of a push or relay bundle into text. */
static enum fb_code push_header(struct sync_local *l, const char *kind, const char *parent,
				struct fb_buf *text, struct fb_error *err)
{
	char sha[2 * TOKEN_HASH_LEN + 1], *epoch = NULL, *line = NULL;
	long long cursor = 0;
	cJSON *h = NULL;
	enum fb_code rc;

	if ((rc = token_sha(l, sha, err)) != FB_OK ||
	    (rc = l->ops->meta_int(l->ctx, "pull_cursor", 0, &cursor, err)) != FB_OK ||
	    (rc = l->ops->meta_get(l->ctx, "pull_epoch", &epoch, err)) != FB_OK)
		goto out;
	h = cJSON_CreateObject();
	if (!h || !cJSON_AddStringToObject(h, BUNDLE_KIND_KEY, kind) ||
	    !cJSON_AddNumberToObject(h, "v", WIRE_VERSION) ||
	    !cJSON_AddStringToObject(h, "device", l->ops->device(l->ctx)) ||
	    !cJSON_AddStringToObject(h, "forked_from", parent) ||
	    !cJSON_AddStringToObject(h, "token_sha256", sha) ||
	    !cJSON_AddNumberToObject(h, "pull_cursor", (double)cursor) ||
	    !cJSON_AddStringToObject(h, "pull_epoch", epoch ? epoch : "") ||
	    !(line = cJSON_PrintUnformatted(h)) ||
	    buf_adds(text, line) != FB_OK || buf_addc(text, '\n') != FB_OK)
		rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
out:
	free(line);
	free(epoch);
	cJSON_Delete(h);
	return rc;
}

/* book_restamp under max(this clock, the hub's as last seen) + the drift. */
static enum fb_code redate_for_bundle(struct book *b, struct fb_error *err)
{
	uint64_t now = book_wall_ms(b), hub = now, ms;
	int64_t ahead = 0;
	size_t moved = 0;
	int known = 0;
	enum fb_code rc = book_clock_drift(b, &ahead, &known, err);

	if (rc != FB_OK || !*book_branch(b))
		return rc;      /* a hub's book has no entries of its own */
	if (known && (ahead < 0 || (uint64_t)ahead < now))
		hub = (uint64_t)((int64_t)now - ahead);
	ms = (now > hub ? now : hub) + FB_HLC_MAX_DRIFT_MS;
	return book_restamp(b, HLC_MAKE(ms > HLC_MS_MAX ? HLC_MS_MAX : ms, 0), &moved, err);
}

enum fb_code bundle_export_push(struct book *b, const char *path, size_t *changes,
				size_t *bytes, struct fb_error *err)
{
	struct jchange *batch = calloc(SYNC_BATCH_MAX, sizeof(*batch));
	struct fb_buf text = FB_BUF_INIT(0);
	struct sync_local l;
	char parent[FB_DEVICE_ID_MAX + 1];
	long long acked = 0;
	uint64_t after;
	size_t n = 0, i, rounds;
	enum fb_code rc;

	*changes = *bytes = 0;
	sync_local_of_book(b, &l);
	if (!batch)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	/* No hub answers a bundle at once: entries a fast clock stamped
	 * ahead of what the hub takes are dated again here, as a sync does
	 * on its clock_ahead answer (docs/DECISIONS.md, "A clock that ran
	 * fast"), against this clock and the hub's as the last sync saw
	 * it. */
	if ((rc = redate_for_bundle(b, err)) != FB_OK)
		goto out;
	if ((rc = book_forked_from(b, parent, err)) != FB_OK ||
	    (rc = book_meta_int(b, "acked_seq", 0, &acked, err)) != FB_OK ||
	    (rc = push_header(&l, BUNDLE_PUSH, parent, &text, err)) != FB_OK)
		goto out;
	after = (uint64_t)acked;
	for (rounds = 0; rc == FB_OK && rounds < SYNC_ROUNDS_MAX; rounds++) {
		rc = book_own_changes(b, after, batch, SYNC_BATCH_MAX, SYNC_PUSH_BYTES, &n, err);
		if (rc == FB_OK && n > 0 &&
		    ((rc = wire_push_encode(batch, n, parent, &text)) != FB_OK ||
		     (rc = buf_addc(&text, '\n')) != FB_OK))
			fb_fail(err, rc, _("out of memory"));
		if (rc == FB_OK && n > 0) {
			after = batch[n - 1].seq + batch[n - 1].n - 1;
			*changes += n;
		}
		for (i = 0; i < n; i++)
			jchange_release(&batch[i]);
		if (n == 0)
			break;
	}
	if (rc == FB_OK)
		rc = bundle_write(path, &text, err);
	*bytes = text.len;
out:
	buf_release(&text);
	free(batch);
	return rc;
}

/* Read the bundle at path; its header into *head, which must be of
 * `kind` and for this book's device.  The messages stay in text from
 * *pos on. */
static enum fb_code open_bundle(struct sync_local *l, const char *path, const char *kind,
				struct fb_buf *text, size_t *pos, cJSON **head,
				struct fb_error *err)
{
	const char *k, *dev;
	char *line;
	enum fb_code rc;

	*head = NULL;
	*pos = 0;
	if ((rc = bundle_read(path, text, err)) != FB_OK)
		return rc;
	line = bundle_next_line(text, pos);
	*head = line ? cJSON_Parse(line) : NULL;
	k = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(*head, BUNDLE_KIND_KEY));
	dev = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(*head, "device"));
	if (!k || !dev)
		return fb_fail(err, FB_EINVAL, _("%s is not a Fieldbook bundle"), path);
	if (strcmp(k, kind))
		return fb_fail(err, FB_EINVAL, _("%s is a bundle of kind '%s', not '%s'"),
			       path, k, kind);
	if (strcmp(dev, l->ops->device(l->ctx)))
		return fb_fail(err, FB_EINVAL, _("%s was made for device %s, not this"
			         " laptop (%s); nothing of it was used"), path, dev,
			       l->ops->device(l->ctx));
	return FB_OK;
}

enum fb_code bundle_take_ack(struct book *b, const char *path, uint64_t *acked,
			     size_t *rejected, struct fb_error *err)
{
	struct fb_buf text = FB_BUF_INIT(0);
	const cJSON *ack, *rej, *it;
	long long had = 0;
	cJSON *head = NULL;
	struct sync_local l;
	size_t pos;
	enum fb_code rc;

	*acked = 0;
	*rejected = 0;
	sync_local_of_book(b, &l);
	if ((rc = open_bundle(&l, path, BUNDLE_ACK, &text, &pos, &head, err)) != FB_OK ||
	    (rc = book_meta_int(b, "acked_seq", 0, &had, err)) != FB_OK)
		goto out;
	ack = cJSON_GetObjectItemCaseSensitive(head, "ack");
	if (!cJSON_IsNumber(ack) || ack->valuedouble < 0) {
		rc = fb_fail(err, FB_EINVAL, _("%s holds no acknowledgement"), path);
		goto out;
	}
	*acked = (uint64_t)had;
	/* Only what this book's own chain holds as the hub does. */
	if ((uint64_t)ack->valuedouble <= (uint64_t)had)
		goto out;
	if (!sync_same_head(b, (uint64_t)ack->valuedouble, cJSON_GetStringValue(
				    cJSON_GetObjectItemCaseSensitive(head, "ack_hash")))) {
		rc = fb_fail(err, FB_EINVAL, _("%s acknowledges entries this laptop's journal"
			       " does not hold as the hub does; nothing was marked sent"), path);
		goto out;
	}
	if ((rc = book_begin(b, err)) != FB_OK)
		goto out;
	rc = book_meta_set_int(b, "acked_seq", (long long)ack->valuedouble, err);
	rej = cJSON_GetObjectItemCaseSensitive(head, "rejected");
	cJSON_ArrayForEach(it, rej) {
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(it, "seq");
		const cJSON *r = cJSON_GetObjectItemCaseSensitive(it, "reason");

		if (rc == FB_OK && cJSON_IsNumber(s) && cJSON_IsString(r)) {
			rc = book_note_rejected(b, (long long)s->valuedouble, r->valuestring, err);
			(*rejected)++;
		}
	}
	if (rc == FB_OK)
		rc = book_commit(b, err);
	else
		book_rollback(b);
	if (rc == FB_OK)
		*acked = (uint64_t)ack->valuedouble;
out:
	cJSON_Delete(head);
	buf_release(&text);
	return rc;
}

enum fb_code bundle_take_pull(struct sync_local *l, const char *path, int relay_all,
			      size_t *changes, struct fb_error *err)
{
	struct fb_buf text = FB_BUF_INIT(0);
	cJSON *head = NULL;
	char *line;
	size_t pos;
	enum fb_code rc;

	*changes = 0;
	if ((rc = open_bundle(l, path, BUNDLE_PULL, &text, &pos, &head, err)) != FB_OK)
		goto out;
	while (rc == FB_OK && (line = bundle_next_line(&text, &pos))) {
		struct wire_page page;

		if ((rc = wire_pull_decode(line, strlen(line), &page, err)) != FB_OK) {
			char where[600];

			snprintf(where, sizeof(where), "%s: ", path);
			fb_prefix(err, where);
			break;
		}
		rc = sync_apply_page(l, &page, relay_all, err);
		if (rc == FB_OK)
			*changes += page.n;
		wire_page_release(&page);
	}
out:
	cJSON_Delete(head);
	buf_release(&text);
	return rc;
}

/* relay_send_fn into a bundle: one line each; taken as sent, but not
 * known to be held until the upstream's acknowledgement comes back. */
static enum fb_code relay_into_bundle(void *ctx, struct sync_local *l, const char *device,
				      const struct fb_buf *json, uint64_t last,
				      uint64_t *held, int *refused, struct fb_error *err)
{
	struct fb_buf *text = ctx;

	(void)l;
	(void)device;
	(void)refused;
	if (buf_add(text, json->data, json->len) != FB_OK || buf_addc(text, '\n') != FB_OK)
		return fb_fail(err, FB_ENOMEM, _("out of memory"));
	*held = last;
	return FB_OK;
}

/* book_head_fn: a device this hub holds more of than the upstream is
 * known to, with the upstream's known head beside it. */
struct relay_rows {
	struct sync_local *l;
	struct wire_heads *h;
	uint64_t *mine;
};

static enum fb_code note_relay_row(const char *device, uint64_t last, void *ctx)
{
	struct relay_rows *r = ctx;
	enum fb_code rc;

	if (r->h->n == WIRE_HEADS_MAX)
		return FB_ETOOBIG;
	r->mine[r->h->n] = last;
	rc = r->l->ops->relay_known_of(r->l->ctx, device, &r->h->seq[r->h->n], NULL);
	if (rc == FB_OK)
		snprintf(r->h->device[r->h->n++], sizeof(r->h->device[0]), "%s", device);
	return rc;
}

enum fb_code bundle_export_relay(struct sync_local *l, const char *path, size_t *changes,
				 size_t *devices, struct fb_error *err)
{
	struct fb_buf text = FB_BUF_INIT(0);
	struct sync_stats st;
	struct wire_heads h;
	struct relay_rows rows = { l, &h, calloc(WIRE_HEADS_MAX, sizeof(uint64_t)) };
	enum fb_code rc;

	memset(&st, 0, sizeof(st));
	memset(&h, 0, sizeof(h));
	*changes = *devices = 0;
	if (!rows.mine || wire_heads_alloc(&h, WIRE_HEADS_MAX) != FB_OK) {
		rc = fb_fail(err, FB_ENOMEM, _("out of memory"));
		goto out;
	}
	h.n = 0;
	if ((rc = l->ops->relay_identity(l->ctx, err)) != FB_OK ||
	    (rc = push_header(l, BUNDLE_RELAY, "", &text, err)) != FB_OK)
		goto out;
	rc = l->ops->each_relay_candidate(l->ctx, note_relay_row, &rows, err);
	if (rc == FB_ETOOBIG)
		rc = FB_OK;     /* the first WIRE_HEADS_MAX now, the rest next time */
	if (rc == FB_OK)
		rc = sync_relay_plan(l, &h, rows.mine, relay_into_bundle, &text, &st, err);
	if (rc == FB_OK)
		rc = bundle_write(path, &text, err);
	*changes = st.relayed;
	*devices = st.relay_devices;
out:
	wire_heads_release(&h);
	free(rows.mine);
	buf_release(&text);
	return rc;
}

enum fb_code bundle_take_relay_ack(struct sync_local *l, const char *path, size_t *devices,
				   struct fb_error *err)
{
	struct fb_buf text = FB_BUF_INIT(0);
	const cJSON *heads, *it;
	cJSON *head = NULL;
	enum fb_code rc;
	size_t pos;

	*devices = 0;
	if ((rc = l->ops->relay_identity(l->ctx, err)) != FB_OK ||
	    (rc = open_bundle(l, path, BUNDLE_RELAY_ACK, &text, &pos, &head, err)) != FB_OK)
		goto out;
	heads = cJSON_GetObjectItemCaseSensitive(head, "heads");
	if (!cJSON_IsObject(heads)) {
		rc = fb_fail(err, FB_EINVAL, _("%s holds no heads"), path);
		goto out;
	}
	if ((rc = l->ops->begin(l->ctx, err)) != FB_OK)
		goto out;
	cJSON_ArrayForEach(it, heads) {
		if (rc != FB_OK)
			break;
		if (!cJSON_IsNumber(it) || !journal_valid_device(it->string)) {
			rc = fb_fail(err, FB_EINVAL, _("%s: a head that makes no sense"), path);
			break;
		}
		rc = l->ops->relay_known(l->ctx, it->string, (uint64_t)it->valuedouble, err);
		(*devices)++;
	}
	if (rc == FB_OK)
		rc = l->ops->commit(l->ctx, err);
	else
		l->ops->rollback(l->ctx);
out:
	cJSON_Delete(head);
	buf_release(&text);
	return rc;
}
