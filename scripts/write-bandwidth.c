// The machine's memory write bandwidth from 1 and 2 threads, with non-temporal (streaming) and
// ordinary stores, over a 32 MiB buffer: the floor under writing a per-sample Jacobian of that
// size (the scale case's J is 4,096 × 1,021 doubles). Each thread writes its half, timed from the
// first thread's start to the last one's end, 50 times; prints the median.
//   cc -O2 -mavx2 -pthread scripts/write-bandwidth.c -o /tmp/write-bandwidth && /tmp/write-bandwidth
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { BYTES = 32 << 20, REPEATS = 50, MAXIMUM_THREADS = 2 };
static double *buffer;
static int thread_count, streaming;
static pthread_barrier_t barrier;
static double starts[MAXIMUM_THREADS][REPEATS], ends[MAXIMUM_THREADS][REPEATS];

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static void *writer(void *argument) {
    const long id = (long)argument, count = BYTES / sizeof(double);
    const long low = count * id / thread_count, high = count * (id + 1) / thread_count;
    for (int repeat = 0; repeat < REPEATS; repeat++) {
        pthread_barrier_wait(&barrier);
        starts[id][repeat] = now();
        const __m256d value = _mm256_set1_pd(repeat);
        if (streaming) {
            for (long i = low; i < high; i += 4) _mm256_stream_pd(buffer + i, value);
            _mm_sfence();
        } else {
            for (long i = low; i < high; i += 4) _mm256_store_pd(buffer + i, value);
        }
        ends[id][repeat] = now();
    }
    return NULL;
}

static int compare(const void *a, const void *b) {
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(void) {
    buffer = aligned_alloc(64, BYTES);
    memset(buffer, 0, BYTES);
    for (thread_count = 1; thread_count <= MAXIMUM_THREADS; thread_count++) {
        for (streaming = 1; streaming >= 0; streaming--) {
            pthread_barrier_init(&barrier, NULL, thread_count);
            pthread_t threads[MAXIMUM_THREADS];
            for (long i = 0; i < thread_count; i++) pthread_create(&threads[i], NULL, writer, (void *)i);
            for (int i = 0; i < thread_count; i++) pthread_join(threads[i], NULL);
            double walls[REPEATS];
            for (int r = 0; r < REPEATS; r++) {
                double first = starts[0][r], last = ends[0][r];
                for (int i = 1; i < thread_count; i++) {
                    if (starts[i][r] < first) first = starts[i][r];
                    if (ends[i][r] > last) last = ends[i][r];
                }
                walls[r] = last - first;
            }
            qsort(walls, REPEATS, sizeof(double), compare);
            printf("%d thread%s, %-9s stores: median %.3f ms, %.1f GB/s\n", thread_count, thread_count > 1 ? "s" : "",
                   streaming ? "streaming" : "ordinary", walls[REPEATS / 2] * 1e3, BYTES / walls[REPEATS / 2] / 1e9);
            pthread_barrier_destroy(&barrier);
        }
    }
    free(buffer);
    return 0;
}
