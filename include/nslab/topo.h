/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Declarative labs: a topology file (YAML, nslab-topology(5)) is loaded strictly, validated, turned
 * into a plan of steps and applied with a journal under STATE_DIR/LAB/. Errors in a file carry
 * its line and column in struct nsl_err (line, column); the object is the file name.
 */
#ifndef NSLAB_TOPO_H
#define NSLAB_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ctx.h"
#include "error.h"
#include "parse.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NSL_TOPO_MAX_SIZE (4u << 20) /* bytes */
#define NSL_TOPO_MAX_DEPTH 64

/* The model, read-only for callers. Every element remembers where the file defined it. */
struct nsl_topo_pos {
	unsigned line, column;
};

struct nsl_topo_iface {
	char *name;		/* inside the node */
	char *bridge;		/* bridge name, or NULL */
	int bridge_idx;		/* index into topo->bridges, or -1 */
	int link_idx;		/* index into topo->links, or -1 */
	struct nsl_prefix *addrs;
	size_t n_addrs;
	uint8_t mac[6];
	bool has_mac;
	uint32_t mtu;
	char host[16];		/* bridge-side end of the veth (derived), "" for a p2p link */
	char altname[128];	/* full logical name of the bridge-side end */
	struct nsl_topo_pos pos;
};

struct nsl_topo_route {
	char *text;
	struct nsl_prefix dst;
	bool has_via;
	struct nsl_prefix via;
	char *dev;
	uint32_t metric;
	struct nsl_topo_pos pos;
};

struct nsl_topo_kv {
	char *key, *value;
	struct nsl_topo_pos pos;
};

struct nsl_topo_dns {
	struct nsl_prefix *nameservers;
	size_t n_nameservers;
	char **search;
	size_t n_search;
	char **options;
	size_t n_options;
};

/* A bind (@src set) or a tmpfs (@src NULL) in the node's view of the filesystem. */
struct nsl_topo_mount {
	char *src;		/* bind: absolute source (relative ones resolved against the file's directory) */
	char *target;		/* absolute, no `..`, in the node's view (inside @rootfs when it has one) */
	bool ro;		/* bind: ":ro" */
	uint32_t mode;		/* tmpfs: mode of its root (default 0755) */
	bool has_owner;		/* tmpfs: owner given */
	uint32_t uid, gid;	/* resolved from the owner ("user[:group]" or "uid[:gid]") */
	struct nsl_topo_pos pos;
};

/* An inline file, written under the lab's state dir and bound in at @path. */
struct nsl_topo_file {
	char *path;		/* absolute, no `..` */
	char *content;		/* ${node} and ${lab} expanded */
	size_t len;
	uint32_t mode;		/* default 0644 */
	bool has_owner;
	uint32_t uid, gid;
	struct nsl_topo_pos pos;
};

enum nsl_topo_restart {
	NSL_TOPO_RESTART_NO = 0,
	NSL_TOPO_RESTART_ON_FAILURE,
	NSL_TOPO_RESTART_ALWAYS,
};

/* One supervised process of a node. */
struct nsl_topo_proc {
	char *name;		/* unique within the node; default: the base name of the program, made unique
				 * with -2, -3...; it names the process's log */
	char **argv;		/* NULL-terminated; a string command is {"/bin/sh", "-c", STRING} */
	char **env;		/* "KEY=VALUE", NULL-terminated: the node's env, then the process's (it wins) */
	bool has_user;
	uint32_t uid, gid;	/* resolved from `user` */
	char *wd;		/* NULL: / */
	enum nsl_topo_restart restart;
	struct nsl_topo_pos pos;
};

