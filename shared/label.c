/*
 * label.c - codes as people read them, in the language of messages
 * (label.h).
 */
#include <string.h>

#include "i18n.h"
#include "label.h"
#include "vocab.h"

const char *label_code(const char *code)
{
	return fb_lang_vi() ? vocab_label(code) : code;
}

enum fb_code label_codes(const char *codes, struct fb_buf *out)
{
	enum fb_code rc = FB_OK;
	const char *p = codes;

	if (!fb_lang_vi())
		return buf_adds(out, codes);
	while (rc == FB_OK && *p) {
		size_t n = strcspn(p, ",");
		char code[64];

		if (n < sizeof(code)) {
			memcpy(code, p, n);
			code[n] = '\0';
			rc = buf_printf(out, "%s%s", p == codes ? "" : ", ", vocab_label(code));
		} else {
			rc = buf_printf(out, "%s%.*s", p == codes ? "" : ", ", (int)n, p);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return rc;
}

const char *label_value(const struct field_def *f, const char *value, struct fb_buf *room)
{
	if (!f || !value || !*value || !fb_lang_vi())
		return value;
	if (f->kind == FK_ENUM)
		return vocab_label(value);
	if (f->kind != FK_TOPICS)
		return value;
	buf_reset(room);
	return label_codes(value, room) == FB_OK ? buf_str(room) : value;
}

/* The names of fields (and of show's other keys) people read. */
static const struct {
	const char *name;
	const char *label;
} fields[] = {
	/* TRANSLATORS: a record's fields, as `show` lists them. */
	{ "id", N_("Id") },
	{ "type", N_("Type") },
	{ "branch", N_("Branch") },
	{ "full_name", N_("Full name") },
	{ "role", N_("Role") },
	{ "birth_year", N_("Year of birth") },
	{ "phone", N_("Phone") },
	{ "joined", N_("Joined") },
	{ "notes", N_("Notes") },
	{ "title", N_("Course title") },
	{ "start_date", N_("Start date") },
	{ "end_date", N_("End date") },
	{ "topics", N_("Topics") },
	{ "location", N_("Location") },
	{ "organizer_level", N_("Organised by") },
	{ "trainer", N_("Trainer") },
	{ "training_id", N_("Training") },
	{ "member_id", N_("Member") },
	{ "visit_date", N_("Visit date") },
	{ "reason", N_("Reason") },
	{ "person_name", N_("Person visited") },
	{ "support", N_("Support") },
	{ "amount_vnd", N_("Amount (VND)") },
	{ "gift", N_("Gift") },
	{ "visitors", N_("Visitors") },
	{ "deleted", N_("Deleted") },
	{ "attendees", N_("Attendees") },
	{ "trainings", N_("Trainings attended") },
};

const char *label_field(const char *name)
{
	size_t i;

	if (!fb_lang_vi())
		return name;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (!strcmp(fields[i].name, name))
			return _(fields[i].label);
	return name;
}

const char *label_type(enum rec_type t)
{
	return label_types(t, 1);
}

const char *label_types(enum rec_type t, unsigned long n)
{
	switch (t) {
	case REC_MEMBER:     return ngettext("member", "members", n);
	case REC_TRAINING:   return ngettext("training", "trainings", n);
	case REC_ATTENDANCE: return ngettext("attendance", "attendances", n);
	case REC_VISIT:      return ngettext("visit", "visits", n);
	default:             return "?";
	}
}
