#ifndef LVMM_HW_VIRTIO_RNG_H
#define LVMM_HW_VIRTIO_RNG_H

#include "vmm/device.h"

extern const struct device_class virtio_rng_device;

#endif
