// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Taking down what a journal names, and only what nslab can prove is the lab's (DESIGN.md
 * §5.1): a netns whose nsfs inode is the one recorded (or, when up died before it could record
 * it, whose lo carries the lab's marker, set before the netns got its name); a device carrying
 * the lab's marker; an /etc/netns file whose content is what nslab wrote; a process inside one
 * of the lab's netns (found by the namespace inode, whatever started it), or recorded with its
 * PID, start time and netns. A record that fails its check is reported and skipped: the
 * journal says what to look at, the kernel says whether it is ours.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

#include "core.h"
#include "link-internal.h"
#include "macro.h"
#include "run.h"
#include "topo-internal.h"
#include "../netns/netconf-internal.h"
#include "nslab/launch.h"

unsigned long long nsli_journal_nsino(const struct jstate *js, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < js->n; i++) {
		const char *l = js->v[i].line;

		if (!strncmp(l, "nsino ", 6) && !strncmp(l + 6, name, len) && l[6 + len] == ' ')
			return strtoull(l + 7 + len, NULL, 10);
	}
	return 0;
}

static bool lo_marked(struct run *R, const char *name)
{
	_cleanup_free_ struct nsl_link_info *li = NULL;
	size_t n = 0;

	return nsl_link_list(R->ctx, name, "lo", &li, &n, NULL) == 0 && n == 1 && STREQ(li->alias, R->mark);
}

int nsli_prove_netns(struct run *R, const char *name, unsigned long long ino, unsigned long long *ret_ino)
{
	dev_t dev;
	ino_t cur;
	int r = nsl_netns_inode(R->ctx, name, &dev, &cur, NULL);

	if (r == -ENOENT)
		return 0;
	/* A plain name file the lab marked: up died before it could mount the netns on it. */
	if (r == -EINVAL && nsl_netns_name_marked(R->ctx, name, R->mark) == 1)
		return 2;
	if (r < 0) {
		nsli_run_note(R, "netns '%s' is not a namespace mount: left alone", name);
		return -EPERM;
	}
	if (ino && cur != ino) {
		nsli_run_note(R, "netns '%s' is not the one the lab made (inode %llu recorded, %llu found): left alone",
			 name, ino, (unsigned long long)cur);
		return -EPERM;
	}
	if (!ino && !lo_marked(R, name)) {
		nsli_run_note(R, "netns '%s' does not carry the lab's marker: left alone", name);
		return -EPERM;
	}
	*ret_ino = cur;
	return 1;
}

static int del_index(struct run *R, const char *netns, int ifindex)
{
	char buf[128] = { 0 };
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	struct nsl_nl *nl;
	int r = nsli_nl_get(R->ctx, netns, &nl, NULL);

	if (r < 0)
		return r;
	nsli_link_put_del(h, ifindex, NULL);
	r = nsli_nl_talk(nl, h, NULL);
	return r == -ENODEV ? 0 : r;
}

int nsli_del_marked_link(struct run *R, const char *netns, const char *ifname, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *li = NULL;
	size_t n = 0;
	int r = nsl_link_list(R->ctx, netns, ifname, &li, &n, NULL);

	if (r == -ENODEV || (r == 0 && n == 0))
		return 0;
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, ifname, "device '%s': %s", ifname, strerror(-r));
	if (!STREQ(li->alias, R->mark)) {
		nsli_run_note(R, "device '%s' does not carry the lab's marker: left alone", ifname);
		return 0;
	}
	r = del_index(R, netns, li->ifindex);
	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, ifname, "cannot delete device '%s': %s", ifname,
				   strerror(-r));
	return 0;
}

int nsli_kill_in_netns(struct run *R, const unsigned long long *inos, size_t n)
{
	_cleanup_free_ ino_t *v = calloc(n + 1, sizeof(ino_t));
	struct stat self;
	size_t k = 0;

	if (!v)
		return -ENOMEM;
	/* Whatever a record claims, nslab's own netns is never a lab's. */
	if (stat("/proc/self/ns/net", &self) < 0)
		return negerrno();
	for (size_t i = 0; i < n; i++) {
		if (inos[i] == (unsigned long long)self.st_ino) {
			nsli_run_note(R, "netns of inode %llu is nslab's own: its processes left alone", inos[i]);
			continue;
		}
		v[k++] = (ino_t)inos[i];
	}
	return k ? nsl_netns_kill_all(v, k, R->stop_ms ? R->stop_ms : 2000, NULL) : 0;
}

