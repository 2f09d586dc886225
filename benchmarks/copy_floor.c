/*
 * copy_floor.c: the bytes exchange.c's callbacks move for its bulk
 * workload, without the library: for each 64 KiB window, read_cb's memset
 * of every 4096-byte DATA payload into a frame buffer, send_cb's copy of
 * each 4104-byte frame into the pipe, and recv_cb's copies out of it in
 * the 16384-byte pieces spdylay_session_recv() asks for.  No library with
 * those sizes can make exchange.c's bulk figure faster than this
 * program's; larger DATA frames make the callbacks' own work cheaper
 * (PAYLOAD and RECV_PIECE below; see benchmarks/README.md).
 *
 *   cc -O2 -std=c99 benchmarks/copy_floor.c -o copy_floor
 *   ./copy_floor MiB
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { FRAME_HEAD = 8, PAYLOAD = 4096, WINDOW = 65536, RECV_PIECE = 16384 };

int main(int argc, char **argv)
{
  static unsigned char frame[FRAME_HEAD + PAYLOAD], piece[RECV_PIECE];
  /* One window of frames: 16 payloads and their heads. */
  static unsigned char pipe[WINDOW / PAYLOAD * (FRAME_HEAD + PAYLOAD)];
  unsigned long checksum = 0;
  size_t total, left;
  struct timespec t0, t1;
  double seconds;
  if (argc != 2 || atol(argv[1]) <= 0) {
    fprintf(stderr, "usage: %s MiB\n", argv[0]);
    return 2;
  }
  total = left = (size_t)atol(argv[1]) << 20;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  while (left > 0) {
    size_t len = 0, window = WINDOW, off;
    while (window > 0 && left > 0) {
      size_t n = PAYLOAD < window ? PAYLOAD : window;
      if (n > left) {
        n = left;
      }
      memset(frame + FRAME_HEAD, 'y', n);
      memcpy(pipe + len, frame, FRAME_HEAD + n);
      len += FRAME_HEAD + n;
      left -= n;
      window -= n;
    }
    for (off = 0; off < len; off += RECV_PIECE) {
      size_t n = len - off < RECV_PIECE ? len - off : RECV_PIECE;
      memcpy(piece, pipe + off, n);
      checksum += piece[n - 1];
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  seconds = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("floor bulk %luMiB %.3fs (checksum %lu) %.1f MB/s\n",
         (unsigned long)(total >> 20), seconds, checksum,
         (double)total / seconds / 1e6);
  return 0;
}
