/*
 * fuzz_wire_push.c - the hub's decoder of /v1/push bodies.
 *
 * Whatever a peer sends, wire_push_decode() either refuses it (and
 * leaves nothing to free) or returns a batch whose every change is
 * well formed, with consecutive sequence numbers.  What it accepts,
 * wire_push_encode() writes back into a body that decodes to the same
 * batch.
 */
#include "fuzz.h"
#include "wire.h"

static void check_batch(const struct wire_batch *b)
{
	uint64_t seq = b->seq;
	size_t i;

	FUZZ_CHECK(b->n >= 1 && b->n <= WIRE_BATCH_MAX);
	FUZZ_CHECK(b->changes != NULL);
	FUZZ_CHECK(journal_valid_device(b->device));
	for (i = 0; i < b->n; i++) {
		fuzz_check_change(&b->changes[i]);
		FUZZ_CHECK(!strcmp(b->changes[i].device, b->device));
		FUZZ_CHECK(b->changes[i].seq == seq);
		seq += b->changes[i].n;
	}
}

static void check_roundtrip(struct wire_batch *b)
{
	struct fb_buf body = FB_BUF_INIT(WIRE_BODY_MAX);
	struct wire_batch again;
	struct fb_error err;
	size_t i;

	/* The batch's chain hash travels as the last change's hash. */
	memcpy(b->changes[b->n - 1].hash, b->last_hash, JOURNAL_HASH_LEN);
	FUZZ_CHECK((b->relay ? wire_relay_encode(b->changes, b->n, &body)
		    : wire_push_encode(b->changes, b->n, b->forked_from, &body)) == FB_OK);
	fb_error_clear(&err);
	if (wire_push_decode(body.data, body.len, &again, &err) != FB_OK) {
		fprintf(stderr, "re-encoded push refused: %s\n%s\n", err.msg,
			body.data);
		abort();
	}
	FUZZ_CHECK(!strcmp(again.device, b->device));
	FUZZ_CHECK(again.seq == b->seq);
	FUZZ_CHECK(again.n == b->n);
	FUZZ_CHECK(again.relay == b->relay);
	FUZZ_CHECK(!memcmp(again.last_hash, b->last_hash, JOURNAL_HASH_LEN));
	for (i = 0; i < b->n; i++)
		FUZZ_CHECK(fuzz_change_eq(&again.changes[i], &b->changes[i]));
	wire_batch_release(&again);
	buf_release(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_batch b;
	struct fb_error err;
	enum fb_code rc;

	if (size > WIRE_BODY_MAX)
		return 0;
	fb_error_clear(&err);
	rc = wire_push_decode((const char *)data, size, &b, &err);
	if (rc != FB_OK) {
		FUZZ_CHECK(err.code == rc && err.msg[0]);
		FUZZ_CHECK(b.n == 0 && b.changes == NULL);
		return 0;
	}
	check_batch(&b);
	check_roundtrip(&b);
	wire_batch_release(&b);
	FUZZ_CHECK(b.n == 0 && b.changes == NULL);
	return 0;
}
