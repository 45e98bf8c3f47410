/*
 * vocab.h - the Vietnamese names of the vocabularies' codes (model.h):
 * the label a code is shown with, and the names people type for it.
 *
 * Every code of every vocabulary has one label (docs/DATA-MODEL.md,
 * "Vocabularies"), the same in every vocabulary it belongs to ("other"
 * is "Khác" as a topic, a reason and a support kind).  Some codes also
 * have other names that people write for them ("Tết" for the reason
 * tet, "Phường" for the level commune).
 *
 * vocab_match() is how a typed value finds its code: the code itself,
 * its label or another of its names, compared after text_fold() with
 * TEXT_FOLD_ACCENTS, so that case, accents, '_' and punctuation do not
 * matter ("Branch_Head", "chi hoi truong" and "Chi hội trưởng" are all
 * branch_head).  Within one vocabulary no two codes share a folded name
 * (test_vocab checks it), so a match is never ambiguous.
 */
#ifndef FB_VOCAB_H
#define FB_VOCAB_H

#include "error.h"

/* The Vietnamese label of a code of any vocabulary, or the code itself
 * when it has none (never NULL; a static string). */
const char *vocab_label(const char *code);

/*
 * The code of `vocab` (a NULL-ended list of model.h) that `typed` names,
 * into *code (pointing into the vocabulary).  FB_OK when found;
 * FB_ENOENT when no code has that name; FB_ENOMEM.  typed must be valid
 * UTF-8.
 */
enum fb_code vocab_match(const char *const *vocab, const char *typed,
			 const char **code)
	FB_MUST_CHECK;

/*
 * Every name a code answers to besides itself: names[0] is its label;
 * the list ends with NULL.  NULL when the code has no names at all.
 */
const char *const *vocab_names(const char *code);

#endif
