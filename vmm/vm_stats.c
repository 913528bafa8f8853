#include "vm_stats.h"

#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>

#include "arch.h"
#include "vcpu.h"
#include "vm.h"

#define EXIT_COUNT(vcpu, field) atomic_load_explicit(&(vcpu)->exits.field, memory_order_relaxed)

static void write_vcpu(struct vm *vm, unsigned int index, FILE *out, bool json)
{
	struct vcpu *vcpu = &vm->vcpus[index];
	const char *state = atomic_load(&vcpu->paused) ? "paused" : "running";
	uint64_t stolen_ns;
	bool stolen = arch_vcpu_stolen_ns(vm, index, &stolen_ns);

	if (json) {
		fprintf(out, "%s{\"vcpu\":%u,\"state\":\"%s\",\"exits\":{\"mmio\":%lu,\"hypercall\":%lu,\"system_event\":%lu,\"interrupted\":%lu,\"other\":%lu},",
			index ? "," : "", index, state, EXIT_COUNT(vcpu, mmio), EXIT_COUNT(vcpu, hypercall),
			EXIT_COUNT(vcpu, system_event), EXIT_COUNT(vcpu, interrupted), EXIT_COUNT(vcpu, other));
		if (stolen)
			fprintf(out, "\"steal_ns\":%llu}", (unsigned long long)stolen_ns);
		else
			fputs("\"steal_ns\":null}", out);
		return;
	}
	fprintf(out, "vcpu %u: %s, exits mmio=%lu hypercall=%lu system_event=%lu interrupted=%lu other=%lu",
		index, state, EXIT_COUNT(vcpu, mmio), EXIT_COUNT(vcpu, hypercall),
		EXIT_COUNT(vcpu, system_event), EXIT_COUNT(vcpu, interrupted), EXIT_COUNT(vcpu, other));
	if (stolen)
		fprintf(out, ", steal %llu ns\n", (unsigned long long)stolen_ns);
	else
		fputs(", no steal time\n", out);
}

void vm_write_stats(struct vm *vm, const char *name, FILE *out, bool json)
{
	const char *state = vm_paused(vm) ? "paused" : "running";

	if (json)
		fprintf(out, "{\"name\":\"%s\",\"pid\":%d,\"state\":\"%s\",\"memory_mib\":%llu,\"vcpus\":[",
			name, (int)getpid(), state, (unsigned long long)vm->opts->mem_mib);
	else
		fprintf(out, "guest %s (pid %d): %s, %u vCPU%s, %llu MiB\n", name, (int)getpid(), state,
			vm->vcpu_count, vm->vcpu_count == 1 ? "" : "s",
			(unsigned long long)vm->opts->mem_mib);
	for (unsigned int i = 0; i < vm->vcpu_count; i++)
		write_vcpu(vm, i, out, json);
	if (json)
		fputc(']', out);
	for (unsigned int i = 0; i < vm->devices.count; i++) {
		const struct device *device = &vm->devices.devices[i];

		if (!device->class->stats)
			continue;
		if (json)
			fputc(',', out);
		device->class->stats(device, out, json);
	}
	if (json)
		fputs("}\n", out);
}