struct nsl_topo_node {
	char *name;
	char *netns;		/* prefix + name */
	struct nsl_topo_iface *ifaces;
	size_t n_ifaces;
	struct nsl_topo_route *routes;
	size_t n_routes;
	struct nsl_topo_kv *sysctls;
	size_t n_sysctls;
	struct nsl_topo_dns *dns; /* NULL: none (defaults applied) */
	char **run;		/* argv of the first `run` process (procs[0].argv), or NULL */
	unsigned run_ns;	/* NSL_TOPO_NS_*: the node's namespaces (`namespaces`) */
	char **exec;		/* commands run after up, ${node}/${lab} expanded */
	size_t n_exec;
	char *group;		/* the `group` it took keys from, or NULL */
	struct nsl_topo_proc *procs; /* `run`: one or a list */
	size_t n_procs;
	struct nsl_topo_mount *mounts; /* `binds`, then `tmpfs`, in file order each */
	size_t n_mounts;
	struct nsl_topo_file *files;
	size_t n_files;
	char *rootfs;		/* absolute, or NULL */
	char **env;		/* "KEY=VALUE" of `env`, NULL-terminated, or NULL */
	size_t n_env;
	char *ready;		/* `ready.exec` (sh -c), or NULL */
	uint32_t ready_timeout_ms;  /* default 60 s */
	uint32_t ready_interval_ms; /* default 500 ms */
	struct nsl_prefix *loopback; /* addresses on lo */
	size_t n_loopback;
	uint32_t stop_timeout_ms; /* the node's, else the lab's, else 5 s */
	bool supervised;	/* has procs, mounts, files or a rootfs: a supervisor holds its namespaces */
	bool has_ipv6;		/* some interface has an IPv6 address */
	struct nsl_topo_pos pos;
};

enum {
	NSL_TOPO_NS_UTS = 1 << 0,
	NSL_TOPO_NS_PID = 1 << 1,
	NSL_TOPO_NS_IPC = 1 << 2,
	NSL_TOPO_NS_MOUNT = 1 << 3,
};

struct nsl_topo_bridge {
	char *name;		/* logical name */
	char *node;		/* node whose netns holds it, or NULL for the root netns */
	int node_idx;		/* -1 for the root netns */
	char ifname[16];	/* kernel name: derived in the root netns, @name inside a node */
	char altname[128];
	struct nsl_prefix *addrs;
	size_t n_addrs;
	bool stp, vlan_filtering;
	uint32_t mtu;
	struct nsl_topo_pos pos;
};

struct nsl_topo_endpoint {
	int node, iface; /* indexes */
};

/* 1 % in the unit of the netem probabilities below: 100 % is 100 * NSL_TOPO_PCT. */
#define NSL_TOPO_PCT 1000000u
#define NSL_TOPO_NETEM_MAX_US 60000000u /* delay and jitter: at most 60 s */

/*
 * Impairments of one direction of a link: a netem qdisc on the egress of one end (so
 * they hit what that end sends). Probabilities are in NSL_TOPO_PCT units (0.5 % = 500000).
 */
struct nsl_topo_netem {
	bool set;		/* some key given: this end gets a netem qdisc */
	uint32_t delay_us, jitter_us;
	uint32_t loss, duplicate, corrupt, reorder;
};

struct nsl_topo_link {
	struct nsl_topo_endpoint ep[2];
	uint32_t mtu;
	uint64_t rate;		/* bytes/s, 0 for none */
	char *rate_text;
	struct nsl_topo_netem netem[2]; /* [e]: on the egress of ep[e], i.e. ep[e] -> ep[1 - e] */
	bool has_netem;		/* netem[0].set || netem[1].set */
	struct nsl_topo_pos pos, netem_pos; /* netem_pos: the first impairment key of the link */
};

struct nsl_topo_expect {
	int from;		/* node index */
	char *to;		/* as written */
	struct nsl_prefix addr; /* resolved */
	bool reach;
	uint32_t timeout_ms;
	uint16_t tcp;		/* a TCP connect to this port instead of ICMP; 0: ICMP */
	uint32_t within_ms;	/* retry until it holds, up to this long; 0: one try */
	struct nsl_topo_pos pos;
};

struct nsl_topo {
	char *path;
	char *text;		/* the file's bytes */
	size_t text_len;
	char *name;
	char *prefix;
	struct nsl_topo_node *nodes;
	size_t n_nodes;
	struct nsl_topo_bridge *bridges;
	size_t n_bridges;
	struct nsl_topo_link *links;
	size_t n_links;
	struct nsl_topo_expect *expects;
	size_t n_expects;
	char *dir;		/* the file's directory (binds' relative sources), absolute */
	uint32_t stop_timeout_ms; /* lab-level `stop_timeout` (0: not given, or 0); each node's
				   * stop_timeout_ms is the one in force */
	bool clab;		/* loaded from a containerlab file: @text is its native form */
};

/**
 * nsl_topo_load - read @path (or, when @text is not NULL, parse @text of @len bytes, @path only
 * naming it in messages), check it strictly and validate it. No kernel call.
 * Errors: -EINVAL (kind NSL_E_USAGE, @err->line/column set), -ENOENT, -EFBIG, -ENOMEM.
 */
