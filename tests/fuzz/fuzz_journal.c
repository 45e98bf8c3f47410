/*
 * fuzz_journal.c - journal_body_parse(), the reader of the body text
 * stored in every journal row (local and on the hub) and shown by
 * `fieldbook log`.
 *
 * A damaged database cannot make it crash or leak: it refuses the body
 * or fills 1 to FB_EDIT_FIELDS_MAX entries, and the entries it fills,
 * written with journal_body_format(), parse back the same.
 */
#include "fuzz.h"
#include "journal.h"

static void check_roundtrip(const struct jchange *c)
{
	struct jchange again;
	struct fb_error err;
	char *body = NULL;
	size_t i;

	FUZZ_CHECK(journal_body_format(c, &body) == FB_OK && body);
	jchange_init(&again);
	fb_error_clear(&err);
	if (journal_body_parse(body, &again, &err) != FB_OK) {
		fprintf(stderr, "formatted body refused: %s\n%s\n", err.msg, body);
		abort();
	}
	FUZZ_CHECK(again.n == c->n);
	for (i = 0; i < c->n; i++) {
		FUZZ_CHECK(!strcmp(again.e[i].field, c->e[i].field));
		FUZZ_CHECK(!strcmp(again.e[i].value, c->e[i].value));
		FUZZ_CHECK(stamp_eq(&again.e[i].base, &c->e[i].base));
	}
	jchange_release(&again);
	free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *body = fuzz_strndup(data, size);
	struct jchange c;
	struct fb_error err;
	enum fb_code rc;
	size_t i;

	jchange_init(&c);
	fb_error_clear(&err);
	rc = journal_body_parse(body, &c, &err);
	FUZZ_CHECK(c.n <= FB_EDIT_FIELDS_MAX);
	if (rc != FB_OK) {
		FUZZ_CHECK(err.code == rc && err.msg[0]);
	} else {
		FUZZ_CHECK(c.n >= 1);
		for (i = 0; i < c.n; i++) {
			const struct fb_stamp *b = &c.e[i].base;

			FUZZ_CHECK(c.e[i].field && c.e[i].value);
			FUZZ_CHECK(b->hlc ? journal_valid_device(b->device)
					  : !b->device[0]);
		}
		check_roundtrip(&c);
	}
	jchange_release(&c);
	free(body);
	return 0;
}
