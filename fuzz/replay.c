/*
** replay.c - runs a fuzz target over saved inputs without libFuzzer, so the
** reproducers in tests/data/fuzz-regressions replay with gcc and the
** sanitizers in the ordinary test suite (`make fuzz-regress`).
**
**   build/fuzz/replay_index tests/data/fuzz-regressions/index-*
**
** Each file is handed to LLVMFuzzerTestOneInput once; a target signals a
** finding by aborting (or through a sanitizer), which fails the run.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) {
      perror(argv[i]);
      return 2;
    }
    uint8_t *data = NULL;
    size_t n = 0, cap = 0, got;
    do {
      if (n == cap) {
        cap = cap ? 2 * cap : 65536;
        uint8_t *d = realloc(data, cap);
        if (!d) return 2;
        data = d;
      }
      got = fread(data + n, 1, cap - n, f);
      n += got;
    } while (got > 0);
    fclose(f);
    LLVMFuzzerTestOneInput(data, n);
    free(data);
    printf("replayed %s\n", argv[i]);
  }
  return 0;
}
