/*
 * printf-lite: %d %i %u %x %X %p %s %c %% with optional '-', '0', width and an ignored 'l'.
 * Every call formats the whole text first and then issues a single write(), so that the lines of
 * processes running at the same time stay whole on the console.
 */
#include "ulib.h"

struct outbuf {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct outbuf *o, const char *s, size_t n, int width, int left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;
	if (!left)
		while (fill-- > 0)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = { buf, size, 0 };
	char tmp[16];

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		int left = 0, width = 0;
		char pad = ' ';
		if (*fmt == '-')
			left = 1, fmt++;
		if (*fmt == '0')
			pad = '0', fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l')
			fmt++;
		switch (*fmt) {
		case 'd':
		case 'i':
		case 'u':
		case 'x':
		case 'X':
		case 'p': {
			unsigned int v;
			int neg = 0;
			unsigned int base = (*fmt == 'x' || *fmt == 'X' || *fmt == 'p') ? 16 : 10;
			const char *digits = *fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
			if (*fmt == 'd' || *fmt == 'i') {
				int s = va_arg(ap, int);
				neg = s < 0;
				v = neg ? 0u - (unsigned int)s : (unsigned int)s;
			} else if (*fmt == 'p') {
				v = (unsigned int)va_arg(ap, void *);
				put(&o, '0');
				put(&o, 'x');
			} else {
				v = va_arg(ap, unsigned int);
			}
			int n = 0;
			do {
				tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
				v /= base;
			} while (v);
			if (neg) {
				if (pad == '0') {
					put(&o, '-');
					width--;
				} else {
					tmp[sizeof(tmp) - 1 - n++] = '-';
				}
			}
			put_padded(&o, tmp + sizeof(tmp) - n, n, width, left, pad);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			put_padded(&o, s, strlen(s), width, left, ' ');
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_padded(&o, &c, 1, width, left, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case 0:
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static int vdprintf(int fd, const char *fmt, va_list ap)
{
	char buf[512];
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	return write(fd, buf, n);
}

int dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vdprintf(1, fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}
