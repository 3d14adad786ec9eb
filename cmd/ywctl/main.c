/* ywctl -- placeholder until the CLI lands (being written). */
#include <stdio.h>
int main(void) { fputs("ywctl: not built yet\n", stderr); return 1; }