int nsl_topo_load(const char *path, const char *text, size_t len, struct nsl_topo **ret,
		  struct nsl_err *err);
/* Flags of struct nsl_topo_load_opts (containerlab files). */
#define NSL_TOPO_LOAD_ANY_KIND (1u << 0) /* a node of any kind is a plain netns node (wiring only) */
#define NSL_TOPO_LOAD_STRICT (1u << 1)	 /* what would be a warning is an error */

/**
 * nsl_topo_warn_fn - told about one warning of a load: @w->msg, at @w->line/@w->column of the
 * file @w->object. Filled as an error would be, but the load goes on.
 */
typedef void (*nsl_topo_warn_fn)(void *data, const struct nsl_err *w);

/**
 * struct nsl_topo_load_opts - for nsl_topo_load_opts().
 * @flags:     NSL_TOPO_LOAD_ANY_KIND, NSL_TOPO_LOAD_STRICT
 * @warn, @warn_data: told about each key of a containerlab file that means nothing without a
 *             container runtime (`image`, `ports`, ...): ignored, one warning each (NULL: none)
 * @ctx:       when not NULL, a containerlab `kind: bridge` (or `mgmt: bridge`) that already
 *             exists in the root netns is refused (NSL_E_CONFLICT): nslab makes its own bridges
 *             and cannot use one it does not own yet. NULL: no kernel call at all.
 */
struct nsl_topo_load_opts {
	unsigned flags;
	nsl_topo_warn_fn warn;
	void *warn_data;
	struct nsl_ctx *ctx;
};

/**
 * nsl_topo_load_opts - nsl_topo_load() with @o (NULL: as nsl_topo_load()). A file whose top
 * level has a `topology:` key is a containerlab file: it is translated into the native form
 * (see nslab-topology(5), CONTAINERLAB FILES), which @ret's @text then holds (what `nslab
 * convert` prints and what an up records), and @ret's @clab is true; every error still points
 * into the containerlab file. Errors: as nsl_topo_load(), and -EEXIST (NSL_E_CONFLICT) for a
 * bridge that exists (@o->ctx given).
 */
int nsl_topo_load_opts(const char *path, const char *text, size_t len, const struct nsl_topo_load_opts *o,
		       struct nsl_topo **ret, struct nsl_err *err);
/** nsl_topo_free - free a model (NULL allowed). Return: NULL. */
struct nsl_topo *nsl_topo_free(struct nsl_topo *t);

/** nsl_topo_load_lab - load the model recorded by the last `up` of lab @lab. -ENOENT if none. */
int nsl_topo_load_lab(struct nsl_ctx *ctx, const char *lab, struct nsl_topo **ret,
		      struct nsl_err *err);

/**
 * nsl_topo_progress_fn - called before each step: @k of @n, and a short description.
 */
typedef void (*nsl_topo_progress_fn)(void *data, unsigned k, unsigned n, const char *step);

/**
 * struct nsl_topo_change - one line of a plan.
 * @op:   '+' added, '-' removed, '~' changed (removed, then added again)
 * @what: "node h1", "addr h1:eth0 10.0.1.11/24", ...
 */
struct nsl_topo_change {
	char op;
	char what[256];
};

/**
 * nsl_topo_plan - what `up` of @t would change, compared with what the last `up` recorded and
 * what the kernel has (objects removed behind nslab's back count as changes). The derived
 * kernel names of @t become those its devices have in the running lab, where they exist (a
 * device keeps its name for as long as it exists). Caller frees *@ret. No kernel change.
 */
int nsl_topo_plan(struct nsl_ctx *ctx, struct nsl_topo *t, struct nsl_topo_change **ret,
		  size_t *ret_n, struct nsl_err *err);

/**
 * nsl_topo_up - bring the lab up or bring it in line with @t. Takes the lab lock
 * (NSL_E_CONFLICT when it is held), journals each step before it runs, and unwinds what it
 * did when a step fails (exit kind NSL_E_SYSTEM). @ret_changes: the number of plan lines applied.
 * A process killed at any step leaves a journal that the next up or down goes on from.
 * Derived kernel names of @t are kept as in the running lab, as for nsl_topo_plan().
 */
int nsl_topo_up(struct nsl_ctx *ctx, struct nsl_topo *t, nsl_topo_progress_fn progress,
		void *data, unsigned *ret_changes, struct nsl_err *err);

