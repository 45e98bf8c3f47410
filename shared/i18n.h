/*
 * i18n.h - the language people read: message catalogues (gettext), and
 * how times and days look in human output.
 *
 * Both programs speak English unless the environment names Vietnamese
 * (LC_ALL, LC_MESSAGES, LANG, then LANGUAGE, as gettext reads them).
 * Human text goes through _() where it is printed or formatted; a string
 * that sits in a table before it is printed (a command's help, a report
 * heading) is marked N_() where it is written and translated with _()
 * where it is used.  Codes (CSV headers, JSON keys, vocabulary codes)
 * are never translated: they stay the same in every language.
 *
 * Only LC_MESSAGES is taken from the environment.  Numbers, sorting and
 * character classes stay those of the C locale, so that JSON, CSV and
 * parsing read the same everywhere (vi_VN writes 1,5 for 1.5);
 * Vietnamese order is ICU's business, not the C library's.
 */
#ifndef FB_I18N_H
#define FB_I18N_H

#include <stdint.h>
#include <libintl.h>

#define FB_TEXTDOMAIN "fieldbook"

#define _(s)  gettext(s)
#define N_(s) (s)

/*
 * _() of a string marked N_() in a table, which may be NULL or empty
 * (gettext("") would be the catalogue's header): "" for those.
 */
static inline const char *fb_tr(const char *s)
{
	return s && *s ? gettext(s) : "";
}

/*
 * Pick the language and find the catalogue.  argv0 locates an
 * uninstalled build's catalogues (build/bin/../locale) or an installed
 * one's (PREFIX/bin/../share/locale); $FIELDBOOK_LOCALEDIR overrides
 * both.  When the environment asks for a language whose C locale is not
 * installed, messages still follow it (the catalogue is read as UTF-8).
 * Call once, first thing in main().
 */
void fb_i18n_init(const char *argv0);

/*
 * Messages from now on in lang ("vi" or "en"), for a program that
 * serves people of either language (`fieldbook ui`): the page asks for
 * its language with each request.  LANGUAGE is set, as the fallback of
 * fb_i18n_init() sets it, and a "C" locale of messages becomes
 * C.UTF-8 (gettext reads LANGUAGE under any other).  Call
 * fb_i18n_serve() once, before any thread starts (it may call
 * setlocale); fb_i18n_use() only from one thread at a time (the
 * caller's lock), since it changes the environment.
 */
void fb_i18n_serve(void);
void fb_i18n_use(const char *lang);

/* "vi" when messages are Vietnamese, else "en". */
const char *fb_lang(void);

/* 1 when messages are Vietnamese. */
int fb_lang_vi(void);

#define FB_WHEN_MAX 32

/*
 * A moment (Unix milliseconds) as people read it, in the local time zone
 * ($TZ, else the system's): "2026-04-30 14:05" in English,
 * "30/04/2026 14:05" in Vietnamese.  JSON and CSV keep UTC ISO 8601.
 */
void fb_when(int64_t unix_ms, char out[FB_WHEN_MAX]);

/*
 * A day in a table: an ISO "YYYY-MM-DD" is shown as "DD/MM/YYYY" under
 * Vietnamese and as it is in English.  Anything that is not an ISO day
 * (empty, a partial date) is copied unchanged, cut to fit.
 */
void fb_day(const char *iso, char out[FB_WHEN_MAX]);

#endif
