#include "device.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vm.h"

int device_map_mmio(struct device *device, mmio_handler handler, void *state, char *err,
		    size_t err_size)
{
	struct mmio_region region = {
		.base = device->mmio_base, .size = device->mmio_size, .handler = handler,
		.device = state, .name = device->class->name,
	};

	if (mmio_bus_register(&device->vm->bus, &region)) {
		snprintf(err, err_size, "internal error: the %s's MMIO window at 0x%llx overlaps another device's",
			 device->class->name, (unsigned long long)device->mmio_base);
		return -1;
	}
	return 0;
}

int device_alloc_state(struct device *device, size_t size, char *err, size_t err_size)
{
	device->state = calloc(1, size);
	if (!device->state) {
		snprintf(err, err_size, "out of memory creating the %s", device->class->name);
		return -1;
	}
	return 0;
}

static int device_place(struct device *device, const struct machine_device *line,
			unsigned int *pool_used, char *err, size_t err_size)
{
	const struct device_pool *pool = line->pool;

	if (!pool) {
		device->mmio_base = line->mmio_base;
		device->mmio_size = line->mmio_size;
		device->irq = line->irq;
		return 0;
	}
	if (*pool_used >= pool->slots) {
		snprintf(err, err_size, "too many %s devices: this machine has %u %s slots; give fewer devices",
			 device->class->name, pool->slots, pool->name);
		return -1;
	}
	device->mmio_base = pool->base + (uint64_t)*pool_used * pool->stride;
	device->mmio_size = pool->stride;
	device->irq = pool->irq_base + *pool_used;
	(*pool_used)++;
	return 0;
}

int devices_create(struct device_set *set, struct vm *vm, const struct machine_device *list,
		   unsigned int list_count, char *err, size_t err_size)
{
	/* Slots used per pool, indexed like the first list line naming that pool. */
	unsigned int pool_used[VM_MAX_DEVICES] = { 0 };

	if (list_count > VM_MAX_DEVICES) {
		snprintf(err, err_size, "internal error: the machine lists more than %d device classes",
			 VM_MAX_DEVICES);
		return -1;
	}
	for (unsigned int i = 0; i < list_count; i++) {
		const struct machine_device *line = &list[i];
		unsigned int count = line->class->instances ? line->class->instances(vm->opts) : 1;
		unsigned int pool_index = i;

		for (unsigned int j = 0; j < i && line->pool; j++)
			if (list[j].pool == line->pool) {
				pool_index = j;
				break;
			}
		for (unsigned int n = 0; n < count; n++) {
			struct device *device;

			if (set->count == VM_MAX_DEVICES) {
				snprintf(err, err_size, "too many devices: lvmm has room for %d; give fewer devices",
					 VM_MAX_DEVICES);
				return -1;
			}
			device = &set->devices[set->count];
			*device = (struct device){ .class = line->class, .vm = vm, .instance = n };
			if (device_place(device, line, &pool_used[pool_index], err, err_size))
				return -1;
			set->count++;
			if (line->class->create(device, err, err_size))
				return -1;
		}
	}
	return 0;
}

int devices_describe(const struct device_set *set, struct device_tree *tree)
{
	for (unsigned int i = 0; i < set->count; i++) {
		const struct device *device = &set->devices[i];
		int ret;

		if (!device->class->describe)
			continue;
		ret = device->class->describe(device, tree);
		if (ret)
			return ret;
	}
	return 0;
}

int devices_start(struct device_set *set, char *err, size_t err_size)
{
	for (; set->started < set->count; set->started++) {
		struct device *device = &set->devices[set->started];

		if (device->class->start && device->class->start(device, err, err_size))
			return -1;
	}
	return 0;
}

void devices_stop(struct device_set *set)
{
	while (set->started > 0) {
		struct device *device = &set->devices[--set->started];

		if (device->class->stop)
			device->class->stop(device);
	}
}

void devices_destroy(struct device_set *set)
{
	devices_stop(set);
	while (set->count > 0) {
		struct device *device = &set->devices[--set->count];

		if (device->class->destroy)
			device->class->destroy(device);
		else
			free(device->state);
	}
}

struct device *devices_find(struct device_set *set, const struct device_class *class)
{
	for (unsigned int i = 0; i < set->count; i++)
		if (set->devices[i].class == class)
			return &set->devices[i];
	return NULL;
}
