/* yuanwangd -- placeholder until the daemon lands (being written). */
#include <stdio.h>
int main(void) { fputs("yuanwangd: not built yet\n", stderr); return 1; }
