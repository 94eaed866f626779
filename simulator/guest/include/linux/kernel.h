#ifndef _LINUX_KERNEL_H
#define _LINUX_KERNEL_H
#include <linux/types.h>
#include <linux/stddef.h>
#include <linux/stdarg.h>
#include <linux/linkage.h>

#define KERN_EMERG "<0>"
#define KERN_ALERT "<1>"
#define KERN_CRIT "<2>"
#define KERN_ERR "<3>"
#define KERN_WARNING "<4>"
#define KERN_NOTICE "<5>"
#define KERN_INFO "<6>"
#define KERN_DEBUG "<7>"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define min(a, b) ((a) < (b) ? (a) : (b))
#define max(a, b) ((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define ALIGN(x, a) (((x) + (a) - 1) & ~((a) - 1))

int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list args);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int sprintf(char *buf, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
unsigned long simple_strtoul(const char *cp, char **endp, unsigned int base);
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void dump_stack(void);

/* ksim: leave the machine through QEMU's isa-debug-exit device (port 0xf4). QEMU and ksim exit with
 * status (code << 1) | 1, so KSIM_EXIT_PASS gives 1, KSIM_EXIT_FAIL 3, KSIM_EXIT_PANIC 5. */
#define KSIM_EXIT_PASS 0
#define KSIM_EXIT_FAIL 1
#define KSIM_EXIT_PANIC 2
void machine_exit(int code) __attribute__((noreturn));

#define BUG() panic("kernel BUG at %s:%d!", __FILE__, __LINE__)
#define BUG_ON(c) do { if (unlikely(c)) BUG(); } while (0)
#define WARN_ON(c) do { if (unlikely(c)) { printk("WARNING at %s:%d\n", __FILE__, __LINE__); dump_stack(); } } while (0)

/* The kernel command line (multiboot) and helpers to read "name=value" options from it. */
extern char saved_command_line[256];
const char *get_option_str(const char *name, char *buf, int len);
int get_option_int(const char *name, int dflt);
#endif
