// SPDX-License-Identifier: LGPL-2.1-or-later
/* The state of a lab under the state dir: its last complete up (lab.yaml), its journal read
 * completely or not at all, the labs there are, their processes. */
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>

#include "core.h"
#include "macro.h"
#include "model-internal.h"
#include "run.h"
#include "topo-internal.h"
#include "nslab/launch.h"

/*
 * The kernel names the lab's devices have ("names" in the state dir, written with each commit):
 * derived once, then kept for as long as each device exists (topo_names_keep()), so re-deriving
 * them from lab.yaml alone could name them otherwise. One line a device:
 *   bridge BRIDGE IFNAME      a bridge in the root netns
 *   port NODE IFACE IFNAME    the bridge-side end of a node's interface on a bridge
 */
int nsli_lab_names_render(const struct nsl_topo *t, char **ret, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_bridges; i++)
		if (t->bridges[i].node_idx < 0)
			fprintf(f, "bridge %s %s\n", t->bridges[i].name, t->bridges[i].ifname);
	for (size_t i = 0; i < t->n_nodes; i++)
		for (size_t k = 0; k < t->nodes[i].n_ifaces; k++)
			if (t->nodes[i].ifaces[k].host[0])
				fprintf(f, "port %s %s %s\n", t->nodes[i].name, t->nodes[i].ifaces[k].name,
					t->nodes[i].ifaces[k].host);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

static int node_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct nsl_topo_node *const *)a)->name, (*(const struct nsl_topo_node *const *)b)->name);
}

/* One "names" line onto @t; lines that name nothing of @t, or a name too long, are skipped. */
static void names_apply_line(struct nsl_topo *t, struct nsl_topo_node **by_name, const char *l)
{
	char a[128], b[128], c[32];

	if (sscanf(l, "bridge %127s %31s", a, c) == 2 && strlen(c) < IFNAMSIZ) {
		for (size_t i = 0; i < t->n_bridges; i++)
			if (t->bridges[i].node_idx < 0 && STREQ(t->bridges[i].name, a))
				snprintf(t->bridges[i].ifname, sizeof(t->bridges[i].ifname), "%s", c);
	} else if (sscanf(l, "port %127s %127s %31s", a, b, c) == 3 && strlen(c) < IFNAMSIZ) {
		struct nsl_topo_node key = { .name = a }, *kp = &key, **n;

		n = bsearch(&kp, by_name, t->n_nodes, sizeof(*by_name), node_cmp);
		for (size_t k = 0; n && k < (*n)->n_ifaces; k++)
			if (STREQ((*n)->ifaces[k].name, b) && (*n)->ifaces[k].host[0])
				snprintf((*n)->ifaces[k].host, sizeof((*n)->ifaces[k].host), "%s", c);
	}
}

static int names_apply(struct nsl_topo *t, char *text)
{
	_cleanup_free_ struct nsl_topo_node **by_name = calloc(t->n_nodes + 1, sizeof(*by_name));
	char *save = NULL;

	if (!by_name)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_nodes; i++)
		by_name[i] = &t->nodes[i];
	qsort(by_name, t->n_nodes, sizeof(*by_name), node_cmp);
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
		names_apply_line(t, by_name, l);
	return 0;
}

int nsli_lab_load_applied(struct nsl_ctx *ctx, int dirfd, const char *lab, struct nsl_topo **ret,
		     struct nsl_err *err)
{
	_cleanup_free_ char *text = NULL, *names = NULL, *dir = NULL;
	struct nsli_load_opts o = { .no_fs_checks = true };
	size_t len;
	int r = nsli_state_read(dirfd, "lab.yaml", &text, &len);

	if (r < 0)
		return r;
	(void)ctx;
	/* Relative bind sources and rootfs as the file's directory made them when it went up. */
	if (nsli_state_read(dirfd, "dir", &dir, NULL) == 0 && dir[0] == '/' && !memchr(dir, '\n', strlen(dir)))
		o.dir = dir;
	r = nsli_topo_load_opts(lab, text, len, &o, ret, err);
	if (r == 0 && nsli_state_read(dirfd, "names", &names, NULL) == 0 && names_apply(*ret, names) < 0) {
		*ret = nsl_topo_free(*ret);
		return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, lab, NULL);
	}
	return r;
}

