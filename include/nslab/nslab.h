/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nslab: Linux network-namespace labs. The umbrella header. */
#ifndef NSLAB_NSLAB_H
#define NSLAB_NSLAB_H

#include "error.h"
#include "ctx.h"
#include "parse.h"
#include "netns.h"
#include "link.h"
#include "veth.h"
#include "bridge.h"
#include "addr.h"
#include "route.h"
#include "netconf.h"
#include "launch.h"
#include "nic.h"
#include "probe.h"
#include "topo.h"

#endif
