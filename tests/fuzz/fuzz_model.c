/*
 * fuzz_model.c - model_check(), which turns what a user typed on the
 * command line (or in an imported CSV cell) into a field's canonical
 * value.
 *
 * The first byte of the input picks one field of one record type
 * (fuzz_model_field(), the internal `_seen` too), the rest is the value.
 * Checked: a refusal says why and returns nothing; an accepted value is
 * valid UTF-8 within the field's limits, and is already canonical, so
 * checking it again gives it back unchanged.
 */
#include "fuzz.h"
#include "model.h"
#include "text.h"

/* Known codes, each once, at most FB_TOPICS_MAX, comma-separated. */
static void check_topics(const struct field_def *f, const char *v, size_t len)
{
	char *copy = fuzz_strndup((const uint8_t *)v, len), *tok, *save = NULL;
	const char *seen[FB_TOPICS_MAX];
	size_t n = 0, i;

	FUZZ_CHECK(v[len - 1] != ',' && !strstr(v, ",,"));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		FUZZ_CHECK(model_in_vocab(f->vocab, tok));
		for (i = 0; i < n; i++)
			FUZZ_CHECK(strcmp(seen[i], tok) != 0);
		FUZZ_CHECK(n < FB_TOPICS_MAX);
		seen[n++] = tok;
	}
	FUZZ_CHECK(n >= 1);
	free(copy);
}

static void check_value(const struct field_def *f, const char *v)
{
	size_t len = strlen(v);

	FUZZ_CHECK(text_valid_utf8(v, len));
	if (f->required || f->kind == FK_BOOL)
		FUZZ_CHECK(len > 0);
	if (!len)
		return;
	FUZZ_CHECK(v[0] != ' ' && v[len - 1] != ' ');
	if (f->kind != FK_NOTES)
		FUZZ_CHECK(!strchr(v, '\n') && !strchr(v, '\t'));
	switch (f->kind) {
	case FK_TEXT:
	case FK_PHONE:
	case FK_NOTES:
		FUZZ_CHECK(len <= f->max);
		break;
	case FK_DATE:
		FUZZ_CHECK(model_valid_date(v));
		break;
	case FK_YEAR:
		FUZZ_CHECK(len == 4 && atoi(v) >= FB_YEAR_MIN && atoi(v) <= FB_YEAR_MAX);
		break;
	case FK_AMOUNT:
		FUZZ_CHECK(strspn(v, "0123456789") == len);
		FUZZ_CHECK(len == 1 || v[0] != '0');
		FUZZ_CHECK(strtoll(v, NULL, 10) <= FB_AMOUNT_MAX);
		break;
	case FK_ENUM:
		FUZZ_CHECK(model_in_vocab(f->vocab, v));
		break;
	case FK_TOPICS:
		check_topics(f, v, len);
		break;
	case FK_REF:
		FUZZ_CHECK(model_valid_uuid(v));
		break;
	case FK_BOOL:
		FUZZ_CHECK(!strcmp(v, "0") || !strcmp(v, "1"));
		break;
	case FK_SEEN:
		/* Its form is read where a change is applied (seen_parse). */
		FUZZ_CHECK(len <= FB_SEEN_MAX && strspn(v, SEEN_CHARS) == len);
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct field_def *f;
	char *value, *out = NULL, *again = NULL;
	struct fb_error err;
	enum fb_code rc;

	if (size < 1)
		return 0;
	f = fuzz_model_field(data[0] % fuzz_model_nfields());
	FUZZ_CHECK(f != NULL);
	value = fuzz_strndup(data + 1, size - 1);
	fb_error_clear(&err);
	rc = model_check(f, value, &out, &err);
	if (rc != FB_OK) {
		FUZZ_CHECK(out == NULL);
		FUZZ_CHECK(rc == FB_EINVAL || rc == FB_ETOOBIG);
		FUZZ_CHECK(err.code == rc);
		FUZZ_CHECK(!strncmp(err.msg, f->name, strlen(f->name)));
		free(value);
		return 0;
	}
	FUZZ_CHECK(out != NULL);
	check_value(f, out);
	fb_error_clear(&err);
	if (model_check(f, out, &again, &err) != FB_OK) {
		fprintf(stderr, "%s: canonical value '%s' refused: %s\n",
			f->name, out, err.msg);
		abort();
	}
	if (strcmp(again, out)) {
		fprintf(stderr, "%s: not idempotent: '%s' -> '%s'\n", f->name,
			out, again);
		abort();
	}
	free(again);
	free(out);
	free(value);
	return 0;
}
