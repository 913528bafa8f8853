#ifndef LVMM_HW_VIRTIO_9P_H
#define LVMM_HW_VIRTIO_9P_H

#include "vmm/device.h"

extern const struct device_class virtio_9p_device;

#endif