/**
 * nsl_topo_down - take lab @lab down from its journal alone: stop its processes, delete its
 * netns and the host-side links it owns, wait until the kernel has removed them, remove the
 * state. Objects already gone are fine; objects without the lab's marker are left alone.
 * @ret_removed: objects removed (0 when the lab was not up).
 */
int nsl_topo_down(struct nsl_ctx *ctx, const char *lab, nsl_topo_progress_fn progress, void *data,
		  unsigned *ret_removed, struct nsl_err *err);

/** nsl_topo_note_fn - called with one line on what `down` left alone, and why. */
typedef void (*nsl_topo_note_fn)(void *data, const char *note);

/**
 * struct nsl_topo_down_opts - for nsl_topo_down_opts().
 * @force:     also when the journal cannot be read completely: remove what carries the lab's
 *             markers (netns named by the records that verify or by the lab's lab.yaml, or
 *             any netns of the run dir whose lo has the lab's alias; root devices with the
 *             lab's alias; /etc/netns files that are what nslab wrote; the processes in those
 *             netns). Without it, such a journal fails with -EBADMSG (NSL_E_PARTIAL), nothing done.
 * @progress, @data: as for nsl_topo_up().
 * @note, @note_data: told about each record whose object is not proven the lab's (left alone).
 */
struct nsl_topo_down_opts {
	bool force;
	nsl_topo_progress_fn progress;
	void *data;
	nsl_topo_note_fn note;
	void *note_data;
};

/**
 * nsl_topo_down_opts - nsl_topo_down() with @o (NULL: the defaults). Ownership (what down
 * removes, and how it proves it) is described in nslab-topology(5), OWNERSHIP.
 */
int nsl_topo_down_opts(struct nsl_ctx *ctx, const char *lab, const struct nsl_topo_down_opts *o,
		       unsigned *ret_removed, struct nsl_err *err);

struct nsl_proc_ref; /* launch.h */
/**
 * nsl_topo_run_proc - the `run` process of @node in lab @lab, with its identity (PID, start
 * time), when it still is the process up started and not a zombie. -ESRCH otherwise.
 */
int nsl_topo_run_proc(struct nsl_ctx *ctx, const char *lab, const char *node, struct nsl_proc_ref *ret,
		      struct nsl_err *err);

/**
 * nsl_topo_drift - the live state of lab @lab (up): one line "OBJECT: what is wrong" for each
 * object of its last complete up that the kernel, its files or its processes no longer hold as
 * up made it (a netns or device missing, a link down, an address, route or sysctl gone or
 * changed, a hosts or resolv.conf file missing or edited, a `run` process not running, a
 * zombie included). What is inside a drifted object is not listed again. This is what plan
 * lists as changes and what up makes again. Free *@ret with nsl_strv_free().
 */
int nsl_topo_drift(struct nsl_ctx *ctx, const char *lab, char ***ret, size_t *ret_n, struct nsl_err *err);

/** nsl_topo_netns_count - how many netns lab @lab's journal names are there and proven its own. */
size_t nsl_topo_netns_count(struct nsl_ctx *ctx, const char *lab);

struct nsl_probe; /* probe.h */
/**
 * nsl_topo_probe - probe the expectations of @t (its lab up) from inside their nodes: @pr[i]
 * is filled for t->expects[i] (netns, destination, tcp port, timeout, within, expect_fail;
 * out: result, rtt, elapsed_ms); a wave lasts as long as its longest `within`. They run in waves of 256,
 * those expected to answer first, and between waves the neighbour entries of the nodes of the
 * last wave are flushed: the kernel's neighbour tables are shared by all namespaces and capped
 * together (gc_thresh3), so a big lab would otherwise fail past ~500 pairs at once.
 * Return: 0, or a negative errno when probing itself failed.
 */
int nsl_topo_probe(struct nsl_ctx *ctx, const struct nsl_topo *t, struct nsl_probe *pr, struct nsl_err *err);

/** nsl_topo_labs - names of the labs with state under the state dir, sorted. Free with nsl_strv_free(). */
int nsl_topo_labs(struct nsl_ctx *ctx, char ***ret, size_t *ret_n, struct nsl_err *err);
/** nsl_strv_free - free a NULL-terminated or @n-long string vector. */
void nsl_strv_free(char **v, size_t n);

