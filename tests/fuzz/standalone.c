/*
 * standalone: a plain main() for the libFuzzer entries, so "make check"
 * replays the saved seeds and crashers without clang.  Arguments are
 * files or directories; with none, a binary named replay-NAME reads
 * $TOP_SRCDIR/tests/fuzz/NAME/.  Prints TAP: a crash fails the test.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	standalone_n;

static int
standalone_file(const char *path)
{
	FILE	*f;
	uint8_t	*data = NULL;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (data = malloc((size_t)n + 1)) == NULL ||
	    fread(data, 1, (size_t)n, f) != (size_t)n) {
		printf("not ok %d - %s: cannot read\n", ++standalone_n, path);
		free(data);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	fclose(f);
	fflush(stdout);
	LLVMFuzzerTestOneInput(data, (size_t)n);
	free(data);
	printf("ok %d - %s\n", ++standalone_n, path);
	return 0;
}

static int
standalone_path(const char *path)
{
	struct stat	 st;
	struct dirent	*de;
	DIR		*d;
	char		 sub[4096];
	int		 bad = 0;

	if (stat(path, &st) == -1 || (S_ISDIR(st.st_mode) &&
	    (d = opendir(path)) == NULL)) {
		printf("not ok %d - %s: missing\n", ++standalone_n, path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return standalone_file(path);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		bad |= standalone_file(sub) == -1;
	}
	closedir(d);
	return bad ? -1 : 0;
}

int
main(int argc, char *argv[])
{
	const char	*name, *top;
	char		 dir[4096];
	int		 i, bad = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			bad |= standalone_path(argv[i]) == -1;
	} else {
		name = strrchr(argv[0], '/');
		name = name != NULL ? name + 1 : argv[0];
		if (strncmp(name, "replay-", 7) == 0)
			name += 7;
		if ((top = getenv("TOP_SRCDIR")) == NULL)
			top = ".";
		snprintf(dir, sizeof(dir), "%s/tests/fuzz/%s", top, name);
		bad |= standalone_path(dir) == -1;
	}
	printf("1..%d\n", standalone_n);
	return bad;
}
