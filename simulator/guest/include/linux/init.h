#ifndef _LINUX_INIT_H
#define _LINUX_INIT_H
#include <linux/linkage.h>
#endif
