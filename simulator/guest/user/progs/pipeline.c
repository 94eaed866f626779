/*
 * pipeline: a producer and a consumer connected by a pipe. The pipe holds one page; the producer
 * writes 64 KiB, so it sleeps on the pipe's wait queue when the buffer is full and the consumer
 * sleeps when it is empty; each wakes the other. Closing the last write end gives the reader EOF.
 */
#include "ulib.h"

#define TOTAL 65536

static unsigned char pattern(unsigned int i) { return (unsigned char)(i * 7 + 3); }

int main(void)
{
	int fds[2];
	int r = pipe(fds);
	if (r < 0) {
		printf("pipeline: pipe failed: %d\n", r);
		return 1;
	}
	pid_t producer = fork();
	if (producer == 0) {
		close(fds[0]);
		unsigned char buf[700];	/* an odd size: writes straddle the page-sized buffer */
		unsigned int sent = 0;
		while (sent < TOTAL) {
			unsigned int n = TOTAL - sent < sizeof(buf) ? TOTAL - sent : sizeof(buf);
			for (unsigned int i = 0; i < n; i++)
				buf[i] = pattern(sent + i);
			int w = write(fds[1], buf, n);
			if (w <= 0)
				_exit(1);
			sent += w;
		}
		_exit(0);
	}
	pid_t consumer = fork();
	if (consumer == 0) {
		close(fds[1]);
		unsigned char buf[512];
		unsigned int got = 0, mismatches = 0, sum = 0;
		for (;;) {
			int n = read(fds[0], buf, sizeof(buf));
			if (n < 0)
				_exit(2);
			if (n == 0)
				break;	/* EOF: every write end is closed */
			for (int i = 0; i < n; i++) {
				if (buf[i] != pattern(got + i))
					mismatches++;
				sum = sum * 31 + buf[i];
			}
			got += n;
		}
		printf("pipeline: consumer read %u bytes in order (%u mismatches), checksum %x, then EOF\n", got,
		       mismatches, sum);
		_exit(mismatches ? 3 : 0);
	}
	close(fds[0]);
	close(fds[1]);
	int sp = 0, sc = 0;
	waitpid(producer, &sp, 0);
	waitpid(consumer, &sc, 0);
	printf("pipeline: producer exit %d, consumer exit %d\n", WEXITSTATUS(sp), WEXITSTATUS(sc));
	return sp || sc;
}