_public_ int nsl_topo_load_lab(struct nsl_ctx *ctx, const char *lab, struct nsl_topo **ret,
			       struct nsl_err *err)
{
	_cleanup_close_ int dirfd = -1;
	int r = nsl_parse_labname(lab, err);

	if (r < 0)
		return r;
	r = nsli_topo_state_dir(ctx, lab, false, &dirfd, err);
	if (r == -ENOENT)
		return nsl_err_set(err, NSL_E_USAGE, -ENOENT, lab, "no lab '%s' is up", lab);
	if (r < 0)
		return r;
	r = nsli_lab_load_applied(ctx, dirfd, lab, ret, err);
	if (r == -ENOENT)
		return nsl_err_set(err, NSL_E_USAGE, -ENOENT, lab, "lab '%s' has no complete up", lab);
	return r;
}

/* "commit N CRC": the CRC-32 of the lab.yaml that commit wrote. */
static uint32_t commit_crc(const struct jstate *js)
{
	unsigned long n;
	unsigned crc = 0;

	return sscanf(js->commit, "commit %lu %x", &n, &crc) == 2 ? crc : 0;
}

/*
 * The journal of lab @lab, read completely or not at all: a journal with a record that does
 * not verify, none at all beside a lab.yaml, or one that never committed although a lab.yaml
 * (written only after a commit) exists, is damaged — -EBADMSG, NSL_E_PARTIAL, and nothing is
 * done from it (`down --force` acts on what carries the lab's markers instead). *@ret_dirty:
 * an up was interrupted (no commit since its begin, or a lab.yaml other than the committed).
 */
int nsli_lab_read_state(int dirfd, const char *lab, struct jstate *js, bool *ret_dirty, struct nsl_err *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	bool has_yaml;
	int r = nsli_journal_read(dirfd, lab, js);

	if (r < 0)
		return nsl_err_set(err, NSL_E_SYSTEM, r, lab, "journal of lab '%s': %s", lab, strerror(-r));
	has_yaml = nsli_state_read(dirfd, "lab.yaml", &text, &len) == 0;
	if (!js->corrupt && has_yaml && !js->exists)
		snprintf(js->why, sizeof(js->why), "it is missing"), js->corrupt = true;
	else if (!js->corrupt && has_yaml && !js->ever_committed)
		snprintf(js->why, sizeof(js->why), "it has no commit"), js->corrupt = true;
	if (js->corrupt) {
		char at[32] = "";

		if (js->bad_line)
			snprintf(at, sizeof(at), " at line %u", js->bad_line);
		return nsl_err_set(err, NSL_E_PARTIAL, -EBADMSG, lab,
				   "journal of lab '%s' is damaged (%s%s): nothing done; 'nslab down --force %s' "
				   "removes what carries the lab's markers", lab, js->why, at, lab);
	}
	*ret_dirty = js->exists && (!js->committed || !has_yaml || commit_crc(js) != nsli_crc32(0, text, len));
	return 0;
}

