/*
 * i18n.c - the language people read (i18n.h).
 */
#include <limits.h>
#include <linux/limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "i18n.h"

/* The locale the environment names for messages, or NULL for none. */
static const char *messages_locale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		const char *v = getenv(vars[i]);

		if (v && *v)
			return v;
	}
	return NULL;
}

static int file_exists(const char *dir)
{
	char mo[PATH_MAX];
	int n = snprintf(mo, sizeof(mo), "%s/vi/LC_MESSAGES/" FB_TEXTDOMAIN ".mo", dir);

	return n > 0 && (size_t)n < sizeof(mo) && access(mo, R_OK) == 0;
}

/*
 * Where the catalogues are: $FIELDBOOK_LOCALEDIR, else beside the
 * program (an uninstalled build's build/locale, an installed program's
 * PREFIX/share/locale), else the compiled-in LOCALEDIR.
 */
static void bind_catalogues(const char *argv0)
{
	static char dir[PATH_MAX];
	const char *env = getenv("FIELDBOOK_LOCALEDIR");
	char exe[PATH_MAX];
	ssize_t n;

	if (env && *env) {
		bindtextdomain(FB_TEXTDOMAIN, env);
		return;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0 && argv0 && strchr(argv0, '/') && strlen(argv0) < sizeof(exe))
		n = (ssize_t)strlen(strcpy(exe, argv0));
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL) {
			static const char *const beside[] = { "../share/locale", "../locale" };

			*slash = '\0';
			for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]); i++) {
				int m = snprintf(dir, sizeof(dir), "%s/%s", exe, beside[i]);

				if (m > 0 && (size_t)m < sizeof(dir) && file_exists(dir)) {
					bindtextdomain(FB_TEXTDOMAIN, dir);
					return;
				}
			}
		}
	}
#ifdef LOCALEDIR
	bindtextdomain(FB_TEXTDOMAIN, LOCALEDIR);
#endif
}

/* fb_lang_vi()'s answer once known, -1 before: it is asked for each
 * cell of a table.  Atomic: fb_i18n_use() forgets it while another
 * thread (the page's sync) may read it. */
static _Atomic int lang_vi = -1;

void fb_i18n_init(const char *argv0)
{
	const char *want = messages_locale();

	lang_vi = -1;

	if (!setlocale(LC_MESSAGES, "") && want && strcmp(want, "C") && strcmp(want, "POSIX")) {
		/*
		 * The locale is named but not installed (no vi_VN.UTF-8 made
		 * by locale-gen).  gettext ignores LANGUAGE only under "C", so
		 * under C.UTF-8 with LANGUAGE naming the wanted language the
		 * catalogue is still found.  A LANGUAGE the user set wins.
		 */
		if (setlocale(LC_MESSAGES, "C.UTF-8")) {
			const char *language = getenv("LANGUAGE");

			if (!language || !*language) {
				char lang[64];
				size_t len = strcspn(want, ".@");

				if (len && len < sizeof(lang)) {
					memcpy(lang, want, len);
					lang[len] = '\0';
					setenv("LANGUAGE", lang, 1);
				}
			}
		}
	}
	bind_catalogues(argv0);
	bind_textdomain_codeset(FB_TEXTDOMAIN, "UTF-8");
	textdomain(FB_TEXTDOMAIN);
}

void fb_i18n_serve(void)
{
	const char *now = setlocale(LC_MESSAGES, NULL);

	if (now && (!strcmp(now, "C") || !strcmp(now, "POSIX")))
		(void)setlocale(LC_MESSAGES, "C.UTF-8");
}

void fb_i18n_use(const char *lang)
{
	const char *want = lang && !strcmp(lang, "vi") ? "vi" : "en";
	const char *now = getenv("LANGUAGE");

	if (now && !strcmp(now, want))
		return;
	/* glibc replaces an existing variable's pointer in place and
	 * never frees the old string: a reader in another thread sees the
	 * old value or the new one. */
	setenv("LANGUAGE", want, 1);
	/* gettext keeps what it translated by the locale's name, not by
	 * LANGUAGE: this counter tells it to look again (the GNU gettext
	 * manual's way, "Being a gettext grok"). */
	{
		extern int _nl_msg_cat_cntr;

		++_nl_msg_cat_cntr;
	}
	lang_vi = -1;
}

const char *fb_lang(void)
{
	/* TRANSLATORS: the code of your language, exactly: "vi". */
	const char *l = gettext("[language code] en");

	return strcmp(l, "vi") == 0 ? "vi" : "en";
}

int fb_lang_vi(void)
{
	if (lang_vi < 0)
		lang_vi = strcmp(fb_lang(), "vi") == 0;
	return lang_vi;
}

void fb_when(int64_t unix_ms, char out[FB_WHEN_MAX])
{
	time_t secs = (time_t)(unix_ms / 1000);
	struct tm tm;

	tzset();
	if (!localtime_r(&secs, &tm)) {
		snprintf(out, FB_WHEN_MAX, "?");
		return;
	}
	if (fb_lang_vi())
		snprintf(out, FB_WHEN_MAX, "%02d/%02d/%04d %02d:%02d",
			 tm.tm_mday % 100, (tm.tm_mon + 1) % 100,
			 (tm.tm_year + 1900) % 10000, tm.tm_hour % 100, tm.tm_min % 100);
	else
		snprintf(out, FB_WHEN_MAX, "%04d-%02d-%02d %02d:%02d",
			 (tm.tm_year + 1900) % 10000, (tm.tm_mon + 1) % 100,
			 tm.tm_mday % 100, tm.tm_hour % 100, tm.tm_min % 100);
}

static int is_iso_day(const char *s)
{
	static const char shape[] = "dddd-dd-dd";

	for (size_t i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return 0;
	return s[sizeof(shape) - 1] == '\0';
}

void fb_day(const char *iso, char out[FB_WHEN_MAX])
{
	if (iso && is_iso_day(iso) && fb_lang_vi())
		snprintf(out, FB_WHEN_MAX, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(out, FB_WHEN_MAX, "%s", iso ? iso : "");
}
