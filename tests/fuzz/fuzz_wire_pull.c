/*
 * fuzz_wire_pull.c - the decoder of pull answers (versions 1 and 2).
 *
 * A hub (or whatever answers in its place) cannot make
 * wire_pull_decode() crash, leak or hand back a malformed change; a
 * page it accepts, written again with wire_pull_encode, decodes to the
 * same page (a version 1 page without a delete's trailing _seen entry,
 * which that version leaves out).  wire_page_verify of a version 2
 * page never crashes either.
 */
#include "fuzz.h"
#include "wire.h"

static void check_page(const struct wire_page *p)
{
	size_t i;

	FUZZ_CHECK(p->n <= WIRE_BATCH_MAX);
	FUZZ_CHECK(p->n == 0 || p->changes != NULL);
	FUZZ_CHECK(p->more == 0 || p->more == 1);
	FUZZ_CHECK(p->next <= ((uint64_t)1 << 53));
	for (i = 0; i < p->n; i++)
		fuzz_check_change(&p->changes[i]);
}

/*
 * Version 1 leaves a trailing _seen entry out, and sends the hash of
 * what it keeps: so does the expectation (the hash before the change is
 * links[i].prev, zero in a decoded page).
 */
static void drop_seen(struct wire_page *p)
{
	size_t i;

	for (i = 0; p->version == WIRE_VERSION_OLD && i < p->n; i++) {
		struct jchange *c = &p->changes[i];

		if (wire_v1_strips(c)) {
			free(c->e[c->n - 1].field);
			free(c->e[c->n - 1].value);
			c->n--;
			FUZZ_CHECK(journal_hash(p->links[i].prev, c) == FB_OK);
		}
	}
}

static int held_nothing(void *ctx, const char *device, uint64_t seq,
			unsigned char hash[JOURNAL_HASH_LEN])
{
	(void)ctx, (void)device, (void)seq, (void)hash;
	return 0;
}

static void check_roundtrip(struct wire_page *p)
{
	struct fb_buf body = FB_BUF_INIT(WIRE_BODY_MAX);
	struct wire_page again;
	struct fb_error err;
	size_t i;

	FUZZ_CHECK(wire_pull_encode(p, &body) == FB_OK);
	drop_seen(p);
	fb_error_clear(&err);
	if (wire_pull_decode(body.data, body.len, &again, &err) != FB_OK) {
		fprintf(stderr, "re-encoded pull answer refused: %s\n%s\n",
			err.msg, body.data);
		abort();
	}
	FUZZ_CHECK(again.version == p->version);
	FUZZ_CHECK(again.hub_time == p->hub_time);
	FUZZ_CHECK(again.next == p->next);
	FUZZ_CHECK(!strcmp(again.epoch, p->epoch));
	FUZZ_CHECK(again.held == p->held);
	FUZZ_CHECK(again.more == p->more);
	FUZZ_CHECK(again.n == p->n);
	for (i = 0; i < p->n; i++) {
		FUZZ_CHECK(fuzz_change_eq(&again.changes[i], &p->changes[i]));
		FUZZ_CHECK(again.links[i].end == p->links[i].end);
		FUZZ_CHECK(!again.links[i].end ||
			   !memcmp(again.changes[i].hash, p->changes[i].hash, JOURNAL_HASH_LEN));
	}
	if (again.version == WIRE_VERSION) {
		enum fb_code rc = wire_page_verify(&again, held_nothing, NULL, &err);

		FUZZ_CHECK(rc == FB_OK || (rc == FB_ECORRUPT && err.msg[0]));
	}
	wire_page_release(&again);
	buf_release(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_page p;
	struct fb_error err;
	enum fb_code rc;

	if (size > WIRE_BODY_MAX)
		return 0;
	fb_error_clear(&err);
	rc = wire_pull_decode((const char *)data, size, &p, &err);
	if (rc != FB_OK) {
		FUZZ_CHECK(err.code == rc && err.msg[0]);
		FUZZ_CHECK(p.n == 0 && p.changes == NULL);
		return 0;
	}
	check_page(&p);
	check_roundtrip(&p);
	wire_page_release(&p);
	return 0;
}
