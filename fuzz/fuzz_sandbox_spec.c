/* libFuzzer harness: what lvmm sandbox parses: the spec init reads from its initrd, the control
 * port's lines both ways (init's to lvmm; lvmm's input frames and terminal sizes to init), a
 * root's modules.dep and the release banner of an Image. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cli.h"
#include "vmm/kernel_modules.h"
#include "vmm/sandbox.h"
#include "vmm/sandbox_input_frames.h"
#include "vmm/sandbox_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The control port's answers ("clock"): taken and dropped. */
static void drop_answer(void *context, const uint8_t *bytes, size_t count)
{
	(void)context;
	(void)bytes;
	(void)count;
}

/* What init makes of lvmm's side of the port, in pieces of up to 7 bytes as the port may
 * deliver them: the input's bytes, and the other lines checked for a terminal size. */
static void decode_to_init(const uint8_t *data, size_t size)
{
	struct sandbox_input_decoder decoder = { .line_length = 0 };
	static char input[8];

	for (size_t offset = 0; offset < size; ) {
		size_t piece = size - offset < 7 ? size - offset : 7, count;
		unsigned short rows, columns;
		bool line_ready;
		size_t taken = sandbox_input_decode(&decoder, (const char *)data + offset, piece, input,
						    &count, &line_ready);

		if (taken == 0 || taken > piece || count > piece)
			abort();
		if (line_ready)
			sandbox_resize_parse(decoder.line, &rows, &columns);
		offset += taken;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const wanted[] = { "virtio_mmio", "virtio_console", "9pnet_virtio", "9p", NULL };
	static struct sandbox_spec spec;
	struct sandbox_report report = { 0 };
	const struct console_reply reply = { .send = drop_answer, .context = NULL };
	struct module_list list;
	char err[256], release[KERNEL_RELEASE_MAX], victim[32], *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	sandbox_spec_decode((const char *)data, size, &spec, err, sizeof(err));
	sandbox_report_receive(&report, data, size, &reply);
	decode_to_init(data, size);
	sandbox_oom_victim((const char *)data, size, victim, sizeof(victim));
	if (modules_resolve(text, size, wanted, &list, err, sizeof(err)) == 0)
		module_list_free(&list);
	kernel_release_find(data, size, release, sizeof(release));
	free(text);
	return 0;
}
