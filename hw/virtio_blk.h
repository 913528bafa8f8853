#ifndef LVMM_HW_VIRTIO_BLK_H
#define LVMM_HW_VIRTIO_BLK_H

#include "vmm/device.h"

extern const struct device_class virtio_blk_device;

#endif
