/* lib/string.c — the string and memory functions the kernel needs (plain C; gcc may not replace
 * them by builtins because the kernel is built with -fno-builtin). */
#include <linux/string.h>

/* memset/memcpy with the string instructions: "rep stosl" / "rep movsl" for whole words, then the
 * remaining bytes (as 2.6.11's include/asm-i386/string.h does). */
void *memset(void *s, int c, size_t n)
{
	unsigned long fill = (unsigned char)c * 0x01010101UL;
	int d0, d1;
	__asm__ __volatile__("rep; stosl\n\t"
			     "movl %4,%%ecx\n\t"
			     "rep; stosb"
			     : "=&c"(d0), "=&D"(d1)
			     : "a"(fill), "0"(n / 4), "g"(n & 3), "1"(s)
			     : "memory");
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	int d0, d1, d2;
	__asm__ __volatile__("rep; movsl\n\t"
			     "movl %4,%%ecx\n\t"
			     "rep; movsb"
			     : "=&c"(d0), "=&D"(d1), "=&S"(d2)
			     : "0"(n / 4), "g"(n & 3), "1"(d), "2"(s)
			     : "memory");
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	if (dp < sp) {
		while (n--)
			*dp++ = *sp++;
	} else {
		dp += n;
		sp += n;
		while (n--)
			*--dp = *--sp;
	}
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	const char *p = s;
	while (*p)
		p++;
	return p - s;
}

size_t strnlen(const char *s, size_t n)
{
	const char *p = s;
	while (n-- && *p)
		p++;
	return p - s;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

char *strcpy(char *d, const char *s)
{
	char *r = d;
	while ((*d++ = *s++))
		;
	return r;
}

char *strncpy(char *d, const char *s, size_t n)
{
	char *r = d;
	while (n && (*d = *s))
		d++, s++, n--;
	while (n--)
		*d++ = 0;
	return r;
}

size_t strlcpy(char *d, const char *s, size_t n)
{
	size_t len = strlen(s);
	if (n) {
		size_t c = len >= n ? n - 1 : len;
		memcpy(d, s, c);
		d[c] = 0;
	}
	return len;
}

char *strchr(const char *s, int c)
{
	for (; *s != (char)c; s++)
		if (!*s)
			return NULL;
	return (char *)s;
}

char *strstr(const char *h, const char *n)
{
	size_t ln = strlen(n);
	if (!ln)
		return (char *)h;
	for (; *h; h++)
		if (!strncmp(h, n, ln))
			return (char *)h;
	return NULL;
}
