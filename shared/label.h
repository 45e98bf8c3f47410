/*
 * label.h - how codes look in human output, in the language of messages
 * (i18n.h): the vocabularies' codes, the record types and the field
 * names.
 *
 * In English a code shows as itself: what people type and what CSV and
 * JSON hold ("branch_head", "tet", "full_name").  Under Vietnamese it
 * shows by its Vietnamese name: a vocabulary's code by its label
 * (vocab.h: "Chi hội trưởng", "Thăm hỏi dịp Tết", "Xã"), a type or a
 * field by its name in the catalogue ("hội viên", "Họ và tên").  These
 * are for tables, `show`, reports and messages; never for CSV or JSON,
 * whose codes are the same in every language.
 *
 * The strings returned are static, or in the buffer the caller gave.
 */
#ifndef FB_LABEL_H
#define FB_LABEL_H

#include "buf.h"
#include "model.h"

/* A vocabulary's code as people read it (a code of no vocabulary: as it is). */
const char *label_code(const char *code);

/* A comma-separated list of codes (a training's topics) as people read
 * it, into out: unchanged in English, "Bình đẳng giới, Nuôi dạy con"
 * under Vietnamese. */
enum fb_code label_codes(const char *codes, struct fb_buf *out)
	FB_MUST_CHECK;

/*
 * A value of field f as people read it: a code or codes of a vocabulary
 * by label_code(), any other value as it is.  room holds a list's text;
 * the result is valid while room and value are.  On failure (memory),
 * the value as it is.
 */
const char *label_value(const struct field_def *f, const char *value, struct fb_buf *room);

/* A record field's name (or "id", "type", "branch", "attendees",
 * "trainings" of `show`) as people read it: the name itself in English. */
const char *label_field(const char *name);

/* The noun of a type, "member" ("hội viên"), for one record. */
const char *label_type(enum rec_type t);

/* The noun of a type after the count n: "1 member", "3 members". */
const char *label_types(enum rec_type t, unsigned long n);

#endif
