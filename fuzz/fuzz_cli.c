/* libFuzzer harness: lvmm run's and lvmm sandbox's command-line parsers, on an argv made of
 * the input's NUL-separated words (the bytes a user or a script passes). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cli.h"

#define MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *argv[MAX_WORDS + 2], message[4096], cmdline[4096];
	struct run_options opts;
	struct sandbox_options sandbox;
	int argc = 1;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	argv[0] = "run";
	for (size_t at = 0; at <= size && argc <= MAX_WORDS; at += strlen(text + at) + 1)
		argv[argc++] = text + at;
	argv[argc] = NULL;
	if (cli_parse_run(argc, argv, &opts, message, sizeof(message)) == CLI_RUN)
		cli_kernel_cmdline(&opts, cmdline, sizeof(cmdline));
	argv[0] = "sandbox";
	cli_parse_sandbox(argc, argv, &opts, &sandbox, message, sizeof(message));
	free(text);
	return 0;
}
