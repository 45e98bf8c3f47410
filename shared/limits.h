/*
 * limits.h - every limit and default of Fieldbook, named in one place.
 *
 * Field limits are in bytes of UTF-8 after NFC normalisation.  They are
 * generous for what a branch head types and small enough that a hostile
 * file or request cannot make us allocate much.  docs/LIMITS.md repeats
 * them for users.
 */
#ifndef FB_LIMITS_H
#define FB_LIMITS_H

#define FB_NAME_MAX         200     /* full_name, person_name, title, trainer */
#define FB_SHORT_MAX        200     /* location, gift, visitors, phone */
#define FB_NOTES_MAX        4000    /* notes */
#define FB_BRANCH_CODE_MAX  64      /* organisation unit code */
#define FB_TOPICS_MAX       14      /* topics on one training */
#define FB_AMOUNT_MAX       1000000000000LL /* 1,000 billion VND */
#define FB_YEAR_MIN         1900
#define FB_YEAR_MAX         2200
#define FB_EDIT_FIELDS_MAX  32      /* field=value pairs in one edit */

#define FB_ID_LEN           36      /* lower-case UUID text */
#define FB_ATT_ID_LEN       (FB_ID_LEN * 2 + 1) /* training_id:member_id */
#define FB_RECORD_ID_MAX    FB_ATT_ID_LEN
#define FB_DEVICE_ID_LEN    16      /* hex of 64 random bits */
#define FB_DEVICE_ID_MAX    64      /* accepted from peers */
#define FB_HLC_HEX_LEN      16
#define FB_VALUE_MAX        FB_NOTES_MAX /* largest field value */
/* A delete's seen vector (`_seen`, seen.h): every field of the largest
 * type (visit) with the longest device ids takes 816 bytes (test_seen
 * checks it fits); well below FB_VALUE_MAX, the wire's cap. */
#define FB_SEEN_MAX         1024

#define FB_ERRMSG_MAX       512     /* one error line */
#define FB_CSV_LINE_MAX     (64 * 1024)     /* one CSV record, all fields */
#define FB_IMPORT_BYTES_MAX (256L * 1024 * 1024) /* one import file */
#define FB_IMPORT_ROWS_MAX  1000000
/* A file's text once decoded: UTF-16 and Windows-1258 grow in UTF-8. */
#define FB_IMPORT_TEXT_MAX  ((size_t)FB_IMPORT_BYTES_MAX * 3)
#define FB_IMPORT_ERRORS_SHOWN 20   /* bad rows an import names */
#define FB_EXPORT_BYTES_MAX ((size_t)1 << 31) /* one export, built in memory */

/* Vietnamese order (collate.h): the words of names whose sort keys one
 * collator keeps (every Vietnamese syllable, in two cases, fits), its
 * hash table's slots (a power of 2, twice as many), and the longest
 * word kept. */
#define FB_COLLATE_WORDS       16384
#define FB_COLLATE_WORDS_SLOTS (2 * FB_COLLATE_WORDS)
#define FB_COLLATE_WORD_MAX    64

#define FB_BUSY_TIMEOUT_MS  5000    /* SQLite waits this long for a lock */
#define FB_VERIFY_SHOWN_MAX 100     /* differences `verify` lists, then counts */
#define FB_HLC_MAX_DRIFT_MS (5 * 60 * 1000) /* hub refuses entries ahead */

/* A number as text, for messages: FB_STR(WIRE_BATCH_MAX) is "10000". */
#define FB_STR_(x) #x
#define FB_STR(x)  FB_STR_(x)

#endif
