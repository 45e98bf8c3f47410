/*
 * fuzz.h - what every fuzz target shares.
 *
 * Each tests/fuzz/fuzz_<name>.c defines LLVMFuzzerTestOneInput() and
 * is linked twice: with libFuzzer (clang -fsanitize=fuzzer, `make
 * fuzz`) to search for inputs, and with replay_main.c (any compiler,
 * `make fuzz-replay`) to run the saved corpus in `make check`.
 *
 * A target checks what the code under test promises, not only that it
 * does not crash: FUZZ_CHECK() aborts with the failed condition, which
 * libFuzzer records as a crash and the replay reports as a failure.
 * Everything a target allocates it frees, so LeakSanitizer sees leaks
 * of the code under test only.
 */
#ifndef FB_FUZZ_H
#define FB_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "journal.h"
#include "model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* The input as a NUL-terminated string (an embedded NUL ends it early);
 * the caller frees it.  Aborts when out of memory: a fuzz run has no
 * better answer. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	FUZZ_CHECK(s != NULL);
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * The n-th field of the model, as the model target's first byte counts
 * them: the fields users write, type after type in model order, then
 * the internal ones (`_seen`), so that the seeds written before there
 * were internal fields still pick the same field.  NULL past the end.
 */
static inline const struct field_def *fuzz_model_field(size_t n)
{
	int internal, i, k;

	for (internal = 0; internal < 2; internal++)
		for (i = 0; i < REC_NTYPES; i++) {
			const struct type_def *t = model_type((enum rec_type)i);

			for (k = 0; t->fields[k].name; k++)
				if (!t->fields[k].internal == !internal && n-- == 0)
					return &t->fields[k];
		}
	return NULL;
}

/* How many fields fuzz_model_field() counts. */
static inline size_t fuzz_model_nfields(void)
{
	size_t n = 0;

	while (fuzz_model_field(n))
		n++;
	return n;
}

/* 1 when two C strings, either possibly NULL, are equal. */
static inline int fuzz_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* What every decoded change must be, whatever the input was. */
static inline void fuzz_check_change(const struct jchange *c)
{
	size_t i;

	FUZZ_CHECK(journal_valid_device(c->device));
	FUZZ_CHECK(c->seq >= 1);
	FUZZ_CHECK(c->hlc != 0);
	FUZZ_CHECK(model_type(c->type) != NULL);
	FUZZ_CHECK(model_valid_id(c->type, c->record_id));
	FUZZ_CHECK(model_valid_unit_code(c->branch));
	FUZZ_CHECK(c->n >= 1 && c->n <= FB_EDIT_FIELDS_MAX);
	for (i = 0; i < c->n; i++) {
		const struct jentry *e = &c->e[i];

		FUZZ_CHECK(e->field && e->value);
		FUZZ_CHECK(strlen(e->field) <= 64);
		FUZZ_CHECK(strlen(e->value) <= FB_VALUE_MAX);
		if (e->base.hlc == 0)
			FUZZ_CHECK(e->base.device[0] == '\0');
		else
			FUZZ_CHECK(journal_valid_device(e->base.device));
	}
}

/* 1 when two changes say the same thing (hash aside). */
static inline int fuzz_change_eq(const struct jchange *a,
				 const struct jchange *b)
{
	size_t i;

	if (strcmp(a->device, b->device) || a->seq != b->seq ||
	    a->hlc != b->hlc || strcmp(a->record_id, b->record_id) ||
	    a->type != b->type || strcmp(a->branch, b->branch) || a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!fuzz_streq(a->e[i].field, b->e[i].field) ||
		    !fuzz_streq(a->e[i].value, b->e[i].value) ||
		    !stamp_eq(&a->e[i].base, &b->e[i].base))
			return 0;
	return 1;
}

#endif
