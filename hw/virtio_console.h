#ifndef LVMM_HW_VIRTIO_CONSOLE_H
#define LVMM_HW_VIRTIO_CONSOLE_H

#include "vmm/device.h"

extern const struct device_class virtio_console_device;

#endif