/** nsl_topo_run_pid - the PID of the supervisor of @node that `up` recorded, when it still is that process. */
int nsl_topo_run_pid(struct nsl_ctx *ctx, const char *lab, const char *node, pid_t *ret_pid,
		     struct nsl_err *err);

/**
 * struct nsl_topo_proc_state - one supervised process of a node, as its supervisor reports it.
 * @name:     the process's `name`
 * @state:    "running", "exited", "restarting", "stopping" or "failed" (could not be started)
 * @pid:      its PID in the caller's PID namespace (0: none, or not found)
 * @node_pid: its PID inside the node
 * @since:    when it entered @state (seconds since the epoch)
 * @restarts: how often the supervisor restarted it
 * @last:     its last exit: "-" (none), "N" (exit status) or "sigN" (killed by signal N)
 */
struct nsl_topo_proc_state {
	char name[72];
	char state[16];
	pid_t pid, node_pid;
	long long since;
	unsigned restarts;
	char last[16];
};

/**
 * nsl_topo_procs - the supervised processes of @node in lab @lab, in the order of its `run`.
 * Return: 0; -ESRCH when the node's supervisor is not running (the supervisor is the recorded
 * process, checked by its start time: never a zombie); -ENOENT when the lab is not up.
 */
int nsl_topo_procs(struct nsl_ctx *ctx, const char *lab, const char *node, struct nsl_topo_proc_state **ret,
		   size_t *ret_n, struct nsl_err *err);

/**
 * nsl_topo_exec - run @argv in node @node of lab @lab, seeing what the node's processes see:
 * its namespaces (those of its supervisor, so its files, binds, tmpfs, hostname and PID
 * namespace), its /etc/netns files and its `env` (over the caller's environment). @argv NULL:
 * the caller's $SHELL, else /bin/sh. @out_fd: stdout and stderr of the command (-1: the
 * caller's stdio, stdin included).
 * @ret_status: as for nsl_launch_exec().
 * Return: as nsl_launch_exec(); -ENOENT (no such lab or node), -ESRCH (its supervisor is gone).
 */
int nsl_topo_exec(struct nsl_ctx *ctx, const char *lab, const char *node, char *const *argv, int out_fd,
		  int *ret_status, struct nsl_err *err);

/**
 * nsl_topo_log_tail - the last @lines lines of log @name ("NAME" of a process, "exec", "ready"
 * or "supervise") of @node in lab @lab, over its rotated part and the current one, each line
 * with its timestamp. Caller frees *@ret. Return: 0, -ENOENT (no such log).
 */
int nsl_topo_log_tail(struct nsl_ctx *ctx, const char *lab, const char *node, const char *name, size_t lines,
		      char **ret, struct nsl_err *err);

/** nsl_topo_log_path - the path of log @name of @node into @buf. Return: @buf. */
char *nsl_topo_log_path(struct nsl_ctx *ctx, const char *lab, const char *node, const char *name, char *buf,
			size_t size);

enum nsl_topo_graph_format {
	NSL_TOPO_GRAPH_DOT,
	NSL_TOPO_GRAPH_MERMAID,
	NSL_TOPO_GRAPH_JSON,
};

/**
 * struct nsl_topo_graph_opts - for nsl_topo_graph_opts().
 * @format: DOT, Mermaid or JSON.
 * @pretty: JSON only: one member or element a line, indented by two spaces (the CLI's -p).
 */
struct nsl_topo_graph_opts {
	enum nsl_topo_graph_format format;
	bool pretty;
};

/**
 * nsl_topo_graph_opts - render @t deterministically (sorted) into a malloc'd string *@ret.
 * Every name is escaped for the format: JSON strings per RFC 8259 (control bytes as \u00XX),
 * DOT double-quoted IDs and labels with '"' and '\\' escaped, Mermaid ids from [A-Za-z0-9_]
 * and quoted labels with '"', '#', '<', '>', '&', '`' and control bytes as entity codes.
 * Errors: -ENOMEM, -EINVAL (unknown format). No kernel call.
 */
int nsl_topo_graph_opts(const struct nsl_topo *t, const struct nsl_topo_graph_opts *o, char **ret,
			struct nsl_err *err);
/** nsl_topo_graph - nsl_topo_graph_opts() with @fmt, compact. */
int nsl_topo_graph(const struct nsl_topo *t, enum nsl_topo_graph_format fmt, char **ret,
		   struct nsl_err *err);

#ifdef __cplusplus
}
#endif
#endif
