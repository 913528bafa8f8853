/*
 * The device model: a device class is described once, in one file of hw/ (or pvsched/): how
 * many instances the options ask for, how an instance is created at the place the machine
 * gives it (MMIO window, interrupt), its device-tree node, its threads and its teardown. The
 * machine (arch_machine_devices()) lists the classes it has; vmm/ knows none of them.
 */
#ifndef LVMM_DEVICE_H
#define LVMM_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "mmio_bus.h"

struct run_options;
struct vm;
struct device_tree;
struct device;

#define DEVICE_NO_IRQ (~0u)

/* A range of identical windows handed out in order, one per instance (virtio-mmio). */
struct device_pool {
	const char *name;
	uint64_t base;
	uint64_t stride;        /* bytes per slot: also each instance's window size */
	unsigned int irq_base;  /* slot n gets irq_base + n */
	unsigned int slots;
};

struct device_class {
	const char *name;
	/* How many instances the options ask for; NULL means exactly one. */
	unsigned int (*instances)(const struct run_options *opts);
	/* Builds instance device->instance at device->mmio_base/irq: allocates device->state,
	 * registers the MMIO window and any KVM resources. -1 with one line in err. Whatever it
	 * allocated before failing is freed by destroy. */
	int (*create)(struct device *device, char *err, size_t err_size);
	/* Writes the device's node (NULL: no node). */
	int (*describe)(const struct device *device, struct device_tree *tree);
	/* Once the vCPUs run / after they stopped (I/O threads); NULL: nothing to do. */
	int (*start)(struct device *device, char *err, size_t err_size);
	void (*stop)(struct device *device);
	/* Live counters for lvmm stat, read while the vCPUs run: text lines, or exactly one JSON
	 * member ("name":value). NULL: none. */
	void (*stats)(const struct device *device, FILE *out, bool json);
	/* Frees everything; called for every created (or half-created) instance. NULL: the
	 * state is one allocation (device_alloc_state) and the device model frees it. */
	void (*destroy)(struct device *device);
};

/* One line of the machine's device list: a class at a fixed place, or from a pool. */
struct machine_device {
	const struct device_class *class;
	uint64_t mmio_base;
	uint64_t mmio_size;
	unsigned int irq;                   /* DEVICE_NO_IRQ: none */
	const struct device_pool *pool;     /* non-NULL: place from the pool instead */
};

struct device {
	const struct device_class *class;
	struct vm *vm;
	unsigned int instance;              /* 0.. among the instances of its class */
	uint64_t mmio_base;
	uint64_t mmio_size;
	unsigned int irq;
	void *state;
};

#define VM_MAX_DEVICES 64

struct device_set {
	struct device devices[VM_MAX_DEVICES];
	unsigned int count;
	unsigned int started;               /* devices[0..started) were started */
};

/*
 * Places and creates every instance the list and the options ask for, in list order. -1 with
 * one line in err: a class's own failure, or more instances than a pool has slots.
 */
int devices_create(struct device_set *set, struct vm *vm, const struct machine_device *list,
		   unsigned int list_count, char *err, size_t err_size);
/* Each device's node, in creation order. 0 or a negative libfdt error. */
int devices_describe(const struct device_set *set, struct device_tree *tree);
int devices_start(struct device_set *set, char *err, size_t err_size);
/* Stops the started devices, last first. */
void devices_stop(struct device_set *set);
void devices_destroy(struct device_set *set);

/* Puts the device's MMIO window on the VM's bus, handled by handler(state, ...). */
int device_map_mmio(struct device *device, mmio_handler handler, void *state, char *err,
		    size_t err_size);
/* calloc(1, size) into device->state; -1 with "out of memory" in err. */
int device_alloc_state(struct device *device, size_t size, char *err, size_t err_size);

/* The first instance of a class, or NULL. */
struct device *devices_find(struct device_set *set, const struct device_class *class);

#endif
