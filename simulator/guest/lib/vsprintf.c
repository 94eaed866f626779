/* lib/vsprintf.c — formatted output for printk: %d %i %u %x %X %o %c %s %p %%, with flags '-', '0',
 * a field width, 'l'/'ll'/'h'/'z' length modifiers. 64-bit values use libgcc's division helpers. */
#include <linux/kernel.h>
#include <linux/string.h>

struct out {
	char *buf;
	size_t size, pos;
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static void number(struct out *o, unsigned long long num, int base, int is_signed, int width, int zero,
		   int left, int upper)
{
	char tmp[24];
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int i = 0, neg = 0;
	if (is_signed && (long long)num < 0) {
		neg = 1;
		num = -(long long)num;
	}
	do {
		tmp[i++] = digits[num % base];
		num /= base;
	} while (num);
	int len = i + neg;
	if (!left && !zero)
		for (; width > len; width--)
			put(o, ' ');
	if (neg)
		put(o, '-');
	if (!left && zero)
		for (; width > len; width--)
			put(o, '0');
	while (i)
		put(o, tmp[--i]);
	if (left)
		for (; width > len; width--)
			put(o, ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list args)
{
	struct out o = { buf, size, 0 };
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		int left = 0, zero = 0, width = 0, lng = 0;
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = 1;
			else if (*fmt == '0')
				zero = 1;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(args, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l' || *fmt == 'h' || *fmt == 'z') {
			if (*fmt == 'l')
				lng++;
			fmt++;
		}
		unsigned long long v;
		switch (*fmt) {
		case 'c':
			put(&o, (char)va_arg(args, int));
			break;
		case 's': {
			const char *s = va_arg(args, const char *);
			if (!s)
				s = "(null)";
			int len = strlen(s);
			if (!left)
				for (; width > len; width--)
					put(&o, ' ');
			while (*s)
				put(&o, *s++);
			for (; width > len; width--)
				put(&o, ' ');
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			number(&o, (unsigned long)va_arg(args, void *), 16, 0, 8, 1, 0, 0);
			break;
		case 'd':
		case 'i':
			v = lng >= 2 ? (unsigned long long)va_arg(args, long long) : (unsigned long long)(long long)va_arg(args, long);
			number(&o, v, 10, 1, width, zero, left, 0);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			v = lng >= 2 ? va_arg(args, unsigned long long) : va_arg(args, unsigned long);
			number(&o, v, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16, 0, width, zero, left, *fmt == 'X');
			break;
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
		buf[o.pos < size ? o.pos : size - 1] = 0;
	return o.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list a;
	va_start(a, fmt);
	int r = vsnprintf(buf, size, fmt, a);
	va_end(a);
	return r;
}

int sprintf(char *buf, const char *fmt, ...)
{
	va_list a;
	va_start(a, fmt);
	int r = vsnprintf(buf, 1024, fmt, a);
	va_end(a);
	return r;
}

unsigned long simple_strtoul(const char *cp, char **endp, unsigned int base)
{
	unsigned long r = 0;
	if (!base) {
		base = 10;
		if (cp[0] == '0' && (cp[1] == 'x' || cp[1] == 'X')) {
			base = 16;
			cp += 2;
		}
	}
	for (;; cp++) {
		unsigned d;
		if (*cp >= '0' && *cp <= '9')
			d = *cp - '0';
		else if (*cp >= 'a' && *cp <= 'f')
			d = *cp - 'a' + 10;
		else if (*cp >= 'A' && *cp <= 'F')
			d = *cp - 'A' + 10;
		else
			break;
		if (d >= base)
			break;
		r = r * base + d;
	}
	if (endp)
		*endp = (char *)cp;
	return r;
}
