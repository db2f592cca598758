/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef NSL_TOPO_JOURNAL_H
#define NSL_TOPO_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "topo-internal.h"

/*
 * Journal lines (each an intent, written before the kernel change it names):
 *   netns NAME          a netns the lab created
 *   link IFNAME         a link in the root netns (bridge or bridge-side veth end)
 *   etc NAME            /etc/netns/NAME files
 *   run NODE NETNS      a `run` process is about to start in NETNS
 *   pid NODE PID START  a `run` process (START: /proc/PID/stat starttime)
 *   -LINE               the object of LINE was removed
 *   begin / commit      an up started / finished; the journal is consistent after "commit"
 */
struct journal {
	int fd;
};

struct jentry {
	char *line;
};

struct jstate {
	bool exists, committed;
	struct jentry *v;
	size_t n, cap;
	size_t *slot, n_slots; /* open addressing: index into v + 1, 0 for empty */
};

int journal_open(int dirfd, const char *lab, struct journal *j, struct nsl_err *err);
void journal_close(struct journal *j);
int journal_add(struct journal *j, const char *line, struct nsl_err *err);
int journal_read(int dirfd, struct jstate *js);
void jstate_free(struct jstate *js);
int state_write(int dirfd, const char *name, const char *data, size_t len, struct nsl_err *err);
int state_read(int dirfd, const char *name, char **ret, size_t *ret_len);

#endif
