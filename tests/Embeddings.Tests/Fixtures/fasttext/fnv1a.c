/* fastText's dictionary hash, written from its description for the VecLm fixtures (not fastText's code): 32-bit
   FNV-1a over the bytes of a string, each byte sign-extended (as a signed char) before the xor. Prints
   "hash<TAB>string" for each line of stdin. Built and run by make-fixtures.sh. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

int main(void) {
    static char line[1 << 16];
    while (fgets(line, sizeof line, stdin)) {
        size_t n = strcspn(line, "\n");
        uint32_t h = 2166136261u;
        for (size_t i = 0; i < n; i++) {
            h ^= (uint32_t)(int32_t)(int8_t)line[i];
            h *= 16777619u;
        }
        printf("%u\t%.*s\n", h, (int)n, line);
    }
    return 0;
}
