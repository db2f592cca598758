// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lab journal (topo/journal.c): records written with journal_add() read back as the set of
 * live records, and every kind of damage (empty, no header, a record cut short, NUL bytes, a
 * wrong checksum, junk, a record of another lab, a commit that miscounts) is detected, while
 * the records that do verify are still returned for `down --force`. No kernel, no privilege.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nslab/topo.h"
#include "tap.h"
#include "../../topo/journal.h"

#define STREQ_(a, b) (strcmp((a), (b)) == 0)

static char dir[] = "/tmp/nslab-jXXXXXX";
static int dfd = -1;

static void put(const char *lab, const char *rec)
{
	struct journal j = { .fd = -1 };

	if (nsli_journal_open(dfd, lab, &j, NULL) == 0)
		nsli_journal_add(&j, rec, NULL);
	nsli_journal_close(&j);
}

static char *slurp(size_t *len)
{
	char *buf = NULL;

	if (nsli_state_read(dfd, "journal", &buf, len) < 0)
		return NULL;
	return buf;
}

static void spit(const char *buf, size_t len)
{
	int fd = openat(dfd, "journal", O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (write(fd, buf, len) != (ssize_t)len)
		perror("write");
	close(fd);
}

static void many_records(void)
{
	struct jstate js;
	char rec[64];
	int found = 0, bad = 0;

	unlinkat(dfd, "journal", 0);
	put("lab", "begin");
	for (int i = 0; i < 5000; i++) {
		snprintf(rec, sizeof(rec), "netns n%d", i);
		put("lab", rec);
	}
	for (int i = 0; i < 5000; i += 2) {
		snprintf(rec, sizeof(rec), "-netns n%d", i); /* every even one removed */
		put("lab", rec);
	}
	put("lab", "netns n1");
	put("lab", "netns n4");
	put("lab", "-netns n999");
	put("lab", "-netns absent");
	put("lab", "commit 2500 0");
	ok(nsli_journal_read(dfd, "lab", &js) == 0 && js.exists && js.committed && !js.corrupt, "journal read");
	for (size_t i = 0; i < js.n; i++) {
		int k = atoi(js.v[i].line + strlen("netns n"));

		found += k % 2 || k == 4;
		bad += (k % 2 == 0 && k != 4) || k == 999;
	}
	ok(js.n == 2500 && found == 2500 && !bad, "odd records and n4 left, n999 gone (%zu records, %d bad)",
	   js.n, bad);
	nsli_jstate_free(&js);
}

/* A good journal of three records, damaged by @damage, must read as corrupt at @line, and
 * still give the @n_ok records that verify. */
static void damaged(const char *what, void (*damage)(char *buf, size_t *len), unsigned line, size_t n_ok)
{
	char buf[4096], *orig;
	size_t len = 0;
	struct jstate js;
	int r;

	unlinkat(dfd, "journal", 0);
	put("lab", "netns a");
	put("lab", "netns b");
	put("lab", "link x");
	orig = slurp(&len);
	memcpy(buf, orig, len);
	free(orig);
	damage(buf, &len);
	spit(buf, len);
	r = nsli_journal_read(dfd, "lab", &js);
	ok(r == 0 && js.corrupt && js.bad_line == line && js.n == n_ok,
	   "%s: corrupt at line %u with %zu good records (got r=%d corrupt=%d line %u, %zu records: %s)", what, line,
	   n_ok, r, js.corrupt, js.bad_line, js.n, js.why);
	nsli_jstate_free(&js);
}

static void d_empty(char *b, size_t *len) { (void)b; *len = 0; }
static void d_header(char *b, size_t *len) { (void)len; b[0] = 'X'; }
static void d_cut(char *b, size_t *len) { (void)b; *len -= 3; }
static void d_nul(char *b, size_t *len) { (void)len; b[strlen("nslab-journal 2 lab\n") + 12] = '\0'; }
static void d_crc(char *b, size_t *len)
{
	char *l = b + strlen("nslab-journal 2 lab\n");

	(void)len;
	l[0] = l[0] == '0' ? '1' : '0';
}
static void d_junk_line(char *b, size_t *len) { memcpy(b + *len, "zzzz\n", 5); *len += 5; }
static void d_junk_tail(char *b, size_t *len) { memcpy(b + *len, "\x01\x02garbage", 9); *len += 9; }
static void d_plain(char *b, size_t *len) { memcpy(b + *len, "netns victim\n", 13); *len += 13; }

static void other_lab(void)
{
	struct jstate js;
	int r;

	/* The checksum covers the lab's name: lab2's valid record is no record of lab's. */
	unlinkat(dfd, "journal", 0);
	put("lab", "netns a");
	{
		struct journal j = { .fd = -1 };
		char buf[256];
		size_t n;
		char *text;

		/* a record checksummed for "lab2", appended under lab's header */
		unlinkat(dfd, "j2", 0);
		renameat(dfd, "journal", dfd, "j1");
		nsli_journal_open(dfd, "lab2", &j, NULL);
		nsli_journal_add(&j, "netns victim", NULL);
		nsli_journal_close(&j);
		text = slurp(&n);
		renameat(dfd, "j1", dfd, "journal");
		snprintf(buf, sizeof(buf), "%s", strchr(text, '\n') + 1);
		free(text);
		j.fd = openat(dfd, "journal", O_WRONLY | O_APPEND);
		if (write(j.fd, buf, strlen(buf)) < 0)
			perror("write");
		close(j.fd);
	}
	r = nsli_journal_read(dfd, "lab", &js);
	ok(r == 0 && js.corrupt && js.n == 1 && STREQ_(js.v[0].line, "netns a"),
	   "a record of another lab does not verify (%zu records)", js.n);
	nsli_jstate_free(&js);
	ok(nsli_journal_read(dfd, "lab2", &js) == 0 && js.corrupt && js.bad_line == 1, "nor a journal of another lab");
	nsli_jstate_free(&js);
}

static void commit_count(void)
{
	struct jstate js;

	unlinkat(dfd, "journal", 0);
	put("lab", "netns a");
	put("lab", "netns b");
	put("lab", "commit 3 0"); /* a record went missing before it */
	ok(nsli_journal_read(dfd, "lab", &js) == 0 && js.corrupt && js.committed, "a commit that miscounts is damage");
	nsli_jstate_free(&js);
}

static void render_roundtrip(void)
{
	struct jstate js, back;
	char *text = NULL;
	size_t len = 0;

	unlinkat(dfd, "journal", 0);
	put("lab", "netns a");
	put("lab", "file a hosts 00ff");
	put("lab", "-netns a");
	nsli_journal_read(dfd, "lab", &js);
	ok(nsli_journal_render("lab", &js, "commit 1 0", &text, &len) == 0, "render");
	spit(text, len);
	ok(nsli_journal_read(dfd, "lab", &back) == 0 && !back.corrupt && back.committed && back.n == 1 &&
		   STREQ_(back.v[0].line, "file a hosts 00ff"),
	   "the rendered journal reads back as the same live records");
	free(text);
	nsli_jstate_free(&js);
	nsli_jstate_free(&back);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		ok(0, "mkdtemp");
		return tap_done();
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	many_records();
	damaged("empty", d_empty, 1, 0);
	damaged("no header", d_header, 1, 3);
	damaged("last record cut short", d_cut, 4, 2);
	damaged("NUL byte", d_nul, 2, 2);
	damaged("wrong checksum", d_crc, 2, 2);
	damaged("junk line", d_junk_line, 5, 3);
	damaged("junk at the end", d_junk_tail, 5, 3);
	damaged("record without checksum", d_plain, 5, 3);
	other_lab();
	commit_count();
	render_roundtrip();
	unlinkat(dfd, "journal", 0);
	unlinkat(dfd, "j1", 0);
	close(dfd);
	rmdir(dir);
	return tap_done();
}
