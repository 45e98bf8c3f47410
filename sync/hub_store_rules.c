/* hub_store_rules.c - the hub's rules that no store's rows decide (hub_store_rules.h). */
#include <stdio.h>
#include <string.h>

#include "hub_store_rules.h"

static const char *const device_cols[] = { "id", "name", "unit", "device", "created",
	"last_seen", "revoked", "last_push", "last_pull", "unit_name", "hub" };
static const char *const conflict_cols[] = { "id", "record", "type", "branch", "field",
	"kind", "kept", "kept_hlc", "kept_device", "lost", "lost_hlc", "lost_device",
	"resolved" };
static const char *const rejected_cols[] = { "id", "device", "seq", "record", "type",
	"branch", "reason", "at" };

#define COLS(a) { a, (int)(sizeof(a) / sizeof(a[0])) }
const struct hub_listing_cols hub_listing_cols[] = {
	[HUB_LIST_DEVICES] = COLS(device_cols),
	[HUB_LIST_CONFLICTS] = COLS(conflict_cols),
	[HUB_LIST_REJECTED] = COLS(rejected_cols),
};

enum fb_code hub_may_take_on(const struct hub_device *dev, const char *device,
			     const struct hub_holder *h, struct fb_error *err)
{
	if (!h->revoked)
		return fb_fail(err, FB_EAUTH, "device %s is enrolled under another token (hub"
			       " device %lld, \"%s\"); if this laptop was enrolled again, the"
			       " hub's operator revokes that one first (fieldbook-hub revoke %lld)",
			       device, h->id, h->name, h->id);
	if (dev->hub)
		return fb_fail(err, FB_EAUTH, "device %s is a laptop's; a hub's token takes"
			       " on no laptop's id", device);
	if (strcmp(h->unit, dev->unit))
		return fb_fail(err, FB_EAUTH, "device %s was enrolled for unit %s; a token of"
			       " unit %s cannot take it on", device, h->unit, dev->unit);
	return dev->device[0] ? hub_not_its_device(dev, device, err) : FB_OK;
}

enum fb_code hub_not_its_device(const struct hub_device *dev, const char *device,
				struct fb_error *err)
{
	return fb_fail(err, FB_EAUTH, "this token belongs to device %s, not %s",
		       dev->device, device);
}

void hub_note_reject(struct hub_push_result *res, uint64_t seq, const char *reason)
{
	size_t cap = sizeof(res->rejects[0].reason) - 1, len = strnlen(reason, cap);

	res->rejected++;
	if (res->nrejects >= sizeof(res->rejects) / sizeof(res->rejects[0]))
		return;
	/* Cut on a character boundary: reasons quote Vietnamese values. */
	if (len == cap)
		while (len > 0 && ((unsigned char)reason[len] & 0xC0) == 0x80)
			len--;
	res->rejects[res->nrejects].seq = seq;
	memcpy(res->rejects[res->nrejects].reason, reason, len);
	res->rejects[res->nrejects].reason[len] = '\0';
	res->nrejects++;
}

enum fb_code hub_link_runs(struct wire_page *p, hub_chain_at_fn chain_at, void *ctx,
			   struct fb_error *err)
{
	enum fb_code rc = FB_OK;
	size_t i;
	int found;

	if (p->version != WIRE_VERSION_OLD)
		wire_page_link(p);
	for (i = 0; rc == FB_OK && i < p->n; i++) {
		const struct jchange *c = &p->changes[i];

		if (!(p->version == WIRE_VERSION_OLD ? wire_v1_strips(c) : p->links[i].start) ||
		    c->seq == 1)
			continue;
		rc = chain_at(ctx, c->device, c->seq - 1, p->links[i].prev, &found, err);
		if (rc == FB_OK && !found)
			rc = fb_fail(err, FB_ECORRUPT, "the hub's chain of %s has no entry %llu",
				     c->device, (unsigned long long)c->seq - 1);
	}
	return rc;
}

enum fb_code hub_first_difference(const struct book_difference *d, void *ctx)
{
	char *first = ctx;

	if (!*first)
		book_difference_text(d, first, FB_ERRMSG_MAX);
	return FB_OK;
}

enum fb_code hub_differences(const char *first, uint64_t differences,
			     struct fb_error *err)
{
	if (!differences)
		return FB_OK;
	return fb_fail(err, FB_ECORRUPT, "%s (%llu difference%s between the record table and"
		       " the journal in all: the records were changed outside Fieldbook)",
		       first, (unsigned long long)differences, differences == 1 ? "" : "s");
}
