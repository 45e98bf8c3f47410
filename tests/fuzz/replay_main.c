/*
 * replay_main.c - run a fuzz target over saved inputs, without libFuzzer.
 *
 *     fuzz_csv DIR|FILE...
 *
 * Calls LLVMFuzzerTestOneInput() once per regular file (a directory's
 * files, not its subdirectories nor dot files), each in a buffer of
 * exactly its size so that a sanitizer build sees any read past the
 * end.  Prints the number of inputs run on stdout and exits 0; a failed
 * check aborts, as it does under libFuzzer.  Exit 66 (EX_NOINPUT) when
 * a path cannot be read.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define REPLAY_EX_NOINPUT 66
#define REPLAY_FILE_MAX   ((long)16 << 20)

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	long size;
	int rc = -1;

	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    size > REPLAY_FILE_MAX || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: %s: cannot read (or over %ld bytes)\n",
			path, REPLAY_FILE_MAX);
		goto out;
	}
	/* malloc(0) may return NULL: keep one byte, pass size 0. */
	data = malloc(size ? (size_t)size : 1);
	if (!data || (size && fread(data, 1, (size_t)size, f) != (size_t)size)) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		goto out;
	}
	LLVMFuzzerTestOneInput(data, (size_t)size);
	rc = 0;
out:
	free(data);
	fclose(f);
	return rc;
}

static int replay_path(const char *path, unsigned long *count)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	char *sub;
	size_t n;
	int rc = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (replay_file(path) != 0)
			return -1;
		++*count;
		return 0;
	}
	if (!(d = opendir(path))) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		n = strlen(path) + strlen(de->d_name) + 2;
		if (!(sub = malloc(n))) {
			rc = -1;
			break;
		}
		snprintf(sub, n, "%s/%s", path, de->d_name);
		if (stat(sub, &st) == 0 && S_ISREG(st.st_mode)) {
			rc = replay_file(sub);
			if (rc == 0)
				++*count;
		}
		free(sub);
	}
	closedir(d);
	return rc;
}

int main(int argc, char **argv)
{
	unsigned long count = 0;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s DIR|FILE...\n", argv[0]);
		return 64;
	}
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			return REPLAY_EX_NOINPUT;
	printf("%lu\n", count);
	return 0;
}
