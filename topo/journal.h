/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSL_TOPO_JOURNAL_H
#define NSL_TOPO_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "topo-internal.h"

/*
 * The journal: a header line "nslab-journal 2 LAB", then one record a line, each as
 * "CCCCCCCC RECORD" with CCCCCCCC the CRC-32 (zlib's) of "LAB RECORD" in lowercase hex.
 * Each record is an intent, written and fdatasync'd before the kernel change it names:
 *   netns NAME            a netns the lab is about to create
 *   nsino NAME INO        ... created: its nsfs inode
 *   link IFNAME           a device in the root netns (bridge or bridge-side veth end)
 *   file NETNS NAME HASH  /etc/netns/NETNS/NAME as nslab writes it (HASH: nsli_hash64 of it, hex)
 *   sysctl NETNS KEY OLD  KEY of NETNS had OLD before the lab set it
 *   run NODE NETNS        a `run` process is about to start in NETNS
 *   pid NODE PID START INO  ... started: PID, its starttime, the inode of its netns
 *   -RECORD               the object of RECORD was removed
 *   begin / commit N HASH an up started / finished with N live records and lab.yaml of HASH
 */
struct journal {
	int fd;
	char lab[64];
};

struct jentry {
	char *line;
};

struct jfile {
	const char *netns_name; /* "NETNS NAME", within its record's line */
	size_t len;
	uint64_t hash;
};

struct jstate {
	bool exists, committed, ever_committed;
	bool corrupt;	    /* some line did not verify: see bad_line, why */
	unsigned lines, bad_line;
	char why[64];
	char commit[96];    /* the last commit record */
	struct jentry *v;   /* the live records that verified */
	size_t n, cap;
	struct jfile *files; /* the `file` records, sorted: built on first use (file_hashes()) */
	size_t n_files;
	bool files_built;
	size_t *slot, n_slots; /* open addressing: index into v + 1, 0 for empty */
};

int nsli_journal_open(int dirfd, const char *lab, struct journal *j, struct nsl_err *err);
void nsli_journal_close(struct journal *j);
int nsli_journal_add(struct journal *j, const char *line, struct nsl_err *err);
int nsli_journal_read(int dirfd, const char *lab, struct jstate *js);
/* The journal text of @js's live records, then @last (NULL: none). */
int nsli_journal_render(const char *lab, const struct jstate *js, const char *last, char **ret, size_t *ret_len);
void nsli_jstate_free(struct jstate *js);
int nsli_state_write(int dirfd, const char *name, const char *data, size_t len, struct nsl_err *err);
int nsli_state_read(int dirfd, const char *name, char **ret, size_t *ret_len);

#endif
