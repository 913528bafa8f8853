/*
 * The control for pvsched_race: the same rounds with vCPU 1's kick interrupt left disabled, so
 * no kick can end its WFI. The watchdog must catch that (lvmm exits 6 with lost_kick_round=1),
 * which shows the race test would see a lost kick.
 */
#define RACE_CONTROL 1
#include "pvsched_race.c"
