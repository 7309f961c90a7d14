/* Dense matrix multiply, C = A * B with doubles, in i-k-j order (unit-stride inner loop).
 * Usage: matmul N. Prints the trace and a weighted checksum of C. */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 64;
    if (n < 1)
        return 2;
    double *a = malloc(sizeof(double) * (size_t)n * (size_t)n);
    double *b = malloc(sizeof(double) * (size_t)n * (size_t)n);
    double *c = calloc((size_t)n * (size_t)n, sizeof(double));
    if (!a || !b || !c)
        return 1;
    unsigned seed = 12345;
    for (int i = 0; i < n * n; i++) {
        seed = seed * 1103515245u + 12345u;
        a[i] = (double)((seed >> 16) % 1000) / 500.0 - 1.0;
        seed = seed * 1103515245u + 12345u;
        b[i] = (double)((seed >> 16) % 1000) / 500.0 - 1.0;
    }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < n; k++) {
            double aik = a[i * n + k];
            for (int j = 0; j < n; j++)
                c[i * n + j] += aik * b[k * n + j];
        }
    double trace = 0, sum = 0;
    for (int i = 0; i < n; i++)
        trace += c[i * n + i];
    for (int i = 0; i < n * n; i++)
        sum += c[i] * (double)(i % 7 + 1);
    printf("trace %.6f\nsum %.6f\n", trace, sum);
    free(a);
    free(b);
    free(c);
    return 0;
}
