/*
 * The control for pvsched_race: the same rounds, but a kick found pending just before the WFI
 * is cleared, as a wake-up without a latch would forget it. The first kick that lands between
 * the check and the WFI must then be lost, and the watchdog must catch it: lvmm exits 6 with
 * lost_kick_round equal to control_dropped_pending_kick_round.
 */
#define RACE_CONTROL 1
#include "pvsched_race.c"
