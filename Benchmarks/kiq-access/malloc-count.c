// Counts heap allocations of a process (LD_PRELOAD), for Benchmarks/kiq-access/run.sh: valgrind
// cannot run the Swift concurrency runtime here. Forwards to glibc's own entry points, so no
// dlsym (which allocates) is needed; prints the count to standard error at exit.
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static atomic_long allocations;

void *malloc(size_t size) { atomic_fetch_add(&allocations, 1); return __libc_malloc(size); }
void *calloc(size_t count, size_t size) { atomic_fetch_add(&allocations, 1); return __libc_calloc(count, size); }
void *realloc(void *pointer, size_t size) { atomic_fetch_add(&allocations, 1); return __libc_realloc(pointer, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
  atomic_fetch_add(&allocations, 1);
  *out = __libc_memalign(alignment, size);
  return *out ? 0 : 12;
}
void *aligned_alloc(size_t alignment, size_t size) { atomic_fetch_add(&allocations, 1); return __libc_memalign(alignment, size); }

__attribute__((destructor)) static void report(void) {
  fprintf(stderr, "heap allocations: %ld\n", atomic_load(&allocations));
}
