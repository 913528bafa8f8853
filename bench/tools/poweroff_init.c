/*
 * The init of the sandbox benchmark's baseline (bench/in-host.sh, sandbox): powers the guest off
 * at once, so that lvmm run with it costs exactly a boot and a power-off, which lvmm sandbox
 * -- true adds its own work to.
 */
#include <sys/reboot.h>
#include <unistd.h>

int main(void)
{
	sync();
	reboot(RB_POWER_OFF);
	return 1;
}