static void remove_tree2(int dirfd, const char *name)
{
	_cleanup_close_ int top = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_(closedirp) DIR *d = NULL;
	struct dirent *de;

	if (top < 0)
		return;
	d = fdopendir(fcntl(top, F_DUPFD_CLOEXEC, 3));
	while (d && (de = readdir(d))) {
		_cleanup_close_ int nd = -1;
		_cleanup_(closedirp) DIR *dd = NULL;
		struct dirent *fe;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		nd = openat(top, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nd >= 0)
			dd = fdopendir(fcntl(nd, F_DUPFD_CLOEXEC, 3));
		while (dd && (fe = readdir(dd)))
			if (strcmp(fe->d_name, ".") && strcmp(fe->d_name, ".."))
				unlinkat(nd, fe->d_name, 0);
		if (unlinkat(top, de->d_name, AT_REMOVEDIR) < 0)
			unlinkat(top, de->d_name, 0);
	}
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

void nsli_lab_remove_state(int dirfd, const char *lab, struct nsl_ctx *ctx)
{
	static const char *const trees[] = { "logs", "sup", "files" };
	_cleanup_close_ int root = open(nsl_ctx_get_dir(ctx, NSL_DIR_STATE), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	unlinkat(dirfd, "journal", 0);
	unlinkat(dirfd, "lab.yaml", 0);
	unlinkat(dirfd, "names", 0);
	unlinkat(dirfd, ".names.tmp", 0);
	unlinkat(dirfd, "dir", 0);
	unlinkat(dirfd, ".dir.tmp", 0);
	unlinkat(dirfd, ".journal.tmp", 0);
	unlinkat(dirfd, ".lab.yaml.tmp", 0);
	/* logs/NODE/FILE, sup/NODE/FILE, files/NODE/FILE: two levels, each opened below the
	 * other with O_NOFOLLOW. */
	for (size_t t = 0; t < ELEMENTSOF(trees); t++)
		remove_tree2(dirfd, trees[t]);
	if (root >= 0)
		unlinkat(root, lab, AT_REMOVEDIR);
}

_public_ int nsl_topo_labs(struct nsl_ctx *ctx, char ***ret, size_t *ret_n, struct nsl_err *err)
{
	_cleanup_(closedirp) DIR *d = opendir(nsl_ctx_get_dir(ctx, NSL_DIR_STATE));
	char **v = NULL;
	size_t n = 0;
	struct dirent *de;

	if (!d) {
		if (errno != ENOENT)
			return nsl_err_set(err, NSL_E_SYSTEM, negerrno(), NULL, "state dir: %m");
	} else {
		while ((de = readdir(d))) {
			char **nv;

			if (de->d_type != DT_DIR || nsl_parse_labname(de->d_name, NULL) < 0)
				continue;
			nv = realloc(v, (n + 2) * sizeof(*v));
			if (!nv || !(nv[n] = strdup(de->d_name))) {
				nsl_strv_free(nv ? nv : v, n);
				return nsl_err_set(err, NSL_E_SYSTEM, -ENOMEM, NULL, NULL);
			}
			v = nv;
			v[++n] = NULL;
		}
	}
	if (n > 1) {
		/* insertion sort: a handful of labs */
		for (size_t i = 1; i < n; i++)
			for (size_t k = i; k > 0 && strcmp(v[k - 1], v[k]) > 0; k--) {
				char *tmp = v[k];
				v[k] = v[k - 1];
				v[k - 1] = tmp;
			}
	}
	*ret = v;
	*ret_n = n;
	return 0;
}

_public_ size_t nsl_topo_netns_count(struct nsl_ctx *ctx, const char *lab)
{
	struct jstate js = { 0 };
	struct run R;
	size_t n = 0;

	if (nsl_parse_labname(lab, NULL) < 0)
		return 0;
	nsli_run_init(&R, ctx, lab, NULL, NULL);
	if (nsli_topo_state_dir(ctx, lab, false, &R.dirfd, NULL) < 0)
		return 0;
	if (nsli_journal_read(R.dirfd, lab, &js) == 0)
		for (size_t i = 0; i < js.n; i++) {
			unsigned long long ino;
			const char *name = js.v[i].line + 6;

			if (!strncmp(js.v[i].line, "netns ", 6) && nsl_parse_nsname(name, NULL) == 0 &&
			    nsli_prove_netns(&R, name, nsli_journal_nsino(&js, name), &ino) > 0)
				n++;
		}
	nsli_jstate_free(&js);
	close(R.dirfd);
	return n;
}

_public_ int nsl_topo_run_proc(struct nsl_ctx *ctx, const char *lab, const char *node,
			       struct nsl_proc_ref *ret, struct nsl_err *err)
{
	struct run R;
	int r;

	nsli_run_init(&R, ctx, lab, NULL, NULL);
	r = nsli_topo_state_dir(ctx, lab, false, &R.dirfd, err);
	if (r < 0)
		return r;
	r = nsli_run_find_proc(&R, node, ret);
	close(R.dirfd);
	return r;
}

_public_ int nsl_topo_run_pid(struct nsl_ctx *ctx, const char *lab, const char *node, pid_t *ret_pid,
			      struct nsl_err *err)
{
	struct nsl_proc_ref ref;
	int r = nsl_topo_run_proc(ctx, lab, node, &ref, err);

	if (r == 0)
		*ret_pid = ref.pid;
	return r;
}
