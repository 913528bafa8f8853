/* libFuzzer harness: what lvmm sandbox parses: the spec init reads from its initrd, the control
 * port's lines, a root's modules.dep and the release banner of an Image. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/cli.h"
#include "vmm/kernel_modules.h"
#include "vmm/sandbox.h"
#include "vmm/sandbox_spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The control port's answers ("clock"): taken and dropped. */
static void drop_answer(void *context, const uint8_t *bytes, size_t count)
{
	(void)context;
	(void)bytes;
	(void)count;
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
	sandbox_oom_victim((const char *)data, size, victim, sizeof(victim));
	if (modules_resolve(text, size, wanted, &list, err, sizeof(err)) == 0)
		module_list_free(&list);
	kernel_release_find(data, size, release, sizeof(release));
	free(text);
	return 0;
}