static int jfile_cmp(const void *a, const void *b)
{
	const struct jfile *x = a, *y = b;
	int c = memcmp(x->netns_name, y->netns_name, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* The `file` records of @js, sorted by "NETNS NAME": looked up once a node, 1000s of nodes. */
static void jfiles_build(struct jstate *js)
{
	js->files_built = true;
	js->files = calloc(js->n + 1, sizeof(*js->files));
	if (!js->files)
		return;
	for (size_t i = 0; i < js->n; i++) {
		const char *l = js->v[i].line, *sp;

		if (strncmp(l, "file ", 5) || !(sp = strrchr(l, ' ')) || sp <= l + 5)
			continue;
		js->files[js->n_files++] = (struct jfile){ l + 5, (size_t)(sp - l - 5), strtoull(sp + 1, NULL, 16) };
	}
	qsort(js->files, js->n_files, sizeof(*js->files), jfile_cmp);
}

/* The hashes of every `file NETNS NAME HASH` record of @js for that file. */
size_t nsli_file_hashes(const struct jstate *cjs, const char *netns, const char *name, uint64_t *v, size_t max)
{
	struct jstate *js = (struct jstate *)cjs; /* the index is a cache: the records stay as they are */
	char key[256];
	struct jfile k = { key, 0, 0 }, *f;
	size_t n = 0;

	if (!js->files_built)
		jfiles_build(js);
	if (!js->files)
		return 0;
	k.len = (size_t)snprintf(key, sizeof(key), "%s %s", netns, name);
	f = bsearch(&k, js->files, js->n_files, sizeof(*f), jfile_cmp);
	if (!f)
		return 0;
	while (f > js->files && !jfile_cmp(f - 1, &k))
		f--;
	for (; f < js->files + js->n_files && !jfile_cmp(f, &k) && n < max; f++)
		v[n++] = f->hash;
	return n;
}

int nsli_del_owned_file(struct run *R, const struct jstate *js, const char *netns, const char *name)
{
	uint64_t h[16];
	size_t n = nsli_file_hashes(js, netns, name, h, ELEMENTSOF(h));
	int r;

	if (!n)
		return 0;
	r = nsli_netconf_del_owned(R->ctx, netns, name, h, n);
	if (r == -EEXIST)
		nsli_run_note(R, "file %s/%s/%s is not what nslab wrote: left alone", nsl_ctx_get_dir(R->ctx, NSL_DIR_ETC),
			 netns, name);
	return r < 0 && r != -EEXIST ? r : r > 0;
}

/* The hosts and resolv.conf of @netns that are still what a `file` record of @js says nslab
 * wrote (with @generated, also one with no record that starts with nslab's header for
 * @netns), then nslab's temporary files and the dir: one opening of the dir, one read of
 * each file, which is hashed as it is read. */
void nsli_del_node_files(struct run *R, const struct jstate *js, const char *netns, bool generated)
{
	static const char *const names[] = { "hosts", "resolv.conf" };
	struct nsli_etc_file f[ELEMENTSOF(names)];
	uint64_t h[ELEMENTSOF(names)][16];

	for (size_t k = 0; k < ELEMENTSOF(names); k++) {
		f[k] = (struct nsli_etc_file){ .name = names[k], .hashes = h[k] };
		f[k].n_hashes = nsli_file_hashes(js, netns, names[k], h[k], ELEMENTSOF(h[k]));
		f[k].generated = generated && !f[k].n_hashes;
	}
	nsli_netconf_clear(R->ctx, netns, f, ELEMENTSOF(f));
	for (size_t k = 0; k < ELEMENTSOF(names); k++)
		if (f[k].n_hashes && f[k].result == -EEXIST)
			nsli_run_note(R, "file %s/%s/%s is not what nslab wrote: left alone",
				      nsl_ctx_get_dir(R->ctx, NSL_DIR_ETC), netns, names[k]);
}

/* ---- the teardown ---- */

struct td_ns {
	char *name;
	unsigned long long ino;
	bool proven;
};

struct td {
	struct td_ns *ns;
	size_t n_ns, cap_ns;
	unsigned long long *inos; /* of what is proven: the netns, and those of proven processes */
	size_t n_inos, cap_inos;
	int *hold; /* the deleted netns, held open until the lab's group is deleted (td_del_netns) */
	size_t n_hold;
};

static void td_release(struct td *d)
{
	for (size_t i = 0; i < d->n_hold; i++)
		close(d->hold[i]);
	d->n_hold = 0;
}

static void td_free(struct td *d)
{
	for (size_t i = 0; i < d->n_ns; i++)
		free(d->ns[i].name);
	free(d->ns);
	free(d->inos);
	td_release(d);
	free(d->hold);
}

static int ns_cmp(const void *a, const void *b)
{
	return strcmp(((const struct td_ns *)a)->name, ((const struct td_ns *)b)->name);
}

static int td_add_ns(struct td *d, const char *name)
{
	if (!GREEDY_REALLOC(d->ns, d->cap_ns, d->n_ns + 1))
		return -ENOMEM;
	d->ns[d->n_ns] = (struct td_ns){ .name = strdup(name) };
	if (!d->ns[d->n_ns].name)
		return -ENOMEM;
	d->n_ns++;
	return 0;
}

static int td_add_ino(struct td *d, unsigned long long ino)
{
	if (!GREEDY_REALLOC(d->inos, d->cap_inos, d->n_inos + 1))
		return -ENOMEM;
	d->inos[d->n_inos++] = ino;
	return 0;
}

/* Every netns name of the journal (with its recorded inode), and, for --force, those of the
 * lab's model and every netns of the run dir whose lo carries the lab's marker; sorted, unique. */
static int td_names(struct run *R, const struct jstate *js, const struct teardown_opts *o, struct td *d)
{
	size_t k = 0;
	int r;

	for (size_t i = 0; i < js->n; i++)
		if (!strncmp(js->v[i].line, "netns ", 6) && nsl_parse_nsname(js->v[i].line + 6, NULL) == 0 &&
		    (r = td_add_ns(d, js->v[i].line + 6)) < 0)
			return r;
	for (size_t i = 0; o->force && o->model && i < o->model->n_nodes; i++)
		if ((r = td_add_ns(d, o->model->nodes[i].netns)) < 0)
			return r;
	if (o->force) {
		_cleanup_(closedirp) DIR *dir = opendir(nsl_ctx_get_dir(R->ctx, NSL_DIR_RUN));
		struct dirent *de;

		while (dir && (de = readdir(dir)))
			if (nsl_parse_nsname(de->d_name, NULL) == 0 && lo_marked(R, de->d_name) &&
			    (r = td_add_ns(d, de->d_name)) < 0)
				return r;
	}
	if (d->n_ns > 1)
		qsort(d->ns, d->n_ns, sizeof(*d->ns), ns_cmp);
	for (size_t i = 0; i < d->n_ns; i++) {
		if (k && STREQ(d->ns[k - 1].name, d->ns[i].name)) {
			free(d->ns[i].name);
			continue;
		}
		d->ns[k++] = d->ns[i];
	}
	d->n_ns = k;
	for (size_t i = 0; i < js->n; i++) {
		char name[128];
		unsigned long long ino;
		struct td_ns key = { .name = name }, *x;

		if (sscanf(js->v[i].line, "nsino %127s %llu", name, &ino) == 2 &&
		    (x = bsearch(&key, d->ns, d->n_ns, sizeof(*d->ns), ns_cmp)))
			x->ino = ino;
	}
	return 0;
}

static bool ino_in(const struct td *d, unsigned long long ino)
{
	for (size_t i = 0; i < d->n_inos; i++)
		if (d->inos[i] == ino)
			return true;
	return false;
}

/* A recorded `run` process counts when it is the one started (PID and start time), is still
 * in the netns it was started in, and that netns is the lab's: a proven one, or (its name
 * gone) one whose lo carries the lab's marker. A record naming any other process, or another
 * netns (the root netns, say), proves nothing. */
static int td_procs(struct run *R, const struct jstate *js, struct td *d)
{
	for (size_t i = 0; i < js->n; i++) {
		char node[128], path[64];
		struct nsl_proc_ref ref;
		unsigned long long ino;
		struct stat st;
		int pid;

		unsigned stop_ms = 0;

		if (sscanf(js->v[i].line, "pid %127s %d %llu %llu %u", node, &pid, &ref.starttime, &ino, &stop_ms) < 4)
			continue;
		ref.pid = pid;
		/* A supervisor gets its node's stop_timeout to stop its processes, and a second. */
		if (stop_ms && stop_ms + 1000 > R->stop_ms)
			R->stop_ms = stop_ms + 1000;
		if (!ref.starttime || nsl_launch_alive(&ref) != 1)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
		if (stat(path, &st) < 0 || (unsigned long long)st.st_ino != ino) {
			nsli_run_note(R, "process %d of node %s is not in the netns it was started in: left alone", pid, node);
			continue;
		}
		if (ino_in(d, ino))
			continue;
		if (!lo_marked(R, path)) {
			nsli_run_note(R, "process %d of node %s is not in a netns of the lab: left alone", pid, node);
			continue;
		}
		if (td_add_ino(d, ino) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* A bridge the kernel made but up could not mark (it died in between: the kernel takes no
 * alias in a create request): in the lab's group, with the random MAC journaled for it
 * before it was made. */
static bool unmarked_bridge_mine(struct run *R, const struct jstate *js, const struct nsl_link_info *li)
{
	char nsli_want[64], have[32];

	if (li->alias[0] || !STREQ(li->kind, "bridge") || li->group != R->group || !li->has_mac)
		return false;
	snprintf(have, sizeof(have), "%02x:%02x:%02x:%02x:%02x:%02x", li->mac[0], li->mac[1], li->mac[2], li->mac[3],
		 li->mac[4], li->mac[5]);
	snprintf(nsli_want, sizeof(nsli_want), "brmac %s %s", li->ifname, have);
	for (size_t i = 0; i < js->n; i++)
		if (STREQ(js->v[i].line, nsli_want))
			return true;
	return false;
}

/* The root devices with the lab's marker; whether its device group holds nothing else. With
 * @note, a journaled device that does not carry the marker is noted (once a down: the later
 * looks do not say it again). */
static int td_root(struct run *R, const struct jstate *js, bool note, struct nsl_link_info **ret, size_t *ret_n,
		   bool *ret_group, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *root = NULL;
	size_t n_root = 0, k = 0, in_group = 0;
	bool group = true;
	int r = nsli_root_links(R->ctx, &root, &n_root, err);

	if (r < 0)
		return r;
	for (size_t i = 0; note && i < js->n; i++) {
		struct nsl_link_info key = { 0 }, *li;

		if (strncmp(js->v[i].line, "link ", 5))
			continue;
		snprintf(key.ifname, sizeof(key.ifname), "%s", js->v[i].line + 5);
		li = bsearch(&key, root, n_root, sizeof(*root), nsli_link_cmp);
		if (li && !STREQ(li->alias, R->mark) && !unmarked_bridge_mine(R, js, li))
			nsli_run_note(R, "device '%s' does not carry the lab's marker: left alone", li->ifname);
	}
	for (size_t i = 0; i < n_root; i++) {
		bool mine = STREQ(root[i].alias, R->mark) || unmarked_bridge_mine(R, js, &root[i]);

		if (root[i].group == R->group) {
			/* One request deletes the whole group: only when all of it is proven. */
			group &= mine && (STREQ(root[i].kind, "veth") || STREQ(root[i].kind, "bridge"));
			in_group++;
		}
		if (mine)
			root[k++] = root[i];
	}
	*ret_group = group && in_group > 0;
	*ret_n = k;
	*ret = TAKE_PTR(root);
	return 0;
}

/* Delete the proven netns, each held open (in @d, td_release()) until @group is deleted. */
static unsigned td_del_netns(struct run *R, struct td *d, bool group)
{
	unsigned removed = 0;

	/* The netns names go first, each held open so the kernel does not start tearing it down
	 * (and the veths with it, one by one, fighting the group delete for the RTNL lock):
	 * umounting after the group delete instead costs 5x as much, in the kernel's wake.
	 * Deleting the netns lets the kernel tear down every device inside in one batch, once
	 * the holds are closed. Past the fd limit, a netns simply goes without a hold. */
	d->hold = group ? calloc(d->n_ns + 1, sizeof(int)) : NULL;
	for (size_t i = 0; i < d->n_ns; i++) {
		char path[PATH_MAX];
		int fd;

		if (!d->ns[i].proven)
			continue;
		if (d->hold && nsli_ns_path(R->ctx, d->ns[i].name, path, sizeof(path)) &&
		    (fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0)
			d->hold[d->n_hold++] = fd;
		nsli_run_step(R, "del netns", d->ns[i].name);
		if (nsl_netns_del(R->ctx, d->ns[i].name, NULL) == 0)
			removed++;
	}
	if (group && nsl_link_del_group(R->ctx, NULL, R->group, NULL) == 0)
		removed++;
	return removed;
}

/* The /etc/netns files the journal names and that are still what nslab wrote (with --force,
 * also those that start with nslab's header for a proven netns); nslab's temporary files. */
static void td_files(struct run *R, const struct jstate *js, const struct teardown_opts *o, struct td *d)
{
	for (size_t i = 0; i < d->n_ns; i++)
		nsli_del_node_files(R, js, d->ns[i].name, o->force && d->ns[i].proven);
	nsl_netns_sweep(R->ctx, NULL, R->mark);
}

/*
 * Wait until none of @names is left in the root netns, asking about one name at a time: the
 * kernel removes them in one batch, so most are gone when asked, and a few requests every
 * few milliseconds do not compete with that batch for the RTNL lock the way asking about
 * every name each round would.
 */
static int wait_gone_each(struct nsl_ctx *ctx, const char *const *names, size_t n, unsigned timeout_ms)
{
	struct timespec t0, now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < n; i++) {
		long spent;
		int r;

		clock_gettime(CLOCK_MONOTONIC, &now);
		spent = (now.tv_sec - t0.tv_sec) * 1000 + (now.tv_nsec - t0.tv_nsec) / 1000000;
		if (spent >= (long)timeout_ms)
			spent = timeout_ms - 1;
		r = nsl_link_wait_gone(ctx, NULL, &names[i], 1, timeout_ms - (unsigned)spent, NULL);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The root devices with the lab's marker that are bridges (@bridges) or not. */
static int td_marked(struct run *R, const struct jstate *js, bool bridges, struct nsl_link_info **ret,
		     const char ***ret_names, size_t *ret_n, struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *v = NULL;
	size_t n = 0, k = 0;
	bool group;
	const char **names;
	int r = td_root(R, js, false, &v, &n, &group, err);

	if (r < 0)
		return r;
	names = calloc(n + 1, sizeof(char *));
	if (!names)
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
	for (size_t i = 0; i < n; i++)
		if (STREQ(v[i].kind, "bridge") == bridges)
			v[k++] = v[i];
	for (size_t i = 0; i < k; i++)
		names[i] = v[i].ifname;
	*ret = TAKE_PTR(v);
	*ret_names = names;
	*ret_n = k;
	return 0;
}

/* Whether no root device carries the lab's marker any more. */
static bool td_root_clear(struct run *R, const struct jstate *js)
{
	_cleanup_free_ struct nsl_link_info *v = NULL;
	size_t n = 0;
	bool group;

	return td_root(R, js, false, &v, &n, &group, NULL) == 0 && n == 0;
}

/* The lab's root devices go with their netns (the kernel's batch takes about a millisecond a
 * link); what is still there after that (a veth whose peer's netns someone keeps alive) is
 * deleted by ifindex, and then the bridges, once their ports are gone. */
static int td_wait_links(struct run *R, const struct jstate *js, struct nsl_err *err)
{
	for (int bridges = 0; bridges < 2; bridges++) {
		_cleanup_free_ struct nsl_link_info *v = NULL;
		_cleanup_free_ const char **names = NULL;
		size_t n = 0;
		int r = td_marked(R, js, bridges, &v, &names, &n, err);

		if (r < 0)
			return r;
		if (!n || (!bridges && wait_gone_each(R->ctx, names, n, 2000 + 5 * (unsigned)n) == 0))
			continue;
		for (size_t i = 0; i < n; i++) {
			if (bridges)
				nsli_run_step(R, "del link", v[i].ifname);
			del_index(R, NULL, v[i].ifindex);
		}
		r = nsl_link_wait_gone(R->ctx, NULL, names, n, 20000, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int nsli_teardown(struct run *R, struct jstate *js, const struct teardown_opts *o, unsigned *ret_removed,
	     struct nsl_err *err)
{
	_cleanup_free_ struct nsl_link_info *mine = NULL;
	struct td d = { 0 };
	size_t n_mine = 0, n_br = 0, proven = 0;
	unsigned removed = 0;
	bool group = false, gone;
	int r, k;

	r = td_names(R, js, o, &d);
	for (size_t i = 0; r == 0 && i < d.n_ns; i++) {
		unsigned long long ino = 0;

		k = nsli_prove_netns(R, d.ns[i].name, d.ns[i].ino, &ino);
		if (k > 0) {
			d.ns[i].proven = true;
			proven++;
		}
		if (k == 1)
			r = td_add_ino(&d, ino);
	}
	if (r == 0)
		r = td_procs(R, js, &d);
	if (r == 0)
		r = td_root(R, js, true, &mine, &n_mine, &group, err);
	if (r < 0)
		goto out;
	/* The lab's bridges stop multicast snooping first: with it on, a bridge re-arms the
	 * multicast timers of every port whenever one port leaves, N^2 timer operations for N
	 * ports (a third of the group delete below). */
	for (size_t i = 0; i < n_mine; i++)
		if (STREQ(mine[i].kind, "bridge")) {
			nsl_bridge_set(R->ctx, &(struct nsl_bridge){ .name = mine[i].ifname, .mcast_snooping = NSL_TRI_OFF },
				       NULL);
			n_br += mine[i].group != R->group || !group;
		}
	R->k = 0;
	R->n = 2 + (unsigned)proven + (unsigned)n_br;
	nsli_run_step(R, "stop", "the processes in the lab's netns");
	k = d.n_inos ? nsli_kill_in_netns(R, d.inos, d.n_inos) : 0;
	removed += k > 0 ? (unsigned)k : 0;
	removed += td_del_netns(R, &d, group);
	/* Once the group is deleted the lab's root devices are normally gone: look while the
	 * netns are still held, and remove their /etc files, before the kernel starts tearing
	 * them down. That teardown holds the RTNL lock for a while (a dump of the root links
	 * waited 0.1 s for it at 1,000 nodes); down leaves it to the kernel, as `ip netns del`. */
	nsli_run_step(R, "wait", "for the kernel to remove the links");
	gone = group && td_root_clear(R, js);
	td_files(R, js, o, &d);
	td_release(&d);
	r = gone ? 0 : td_wait_links(R, js, err);
	if (r == 0)
		removed += (unsigned)n_mine;
out:
	td_free(&d);
	if (r == 0)
		*ret_removed = removed;
	return r;
}

_public_ int nsl_topo_down_opts(struct nsl_ctx *ctx, const char *lab, const struct nsl_topo_down_opts *o,
				unsigned *ret_removed, struct nsl_err *err)
{
	static const struct nsl_topo_down_opts none = { 0 };
	struct nsl_topo *model = NULL;
	struct run R;
	struct jstate js = { 0 };
	int lockfd = -1, r;
	unsigned removed = 0;
	bool dirty;

	if (!o)
		o = &none;
	r = nsl_parse_labname(lab, err);
	if (r < 0)
		return r;
	nsli_run_init(&R, ctx, lab, o->progress, o->data);
	R.note = o->note;
	R.ndata = o->note_data;
	r = nsli_journal_lock(ctx, lab, &lockfd, err);
	if (r < 0)
		return r;
	r = nsli_topo_state_dir(ctx, lab, false, &R.dirfd, err);
	if (r == -ENOENT && !o->force) {
		r = 0;
		goto out;
	}
	if (r < 0 && r != -ENOENT)
		goto out;
	r = R.dirfd >= 0 ? nsli_lab_read_state(R.dirfd, lab, &js, &dirty, o->force ? NULL : err) : 0;
	if (r < 0 && !o->force)
		goto out;
	/* --force: what the records that verify name, what the lab's file names, and whatever
	 * carries the lab's marker. */
	if (o->force && R.dirfd >= 0)
		nsli_lab_load_applied(ctx, R.dirfd, lab, &model, NULL);
	r = nsli_teardown(&R, &js, &(struct teardown_opts){ .force = o->force, .model = model }, &removed, err);
	if (r < 0) {
		if (err && err->kind != NSL_E_USAGE)
			err->kind = NSL_E_PARTIAL;
		goto out;
	}
	if (R.dirfd >= 0)
		nsli_lab_remove_state(R.dirfd, lab, ctx);
out:
	nsl_topo_free(model);
	nsli_jstate_free(&js);
	if (R.dirfd >= 0)
		close(R.dirfd);
	nsli_journal_unlock(ctx, lab, lockfd, r == 0);
	if (r == 0 && ret_removed)
		*ret_removed = removed;
	return r;
}

_public_ int nsl_topo_down(struct nsl_ctx *ctx, const char *lab, nsl_topo_progress_fn progress,
			   void *data, unsigned *ret_removed, struct nsl_err *err)
{
	return nsl_topo_down_opts(ctx, lab, &(struct nsl_topo_down_opts){ .progress = progress, .data = data },
				  ret_removed, err);
}
