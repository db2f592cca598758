/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the library (topo/sup.c) and nslab-supervise say to each other: the first lines of
 * the spec it writes and of the status file the supervisor writes back, and the signal that
 * asks the supervisor to start its failed processes again. libc only, for both sides.
 */
#ifndef NSL_SUP_PROTOCOL_H
#define NSL_SUP_PROTOCOL_H

#include <signal.h>

#define SUP_SPEC_MAGIC "nslab-supervise 1"
#define SUP_STATUS_MAGIC "nslab-supervise-status 1"
/* Start again, at once, every process that failed or exited unsuccessfully. */
#define SUP_SIG_REPAIR (SIGRTMIN + 2)

#endif
