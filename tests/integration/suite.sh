#!/bin/sh
# The integration suite, run by busybox sh INSIDE the emulated arm64 host (see run.sh).
# Prints one TAP-style line per check ("ok - name" / "not ok - name"), plus "# ..." notes
# and "measure name=value" lines; run.sh on the x86 side counts them.
# $PAYLOAD holds lvmm, the kick race test, the guests, the kernel Image and guest initrd.

PAYLOAD=${PAYLOAD:-/payload}
LVMM="$PAYLOAD/lvmm"
IMAGE="$PAYLOAD/Image"
INITRD="$PAYLOAD/guest-initrd.cpio.gz"
G="$PAYLOAD/guests"
OUT=/tmp/lvmm.out
ERR=/tmp/lvmm.err
[ -f "$PAYLOAD/test-env" ] && . "$PAYLOAD/test-env"
export PVSCHED_MODE SUITE_PART
ONLY=${LVMM_TEST_ONLY:-}
# PVSCHED_MODE: what the emulated host's kernel offers (full: KVM_CAP_ARM_PV_SCHED, or
# kick-only); SUITE_PART: "all", or "pvsched" for the PV sched checks alone (stock-kernel boot).
PVSCHED_MODE=${PVSCHED_MODE:-full}
SUITE_PART=${SUITE_PART:-all}
part() { [ "$SUITE_PART" = all ] || [ "$SUITE_PART" = "$1" ]; }

ok() { echo "ok - $1"; }
# A check that did not run is a skip, counted apart: never a pass, never silent.
skip() { echo "skip - $1 ($2)"; }
not_ok() {
	echo "not ok - $1"
	echo "# status=$STATUS; stdout tail:"; tail -n 8 "$OUT" | sed 's/^/#   /'
	echo "# stderr tail:"; tail -n 5 "$ERR" | sed 's/^/#   /'
}

# lvmm_run TIMEOUT ARGS...: runs lvmm with a watchdog, sets STATUS; output in $OUT/$ERR.
# After TIMEOUT seconds lvmm gets SIGTERM (its status is then its own, 143, as with timeout);
# one that outlives the SIGTERM by 10 s is wedged: what each of its threads waits on goes into
# the log (a check that hung once must say where), and SIGKILL ends it (137).
lvmm_run() {
	t=$1; shift
	"$LVMM" "$@" </dev/null >"$OUT" 2>"$ERR" &
	run_pid=$!
	waited=0
	while kill -0 $run_pid 2>/dev/null && [ $waited -lt $((t * 10)) ]; do
		sleep 0.1; waited=$((waited + 1))
	done
	if kill -0 $run_pid 2>/dev/null; then
		kill -TERM $run_pid
		waited=0
		while kill -0 $run_pid 2>/dev/null && [ $waited -lt 100 ]; do sleep 0.1; waited=$((waited + 1)); done
		if kill -0 $run_pid 2>/dev/null; then
			echo "# WEDGED: lvmm $* outlived SIGTERM by 10 s; its threads:"
			for task in /proc/$run_pid/task/*; do
				echo "#   $(cat $task/comm 2>/dev/null) state=$(awk '/^State/ { print $2 }' $task/status 2>/dev/null) wchan=$(cat $task/wchan 2>/dev/null)"
				sed 's/^/#     /' $task/stack 2>/dev/null | head -n 12
			done
			grep -E '^(SigPnd|ShdPnd|SigBlk)' /proc/$run_pid/status | sed 's/^/#   /'
			tail -n 5 "$ERR" | sed 's/^/#   stderr: /'
			kill -KILL $run_pid
		fi
	fi
	wait $run_pid
	STATUS=$?
}

# expect NAME STATUS [grep patterns on stdout+stderr, each must match]
expect() {
	name=$1; want=$2; shift 2
	case "$ONLY" in ""|*"$name"*) ;; *) skip "$name" "not selected by LVMM_TEST_ONLY='$ONLY'"; return 0 ;; esac
	if [ "$STATUS" != "$want" ]; then not_ok "$name (exit $STATUS, wanted $want)"; return 1; fi
	for pattern in "$@"; do
		# The guest's tty writes CRLF; lvmm passes it through untouched.
		if ! cat "$OUT" "$ERR" | tr -d '\r' | grep -q -e "$pattern"; then
			not_ok "$name (no '$pattern' in the output)"; return 1
		fi
	done
	ok "$name"
}

# expect_one_line NAME STATUS PATTERN: a user error must be exactly one clear stderr line.
expect_one_line() {
	name=$1; want=$2; pattern=$3
	lines=$(wc -l <"$ERR")
	if [ "$lines" != 1 ]; then not_ok "$name ($lines stderr lines, wanted 1)"; return 1; fi
	expect "$name" "$want" "$pattern"
}

echo "# suite: $(uname -r), $(nproc) host CPUs, PV sched $PVSCHED_MODE, part $SUITE_PART"

if part general; then
# --- command line -------------------------------------------------------------------------
lvmm_run 10 --help;            expect "cli: --help" 0 "usage: lvmm"
lvmm_run 10 --version;         expect "cli: --version" 0 "^lvmm "
lvmm_run 10 run --help;        expect "cli: run --help lists every option" 0 "--kernel" "--initrd" \
	"--params" "--cpus" "--mem" "--firmware" "--irqchip" "--dump-dtb" "--no-reboot" "--loglevel" \
	"--disk" "--rng" "--console TYPE" "--test-device"
lvmm_run 10 frobnicate;        expect_one_line "cli: unknown command" 2 "unknown command"
lvmm_run 10 run --frob -k "$IMAGE"; expect_one_line "cli: unknown option" 2 "unknown option '--frob'"
lvmm_run 10 run -k;            expect_one_line "cli: missing value" 2 "needs a value"
lvmm_run 10 run;               expect_one_line "cli: nothing to boot" 2 "nothing to boot"
lvmm_run 10 run -k "$IMAGE" -c 0;      expect_one_line "cli: -c 0" 2 "invalid --cpus '0'"
lvmm_run 10 run -k "$IMAGE" -c 513;    expect_one_line "cli: -c above the limit" 2 "invalid --cpus '513'"
lvmm_run 10 run -k "$IMAGE" -m lots;   expect_one_line "cli: bad -m" 2 "invalid --mem 'lots'"
lvmm_run 10 run -k "$IMAGE" --irqchip gicv9; expect_one_line "cli: bad --irqchip" 2 "invalid --irqchip"
lvmm_run 10 run -k "$IMAGE" --console hv; expect_one_line "cli: --console hv" 2 "use --console serial or --console virtio"
lvmm_run 10 run -k "$IMAGE" -n mode=tap; expect_one_line "cli: --network mode=tap" 2 "mode=none"
lvmm_run 10 run -k "$IMAGE" --loglevel loud; expect_one_line "cli: bad --loglevel" 2 "invalid --loglevel"

# --- bad input ----------------------------------------------------------------------------
lvmm_run 10 run -k /nonexistent/Image; expect_one_line "input: missing kernel (in kvmtool's words, which runners probe for)" 1 "Fatal: Unable to open kernel /nonexistent/Image: No such file"
lvmm_run 10 run -k "$IMAGE" -i /nonexistent/initrd; expect_one_line "input: missing initrd" 1 "cannot open '/nonexistent/initrd'"
lvmm_run 10 run -k /bin/busybox; expect_one_line "input: an ELF file as kernel is refused" 1 "an ELF file (vmlinux?), not an arm64 Image"
lvmm_run 10 run -k "$PAYLOAD";  expect_one_line "input: a directory as kernel" 1 "not a regular file"
# A name with a newline and an escape sequence: printed escaped, the message stays one line.
lvmm_run 10 run -k "$(printf '/tmp/no\nsuch\033[31m')"
expect_one_line "input: control bytes in a file name are escaped, one line" 1 'no\\x0asuch\\x1b\[31m'
lvmm_run 10 run -f /nonexistent/fw; expect_one_line "input: missing firmware" 1 "cannot open '/nonexistent/fw'"
head -c 12000000 /dev/zero > /tmp/big.initrd
lvmm_run 30 run -k "$IMAGE" -i /tmp/big.initrd -m 16; expect_one_line "input: -m too small for kernel+initrd+DTB" 1 "too small.*use -m"
head -c 4096 "$IMAGE" > /tmp/truncated.img
gzip -c "$IMAGE" | head -c 100000 > /tmp/truncated.gz
lvmm_run 10 run -k /tmp/truncated.gz; expect_one_line "input: damaged gzip Image" 1 "damaged gzip"
# An EFI-stub Image cut short (Debian's, at 30 MB of its 33): its PE/COFF header says so.
head -c 30000000 "$PAYLOAD/debian/Image" > /tmp/truncated-Image
lvmm_run 30 run -k /tmp/truncated-Image
expect_one_line "input: a truncated EFI-stub Image is refused, not booted" 1 \
	"'/tmp/truncated-Image': the kernel file is truncated: its PE/COFF header describes [0-9]* bytes and the file has 30000000"
rm -f /tmp/truncated-Image
gzip -c "$G/hello.img" > /tmp/hello.img.gz
lvmm_run 30 run --test-device -k /tmp/hello.img.gz; expect "input: gzip-compressed Image boots" 0 "hello from the bare-metal guest"
chmod 600 /dev/kvm # root's only: an unprivileged user is refused
timeout 10 "$PAYLOAD/run-as-nobody" "$LVMM" run --test-device -k "$G/hello.img" </dev/null >"$OUT" 2>"$ERR"; STATUS=$?
expect_one_line "input: no permission on /dev/kvm" 1 "no permission to open /dev/kvm"
mv /dev/kvm /dev/kvm.hidden
lvmm_run 10 run --test-device -k "$G/hello.img"; expect_one_line "input: no /dev/kvm" 1 "/dev/kvm does not exist"
ln -s /dev/null /dev/kvm
lvmm_run 10 run --test-device -k "$G/hello.img"; expect_one_line "input: /dev/kvm that is not KVM" 1 "/dev/kvm is not a KVM device"
rm /dev/kvm
mv /dev/kvm.hidden /dev/kvm
# A FIFO given for a file: a blocking open would wait for a writer (a reader) forever, with
# SIGTERM blocked for the signalfd: only SIGKILL ended it (status 137 here).
rm -f /tmp/input.fifo
mkfifo /tmp/input.fifo
fifo_run() { timeout -s KILL 10 "$LVMM" "$@" </dev/null >"$OUT" 2>"$ERR"; STATUS=$?; } # 137: it blocked
fifo_run run -k /tmp/input.fifo; expect_one_line "input: a FIFO as kernel fails at once" 1 "input.fifo' is not a regular file"
fifo_run run -k "$G/hello.img" -i /tmp/input.fifo; expect_one_line "input: a FIFO as initrd fails at once" 1 "input.fifo' is not a regular file"
fifo_run run -k "$G/hello.img" --dump-dtb /tmp/input.fifo
expect_one_line "input: a FIFO as --dump-dtb fails at once" 1 "input.fifo' is a FIFO with no reader"
rm -f /tmp/input.fifo
# A large gzip kernel (1 GiB of zeros, as $PAYLOAD/zeros-1g.gz): lvmm decompresses it for many
# seconds here, and SIGTERM must still end it within a second, with 143, instead of waiting
# for the decompression to finish (it was only read once the VM ran).
"$LVMM" run -k "$PAYLOAD/zeros-1g.gz" -m 2G </dev/null >"$OUT" 2>"$ERR" &
pid=$!
sleep 2
if kill -0 $pid 2>/dev/null; then
	kill -TERM $pid
	waited=0
	while kill -0 $pid 2>/dev/null && [ $waited -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
	[ $waited -ge 50 ] && kill -KILL $pid
	wait $pid; STATUS=$?
	if [ "$STATUS" = 143 ] && [ $waited -le 10 ]; then
		ok "stop: SIGTERM during the decompression of a 1 GiB gzip kernel ends lvmm in $((waited * 100)) ms, status 143"
	else not_ok "stop: SIGTERM during a 1 GiB gzip decompression: status $STATUS after $((waited * 100)) ms (wanted 143 within 1000 ms)"; fi
else
	wait $pid; STATUS=$?
	not_ok "stop: the 1 GiB gzip kernel was done with before SIGTERM could be sent (status $STATUS): the test proves nothing"
fi
# Started with stdin, stdout and stderr closed, lvmm's own descriptors took 0-2 (seen: the
# signalfd, the stop eventfd and /dev/kvm), so guest output went into its eventfd. /dev/null
# must hold them, and SIGTERM must still end it (143).
"$LVMM" run --test-device -k "$G/spin.img" <&- >&- 2>&- &
pid=$!
sleep 3
fds="$(readlink /proc/$pid/fd/0) $(readlink /proc/$pid/fd/1) $(readlink /proc/$pid/fd/2)"
no_new_privs=$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/$pid/status)
cloexec_fds=0 open_fds=0 # every descriptor lvmm opened itself (3 and up) is close-on-exec
for fdinfo in /proc/$pid/fdinfo/*; do
	fd=${fdinfo##*/}
	[ "$fd" -ge 3 ] || continue
	open_fds=$((open_fds + 1))
	flags=$(sed -n 's/^flags:[[:space:]]*//p' "$fdinfo")
	[ $(( 0$flags & 02000000 )) != 0 ] && cloexec_fds=$((cloexec_fds + 1))
done
kill -TERM $pid
waited=0
while kill -0 $pid 2>/dev/null && [ $waited -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
kill -KILL $pid 2>/dev/null
wait $pid; STATUS=$?
if [ "$open_fds" -gt 0 ] && [ "$cloexec_fds" = "$open_fds" ] && [ "$no_new_privs" = 1 ]; then
	ok "lvmm runs with no_new_privs, and all $open_fds descriptors it opened are close-on-exec"
else
	not_ok "lvmm: NoNewPrivs '$no_new_privs', $cloexec_fds of $open_fds descriptors close-on-exec (wanted 1, all)"
fi
if [ "$fds" = "/dev/null /dev/null /dev/null" ] && [ "$STATUS" = 143 ]; then
	ok "input: started with fds 0-2 closed, lvmm holds them with /dev/null and SIGTERM ends it"
else
	printf '' >"$OUT"; printf '' >"$ERR"
	not_ok "input: started with fds 0-2 closed: fds 0-2 were '$fds', status $STATUS (wanted /dev/null x3, 143)"
fi
# A stdout nobody reads (a paused pipe reader, a stalled log collector): a vCPU used to block in
# write() holding the UART lock, and SIGTERM could not end lvmm. Now guest output that does not
# fit is dropped and counted, and SIGTERM ends lvmm within a second with 143.
rm -f /tmp/stuck.fifo
mkfifo /tmp/stuck.fifo
sleep 120 </tmp/stuck.fifo & # holds the read end open, never reads
reader=$!
"$LVMM" run --test-device -k "$G/flood.img" >/tmp/stuck.fifo 2>"$ERR" &
pid=$!
# SIGTERM once lvmm's buffer has overflowed (it says so), not after a fixed time: how fast the
# guest floods depends on the emulated host's speed (1 MB in 8 s in one CI run, 3 MB in another).
waited=0
while kill -0 $pid 2>/dev/null && ! grep -q 'dropping what does not fit' "$ERR" && [ $waited -lt 600 ]; do
	sleep 0.1; waited=$((waited + 1))
done
sleep 1
kill -TERM $pid
waited=0
while kill -0 $pid 2>/dev/null && [ $waited -lt 10 ]; do sleep 0.1; waited=$((waited + 1)); done
kill -KILL $pid 2>/dev/null
wait $pid; STATUS=$?
kill $reader; wait $reader 2>/dev/null
rm -f /tmp/stuck.fifo
printf '' >"$OUT"
if [ "$STATUS" = 143 ] && [ $waited -lt 10 ] &&
   [ "$(grep -c 'dropping what does not fit' "$ERR")" = 1 ] &&
   grep -q 'dropped [1-9][0-9]* bytes of guest console output' "$ERR"; then
	ok "console: a stdout nobody reads drops guest output (said once, counted at exit), and SIGTERM ends lvmm in $((waited * 100)) ms"
else
	not_ok "console: with a stdout nobody reads, SIGTERM gave status $STATUS after ${waited}00+ ms (wanted 143 within 1 s, one warning, a count)"
fi

# --- bare-metal guests --------------------------------------------------------------------
lvmm_run 30 run --test-device -k "$G/hello.img"; expect "guest: hello reports through the doorbell" 0 \
	"guest: hello from the bare-metal guest" "report psci_version="
for n in 1 2 4; do
	lvmm_run 60 run --test-device -k "$G/smp.img" -c $n; expect "guest: $n vCPUs come up with PSCI CPU_ON" 0 "report cpus=$n\$"
done
lvmm_run 30 run --test-device -k "$G/poweroff.img"; expect "guest: PSCI SYSTEM_OFF exits 0" 0
lvmm_run 30 run --test-device -k "$G/reset.img" --no-reboot; expect "guest: SYSTEM_RESET with --no-reboot exits 3" 3
gzip -c "$G/reset.img" > /tmp/reset.img.gz # each reboot decompresses it again
lvmm_run 8 run --test-device -k /tmp/reset.img.gz --loglevel info
reboots=$(grep -c "guest reset; rebooting" "$ERR")
# Still rebooting when the timeout's SIGTERM came: lvmm's orderly 143 (busybox timeout passes
# on the program's own status), not any failure that happened to be nonzero.
if [ "$STATUS" = 143 ] && [ "$reboots" -ge 3 ]; then ok "guest: SYSTEM_RESET reboots ($reboots reboots in 8 s, then SIGTERM: 143)"
else not_ok "guest: SYSTEM_RESET reboots (status $STATUS, $reboots reboots)"; fi
lvmm_run 30 run --test-device -k "$G/assert_fail.img"; expect "guest: a failed guest assert exits 6" 6 "guest assert failed"
lvmm_run 30 run --test-device -k "$G/exception.img"; expect "guest: an unexpected exception exits 6" 6 "guest assert failed"
lvmm_run 30 run --test-device -k "$G/bad_ucall.img"; expect "guest: bad doorbell addresses and unmapped MMIO are survived" 0 \
	"is not an aligned struct in guest RAM"
# 2000 unknown doorbell commands: a warning each, limited to a burst of 10 per 10 s per message.
lvmm_run 60 run --test-device -k "$G/warning_flood.img"
warnings=$(grep -c 'unknown command 99; ignored' "$ERR")
if [ "$STATUS" = 0 ] && [ "$warnings" = 10 ] && [ "$(wc -l < "$ERR")" -le 11 ]; then
	ok "guest: a flood of 2000 bad doorbell calls gives 10 warning lines, not 2000"
else not_ok "guest: a flood of bad doorbell calls gave $warnings warnings, $(wc -l < "$ERR") stderr lines (wanted 10, at most 11)"; fi
lvmm_run 30 run --test-device -f "$G/hello.img"; expect "guest: --firmware loads a raw binary at the start of RAM" 0 \
	"guest: hello from the bare-metal guest"
lvmm_run 30 run --test-device -k "$G/hello.img" --irqchip gicv3; expect "guest: --irqchip gicv3" 0 "guest: hello"
lvmm_run 30 run --test-device -k "$G/hello.img" --irqchip gicv2
expect_one_line "guest: --irqchip gicv2 on a GICv3-only host gives one clear line" 1 "cannot provide an in-kernel GICv2 (.*): its GIC has no GICv2 compatibility; use --irqchip gicv3"

# --- a hostile guest in a reset storm: lvmm stays up, leaks nothing, stops on SIGTERM --------
# guest/tests/hostile.c: 4 vCPUs hammer every window and the holes between at every width,
# random SMCCC ids over HVC and SMC, hostile PV_SCHED calls, PSCI abuse; then a reset, again.
dd if=/dev/zero of=/tmp/hostile-disk.img bs=1024 count=1024 2>/dev/null
"$LVMM" run --test-device -k "$G/hostile.img" -c 4 --pvsched --rng -d /tmp/hostile-disk.img --console virtio \
	--loglevel info </dev/null >/tmp/hostile.out 2>/tmp/hostile.err &
pid=$!
reboots() { grep -c "guest reset; rebooting" /tmp/hostile.err; }
# await_reboots N: up to 300 s for N reboots while lvmm lives.
await_reboots() { w=0; while kill -0 $pid 2>/dev/null && [ "$(reboots)" -lt "$1" ] && [ $w -lt 600 ]; do sleep 0.5; w=$((w + 1)); done; }
# sample: FDS, THREADS and RSS_KB of the running lvmm, each the most seen in 5 looks 0.2 s
# apart: a reboot's teardown is brief, and a look inside it sees the old VM's threads gone and
# its RAM unmapped (one look at RSS alone read 2408 KiB there, against 6660-6704 in a VM).
sample() {
	FDS=0 THREADS=0 RSS_KB=0
	for look in 1 2 3 4 5; do
		fds=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
		set -- $(awk '/^Threads/ { t = $2 } /^VmRSS/ { r = $2 } END { print t + 0, r + 0 }' \
			/proc/$pid/status 2>/dev/null)
		threads=${1:-0} rss=${2:-0}
		[ "$fds" -gt "$FDS" ] && FDS=$fds
		[ "$threads" -gt "$THREADS" ] && THREADS=$threads
		[ "$rss" -gt "$RSS_KB" ] && RSS_KB=$rss
		sleep 0.2
	done
}
await_reboots 3; sample; first="$(reboots) $FDS $THREADS $RSS_KB"
await_reboots $(( $(reboots) + 8 )); sample; second="$(reboots) $FDS $THREADS $RSS_KB"
alive=no; kill -0 $pid 2>/dev/null && alive=yes
kill -TERM $pid
waited=0
while kill -0 $pid 2>/dev/null && [ $waited -lt 50 ]; do sleep 0.1; waited=$((waited + 1)); done
kill -KILL $pid 2>/dev/null; wait $pid; STATUS=$?
set -- $first $second
# Each boot's hostile driver: every device (rng, disk, console) refuses queue 0 outside RAM.
hostile_reports() { tr -d '\r' < /tmp/hostile.out | sed -n "s/^report $1=//p" | sort -n | uniq -c | tr -s ' \n' ' '; }
virtio_devices=$(hostile_reports hostile_virtio_devices)
virtio_refused=$(hostile_reports hostile_virtio_rings_outside_ram_refused)
virtio_stopped=$(hostile_reports hostile_virtio_random_rings_stopped)
echo "measure hostile_reboots=$1,$5 fds=$2,$6 threads=$3,$7 rss_kb=$4,$8 stop_ms=$((waited * 100)) stderr_bytes=$(wc -c < /tmp/hostile.err)"
echo "measure hostile_virtio (count value): devices=[$virtio_devices] refused_outside_ram=[$virtio_refused] random_rings_stopped=[$virtio_stopped]"
# Every boot that got as far saw 3 devices and had all 3 refuse (a boot cut by the SIGTERM
# may lack its later lines: "count value" pairs, all values 3).
if echo "$virtio_devices" | grep -Eq '^ ?[0-9]+ 3 ?$' && echo "$virtio_refused" | grep -Eq '^ ?[0-9]+ 3 ?$'; then
	ok "hostile guest: each boot's 3 virtio devices refuse queue 0 outside RAM (boots, devices:$virtio_refused)"
else not_ok "hostile guest: virtio devices per boot [$virtio_devices], refused outside RAM [$virtio_refused]"; fi
if [ "$alive" = yes ] && [ "$5" -ge $(( $1 + 8 )) ] && [ "$6" -le "$2" ] && [ "$7" -le "$3" ] &&
   [ "${8:-0}" -le $(( ${4:-0} * 5 / 4 + 2048 )) ] && [ "$STATUS" = 143 ] && [ $waited -le 10 ] &&
   [ "$(wc -c < /tmp/hostile.err)" -lt 1048576 ]; then
	ok "hostile guest: $5 reboots of MMIO/SMCCC/PV sched/PSCI abuse from 4 vCPUs; fds $2 -> $6, threads $3 -> $7, RSS $4 -> $8 KiB; SIGTERM ends it in $((waited * 100)) ms"
else not_ok "hostile guest: alive=$alive, reboots $1 -> $5, fds $2 -> $6, threads $3 -> $7, RSS $4 -> $8 KiB, status $STATUS after SIGTERM in $((waited * 100)) ms"
	tail -n 5 /tmp/hostile.err | sed 's/^/#   /'; fi
rm -f /tmp/hostile-disk.img

# --- signals and lifecycle ----------------------------------------------------------------
for sig in TERM INT; do
	"$LVMM" run --test-device -k "$G/spin.img" -c 2 </dev/null >"$OUT" 2>"$ERR" &
	pid=$!
	sleep 1
	threads=$(ls /proc/$pid/task 2>/dev/null | wc -l)
	kill -$sig $pid
	wait $pid; STATUS=$?
	want=143; [ $sig = INT ] && want=130
	if [ "$threads" -ge 3 ] && [ "$STATUS" = $want ] && [ ! -d /proc/$pid ]; then
		ok "lifecycle: SIG$sig stops a running guest with status $want ($threads threads while running)"
	else
		not_ok "lifecycle: SIG$sig (threads $threads, status $STATUS, wanted $want)"
	fi
done

# --- the kick primitive -------------------------------------------------------------------
timeout 300 "$PAYLOAD/kick-race-test" >"$OUT" 2>"$ERR"; STATUS=$?
sed 's/^/# /' "$OUT"
expect "kick: no kick is lost before, during or after KVM_RUN" 0 "KICK-RACE PASS"

fi # general

# --- PV sched -------------------------------------------------------------------------------
if part pvsched; then
mode_word=$(echo "$PVSCHED_MODE" | tr - _)
lvmm_run 30 run --test-device -k "$G/pvsched_calls.img" -c 2 --pvsched --pvsched-stats
expect "pvsched: every call and every error return as documented ($PVSCHED_MODE host)" 0 \
	"report mode_$mode_word=1" "all PV_SCHED calls answered as documented" "kick_cpu.invalid_parameter=3"
said=$(grep -c "lacks KVM_CAP_ARM_PV_SCHED" "$ERR")
want_said=0; [ "$PVSCHED_MODE" = kick-only ] && want_said=1
if [ "$said" = "$want_said" ]; then ok "pvsched: the kick-only warning appears $want_said time(s)"
else not_ok "pvsched: the kick-only warning appears $want_said time(s) (it appeared $said)"; fi
lvmm_run 30 run --test-device -k "$G/pvsched_calls.img" -c 2
expect "pvsched: without --pvsched the guest sees none of it" 0 "report mode_absent=1"
lvmm_run 60 run --test-device -k "$G/pvsched_wake.img" -c 2 --pvsched --pvsched-stats
expect "pvsched: KICK_CPU wakes a vCPU blocked in WFI (64 rounds, latency reported)" 0 \
	"report kick_wake_ticks_median=" "kicks_received=64$"
tr -d '\r' < "$OUT" | sed -n 's/^report \(.*_ticks_.*\|counter_hz\)=/measure \1=/p'
lvmm_run 240 run --test-device -k "$G/pvsched_race.img" -c 2 --pvsched
expect "pvsched: 10000 kicks landing between the check and the WFI, none lost" 0 \
	"report race_rounds_without_a_lost_kick=10000" "report race_kicks_pending_at_wfi="
tr -d '\r' < "$OUT" | sed -n 's/^report \(race_spurious_wakeups\|race_kicks_pending_at_wfi\)=/measure \1=/p'
lvmm_run 60 run --test-device -k "$G/pvsched_race_control.img" -c 2 --pvsched
dropped=$(tr -d '\r' < "$OUT" | sed -n 's/^report control_dropped_pending_kick_round=//p')
expect "pvsched: without the latch, the first kick landing before the WFI is lost and caught" 6 \
	"report control_dropped_pending_kick_round=[0-9]" "report lost_kick_round=${dropped:-none}\$"
lvmm_run 180 run --test-device -k "$G/pvsched_storm.img" -c 4 --pvsched --pvsched-stats=json
expect "pvsched: a kick storm from 4 vCPUs is survived and counted" 0 \
	"report storm_kicks=20000" '"vcpu":3,.*"kick_cpu_success":4000,"kick_cpu_not_supported":0,"kick_cpu_invalid_parameter":1000'
if [ "$PVSCHED_MODE" = full ]; then # the stock-kernel boot runs only this part: no need twice
lvmm_run 120 run --test-device -k "$G/exit_costs.img" --pvsched --pmu -p "iterations=4096"
expect "exit costs: every operation measured with --pvsched --pmu" 0 "report iterations=4096" \
	"report loop_baseline_ticks=" "report hvc_psci_version_ticks=" "report hvc_pvsched_forwarded_ticks=" \
	"report mmio_read_lvmm_ticks=" "report mmio_write_lvmm_ticks=" "report sgi_self_ticks=" \
	"report sysreg_pmselr_ticks="
tr -d '\r' < "$OUT" | sed -n 's/^report \(.*_ticks\)=/measure exit_\1_per_4096=/p'
lvmm_run 120 run --test-device -k "$G/exit_costs.img" -p "iterations=16"
expect "exit costs: without --pvsched and --pmu those two are skipped, the rest measured" 0 \
	"report hvc_pvsched_forwarded_skipped=1" "report sysreg_pmselr_skipped=1" "report sgi_self_ticks="
fi
lvmm_run 30 run --test-device -k "$G/hello.img" --pvsched-stats
expect_one_line "pvsched: --pvsched-stats without --pvsched" 2 "needs --pvsched"
lvmm_run 30 run --test-device -k "$G/hello.img" --pvsched=idle
expect_one_line "pvsched: an unknown --pvsched semantics" 2 "invalid --pvsched 'idle'"
if [ "$PVSCHED_MODE" = full ]; then
	lvmm_run 60 run --test-device -k "$G/pvsched_idle.img" -c 2 --pvsched=idle-preempted
	expect "pvsched: with --pvsched=idle-preempted a vCPU idle in WFI reads preempted" 0 \
		"report idle_preempted=1" "report idle_vcpu_preempted_samples=[1-9]"
	tr -d '\r' < "$OUT" | sed -n 's/^report \(idle_vcpu_.*\)=/measure idle_preempted_\1=/p'
	lvmm_run 60 run --test-device -k "$G/pvsched_idle.img" -c 2 --pvsched
	expect "pvsched: with --pvsched a vCPU idle in WFI never reads preempted" 0 \
		"report idle_preempted=0" "report idle_vcpu_preempted_samples=0\$"
else
	lvmm_run 60 run --test-device -k "$G/pvsched_idle.img" -c 2 --pvsched=idle-preempted
	expect_one_line "pvsched: --pvsched=idle-preempted on a host without the flag gives one clear line" 1 \
		"--pvsched=idle-preempted needs KVM_ARM_PV_SCHED_IDLE_PREEMPTED.*lacks KVM_CAP_ARM_PV_SCHED; use --pvsched"
fi
lvmm_run 180 run -k "$IMAGE" -i "$INITRD" -c 2 -p "quiet" --pvsched
expect "linux: with --pvsched the guest finds the pvsched node" 0 "LVMM-GUEST: pvsched-node=yes"
fi # pvsched

# --- PV sched with KVM_CAP_ARM_PV_SCHED (the patched kernel) --------------------------------
if part pvsched && [ "$PVSCHED_MODE" = full ]; then
# The series' own selftest (tools/testing/selftests/kvm/aarch64/pvsched_test.c): each of its
# tests becomes one check here; the last check says it ran them all.
timeout 600 "$PAYLOAD/pvsched_test" >"$OUT" 2>"$ERR"; STATUS=$?
grep -v -E '^(ok|not ok) [0-9]+ ' "$OUT" | sed 's/^#* */# selftest: /'
sed -n -E 's/^(ok|not ok) [0-9]+ (.*)$/\1 - kvm selftest pvsched_test: \2/p' "$OUT"
expect "kvm selftest pvsched_test: all 12 tests ran and passed" 0 "Totals: pass:12 fail:0 xfail:0 xpass:0 skip:0 error:0"
for semantics in runnable idle-preempted; do
	want=0; [ $semantics = idle-preempted ] && want=1
	# Both vCPU threads (--vcpu-affinity 1) and a CPU hog share host CPU 1.
	taskset -c 1 sh -c 'while :; do :; done' &
	hog=$!
	timeout 180 "$LVMM" run --vcpu-affinity 1 --test-device -k "$G/pvsched_preempted.img" -c 2 --pvsched=$semantics \
		</dev/null >"$OUT" 2>"$ERR"; STATUS=$?
	kill $hog; wait $hog 2>/dev/null
	expect "pvsched ($semantics): under contention the flag rises and falls, WFI reads as documented, guest registrations end at release and reset" 0 \
		"report idle_preempted=$want" "report alternating_rises=" "report released_structure_untouched=1" \
		"report dropped_structure_untouched=1"
	tr -d '\r' < "$OUT" | sed -n "s/^report \(spinning_.*\|alternating_.*\|wfi_.*\)=/measure preempted_${semantics}_\1=/p"
done
taskset -c 1 sh -c 'while :; do :; done' &
hog=$!
timeout 180 "$LVMM" run --vcpu-affinity 1 -k "$IMAGE" -i "$INITRD" -c 2 --pvsched \
	-p "quiet lvmm.action=pvsched-sample lvmm.busy=1" </dev/null >"$OUT" 2>"$ERR"
STATUS=$?
kill $hog; wait $hog 2>/dev/null
busy=$(tr -d '\r' < "$OUT" | sed -n 's/.*pvsched-samples=300 preempted=\([0-9]*\).*/\1/p')
echo "measure linux_guest_cpu1_preempted_samples_of_300_under_contention=${busy:-none}"
if [ "$STATUS" = 0 ] && [ -n "$busy" ] && [ "$busy" -gt 0 ]; then
	ok "linux: the guest's vcpu_is_preempted() data shows CPU 1 preempted under host contention ($busy/300)"
else not_ok "linux: the guest's debugfs shows CPU 1 preempted under host contention (got '${busy:-nothing}')"; fi
lvmm_run 180 run -k "$IMAGE" -i "$INITRD" -c 2 --pvsched -p "quiet lvmm.action=pvsched-sample"
idle=$(tr -d '\r' < "$OUT" | sed -n 's/.*pvsched-samples=300 preempted=\([0-9]*\).*/\1/p')
echo "measure linux_guest_cpu1_preempted_samples_of_300_idle_host=${idle:-none}"
# An idle CPU 1 still wakes for ticks, and its vCPU thread, unpinned, can then really be preempted
# on the host (by vCPU 0's thread, by a kworker): a few samples of 300 are the truth, not a bug.
# WFI read as preempted (the idle-preempted semantics leaking) shows in most samples. The
# guest's sampler stays on CPU 0 (guest/linux-init/init); before it did, CPU 1 often ran the
# sampler's own greps and idle-preempted read 12 to 231 of 300 over 23 runs. Pinned, in one
# emulated-host session (2026-12-05): runnable 0 in 4 runs, idle-preempted 280-293 in 4.
# So runnable may show at most 15 (5%), and idle-preempted must show more than half.
idle_tolerance=15
if [ "$STATUS" = 0 ] && [ -n "$idle" ] && [ "$idle" -le $idle_tolerance ]; then
	ok "linux: with an idle host and an idle CPU 1 the flag shows preempted in at most $idle_tolerance of 300 samples ($idle)"
else not_ok "linux: idle host shows preemption in more than $idle_tolerance of 300 samples (got '${idle:-nothing}')"; fi
lvmm_run 180 run -k "$IMAGE" -i "$INITRD" -c 2 --pvsched=idle-preempted -p "quiet lvmm.action=pvsched-sample"
idle=$(tr -d '\r' < "$OUT" | sed -n 's/.*pvsched-samples=300 preempted=\([0-9]*\).*/\1/p')
echo "measure linux_guest_cpu1_preempted_samples_of_300_idle_host_idle_preempted=${idle:-none}"
expect "linux: with --pvsched=idle-preempted an idle CPU 1 reads preempted, and the guest knows the semantics" 0 \
	"LVMM-GUEST: pvsched semantics idle-preempted" "pvsched-samples=300 preempted=[1-9]"
if [ -n "$idle" ] && [ "$idle" -gt 150 ]; then
	ok "linux: idle-preempted reads an idle CPU 1 preempted in most samples ($idle > 150 of 300; runnable may show $idle_tolerance)"
else not_ok "linux: idle-preempted does not read an idle CPU 1 preempted in most samples (got '${idle:-nothing}', need > 150 of 300)"; fi
# kexec: the second kernel must find the flags maintained for CPU 1, which the host reset when
# the new kernel brought it up again; and neither kernel gave the host guest RAM to write to.
taskset -c 1 sh -c 'while :; do :; done' &
hog=$!
timeout 300 "$LVMM" run --vcpu-affinity 1 -k "$IMAGE" -i "$PAYLOAD/guest-initrd-kexec.cpio.gz" -c 2 \
	-m 512 --pvsched --pvsched-stats=json -p "quiet lvmm.action=kexec" </dev/null >"$OUT" 2>"$ERR"
STATUS=$?
kill $hog; wait $hog 2>/dev/null
busy=$(tr -d '\r' < "$OUT" | sed -n 's/.*pvsched-samples=300 preempted=\([0-9]*\).*/\1/p')
echo "measure linux_after_kexec_cpu1_preempted_samples_of_300_under_contention=${busy:-none}"
expect "linux: after a kexec the new kernel sees CPU 1 preempted under contention, no guest RAM registered" 0 \
	"LVMM-GUEST: booted by kexec" "pvsched-samples=300 preempted=[1-9]" \
	'"vcpu":1,"features_success":0,"features_not_supported":0,"features_invalid_parameter":0,"ipa_init_success":0,' \
	'"vcpu":0,"features_success":0,"features_not_supported":0,"features_invalid_parameter":0,"ipa_init_success":0,'
fi # pvsched full

if part general; then

# --- device tree --------------------------------------------------------------------------
lvmm_run 30 run --test-device -k "$G/hello.img" -c 2 -p "dtb-test-args" --pmu --kaslr-seed 0x1122334455667788 \
	--dump-dtb /tmp/dump.dtb
expect "dtb: --dump-dtb writes the tree and the guest still runs" 0 "guest: hello"
if [ -s /tmp/dump.dtb ]; then
	echo "DTB-BEGIN"; base64 /tmp/dump.dtb; echo "DTB-END"
fi
# The test device is opt-in: without --test-device a guest finds no doorbell to end lvmm with.
rm -f /tmp/no-test-device.dtb
lvmm_run 30 run -k "$G/poweroff.img" --dump-dtb /tmp/no-test-device.dtb
if [ "$STATUS" = 0 ] && [ -s /tmp/no-test-device.dtb ] && grep -q "ns16550a" /tmp/no-test-device.dtb &&
   ! grep -q "lvmm,doorbell-v1" /tmp/no-test-device.dtb && grep -q "lvmm,doorbell-v1" /tmp/dump.dtb; then
	ok "dtb: the test device is in the tree only with --test-device"
else not_ok "dtb: test device node without --test-device, or missing with it (status $STATUS)"; fi

# --- Linux guests -------------------------------------------------------------------------
for n in 1 2 4; do
	lvmm_run 180 run --test-device -k "$IMAGE" -i "$INITRD" -c $n -m 256 -p "quiet lvmm.cmdline-check=$n" --loglevel info
	expect "linux: boots to init with $n vCPU(s) and sees them" 0 "LVMM-GUEST: init reached" \
		"LVMM-GUEST: cpus=$n\$" "LVMM-GUEST: cmdline=.*lvmm.cmdline-check=$n" \
		"LVMM-GUEST: token=initrd-token-7f3a" "guest powered off" \
		"vCPU 0 first KVM_RUN at CLOCK_MONOTONIC [0-9]* ns, [0-9.]* s after lvmm started"
	marker=$(sed -n 's/.*guest marker 1 at \([0-9.]*\) s.*/\1/p' "$ERR")
	[ -n "$marker" ] && echo "measure linux_init_seconds_${n}cpu=$marker"
done
lvmm_run 180 run -k "$IMAGE" -i "$INITRD" -c 2 -p "quiet"
expect "linux: without --pvsched the guest finds no pvsched node" 0 "LVMM-GUEST: pvsched-node=no"
lvmm_run 180 run -k "$IMAGE" -i "$INITRD" -p "quiet lvmm.action=panic panic=-1"
expect "linux: a guest panic exits 4" 4 "guest kernel panicked"
lvmm_run 180 run -k "$IMAGE" -i "$INITRD" -p "quiet lvmm.action=reboot" --no-reboot
expect "linux: reboot with --no-reboot exits 3" 3
lvmm_run 180 run -k "$IMAGE" -i "$INITRD" --nodefaults -p "console=ttyS0 quiet lvmm.action=rtc"
expect "linux: the PL031 gives the guest wall-clock time" 0 "LVMM-GUEST: rtc-year=20[2-9][0-9]"

# --- footprint: RSS outside guest RAM while a Linux guest runs ------------------------------
"$LVMM" run -k "$IMAGE" -i "$INITRD" -m 256 -p "quiet lvmm.action=sleep" </dev/null >"$OUT" 2>"$ERR" &
pid=$!
sleep 6
# smaps: every mapping but guest RAM (the one whose Size is the 256 MiB given with -m).
rss=$(awk '/^Size:/ { skip = ($2 == 262144) } /^Rss:/ && !skip { sum += $2 } END { print sum }' \
	/proc/$pid/smaps 2>/dev/null)
# Guest RAM in transparent huge pages (vmm/vm.c): what the booted guest touched is in 2 MiB pages.
ram_huge_kib=$(awk '/^Size:/ { ram = ($2 == 262144) } /^AnonHugePages:/ && ram { print $2 }' \
	/proc/$pid/smaps 2>/dev/null)
ram_start=$(awk '/^[0-9a-f]+-[0-9a-f]+ / { range = $1 } /^Size:/ && $2 == 262144 { split(range, a, "-"); print a[1] }' \
	/proc/$pid/smaps 2>/dev/null)
wait $pid
[ -n "$rss" ] && echo "measure lvmm_rss_kib_excluding_guest_ram=$rss"
thp_mode=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
if [ -z "$thp_mode" ] || echo "$thp_mode" | grep -q '\[never\]'; then
	skip "guest RAM is backed by transparent huge pages" "this host has none: '$thp_mode'"
elif [ -n "$ram_huge_kib" ] && [ "$ram_huge_kib" -ge 4096 ] && [ -n "$ram_start" ] &&
     [ $((0x$ram_start % 2097152)) = 0 ]; then
	ok "guest RAM is backed by transparent huge pages ($ram_huge_kib KiB of it after boot, at 0x$ram_start)"
else
	not_ok "guest RAM is not in huge pages: AnonHugePages '$ram_huge_kib' KiB, start 0x$ram_start (THP: $thp_mode)"
fi
echo "measure lvmm_static_binary_bytes=$(wc -c < "$LVMM")"

# --- virtio devices (docs/memory-map.md) -----------------------------------------------------
md5() { md5sum | cut -d' ' -f1; }
dd if=/dev/zero of=/tmp/disk0.img bs=1048576 count=4 2>/dev/null
lvmm_run 180 run --loglevel debug -k "$IMAGE" -i "$INITRD" -p "quiet lvmm.action=disk-write" -d /tmp/disk0.img
expect "virtio-blk: the guest writes and flushes its disk, whose serial and size are the image's" 0 \
	"LVMM-GUEST: disk-written serial=lvmm-disk0 sectors=8192"
# ... and at --loglevel debug lvmm says what the guest asked of the disk (the 1 MiB pattern
# written, at least one flush) and its own time per request, the file's I/O a part of it.
blk_stats=$(grep "virtio-blk '/tmp/disk0.img': [0-9]* requests" "$ERR")
blk_ms=$(echo "$blk_stats" | sed -n 's/.*per request \([0-9.]*\) ms in lvmm.s I\/O threads, \([0-9.]*\) ms of it.*/\1 \2/p')
blk_mib=$(echo "$blk_stats" | sed -n 's/.*), \([0-9.]*\) MiB, in .*/\1/p')
blk_segments=$(echo "$blk_stats" | sed -n 's/.*; per read or write \([0-9.]*\) data segments;.*/\1/p')
blk_workers=$(echo "$blk_stats" | sed -n 's/.*; at most \([0-9]*\) requests in service at once, by \([0-9]*\) workers$/\1 \2/p')
if echo "$blk_stats" | grep -qE "[0-9]+ reads, [1-9][0-9]* writes, [1-9][0-9]* flushes" &&
   [ -n "$blk_mib" ] && [ -n "$blk_ms" ] && [ -n "$blk_segments" ] && [ -n "$blk_workers" ] &&
   awk -v mib="$blk_mib" -v a="${blk_ms% *}" -v b="${blk_ms#* }" -v segments="$blk_segments" \
	-v most="${blk_workers% *}" -v workers="${blk_workers#* }" \
	'BEGIN { exit !(mib >= 1 && a > 0 && b > 0 && b <= a && segments >= 1 && most >= 1 && most <= workers) }'; then
	ok "virtio-blk: --loglevel debug counts the guest's writes and flushes, lvmm's time per request ($blk_ms ms), the data segments per read or write ($blk_segments) and the requests in service at once (at most ${blk_workers% *} of ${blk_workers#* } workers)"
else not_ok "virtio-blk: --loglevel debug gave no request counts or times: '$blk_stats'"; fi
# Not "want": expect() uses that name.
pattern_md5=$(yes LVMM-DISK-PATTERN | head -c 1048576 | md5)
if [ "$STATUS" = 0 ] && [ "$(head -c 1048576 /tmp/disk0.img | md5)" = "$pattern_md5" ] &&
   [ "$(tail -c +1048577 /tmp/disk0.img | tr -d '\000' | wc -c)" = 0 ]; then
	ok "virtio-blk: the image holds the guest's pattern byte for byte, and nothing past it"
else not_ok "virtio-blk: the image does not hold the guest's pattern"; fi

dd if=/dev/urandom of=/tmp/disk1.img bs=1048576 count=1 2>/dev/null
disk0_md5=$(md5 < /tmp/disk0.img) disk1_md5=$(md5 < /tmp/disk1.img)
lvmm_run 180 run -k "$IMAGE" -i "$INITRD" -p "quiet lvmm.action=disk-read" -d /tmp/disk0.img -d /tmp/disk1.img,ro
expect "virtio-blk: two disks read back as their images, the ,ro one read-only" 0 \
	"LVMM-GUEST: disk vda ro=0 md5=$disk0_md5" "LVMM-GUEST: disk vdb ro=1 md5=$disk1_md5"
lvmm_run 180 run -k "$IMAGE" -i "$INITRD" -p "quiet lvmm.action=disk-ro" -d /tmp/disk1.img,ro
if [ "$STATUS" = 0 ] && grep -q "ro-device-refused-write" "$OUT" && ! grep -q "allowed-write" "$OUT" &&
   [ "$(md5 < /tmp/disk1.img)" = "$disk1_md5" ]; then
	ok "virtio-blk: a read-only disk refuses a write with an I/O error the guest sees; the image is unchanged"
else not_ok "virtio-blk: a read-only disk took a write, or the guest saw no error"; fi

# A flushed write must be in the image even if lvmm dies at once; while it runs, its image is
# locked against a second lvmm.
dd if=/dev/zero of=/tmp/disk2.img bs=1048576 count=2 2>/dev/null
"$LVMM" run -k "$IMAGE" -i "$INITRD" -p "quiet lvmm.action=disk-write-hold" -d /tmp/disk2.img \
	</dev/null >/tmp/hold.out 2>/tmp/hold.err &
pid=$!
n=0
while [ $n -lt 400 ] && ! grep -q "disk-written" /tmp/hold.out; do sleep 1; n=$((n + 1)); done
lvmm_run 30 run -k "$IMAGE" -i "$INITRD" -d /tmp/disk2.img
expect_one_line "virtio-blk: a disk another lvmm has open read-write is refused, by name" 1 "locked by another program"
kill -9 $pid 2>/dev/null; wait $pid; STATUS=$?
if [ "$STATUS" = 137 ] && grep -q "disk-written" /tmp/hold.out &&
   [ "$(head -c 1048576 /tmp/disk2.img | md5)" = "$pattern_md5" ]; then
	ok "virtio-blk: a flushed write survives a SIGKILL of lvmm"
else
	not_ok "virtio-blk: a flushed write was lost when lvmm was killed (status $STATUS)"
	echo "# image md5 $(head -c 1048576 /tmp/disk2.img | md5), pattern md5 $pattern_md5"
	tail -n 5 /tmp/hold.out /tmp/hold.err | sed 's/^/#   /'
fi

lvmm_run 10 run -k "$IMAGE" -d /nonexistent.img; expect_one_line "virtio-blk: a missing disk" 1 "cannot open disk '/nonexistent.img'"
lvmm_run 10 run -k "$IMAGE" -d /tmp; expect_one_line "virtio-blk: a directory as a disk" 1 "disk '/tmp' is a directory"
set -- --rng
n=0; while [ $n -lt 32 ]; do set -- "$@" -d /tmp/disk1.img,ro; n=$((n + 1)); done
lvmm_run 30 run -k "$IMAGE" "$@"
expect_one_line "virtio: more devices than virtio-mmio slots are refused" 1 "too many virtio-blk devices"

lvmm_run 180 run -k "$IMAGE" -i "$INITRD" -p "quiet lvmm.action=hwrng" --rng
if [ "$STATUS" = 0 ] && grep -q "hwrng current=virtio_rng" "$OUT" &&
   bytes=$(sed -n 's/.*hwrng bytes=\([0-9a-f]*\).*/\1/p' "$OUT" | tr -d '\r') &&
   [ ${#bytes} = 64 ] && [ "$bytes" != "$(printf '%064d' 0)" ]; then
	ok "virtio-rng: the guest's /dev/hwrng is virtio_rng and gives random bytes"
else not_ok "virtio-rng: no random bytes from /dev/hwrng"; fi

# 2 MiB of numbered lines through hvc0: every line, in order, nothing else in between.
lvmm_run 600 run -k "$IMAGE" -i "$INITRD" --console virtio -p "quiet lvmm.action=console-flood lvmm.flood_kb=2048"
flood_md5=$(awk 'BEGIN { for (i = 0; i < 32768; i++) printf "LVMM-FLOOD %08d 0123456789abcdefghijklmnopqrstuvwxyzABCDEFG\n", i }' | md5)
if [ "$STATUS" = 0 ] && grep -q "flood-done" "$OUT" &&
   [ "$(tr -d '\r' < "$OUT" | grep '^LVMM-FLOOD' | md5)" = "$flood_md5" ]; then
	ok "virtio-console: 2 MiB of guest output on hvc0 arrive intact and in order"
else not_ok "virtio-console: output on hvc0 was lost or changed ($(grep -c '^LVMM-FLOOD' "$OUT") lines)"; fi
# Typed once the shell is up: a shell's line editor discards input that came before it.
rm -f /tmp/hvc.fifo; mkfifo /tmp/hvc.fifo
timeout 300 "$LVMM" run -k "$IMAGE" -i "$INITRD" --console virtio -p "quiet lvmm.action=shell" \
	</tmp/hvc.fifo >"$OUT" 2>"$ERR" &
pid=$!
exec 3>/tmp/hvc.fifo
n=0
while [ $n -lt 240 ] && ! grep -q "^/ # " "$OUT"; do sleep 1; n=$((n + 1)); done
sleep 2
printf 'echo hvc-$((6 * 7))\r' >&3
sleep 5
printf 'exit\r' >&3
exec 3>&-
wait $pid; STATUS=$?
expect "virtio-console: a shell on hvc0 takes input and answers" 0 "LVMM-GUEST: shell" "^hvc-42"

# Debian's own arm64 kernel, its virtio drivers loaded as modules from the initrd. Its console
# driver loads after /dev/console is set, so the console stays ttyS0 and hvc0 is written to.
dd if=/dev/urandom of=/tmp/disk3.img bs=1048576 count=1 2>/dev/null
lvmm_run 900 run -k "$PAYLOAD/debian/Image" -i "$PAYLOAD/debian/initrd.cpio.gz" -m 512 -c 2 \
	--nodefaults -p "console=ttyS0 quiet lvmm.action=devices" -d /tmp/disk3.img --rng --console virtio
expect "debian kernel: its virtio modules drive lvmm's disk, entropy and console" 0 \
	"LVMM-GUEST: modules .*virtio_blk" "LVMM-GUEST: disk vda ro=0 md5=$(md5 < /tmp/disk3.img)" \
	"LVMM-GUEST: hwrng current=virtio_rng" "LVMM-GUEST: written to hvc0"
fi # general

if part general; then
# --- what kvm-unit-tests' runner relies on when it drives kvmtool (KVMTOOL=lvmm) -------------
# Its probes and options, as scripts/arch-run.bash and scripts/vmm.bash use them.
KUT_OPTS="--nodefaults --network mode=none --loglevel=warning"
"$LVMM" --help 2>/dev/null | grep -q 'The most commonly used'; STATUS=$?
expect "kvm-unit-tests: lvmm --help is recognised as kvmtool's" 0
lvmm_run 10 run --kernel _NO_FILE_4Uhere_ --cpus 1 --params "" $KUT_OPTS
expect "kvm-unit-tests: the missing-kernel probe gets kvmtool's line" 1 "Fatal: Unable to open kernel _NO_FILE_4Uhere_"
# A GIC the host cannot make is what lvmm reports, before the kernel is even opened: the runner
# then skips the test (gicv2-* on a GICv3 host without GICv2 compatibility), as with kvmtool.
lvmm_run 10 run --kernel _NO_FILE_4Uhere_ --cpus 1 --params "" $KUT_OPTS --irqchip=gicv2
expect_one_line "kvm-unit-tests: a GIC the host lacks is reported before the kernel is opened, as kvmtool does" 1 \
	"cannot provide an in-kernel GICv2 (No such device): its GIC has no GICv2 compatibility"
printf 'ERRATA_LVMM=y\nKUT_ENV_TEST=42\n' > /tmp/kut-env
lvmm_run 60 run --kernel "$G/flat_initrd.flat" --cpus 1 --params "status=0" $KUT_OPTS --initrd /tmp/kut-env
expect "kvm-unit-tests: a header-less .flat as --kernel runs at RAM + 0x80000 with its --initrd, EXIT: STATUS=1" 0 \
	"flat guest: running at RAM + 0x80000" "initrd: ERRATA_LVMM=y" "KUT_ENV_TEST=42" "^EXIT: STATUS=1$"
lvmm_run 60 run --kernel "$G/flat_initrd.flat" --cpus 2 --params "status=3" $KUT_OPTS
expect "kvm-unit-tests: a failing .flat reports EXIT: STATUS=7 and lvmm exits 0, as kvmtool" 0 \
	"initrd: none" "^EXIT: STATUS=7$"

# --irqchip gicv3-its (kvmtool's spelling): Linux finds the ITS the DT describes and sets it up.
lvmm_run 300 run -k "$IMAGE" -i "$INITRD" --irqchip gicv3-its -c 2 -p "lvmm.action=poweroff"
expect "gic: with --irqchip gicv3-its Linux finds and uses the ITS at 0x08080000" 0 \
	"ITS \[mem 0x08080000-0x0809ffff\]" "ITS@0x0000000008080000: allocated .* Devices"

# --- placement, steal time and CPU features (kvmtool parity) --------------------------------
# vcpu_affinities PID: "lvmm-vcpuN=CPULIST" for each vCPU thread, sorted, on one line.
vcpu_affinities() {
	for task in /proc/$1/task/*; do
		name=$(cat "$task/comm" 2>/dev/null)
		case "$name" in lvmm-vcpu*)
			echo "$name=$(awk '/^Cpus_allowed_list/ { print $2 }' "$task/status")" ;;
		esac
	done | sort | tr '\n' ' '
}
# placed_boot ARGS...: boots a sleeping guest with ARGS and, once its init runs, sets PLACED to
# its vCPU threads' affinities and MAIN_PLACED to the main thread's; then stops it.
placed_boot() {
	"$LVMM" run -k "$IMAGE" -i "$INITRD" -p "quiet lvmm.action=sleep" "$@" </dev/null >"$OUT" 2>"$ERR" &
	pid=$!
	waited=0
	while ! grep -q "init reached" "$OUT" && [ $waited -lt 120 ]; do sleep 1; waited=$((waited + 1)); done
	PLACED=$(vcpu_affinities $pid)
	THREAD_NAMES=$(cat /proc/$pid/task/*/comm 2>/dev/null | sort | tr '\n' ' ')
	MAIN_PLACED=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/$pid/status)
	kill -TERM $pid; wait $pid
}
placed_boot -c 2 --vcpu-affinity 1
if [ "$PLACED" = "lvmm-vcpu0=1 lvmm-vcpu1=1 " ] && [ "$MAIN_PLACED" = "0-$(($(nproc) - 1))" ]; then
	ok "placement: --vcpu-affinity 1 pins every vCPU thread to CPU 1 and leaves lvmm's other threads free"
else not_ok "placement: --vcpu-affinity 1: vCPU threads '$PLACED' (wanted both on 1), main thread '$MAIN_PLACED'"; fi
dd if=/dev/zero of=/tmp/names-disk.img bs=1048576 count=1 2>/dev/null
placed_boot -c 1 --rng --console virtio -d /tmp/names-disk.img
rm -f /tmp/names-disk.img
named=0
for name in lvmm-vcpu0 lvmm-virtio-con lvmm-virtio-rng lvmm-virtio-blk lvmm-blk-w0 lvmm-blk-w1 \
	lvmm-blk-w2 lvmm-blk-w3; do
	case " $THREAD_NAMES" in *" $name "*) named=$((named + 1)) ;; esac
done
if [ $named = 8 ]; then
	ok "threads: each device's I/O thread is named after its device, a disk's workers after the disk ($THREAD_NAMES)"
else not_ok "threads: wanted lvmm-vcpu0, lvmm-virtio-con, lvmm-virtio-rng, lvmm-virtio-blk and lvmm-blk-w0 to w3 among '$THREAD_NAMES'"; fi
placed_boot -c 2 --vcpu-affinity 0:1 --vcpu-affinity 1:0
if [ "$PLACED" = "lvmm-vcpu0=1 lvmm-vcpu1=0 " ]; then
	ok "placement: --vcpu-affinity VCPU:CPULIST pins each vCPU to its own CPU"
else not_ok "placement: per-vCPU --vcpu-affinity 0:1 1:0 gave '$PLACED'"; fi
lvmm_run 60 run -k "$IMAGE" -i "$INITRD" --vcpu-affinity 7-9
expect_one_line "placement: a --vcpu-affinity naming no CPU of this host is refused with one line" 1 \
	"gives vCPU 0 host CPUs 7-9, none of which lvmm may run on (it may use 0-1)"
timeout 60 taskset -c 0 "$LVMM" run -k "$IMAGE" -i "$INITRD" -c 2 --vcpu-affinity 1:1 </dev/null >"$OUT" 2>"$ERR"
STATUS=$?
expect_one_line "placement: a CPU outside lvmm's own affinity (taskset -c 0) is refused with one line" 1 \
	"gives vCPU 1 host CPUs 1, none of which lvmm may run on (it may use 0)"

# Steal time: one vCPU pinned beside a host CPU hog must see steal; alone it must not; and
# without PV time (--no-pvtime) the guest has no steal clock at all, hog or not.
# steal_boot HOG(0|1) ARGS...: sets STEAL to the guest's steal ticks over a 4 s spin.
steal_boot() {
	with_hog=$1; shift
	if [ "$with_hog" = 1 ]; then taskset -c 1 sh -c 'while :; do :; done' & hog=$!; fi
	lvmm_run 300 run -k "$IMAGE" -i "$INITRD" -c 1 --vcpu-affinity 1 \
		-p "quiet lvmm.action=steal lvmm.spin_seconds=4" "$@"
	[ "$with_hog" = 1 ] && { kill $hog; wait $hog 2>/dev/null; }
	STEAL=$(tr -d '\r' < "$OUT" | sed -n 's/^LVMM-GUEST: steal-ticks=\([0-9]*\).*/\1/p')
	echo "measure steal_ticks_hog${with_hog}$(echo "$*" | tr -d ' -')=${STEAL:-none}"
}
steal_boot 1
if [ "$STATUS" = 0 ] && [ -n "$STEAL" ] && [ "$STEAL" -ge 100 ] &&
   tr -d '\r' < "$OUT" | grep -q "pvtime-guest=1" && tr -d '\r' < "$OUT" | grep -q "pvtime-node=yes"; then
	ok "steal time: a vCPU sharing its CPU with a host hog sees steal ($STEAL of 400 ticks in a 4 s spin)"
else not_ok "steal time: with a host hog on the vCPU's CPU the guest saw ${STEAL:-no} steal ticks in 400 (wanted >= 100)"; fi
steal_boot 0
if [ "$STATUS" = 0 ] && [ -n "$STEAL" ] && [ "$STEAL" -le 20 ]; then
	ok "steal time: on an idle host the steal column stays flat ($STEAL of 400 ticks)"
else not_ok "steal time: on an idle host the guest saw ${STEAL:-no} steal ticks in 400 (wanted <= 20)"; fi
steal_boot 1 --no-pvtime
if [ "$STATUS" = 0 ] && [ "$STEAL" = 0 ] && tr -d '\r' < "$OUT" | grep -q "pvtime-guest=0" &&
   tr -d '\r' < "$OUT" | grep -q "pvtime-node=no"; then
	ok "steal time: --no-pvtime gives the guest no steal clock and no region, even beside a hog"
else not_ok "steal time: --no-pvtime beside a hog: ${STEAL:-no} steal ticks (wanted 0), or PV time still found"; fi

# CPU features: SVE and pointer authentication are given whenever KVM offers them (this
# host's CPU has both; MTE it does not have), withheld on request, and SVE's length is capped.
lvmm_run 300 run -k "$IMAGE" -i "$INITRD" --loglevel info -p "quiet lvmm.action=cpu-features"
expect "cpu features: the guest gets SVE and pointer authentication, and lvmm says so" 0 \
	"CPU features given to the guest: SVE (vectors up to [0-9]* bits), pointer authentication (address and generic); not offered by this host's KVM: MTE" \
	"LVMM-GUEST: features=.* sve " "LVMM-GUEST: features=.* paca " "LVMM-GUEST: features=.* pacg "
lvmm_run 300 run -k "$IMAGE" -i "$INITRD" --loglevel info --sve-max-vl 256 -p "quiet lvmm.action=cpu-features"
expect "cpu features: --sve-max-vl 256 caps the guest's vectors at 32 bytes" 0 \
	"SVE (vectors up to 256 bits)" "LVMM-GUEST: sve-SVE: maximum available vector length 32 bytes"
lvmm_run 300 run -k "$IMAGE" -i "$INITRD" --disable-sve --disable-ptrauth -p "quiet lvmm.action=cpu-features"
features=$(tr -d '\r' < "$OUT" | grep "LVMM-GUEST: features=")
if [ "$STATUS" = 0 ] && [ -n "$features" ] && ! echo "$features" | grep -q -e " sve " -e " paca " -e " pacg "; then
	ok "cpu features: --disable-sve --disable-ptrauth withhold them from the guest"
else not_ok "cpu features: with --disable-sve --disable-ptrauth the guest reports '$features'"; fi
lvmm_run 60 run -k "$IMAGE" -i "$INITRD" --sve-max-vl 4096
expect_one_line "cpu features: an impossible --sve-max-vl is one line" 2 "invalid --sve-max-vl '4096'"
lvmm_run 900 run -k "$PAYLOAD/debian/Image" -i "$PAYLOAD/debian/initrd.cpio.gz" -m 512 \
	-p "quiet lvmm.action=cpu-features"
expect "debian kernel: its CPUs have SVE and pointer authentication under lvmm" 0 \
	"LVMM-GUEST: features=.* sve " "LVMM-GUEST: features=.* paca " "LVMM-GUEST: features=.* pacg "

# --- the control socket: lvmm list / stop / pause / resume / stat (docs/control.md) ----------
export XDG_RUNTIME_DIR=/tmp/xdg
rm -rf /tmp/xdg; mkdir -m 700 /tmp/xdg
SOCKETS=/tmp/xdg/lvmm
# ctl ARGS...: an lvmm control command; CTL its status, output in /tmp/ctl.out and .err.
ctl() { timeout 30 "$LVMM" "$@" </dev/null >/tmp/ctl.out 2>/tmp/ctl.err; CTL=$?; }
# await_line FILE PATTERN: waits up to 120 s for PATTERN in FILE.
await_line() { w=0; while ! tr -d '\r' < "$1" 2>/dev/null | grep -q -e "$2" && [ $w -lt 240 ]; do sleep 0.5; w=$((w + 1)); done; }
ticks_in() { tr -d '\r' < "$1" | grep -c '^LVMM-TICK'; }
"$LVMM" run -k "$IMAGE" -i "$INITRD" --name alpha -c 2 -p "quiet lvmm.action=ticks lvmm.ticks_seconds=240" \
	</dev/null >/tmp/alpha.out 2>/tmp/alpha.err &
alpha=$!
"$LVMM" run -k "$IMAGE" -i "$INITRD" -p "quiet lvmm.action=sleep lvmm.sleep_seconds=240" \
	</dev/null >/tmp/unnamed.out 2>/tmp/unnamed.err &
unnamed=$!
await_line /tmp/alpha.out "LVMM-TICK 1$"
await_line /tmp/unnamed.out "init reached"
ctl list
if [ "$CTL" = 0 ] && grep -q "^alpha  *$alpha  *running  *2  *256$" /tmp/ctl.out &&
   grep -q "^guest-$unnamed  *$unnamed  *running  *1  *256$" /tmp/ctl.out; then
	ok "control: lvmm list shows two running guests, one named, one guest-PID"
else not_ok "control: lvmm list (status $CTL): $(tr '\n' '|' < /tmp/ctl.out) $(cat /tmp/ctl.err)"; fi
modes="$(stat -c %a "$SOCKETS") $(stat -c %a "$SOCKETS/alpha.sock")"
if [ "$modes" = "700 600" ]; then ok "control: the socket directory is 0700 and the socket 0600"
else not_ok "control: socket directory and socket modes are '$modes' (wanted '700 600')"; fi
lvmm_run 60 run -k "$IMAGE" -i "$INITRD" --name alpha
expect_one_line "control: a second guest with a running guest's name is refused with one line" 1 \
	"a guest named alpha is already running (its control socket is /tmp/xdg/lvmm/alpha.sock); choose another --name"
ctl stat --name alpha
if [ "$CTL" = 0 ] && grep -q "^guest alpha (pid $alpha): running, 2 vCPUs, 256 MiB$" /tmp/ctl.out &&
   grep -q "^vcpu 1: running, exits mmio=[0-9]* hypercall=[0-9]* system_event=[0-9]* interrupted=[0-9]* other=[0-9]*, steal [0-9]* ns$" /tmp/ctl.out &&
   [ "$(sed -n 's/^vcpu 0: running, exits mmio=\([0-9]*\).*/\1/p' /tmp/ctl.out)" -gt 0 ]; then
	ok "control: lvmm stat gives the vCPUs' states, exits by reason and steal time"
else not_ok "control: lvmm stat (status $CTL): $(tr '\n' '|' < /tmp/ctl.out) $(cat /tmp/ctl.err)"; fi
ctl stat --name alpha --json
if [ "$CTL" = 0 ] && grep -q "^{\"name\":\"alpha\",\"pid\":$alpha,\"state\":\"running\",\"memory_mib\":256,\"vcpus\":\[{\"vcpu\":0,\"state\":\"running\",\"exits\":{\"mmio\":[0-9]*,.*\"steal_ns\":[0-9]*},{\"vcpu\":1,.*}\]}$" /tmp/ctl.out; then
	ok "control: lvmm stat --json is one JSON object with the same figures"
else not_ok "control: lvmm stat --json (status $CTL): $(cat /tmp/ctl.out /tmp/ctl.err)"; fi
# pause: the guest makes no progress (no tick line) while paused, and continues on resume.
ctl pause --name alpha; paused_status=$CTL
sleep 1; before=$(ticks_in /tmp/alpha.out)
ctl stat --name alpha; paused_stat=$(grep -c "paused" /tmp/ctl.out)
sleep 3; after=$(ticks_in /tmp/alpha.out)
ctl resume --name alpha; resumed_status=$CTL
sleep 3; resumed=$(ticks_in /tmp/alpha.out)
echo "measure control_ticks_paused_before=$before paused_after=$after resumed=$resumed"
if [ "$paused_status" = 0 ] && [ "$resumed_status" = 0 ] && [ "$before" -gt 0 ] && [ "$after" = "$before" ] &&
   [ "$paused_stat" = 3 ] && [ "$resumed" -gt "$after" ]; then
	ok "control: pause holds every vCPU ($before ticks before, $after 3 s later), stat says so, resume continues ($resumed)"
else not_ok "control: pause/resume: statuses $paused_status/$resumed_status, ticks $before -> $after while paused -> $resumed after resume, $paused_stat 'paused' in stat (wanted 3)"; fi
# Malformed requests get an error reply and change nothing.
malformed=0
for request in bogus 'stop\n' - 'stat\0' 'pause pause' 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'; do
	"$PAYLOAD/control-raw" "$SOCKETS/alpha.sock" "$request" > /tmp/raw.out 2>&1
	grep -q "^error: malformed request" /tmp/raw.out && malformed=$((malformed + 1))
done
ctl list
if [ "$malformed" = 6 ] && grep -q "^alpha .* running " /tmp/ctl.out; then
	ok "control: 6 malformed requests get an error reply each, and the guest runs on"
else not_ok "control: malformed requests: $malformed of 6 answered with an error; list: $(tr '\n' '|' < /tmp/ctl.out)"; fi
# Another user (nobody, with this XDG_RUNTIME_DIR: run-as-nobody keeps the environment): the
# 0700 directory keeps it out; with the modes loosened, the peer check does.
timeout 30 "$PAYLOAD/run-as-nobody" "$LVMM" stat --name alpha </dev/null >/tmp/ctl.out 2>/tmp/ctl.err
nobody_closed=$?
chmod 755 /tmp/xdg "$SOCKETS"; chmod 666 "$SOCKETS/alpha.sock"
timeout 30 "$PAYLOAD/run-as-nobody" "$LVMM" stop --name alpha </dev/null >/tmp/ctl.out 2>/tmp/ctl.err
nobody_open=$?
chmod 700 /tmp/xdg "$SOCKETS"; chmod 600 "$SOCKETS/alpha.sock"
if [ "$nobody_closed" = 1 ] && [ "$nobody_open" = 1 ] && kill -0 $alpha 2>/dev/null &&
   grep -q "guest alpha refused: permission denied: only uid 0 may control guest alpha" /tmp/ctl.err &&
   grep -q "refused a request from uid 65534" /tmp/alpha.err; then
	ok "control: another uid is refused, by the directory's mode and by the peer's credentials"
else not_ok "control: requests from nobody: statuses $nobody_closed/$nobody_open (wanted 1/1): $(cat /tmp/ctl.err)"; fi
# stop: like SIGTERM (143), and the socket goes with lvmm.
ctl stop --name alpha
wait $alpha; alpha_status=$?
if [ "$CTL" = 0 ] && [ "$alpha_status" = 143 ] && [ ! -e "$SOCKETS/alpha.sock" ]; then
	ok "control: lvmm stop ends the guest with 143 and its socket is removed"
else not_ok "control: lvmm stop: status $CTL, lvmm exited $alpha_status (wanted 143), socket left: $(ls "$SOCKETS")"; fi
ctl stop --name alpha
if [ "$CTL" = 1 ] && grep -q "no guest named alpha is running" /tmp/ctl.err; then ok "control: a guest that is gone is one clear line"
else not_ok "control: stop of a stopped guest: status $CTL, $(cat /tmp/ctl.err)"; fi
# A killed lvmm leaves its socket: list cleans it up, and the name is free again.
kill -KILL $unnamed; wait $unnamed
ctl list
if [ "$CTL" = 0 ] && grep -q "removed the stale control socket $SOCKETS/guest-$unnamed.sock" /tmp/ctl.err &&
   [ ! -e "$SOCKETS/guest-$unnamed.sock" ]; then
	ok "control: lvmm list removes the socket of a killed lvmm"
else not_ok "control: stale socket after SIGKILL: status $CTL, $(cat /tmp/ctl.err), left: $(ls "$SOCKETS")"; fi
"$LVMM" run -k "$IMAGE" -i "$INITRD" --name stale -p "quiet lvmm.action=sleep lvmm.sleep_seconds=240" </dev/null >"$OUT" 2>"$ERR" &
pid=$!
await_line "$OUT" "init reached"
kill -KILL $pid; wait $pid
lvmm_run 300 run -k "$IMAGE" -i "$INITRD" --name stale --loglevel info -p "quiet lvmm.action=poweroff"
expect "control: a new guest takes the name of a killed one, replacing its stale socket" 0 \
	"removing the stale control socket /tmp/xdg/lvmm/stale.sock" "LVMM-GUEST: init reached"
# Pausing while vCPUs kick each other loses no KICK_CPU: a lost kick leaves a waiter in WFI for
# good, and the guest would never finish its rounds.
"$LVMM" run --test-device -k "$G/pvsched_wake.img" -c 2 --pvsched --pvsched-stats --name kicker \
	-p "rounds=600" </dev/null >"$OUT" 2>"$ERR" &
kicker=$!
pauses=0
sleep 1
while kill -0 $kicker 2>/dev/null && [ $pauses -lt 20 ]; do
	ctl pause --name kicker && [ "$CTL" = 0 ] && pauses=$((pauses + 1))
	sleep 0.2
	ctl resume --name kicker
	sleep 0.1
done
w=0; while kill -0 $kicker 2>/dev/null && [ $w -lt 300 ]; do sleep 0.5; w=$((w + 1)); done
kill -KILL $kicker 2>/dev/null; wait $kicker; STATUS=$?
echo "measure control_pauses_during_kicks=$pauses"
if [ "$STATUS" = 0 ] && [ "$pauses" -ge 5 ] && tr -d '\r' < "$ERR" | grep -q "kicks_received=600$"; then
	ok "control: $pauses pauses while vCPUs kick each other lose no KICK_CPU (600 of 600 received)"
else not_ok "control: pauses during kicks: status $STATUS, $pauses pauses (wanted >= 5), $(grep kicks_received "$ERR" | tr '\n' ' ')"; fi
unset XDG_RUNTIME_DIR

# --- lvmm sandbox: a command in a guest kernel, its status and output (docs/sandbox.md) -------
# The guest's root is this host's / over 9p: busybox and /payload are what it finds there.
# sandbox_run TIMEOUT ARGS...: lvmm sandbox from /payload, stdout and stderr apart.
sandbox_run() { t=$1; shift; (cd "$PAYLOAD" && timeout "$t" "$LVMM" sandbox "$@" </dev/null >"$OUT" 2>"$ERR"); STATUS=$?; }
sandbox_run 300 -k "$IMAGE" -- sh -c 'exit 42'
expect "sandbox: 'sh -c exit 42' gives lvmm's status 42" 42
sandbox_run 300 -k "$IMAGE" -- sh -c 'kill -9 $$'
if [ "$STATUS" = 137 ] && ! grep -q 'out of memory' "$ERR"; then ok "sandbox: a command killed by SIGKILL gives 137, with no word of memory"
else not_ok "sandbox: a command killed by SIGKILL: status $STATUS (137 wanted), stderr '$(head -c 400 "$ERR")'"; fi
sandbox_run 300 -k "$IMAGE" -- false
expect "sandbox: false gives 1" 1
# The loopback interface is up, as any init leaves it: a command's own server and client on
# 127.0.0.1 reach each other (ping's echo is the smallest of those).
sandbox_run 300 -k "$IMAGE" -- sh -c 'cat /sys/class/net/lo/flags; ping -c 1 -W 10 127.0.0.1 >/dev/null && echo reached'
expect "sandbox: the loopback interface is up, 127.0.0.1 answers" 0 "^reached$"
# The host name is the root's /etc/hostname's first line that is not a comment, as systemd sets
# it, else localhost: not the kernel's "(none)".
printf '# this host\n  sandbox-host-%s  \n' $$ > /etc/hostname
sandbox_run 300 -k "$IMAGE" -- hostname
expect "sandbox: the host name is the root's /etc/hostname's" 0 "^sandbox-host-$$\$"
rm -f /etc/hostname
sandbox_run 300 -k "$IMAGE" -- hostname
expect "sandbox: with no /etc/hostname in the root the host name is localhost" 0 "^localhost$"
# --user: the command's ids, no capabilities left, and a HOME (a tmpfs) it can write to.
mkdir -p /home/tester
(cd "$PAYLOAD" && HOME=/home/tester timeout 300 "$LVMM" sandbox -k "$IMAGE" --user 1000:1001 -- sh -c 'id -u; id -g; id -G
	touch "$HOME/x" && echo home-writable; touch /tmp/y && echo tmp-writable; grep CapEff /proc/self/status | tr -d "\t "' \
	</dev/null >"$OUT" 2>"$ERR"); STATUS=$?
if [ "$STATUS" = 0 ] && [ "$(tr '\n' ' ' <"$OUT")" = "1000 1001 1001 home-writable tmp-writable CapEff:0000000000000000 " ]; then
	ok "sandbox --user: the command runs as that user and group alone, without capabilities, and owns its HOME"
else not_ok "sandbox --user: the command runs as that user and group alone, without capabilities, and owns its HOME"; fi
# /dev/stdin, /dev/stdout, /dev/stderr and /dev/fd are the command's own descriptors, as any
# init makes them: not files that devtmpfs would let a redirection create.
echo from-stdin > /tmp/sandbox-stdin
(cd "$PAYLOAD" && timeout 300 "$LVMM" sandbox -k "$IMAGE" -- sh -c 'echo to-stderr > /dev/stderr; echo to-stdout > /dev/stdout
	cat /dev/stdin; test -e /dev/fd/0 && echo fd-present; test -f /dev/stderr || echo not-a-file' \
	</tmp/sandbox-stdin >"$OUT" 2>"$ERR"); STATUS=$?
if [ "$STATUS" = 0 ] && [ "$(cat "$ERR")" = to-stderr ] &&
   [ "$(tr '\n' ' ' <"$OUT")" = "to-stdout from-stdin fd-present not-a-file " ]; then
	ok "sandbox: /dev/stdin, /dev/stdout, /dev/stderr and /dev/fd are the command's descriptors"
else not_ok "sandbox: /dev/stdin, /dev/stdout, /dev/stderr and /dev/fd are the command's descriptors"; fi
# The kernel's file systems that kernel tests look for, where a system's init mounts them: the
# minimal kernel has debugfs and bpf (Debian's kernel, below, has cgroup2 and tracefs too).
sandbox_run 300 -k "$IMAGE" -- sh -c 'grep -E " /sys/(fs|kernel)/" /proc/mounts'
expect "sandbox: debugfs and bpf are mounted at /sys/kernel/debug and /sys/fs/bpf" 0 \
	"^debugfs /sys/kernel/debug debugfs " "^bpf /sys/fs/bpf bpf "
# lvmm stopped from outside before the command ended: its own status (143), with a line saying
# so, which a command's own death by SIGTERM (also 143) does not have.
(cd "$PAYLOAD" && exec "$LVMM" sandbox -k "$IMAGE" -- sh -c 'echo started; sleep 600' </dev/null >"$OUT" 2>"$ERR") &
pid=$!
waited=0
while ! grep -q started "$OUT" 2>/dev/null && [ $waited -lt 3000 ]; do sleep 0.1; waited=$((waited + 1)); done
kill -TERM $pid; wait $pid; STATUS=$?
expect_one_line "sandbox: SIGTERM before the command ended gives 143, and one line says so" 143 \
	"stopped by SIGTERM before the command ended"
(cd "$PAYLOAD" && exec "$LVMM" sandbox --name sandbox-stop -k "$IMAGE" -- sh -c 'echo started; sleep 600' \
	</dev/null >"$OUT" 2>"$ERR") &
pid=$!
waited=0
while ! grep -q started "$OUT" 2>/dev/null && [ $waited -lt 3000 ]; do sleep 0.1; waited=$((waited + 1)); done
"$LVMM" stop --name sandbox-stop </dev/null >/dev/null 2>&1
wait $pid; STATUS=$?
expect_one_line "sandbox: lvmm stop before the command ended gives 143, and one line names it" 143 \
	"stopped by lvmm stop before the command ended"
sandbox_run 300 -k "$IMAGE" -- sh -c 'kill -TERM $$'
if [ "$STATUS" = 143 ] && [ ! -s "$ERR" ]; then ok "sandbox: a command's own death by SIGTERM gives 143, and lvmm says nothing"
else not_ok "sandbox: a command's own SIGTERM: status $STATUS (143 wanted), stderr '$(head -c 300 "$ERR")'"; fi
# A command the guest kernel's OOM killer ends: its status (SIGKILL, 137), and one line saying
# why and what to do, from the kernel's log lvmm keeps.
sandbox_run 300 -k "$IMAGE" -m 128 -- "$PAYLOAD/memory-hog"
if [ "$STATUS" = 137 ] && grep -q 'the guest ran out of memory and its kernel killed process [0-9]* (memory-hog): give it more than 128 MiB with -m' "$ERR"; then
	ok "sandbox: a command the OOM killer ends gives 137 and a line naming it and -m"
else not_ok "sandbox: a command the OOM killer ends: status $STATUS, stderr '$(head -c 400 "$ERR")'"; fi
sandbox_run 300 -k "$IMAGE" -- true
if [ "$STATUS" = 0 ] && [ ! -s "$OUT" ] && [ ! -s "$ERR" ]; then ok "sandbox: true gives 0 and prints nothing (the kernel's log stays hidden)"
else not_ok "sandbox: true gives 0 and prints nothing (the kernel's log stays hidden)"; fi
# A long argument list, as $(find ...) gives (until 2026-12-05 more than 1024 were refused).
sandbox_run 300 -k "$IMAGE" -- sh -c 'echo $# $1 ${4999} ${5000}' args $(seq 5000)
if [ "$STATUS" = 0 ] && [ "$(cat "$OUT")" = "5000 1 4999 5000" ]; then ok "sandbox: a command gets all of 5000 arguments, in order"
else not_ok "sandbox: a command with 5000 arguments: status $STATUS, output '$(head -c 200 "$OUT")', '$(head -c 300 "$ERR")'"; fi
sandbox_run 300 -k "$IMAGE" -- sh -c 'echo to-stdout; echo to-stderr >&2; pwd'
if [ "$STATUS" = 0 ] && [ "$(cat "$OUT")" = "$(printf 'to-stdout\n/payload')" ] && [ "$(cat "$ERR")" = to-stderr ]; then
	ok "sandbox: stdout and stderr arrive apart and unchanged, in the caller's directory"
else not_ok "sandbox: stdout and stderr arrive apart and unchanged, in the caller's directory"; fi
(cd "$PAYLOAD" && SANDBOX_SECRET=leaked LANG=C.UTF-8 timeout 300 "$LVMM" sandbox -k "$IMAGE" -- env </dev/null >"$OUT" 2>"$ERR"); STATUS=$?
if [ "$STATUS" = 0 ] && grep -qx 'LANG=C.UTF-8' "$OUT" && grep -q '^PATH=' "$OUT" && ! grep -q SANDBOX_SECRET "$OUT"; then
	ok "sandbox: the command gets the caller's safe variables (LANG, PATH) and not the others"
else not_ok "sandbox: the command gets the caller's safe variables (LANG, PATH) and not the others"; fi
# --env: a variable the filter keeps back, by name (the caller's value) or with a value; a
# given LANG instead of the caller's; a name the caller does not have gives nothing.
(cd "$PAYLOAD" && SANDBOX_SECRET=leaked SANDBOX_WANTED=passed LANG=C.UTF-8 timeout 300 "$LVMM" sandbox -k "$IMAGE" \
	-e SANDBOX_WANTED --env SANDBOX_SET=given -e LANG=C -e SANDBOX_ABSENT -- env </dev/null >"$OUT" 2>"$ERR"); STATUS=$?
if [ "$STATUS" = 0 ] && grep -qx 'SANDBOX_WANTED=passed' "$OUT" && grep -qx 'SANDBOX_SET=given' "$OUT" &&
   [ "$(grep -c '^LANG=' "$OUT")" = 1 ] && grep -qx 'LANG=C' "$OUT" && ! grep -q 'SANDBOX_SECRET\|SANDBOX_ABSENT' "$OUT"; then
	ok "sandbox: --env passes a variable by name or with a value, over the caller's, and no other"
else not_ok "sandbox: --env passes a variable by name or with a value, over the caller's, and no other"; fi
# --loglevel debug: init's steps in the kernel's log, which is shown to its end (lvmm waits for
# the power-off instead of ending the VM on the status).
sandbox_run 300 --loglevel debug -k "$IMAGE" -- true
if [ "$STATUS" = 0 ] && grep -q "lvmm-sandbox-init: root mounted" "$ERR" && grep -q "lvmm-sandbox-init: synced" "$ERR" &&
   grep -q "reboot: Power down" "$ERR"; then
	ok "sandbox: --loglevel debug traces init's steps in a kernel log shown to its end"
else not_ok "sandbox: --loglevel debug traces init's steps in a kernel log shown to its end (status $STATUS)"
	grep "sandbox-init\|reboot" "$ERR" | sed 's/^/#   /'; fi
# ... and the same steps on lvmm's clock, sent by init on the control port, up to the status.
if grep -qE "sandbox: guest init: started \(guest clock [0-9]+\.[0-9]{6} s\), at CLOCK_MONOTONIC [0-9]+ ns" "$ERR" &&
   grep -qE "sandbox: guest init: synced \(guest clock [0-9]+\.[0-9]{6} s\), at CLOCK_MONOTONIC [0-9]+ ns" "$ERR" &&
   grep -qE "sandbox: the command's status arrived at CLOCK_MONOTONIC [0-9]+ ns" "$ERR" &&
   grep -qE "guest power-off at CLOCK_MONOTONIC [0-9]+ ns" "$ERR"; then
	ok "sandbox: --loglevel debug logs init's steps, the status and the power-off on lvmm's clock"
else not_ok "sandbox: --loglevel debug logs init's steps, the status and the power-off on lvmm's clock"
	grep "guest init\|CLOCK_MONOTONIC" "$ERR" | sed 's/^/#   /'; fi
# ... and what the command asked of the root share: exec walks to the file and reads it.
served=$(grep -E "9p share lvmm-root: served [0-9]+ requests" "$ERR")
if echo "$served" | grep -qE ", walk [1-9]" && echo "$served" | grep -qE ", read [1-9]"; then
	ok "sandbox: --loglevel debug counts the root share's requests by type ($(echo "$served" | sed 's/.*: served //'))"
else not_ok "sandbox: --loglevel debug gave no count of the root share's walks and reads: '$served'"; fi
# ... and that its init is the small musl program, not lvmm's megabyte (docs/sandbox.md): the
# guest unpacks and pages in every byte of it at each boot.
init_kib=$(sed -n 's/.*sandbox initrd: [0-9]* KiB, its init \([0-9]*\) KiB.*/\1/p' "$ERR")
if [ -n "$init_kib" ] && [ "$init_kib" -gt 0 ] && [ "$init_kib" -lt 256 ]; then
	ok "sandbox: the guest's init is a small program of its own ($init_kib KiB) and it ran the command"
else not_ok "sandbox: the guest's init is not the small program: '$init_kib' KiB (want 1-255)"; fi
sandbox_run 300 -k "$IMAGE" -- no-such-command-anywhere
expect "sandbox: a command the guest does not have gives 127 and says so" 127 "no-such-command-anywhere: command not found"
# A script whose interpreter the root lacks is there but cannot run: 126 and the interpreter
# named, as a shell's "bad interpreter", not 127 "command not found" (so until 2026-12-05);
# found through PATH too.
rm -rf /sandbox-scripts; mkdir -p /sandbox-scripts
printf '#!/nonexistent/interpreter -x\necho never\n' > /sandbox-scripts/bad-interpreter
chmod 755 /sandbox-scripts/bad-interpreter
sandbox_run 300 -k "$IMAGE" -- /sandbox-scripts/bad-interpreter
expect_one_line "sandbox: a script whose interpreter is missing gives 126 and names it" 126 \
	"/sandbox-scripts/bad-interpreter: its interpreter /nonexistent/interpreter is not in the guest's root"
(PATH="/sandbox-scripts:$PATH"; cd "$PAYLOAD" && timeout 300 "$LVMM" sandbox -k "$IMAGE" -- bad-interpreter) \
	</dev/null >"$OUT" 2>"$ERR"; STATUS=$?
expect_one_line "sandbox: the same script found through PATH gives 126 and names its interpreter" 126 \
	"/sandbox-scripts/bad-interpreter: its interpreter /nonexistent/interpreter is not in the guest's root"
# A dynamically linked program whose loader the root lacks (this host's root is busybox's).
sandbox_run 300 -k "$IMAGE" -- "$PAYLOAD/dynamic-hello"
expect_one_line "sandbox: a program whose dynamic loader is missing gives 126 and says so" 126 \
	"dynamic-hello: it cannot be run: the dynamic loader it names is not in the guest's root"
# A script whose interpreter is there but is such a program.
printf '#!%s\necho never\n' "$PAYLOAD/dynamic-hello" > /sandbox-scripts/dynamic-interpreter
chmod 755 /sandbox-scripts/dynamic-interpreter
sandbox_run 300 -k "$IMAGE" -- /sandbox-scripts/dynamic-interpreter
expect_one_line "sandbox: a script whose interpreter lacks its dynamic loader gives 126 and says so" 126 \
	"dynamic-interpreter: its interpreter $PAYLOAD/dynamic-hello cannot be run: the dynamic loader it names is not in the guest's root"
sandbox_run 30 -k "$IMAGE"
expect_one_line "sandbox: no command is refused with one line and 125" 125 "no command to run"
sandbox_run 30 -k "$IMAGE" --9p /nonexistent-share,out -- true
expect_one_line "sandbox: a missing --9p directory is refused with one line and 125" 125 "nonexistent-share"
sandbox_run 30 -k "$IMAGE" --9p "$PAYLOAD/lvmm,out" -- true
expect_one_line "sandbox: a --9p file that is no directory is refused with one line and 125" 125 "is not a directory"

# Several MB of output, byte for byte: binary data through the command's stdout.
mkdir -p /sandbox-data /sandbox-out
dd if=/dev/urandom of=/sandbox-data/blob bs=1048576 count=6 2>/dev/null
sandbox_run 600 -k "$IMAGE" -- cat /sandbox-data/blob
if [ "$STATUS" = 0 ] && [ "$(md5 < "$OUT")" = "$(md5 < /sandbox-data/blob)" ]; then
	ok "sandbox: 6 MiB of binary output arrive intact"
else not_ok "sandbox: 6 MiB of binary output arrive intact ($(wc -c < "$OUT") bytes)"; fi

# lvmm's standard input is the command's (since 2026-12-06; before, always /dev/null): 6 MiB
# of binary data whole and then its end, a line for `read`, /dev/null left as /dev/null.
(cd "$PAYLOAD" && timeout 600 "$LVMM" sandbox -k "$IMAGE" -- sh -c 'md5sum; echo end-seen' \
	</sandbox-data/blob >"$OUT" 2>"$ERR"); STATUS=$?
if [ "$STATUS" = 0 ] && [ "$(tr '\n' ' ' < "$OUT")" = "$(md5 < /sandbox-data/blob)  - end-seen " ]; then
	ok "sandbox: 6 MiB of binary input reach the command intact, then its end"
else not_ok "sandbox: 6 MiB of binary input reach the command intact, then its end"; fi
(cd "$PAYLOAD" && echo 7 | timeout 300 "$LVMM" sandbox -k "$IMAGE" -- sh -c 'read x; exit $x' \
	>"$OUT" 2>"$ERR"); STATUS=$?
expect "sandbox: a line on lvmm's standard input is the command's (read x; exit \$x gives 7)" 7
sandbox_run 300 -k "$IMAGE" -- readlink /proc/self/fd/0
if [ "$STATUS" = 0 ] && [ "$(cat "$OUT")" = /dev/null ]; then
	ok "sandbox: with lvmm's standard input /dev/null, the command's is /dev/null"
else not_ok "sandbox: with lvmm's standard input /dev/null, the command's is not /dev/null"; fi
# Input the command never reads does not hold it (yes never ends); a command that closes its
# input stops lvmm reading more, as a closed pipe stops its writer: the writer here counts the
# 4 KiB blocks that went into lvmm's stdin before lvmm ended, 5 s after the command closed it.
(cd "$PAYLOAD" && yes | timeout 300 "$LVMM" sandbox -k "$IMAGE" -- true >"$OUT" 2>"$ERR"); STATUS=$?
expect "sandbox: endless input the command never reads does not hold it" 0
stdin_writer() { n=0; while head -c 4096 /dev/zero; do n=$((n + 1)); echo $n > /tmp/stdin-blocks; done; }
echo 0 > /tmp/stdin-blocks
(cd "$PAYLOAD" && stdin_writer | timeout 300 "$LVMM" sandbox -k "$IMAGE" -- sh -c 'exec <&-; sleep 5; echo slept' \
	>"$OUT" 2>"$ERR"); STATUS=$?
blocks=$(cat /tmp/stdin-blocks)
if [ "$STATUS" = 0 ] && [ "$(cat "$OUT")" = slept ] && [ "$blocks" -le 128 ]; then
	ok "sandbox: a command that closes its input stops lvmm reading ($blocks blocks of 4 KiB taken)"
else not_ok "sandbox: a command that closes its input: status $STATUS, $blocks blocks of 4 KiB taken (want <= 128)"; fi

# On a terminal: in its foreground lvmm reads it as the terminal gives it, a line and then
# Ctrl-D's end of file; in its background lvmm leaves it alone (reading it would stop lvmm with
# SIGTTIN), and the command's input is /dev/null. on-terminal runs lvmm on a new pty.
[ -e /dev/pts/ptmx ] || { mkdir -p /dev/pts && mount -t devpts devpts /dev/pts; } 2>/dev/null
if [ -e /dev/pts/ptmx ]; then
	(cd "$PAYLOAD" && timeout 300 "$PAYLOAD/on-terminal" foreground 'typed line\n' -- \
		"$LVMM" sandbox -k "$IMAGE" -- sh -c 'cat; echo end-seen' >"$OUT" 2>"$ERR"); STATUS=$?
	if [ "$STATUS" = 0 ] && [ "$(tr '\n' ' ' < "$OUT")" = "typed line end-seen " ]; then
		ok "sandbox: on a terminal in the foreground, a typed line and Ctrl-D reach the command"
	else not_ok "sandbox: on a terminal in the foreground, a typed line and Ctrl-D reach the command"; fi
	(cd "$PAYLOAD" && timeout 300 "$PAYLOAD/on-terminal" background '' -- \
		"$LVMM" sandbox -k "$IMAGE" -- readlink /proc/self/fd/0 >"$OUT" 2>"$ERR"); STATUS=$?
	if [ "$STATUS" = 0 ] && [ "$(cat "$OUT")" = /dev/null ]; then
		ok "sandbox: on a terminal lvmm is in the background of, the command's input is /dev/null"
	else not_ok "sandbox: on a terminal lvmm is in the background of, the command's input is not /dev/null"; fi
	# lvmm run makes its terminal raw, where Ctrl-A x stops the guest (130), and restores it.
	(cd "$PAYLOAD" && timeout 120 "$PAYLOAD/on-terminal" raw '\x01x' -- "$LVMM" run --loglevel info \
		-k "$G/spin.img" >"$OUT" 2>"$ERR"); STATUS=$?
	expect "console: lvmm run makes its terminal raw, Ctrl-A x stops the guest with 130, the terminal is restored" \
		130 "Ctrl-A x typed: stopping the guest"
	# -t: the command on a pseudo-terminal of the guest's, lvmm's terminal raw as its keyboard
	# and screen. on-terminal session makes the terminal lvmm's input and output, copies what
	# it shows to $OUT, waits for text, types and resizes; and fails (123) if lvmm left it raw.
	tty_session() { t=$1; shift; (cd "$PAYLOAD" && timeout "$t" "$PAYLOAD/on-terminal" session "$@" \
		>"$OUT" 2>"$ERR"); STATUS=$?; }
	tty_session 300 --size 37 91 -- "$LVMM" sandbox -t -k "$IMAGE" -- \
		sh -c 'test -t 0 && test -t 1 && test -t 2 || exit 9; stty size; exit 42'
	expect "sandbox -t: the command's input, output and error are a terminal of lvmm's terminal's size, its status lvmm's" \
		42 "^37 91$"
	# With --user the terminal is the user's, as login makes it: the command can open it again.
	tty_session 300 -- "$LVMM" sandbox -t --user 1000:1000 -k "$IMAGE" -- \
		sh -c 'stat -c %u "$(tty)"; echo reopened > "$(tty)"; exit 4'
	expect "sandbox -t --user: the command's terminal belongs to it" 4 "^1000$" "^reopened$"
	tty_session 300 wait ready type '\x03' -- "$LVMM" sandbox -t -k "$IMAGE" -- \
		sh -c 'trap "echo interrupted; exit 7" INT; echo ready; while :; do sleep 1; done'
	expect "sandbox -t: Ctrl-C typed on lvmm's terminal interrupts the command, not lvmm" 7 "interrupted$"
	tty_session 300 wait ready resize 50 120 -- "$LVMM" sandbox -t -k "$IMAGE" -- \
		sh -c 'trap "stty size; exit 3" WINCH; echo ready; while :; do sleep 1; done'
	expect "sandbox -t: resizing lvmm's terminal resizes the command's (SIGWINCH, stty size)" 3 "^50 120$"
	tty_session 300 wait ready type '\x01x' -- "$LVMM" sandbox -t -k "$IMAGE" -- \
		sh -c 'echo ready; while :; do sleep 1; done'
	expect "sandbox -t: Ctrl-A x ends lvmm with 130, says so, and restores its terminal" 130 \
		"stopped by Ctrl-A x before the command ended"
	# An interactive shell: its prompt, a command's result, its own exit status.
	tty_session 300 wait '# ' type 'echo $((6*7))\n' wait 42 type 'exit 5\n' -- "$LVMM" sandbox -t -k "$IMAGE" -- sh -i
	if [ "$STATUS" = 5 ] && tr -d '\r' < "$OUT" | grep -q '^42$' && ! grep -q 'job control' "$OUT"; then
		ok "sandbox -t: an interactive shell (sh -i) prompts, runs a typed command, exits with its status"
	else not_ok "sandbox -t: an interactive shell (sh -i): status $STATUS (wanted 5, '42', job control on)"; fi
	(cd "$PAYLOAD" && timeout 60 "$PAYLOAD/on-terminal" background '' -- \
		"$LVMM" sandbox -t -k "$IMAGE" -- true >"$OUT" 2>"$ERR"); STATUS=$?
	expect_one_line "sandbox -t: refused in the background of its terminal, with one line" 125 \
		"-t needs lvmm in the foreground of its terminal"
else
	skip "console: lvmm run on a terminal, Ctrl-A x" "the emulated host has no devpts"
	skip "sandbox: on a terminal, foreground and background" "the emulated host has no devpts"
	skip "sandbox: on a terminal lvmm is in the background of" "the emulated host has no devpts"
	for name in "the command's input, output and error are a terminal" "Ctrl-C typed on lvmm's terminal" \
		"resizing lvmm's terminal" "Ctrl-A x ends lvmm with 130" "an interactive shell" \
		"refused in the background of its terminal"; do
		skip "sandbox -t: $name" "the emulated host has no devpts"
	done
fi
sandbox_run 60 -t -k "$IMAGE" -- true
expect_one_line "sandbox -t: refused without a terminal on standard input, with one line" 125 \
	"-t needs a terminal as lvmm's standard input"
# -tt, as ssh -tt: the command's terminal without one of lvmm's; its size 24x80 when lvmm's
# output is no terminal either, and nothing typed on it...
sandbox_run 300 -tt -k "$IMAGE" -- sh -c 'test -t 0 && test -t 1 && test -t 2 || exit 9; stty size; exit 42'
expect "sandbox -tt: the command gets a terminal (24x80) with no terminal of lvmm's" 42 "^24 80$"
# ... or lvmm's input from a pipe, typed on it: an interactive shell reads and runs it.
(cd "$PAYLOAD" && printf 'echo typed-$((6*7))\nexit 3\n' | timeout 300 "$LVMM" sandbox -tt -k "$IMAGE" -- sh -i \
	>"$OUT" 2>"$ERR"); STATUS=$?
expect "sandbox -tt: lvmm's piped input is typed on the command's terminal" 3 "^typed-42$"

# The guest caches the root's file data (docs/9p.md: a regular file's qid.version is never 0;
# with 0, Linux 6.6+ reads around its page cache even under cache=loose): the 6 MiB file read
# twice takes no more Treads than read once, and those are large (with version 0: 1,547 reads
# for one cat, 3,087 for two, measured 2026-12-05).
root_reads() { sed -n 's/.*9p share lvmm-root: served .*, read \([0-9]*\),.*/\1/p' "$ERR"; }
sandbox_run 600 --loglevel debug -k "$IMAGE" -- sh -c 'cat /sandbox-data/blob >/dev/null'
status_once=$STATUS reads_once=$(root_reads)
sandbox_run 600 --loglevel debug -k "$IMAGE" -- sh -c 'cat /sandbox-data/blob >/dev/null; cat /sandbox-data/blob >/dev/null'
reads_twice=$(root_reads)
if [ "$status_once" = 0 ] && [ "$STATUS" = 0 ] && [ -n "$reads_once" ] && [ -n "$reads_twice" ] &&
   [ "$reads_once" -le 100 ] && [ "$reads_twice" -le $((reads_once + 2)) ]; then
	ok "sandbox: the guest caches the root's files: 6 MiB read once took $reads_once Treads, twice $reads_twice"
else not_ok "sandbox: the guest does not cache the root's files: 6 MiB read once took '$reads_once' Treads, twice '$reads_twice' (want <= 100, and no more than once + 2)"; fi
# With file data cached (cache=loose), a writable share's writes go through the guest's page
# cache and its writeback: an append, a new file and 4 MiB of new data reach the host.
rm -rf /sandbox-loose; mkdir -p /sandbox-loose; echo v1 > /sandbox-loose/f
sandbox_run 300 -k "$IMAGE" --9p /sandbox-loose,loose -- sh -c \
	'umount /sandbox-loose && mount -t 9p -o trans=virtio,version=9p2000.L,cache=loose loose /sandbox-loose &&
	 cat /sandbox-loose/f && echo more >> /sandbox-loose/f && echo new > /sandbox-loose/g &&
	 dd if=/dev/zero of=/sandbox-loose/big bs=65536 count=64 2>/dev/null && cat /sandbox-loose/f'
if [ "$STATUS" = 0 ] && [ "$(tr '\n' ' ' < "$OUT")" = "v1 v1 more " ] &&
   [ "$(tr '\n' ' ' < /sandbox-loose/f)" = "v1 more " ] && [ "$(cat /sandbox-loose/g)" = new ] &&
   [ "$(wc -c < /sandbox-loose/big)" -eq 4194304 ]; then
	ok "sandbox: a writable share mounted cache=loose: the guest's append, new file and 4 MiB reach the host"
else not_ok "sandbox: a writable share mounted cache=loose lost writes (status $STATUS, guest read '$(tr '\n' ' ' < "$OUT")', host f '$(tr '\n' ' ' < /sandbox-loose/f)')"; fi
# A shared writable mapping of a file on a ,rw share (git's pack index, SQLite's WAL index, lld's
# output): a mount without a write-back cache refuses it with EINVAL. The guest fills 1 MiB
# through the mapping alone and unmaps it; the host reads the pattern back.
rm -rf /sandbox-mmap; mkdir -p /sandbox-mmap
sandbox_run 300 -k "$IMAGE" --9p /sandbox-mmap,mapped -- "$PAYLOAD/share-mmap" write /sandbox-mmap/f
if [ "$STATUS" = 0 ] && "$PAYLOAD/share-mmap" check /sandbox-mmap/f >/tmp/share-mmap.out; then
	ok "sandbox: a shared writable mmap of a file on a ,rw share works, and its pages reach the host"
else not_ok "sandbox: a shared writable mmap on a ,rw share: status $STATUS, guest '$(cat "$OUT")', host '$(cat /tmp/share-mmap.out)'"; fi
# The guest's clock is lvmm's: init sets it from lvmm's answer on the control port, never behind
# the host and ahead by at most that round trip. The RTC alone leaves it up to half a second off
# either way, different at every boot: a file just written on a share (stamped by the host) was
# then in the guest's future about half the time, which make reports as clock skew. Six boots,
# each one must hold: a file written on a share is not in the guest's future, and the guest is
# at most 250 ms ahead (the RTC alone passes a boot about one time in four).
rm -rf /sandbox-clock; mkdir -p /sandbox-clock
clock_held=0 clock_seen=''
for boot in 1 2 3 4 5 6; do
	sandbox_run 300 -k "$IMAGE" --9p /sandbox-clock,clock -- "$PAYLOAD/share-clock" /sandbox-clock
	figures=$(sed -n 's/^share-clock: after_ms=\([-0-9.]*\) before_ms=\([-0-9.]*\)$/\1 \2/p' "$OUT")
	clock_seen="$clock_seen [$STATUS: ${figures:-$(head -c 200 "$OUT" "$ERR" | tr '\n' ' ')}]"
	if [ "$STATUS" = 0 ] && [ -n "$figures" ] &&
		echo "$figures" | awk '{ exit !($1 <= 0 && $2 >= -250) }'; then
		clock_held=$((clock_held + 1))
	fi
done
if [ "$clock_held" = 6 ]; then
	ok "sandbox: the guest's clock is the host's: in 6 boots a file written on a share is never in its future, and it is at most 250 ms ahead (ms after and before the write:$clock_seen)"
else not_ok "sandbox: the guest's clock is the host's in $clock_held of 6 boots (ms after and before the write:$clock_seen)"; fi
# Yet the share's writes are not held in the guest's cache: the host has them as soon as the
# command has written them, while it still runs and holds the file open (a test that hangs and
# is killed keeps its log; a write-back cache would keep them up to 30 s, or until the close).
# The command says "written" on stdout after its writes; at that moment the host reads the
# file, then ends lvmm with SIGTERM.
rm -rf /sandbox-live; mkdir -p /sandbox-live
(cd "$PAYLOAD" && exec "$LVMM" sandbox -k "$IMAGE" --9p /sandbox-live,live -- sh -c \
	'exec 3> /sandbox-live/log; echo one >&3; echo two >&3; echo written; sleep 600' \
	</dev/null >"$OUT" 2>"$ERR") &
live_pid=$!; waited=0
while [ $waited -lt 1500 ] && kill -0 $live_pid 2>/dev/null && ! grep -q written "$OUT"; do
	sleep 0.2; waited=$((waited + 1))
done
live_seen=$(tr '\n' ' ' < /sandbox-live/log 2>/dev/null)
kill -TERM $live_pid 2>/dev/null; wait $live_pid; STATUS=$?
if [ "$live_seen" = "one two " ] && [ "$STATUS" = 143 ] && [ "$(tr '\n' ' ' < /sandbox-live/log)" = "one two " ]; then
	ok "sandbox: a ,rw share's writes reach the host while the command runs, and stay after SIGTERM ends lvmm"
else not_ok "sandbox: a ,rw share's writes while the command runs: the host read '$live_seen' when the command said '$(cat "$OUT")' (status $STATUS)"; fi

# File semantics programs expect of a writable directory, by Linux's 9p client against lvmm's
# server (tests/integration/share_posix.c): files used after unlink and after being renamed
# over, rm -rf of 3000 entries in one readdir pass, links, fifos, appends, 8 MiB at an offset,
# the *at() calls, a program run from the share. Each of its lines is a check of its own; the
# host then sees the hard link and the renamed directory.
rm -rf /sandbox-posix; mkdir -p /sandbox-posix
sandbox_run 600 -k "$IMAGE" --9p /sandbox-posix,posix -- "$PAYLOAD/share-posix" /sandbox-posix
grep -E '^(ok|not ok) - share-posix: ' "$OUT"
posix_links=$(stat -c %h /sandbox-posix/first-name 2>/dev/null)
if grep -q '^share-posix: 24 checks, 0 failed$' "$OUT" && [ "$STATUS" = 0 ] && [ "$posix_links" = 2 ] &&
   [ -f /sandbox-posix/full-renamed/inside ] && [ ! -e /sandbox-posix/many ]; then
	ok "sandbox: share-posix ran all 24 checks on a ,rw share, and the host sees their results"
else not_ok "sandbox: share-posix on a ,rw share: status $STATUS, '$(grep '^share-posix:' "$OUT")', host link count '$posix_links'"; fi

# lvmm's stdout closed by its reader (`| head`): the run ends as a process writing to a closed
# pipe does, with 128 + SIGPIPE, and says nothing. Before 2026-12-05 the command went on
# writing into the void until the watchdog (here 120 s) ended it.
rm -f /tmp/sandbox-pipe.status
(cd "$PAYLOAD" && timeout 120 "$LVMM" sandbox -k "$IMAGE" -- sh -c 'while :; do echo line; done' \
	</dev/null 2>"$ERR"; echo $? > /tmp/sandbox-pipe.status) | head -n 2 > "$OUT"
STATUS=$(cat /tmp/sandbox-pipe.status 2>/dev/null)
if [ "$STATUS" = 141 ] && [ "$(tr '\n' ' ' < "$OUT")" = "line line " ] && [ ! -s "$ERR" ]; then
	ok "sandbox: an endless writer piped into head ends with 141 (SIGPIPE), silently"
else not_ok "sandbox: an endless writer piped into head: status '$STATUS', '$(tr '\n' ' ' < "$OUT")', '$(head -n 1 "$ERR")'"; fi

# The caller's directory below a tmpfs's place stays the host's: a checkout under $HOME, a CI
# workspace (GitHub's runners work below /home/runner). There the command reads the host's
# files (read-only, as the root), $HOME stays a writable tmpfs, and a --9p share below $HOME is
# mounted and written. Before 2026-12-05 the tmpfs hid both: status 125.
rm -rf /sandbox-home; mkdir -p /sandbox-home/work/repo /sandbox-home/work/out
echo home-marker > /sandbox-home/work/repo/marker
(cd /sandbox-home/work/repo && HOME=/sandbox-home timeout 300 "$LVMM" sandbox -k "$IMAGE" \
	--9p /sandbox-home/work/out,out -- sh -c 'pwd; cat marker; touch "$HOME/cache" && echo home-writable;
	echo from-guest > /sandbox-home/work/out/result; touch marker 2>/dev/null || echo cwd-read-only') \
	</dev/null >"$OUT" 2>"$ERR"; STATUS=$?
if [ "$STATUS" = 0 ] && [ "$(tr '\n' ' ' < "$OUT")" = "/sandbox-home/work/repo home-marker home-writable cwd-read-only " ] &&
   [ "$(cat /sandbox-home/work/out/result 2>/dev/null)" = from-guest ] && [ ! -e /sandbox-home/cache ]; then
	ok "sandbox: run from a directory below \$HOME, the command sees it, \$HOME is a tmpfs and a share below \$HOME is written"
else not_ok "sandbox: run from a directory below \$HOME: status $STATUS, '$(tr '\n' ' ' < "$OUT")', '$(head -n 1 "$ERR")'"; fi
# Below /tmp too, where /tmp itself stays writable; and from $HOME itself the command runs in
# its tmpfs (a tmpfs's own place is that tmpfs).
rm -rf /tmp/sandbox-cwd; mkdir -p /tmp/sandbox-cwd/checkout; echo tmp-marker > /tmp/sandbox-cwd/checkout/marker
(cd /tmp/sandbox-cwd/checkout && timeout 300 "$LVMM" sandbox -k "$IMAGE" -- sh -c \
	'cat marker; echo x > /tmp/scratch && echo tmp-writable') </dev/null >"$OUT" 2>"$ERR"
STATUS=$?
tmp_out=$(tr '\n' ' ' < "$OUT")
(cd /sandbox-home && HOME=/sandbox-home timeout 300 "$LVMM" sandbox -k "$IMAGE" -- sh -c \
	'pwd; ls -A | wc -l; touch here && echo writable') </dev/null >"$OUT" 2>"$ERR"
if [ "$STATUS" = 0 ] && [ "$tmp_out" = "tmp-marker tmp-writable " ] && [ "$(tr '\n' ' ' < "$OUT")" = "/sandbox-home 0 writable " ]; then
	ok "sandbox: run from below /tmp the command sees its directory and /tmp is writable; run from \$HOME it runs in \$HOME's tmpfs"
else not_ok "sandbox: run from below /tmp: '$tmp_out' (status $STATUS); from \$HOME: '$(tr '\n' ' ' < "$OUT")', '$(head -n 1 "$ERR")'"; fi

# A host file read through the read-only root, written to a read-write share; the root refuses.
echo "host-file-$$" > /sandbox-data/in.txt
rm -f /sandbox-out/copy.txt
sandbox_run 300 -k "$IMAGE" --9p /sandbox-out,out -- sh -c \
	'cp /sandbox-data/in.txt /sandbox-out/copy.txt && sync; echo x > /sandbox-data/new.txt && exit 9; exit 0'
if [ "$STATUS" = 0 ] && [ "$(cat /sandbox-out/copy.txt 2>/dev/null)" = "host-file-$$" ] && [ ! -e /sandbox-data/new.txt ]; then
	ok "sandbox: a host file is read, a ,rw share is written (the host sees it) and the root refuses writes"
else not_ok "sandbox: a host file is read, a ,rw share is written (the host sees it) and the root refuses writes"; fi

# Escapes: a root of its own whose symlinks point out of it, absolutely and by '..'.
rm -rf /sandbox-root; mkdir -p /sandbox-root/bin /sandbox-root/dev /sandbox-root/proc /sandbox-root/sys /sandbox-root/tmp
cp /bin/busybox /sandbox-root/bin/busybox; ln -s busybox /sandbox-root/bin/sh; ln -s busybox /sandbox-root/bin/cat
echo "outside-$$" > /sandbox-secret
ln -s /sandbox-secret /sandbox-root/absolute; ln -s ../../../sandbox-secret /sandbox-root/relative
sandbox_run 300 -k "$IMAGE" --rootfs /sandbox-root -- sh -c 'cat /absolute /relative /../sandbox-secret; exit 0'
if [ "$STATUS" = 0 ] && ! grep -q "outside-$$" "$OUT" "$ERR" && grep -q "No such file" "$ERR"; then
	ok "sandbox: symlinks and '..' in --rootfs do not reach the host's files"
else not_ok "sandbox: symlinks and '..' in --rootfs do not reach the host's files"; fi

# Debian's own kernel: 9p and virtio-console are modules, found in the root's /lib/modules.
mkdir -p /lib/modules
cp -a "$PAYLOAD/debian/root/lib/modules/." /lib/modules/
# Its input crosses the same control port, driven by Debian's virtio_console module.
(cd "$PAYLOAD" && echo 42 | timeout 900 "$LVMM" sandbox -k "$PAYLOAD/debian/Image" -m 512 -- \
	sh -c 'uname -r; read x; exit $x' >"$OUT" 2>"$ERR"); STATUS=$?
expect "sandbox: Debian's arm64 kernel loads its 9p and virtio modules, runs the command and gives it lvmm's input" \
	42 "$(ls /lib/modules | head -n 1)"
# -t with Debian's kernel: its devpts and pty driver, built in there too.
if [ -e /dev/pts/ptmx ]; then
	tty_session 900 --size 37 91 -- "$LVMM" sandbox -t -k "$PAYLOAD/debian/Image" -m 512 -- \
		sh -c 'test -t 0 && test -t 1 && test -t 2 || exit 9; stty size; exit 42'
	expect "sandbox -t: Debian's arm64 kernel gives the command a terminal of lvmm's terminal's size" 42 "^37 91$"
else skip "sandbox -t: Debian's arm64 kernel gives the command a terminal" "the emulated host has no devpts"; fi
# The same kernel without its 9p modules: the guest says what is missing.
rm -rf /sandbox-no9p; mkdir -p /sandbox-no9p/lib/modules; cp -a /lib/modules/. /sandbox-no9p/lib/modules/
find /sandbox-no9p/lib/modules -name '9p*.ko*' -delete
sed -i '/9p/d' /sandbox-no9p/lib/modules/*/modules.dep
sandbox_run 900 -k "$PAYLOAD/debian/Image" -m 512 --rootfs /sandbox-no9p -- true
expect_one_line "sandbox: a kernel without 9p is named as such, status 125" 125 "no 9p file system"
# --modules: a kernel's modules from a directory of their own, as make modules_install
# INSTALL_MOD_PATH=DIR leaves them, with a root that has none (busybox and an empty
# /lib/modules). The sandbox's 9p and virtio modules come from there, and so does what the
# command's modprobe loads (dummy, which nothing else loads).
release=$(ls /lib/modules | head -n 1)
rm -rf /modules-install /sandbox-modules-root
mkdir -p /modules-install/lib/modules /sandbox-modules-root/bin /sandbox-modules-root/dev \
	/sandbox-modules-root/proc /sandbox-modules-root/sys /sandbox-modules-root/tmp /sandbox-modules-root/lib/modules
cp -a "$PAYLOAD/debian/root/lib/modules/$release" /modules-install/lib/modules/
cp /bin/busybox /sandbox-modules-root/bin/busybox
for applet in sh modprobe grep; do ln -s busybox /sandbox-modules-root/bin/$applet; done
sandbox_run 900 -k "$PAYLOAD/debian/Image" -m 512 --rootfs /sandbox-modules-root --modules /modules-install -- \
	sh -c 'modprobe dummy || exit 9; grep -c "^dummy " /proc/modules; exit 42'
expect "sandbox --modules: Debian's kernel takes its 9p modules from DIR, and the command's modprobe loads another from there" \
	42 "^1$"
# The minimal kernel builds in what the sandbox needs; its --modules directory is given as the
# release's own directory (a modules.dep, no modules), and a file in it tells it apart.
sandbox_run 300 -k "$IMAGE" -- uname -r
minimal_release=$(tr -d '\r' <"$OUT")
rm -rf /modules-minimal; mkdir -p /modules-minimal
: > /modules-minimal/modules.dep
echo "modules-of-$$" > /modules-minimal/marker
# The root's /lib/modules lacks the release: a tmpfs there holds it, hiding Debian's.
sandbox_run 300 -k "$IMAGE" --modules /modules-minimal -- sh -c 'cat "/lib/modules/$(uname -r)/marker"; ls /lib/modules'
if [ "$STATUS" = 0 ] && grep -qx "modules-of-$$" "$OUT" && grep -qx "$minimal_release" "$OUT" &&
   ! grep -qx "$release" "$OUT"; then
	ok "sandbox --modules: a release directory given as DIR is the running kernel's /lib/modules/RELEASE"
else not_ok "sandbox --modules: a release directory given as DIR is the running kernel's /lib/modules/RELEASE"; fi
# The root has the release's directory: DIR covers it, read-only.
mkdir -p "/lib/modules/$minimal_release"; echo root > "/lib/modules/$minimal_release/root-file"
sandbox_run 300 -k "$IMAGE" --modules /modules-minimal -- sh -c 'cd "/lib/modules/$(uname -r)" && cat marker && test ! -e root-file && ! touch new-file 2>/dev/null && echo read-only'
expect "sandbox --modules: DIR covers the root's own directory of the release, read-only" 0 "^modules-of-$$$" "^read-only$"
rm -rf "/lib/modules/$minimal_release"
sandbox_run 300 -k "$IMAGE" --modules /no-such-modules -- true
expect_one_line "sandbox --modules: a missing DIR is named, status 125" 125 "--modules '/no-such-modules': No such file or directory"
rm -f /modules-minimal/modules.dep
sandbox_run 300 -k "$IMAGE" --modules /modules-minimal -- true
expect_one_line "sandbox --modules: a DIR without a modules.dep for the kernel is named, status 125" 125 \
	"--modules /modules-minimal holds no modules.dep, neither in itself nor in lib/modules/$minimal_release"
: > /modules-minimal/modules.dep
sandbox_run 300 -k "$IMAGE" --rootfs /sandbox-root --modules /modules-minimal -- true
expect_one_line "sandbox --modules: a root without /lib/modules is named, status 125" 125 "no /lib/modules to put the --modules directory in"
# Debian's 6.12 kernel, its modules xz-compressed, given with --modules as make modules_install
# leaves them: init loads its compressed 9p modules, the command's modprobe another.
release612=$(ls "$PAYLOAD/debian612/mods/lib/modules")
sandbox_run 900 -k "$PAYLOAD/debian612/Image" -m 512 --modules "$PAYLOAD/debian612/mods" -- \
	sh -c 'uname -r; modprobe dummy && grep -c "^dummy " /proc/modules'
expect "sandbox --modules: Debian's 6.12 kernel loads its xz-compressed 9p modules from DIR, the command's modprobe another" \
	0 "^$release612$" "^1$"
# Debian 6.1's modules for the 6.12 kernel, their release directory given as DIR: the first fails
# to load, and the line init wrote on the kernel's console says so, without the console's CR.
sandbox_run 900 -k "$PAYLOAD/debian612/Image" -m 512 --modules "/modules-install/lib/modules/$release" -- true
expect_one_line "sandbox --modules: another kernel's modules are named as such, status 125" 125 \
	"loading the guest kernel module .* the modules must be this kernel's own)$"
# Its 9p client asks for security.capability before each write() (CONFIG_9P_FS_SECURITY), which
# noxattr answers in the guest: 200 write()s to a share are 200 Twrites and no Txattrwalk.
rm -rf /share-noxattr; mkdir -p /share-noxattr
sandbox_run 900 --loglevel debug -p quiet -k "$PAYLOAD/debian612/Image" -m 512 --modules "$PAYLOAD/debian612/mods" \
	--9p /share-noxattr,w -- sh -c 'dd if=/dev/zero of=/share-noxattr/x bs=4096 count=200 2>/dev/null'
if [ "$STATUS" = 0 ] && [ "$(wc -c </share-noxattr/x)" = 819200 ] && grep -q "9p share w: served .* write 200," "$ERR" &&
   ! grep "9p share w: served" "$ERR" | grep -q xattrwalk; then
	ok "sandbox: shares are mounted noxattr: writes cost no Txattrwalk on Debian's 6.12 kernel"
else not_ok "sandbox: shares are mounted noxattr: writes cost no Txattrwalk on Debian's 6.12 kernel ($(grep '9p share w:' "$ERR"))"; fi
# --writable-root: the command writes, appends to and deletes the root's files, and sees its
# changes, /tmp still its own tmpfs; the host's files are as they were. Debian's kernel has
# overlayfs as a module, which the root's /lib/modules holds; the minimal kernel has none, and
# says so.
echo host > /etc/lvmm-overlay-old; echo host > /etc/lvmm-overlay-gone; rm -f /etc/lvmm-overlay-new
sandbox_run 900 -k "$PAYLOAD/debian/Image" -m 512 --writable-root -- sh -c 'echo guest > /etc/lvmm-overlay-new &&
	echo appended >> /etc/lvmm-overlay-old && rm /etc/lvmm-overlay-gone && test ! -e /etc/lvmm-overlay-gone &&
	cat /etc/lvmm-overlay-new /etc/lvmm-overlay-old && grep -q "^tmpfs /tmp tmpfs " /proc/mounts && echo done'
if [ "$STATUS" = 0 ] && [ "$(tr -d '\r' <"$OUT" | tr '\n' ' ')" = "guest host appended done " ] &&
   [ ! -e /etc/lvmm-overlay-new ] && [ "$(cat /etc/lvmm-overlay-old)" = host ] &&
   [ "$(cat /etc/lvmm-overlay-gone)" = host ]; then
	ok "sandbox --writable-root: the command writes, appends and deletes in the root; the host's files stay as they were"
else not_ok "sandbox --writable-root: the command writes, appends and deletes in the root; the host's files stay as they were"; fi
sandbox_run 900 -k "$PAYLOAD/debian/Image" -m 512 -- sh -c 'grep -E " /sys/(fs|kernel)/" /proc/mounts
	test -e /sys/kernel/tracing/trace || exit 9; echo guest > /etc/lvmm-overlay-new'
expect "sandbox: without --writable-root the root stays read-only; Debian's kernel gets cgroup2 and tracefs mounted" 1 \
	"Read-only file system" "^cgroup2 /sys/fs/cgroup cgroup2 " "^tracefs /sys/kernel/tracing tracefs "
rm -f /etc/lvmm-overlay-old /etc/lvmm-overlay-gone
sandbox_run 300 -k "$IMAGE" --writable-root -- true
expect_one_line "sandbox --writable-root: a kernel without overlayfs is named as such, status 125" 125 "no overlay file system for --writable-root"
fi # general (sandbox)

if part general; then
# --- confinement: seccomp filters (lvmm(1), SECCOMP) ----------------------------------------
# seccomp_states PID: "tasks filtered own" for lvmm's threads: how many there are, how many run
# under a filter (Seccomp: 2) and how many under two (their own on top of the main thread's).
seccomp_states() {
	tasks=0 filtered=0 own=0
	for task_status in /proc/$1/task/*/status; do
		[ -f "$task_status" ] || continue
		tasks=$((tasks + 1))
		[ "$(sed -n 's/^Seccomp:[[:space:]]*//p' "$task_status")" = 2 ] && filtered=$((filtered + 1))
		[ "$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' "$task_status")" = 2 ] && own=$((own + 1))
	done
	echo "$tasks $filtered $own"
}
# A Linux guest with 2 vCPUs, a disk, an rng and a 9p share: 11 threads (main, console output, 2
# vCPUs, 2 I/O, the disk's 4 workers, a 9p server), all filtered; the vCPU, I/O, worker and 9p
# server threads each under their own filter too.
dd if=/dev/zero of=/tmp/seccomp-disk.img bs=1048576 count=1 2>/dev/null
mkdir -p /tmp/seccomp-share
"$LVMM" run -k "$IMAGE" -i "$INITRD" -c 2 -m 256 -p "quiet lvmm.action=sleep" -d /tmp/seccomp-disk.img --rng \
	--9p /tmp/seccomp-share,share </dev/null >"$OUT" 2>"$ERR" &
pid=$!
sleep 4
states=$(seccomp_states $pid)
wait $pid; STATUS=$?
if [ "$states" = "11 11 9" ] && [ "$STATUS" = 0 ] && grep -q "LVMM-GUEST: init reached" "$OUT"; then
	ok "seccomp: while a Linux guest with a disk, an rng and a 9p share runs, all 11 threads of lvmm are filtered, the 9 vCPU, I/O, disk worker and 9p server threads by their own filter too"
else not_ok "seccomp: threads, filtered threads, threads under their own filter: '$states' (wanted '11 11 9'), status $STATUS (wanted 0)"; fi
# A forbidden call (LVMM_SECCOMP_TEST_VIOLATION: execve, once the thread is confined) ends lvmm
# with status 7 and one line naming the thread and the call, whichever thread makes it.
mkdir -p /tmp/seccomp-share
for kind in main console-output vcpu io 9p-server; do
	case $kind in
	main) thread=main ;; console-output) thread="console output" ;; vcpu) thread=vCPU ;; io) thread=I/O ;;
	9p-server) thread="9p server" ;;
	esac
	export LVMM_SECCOMP_TEST_VIOLATION=$kind
	lvmm_run 30 run --test-device -k "$G/hello.img" --rng --9p /tmp/seccomp-share,share
	unset LVMM_SECCOMP_TEST_VIOLATION
	expect_one_line "seccomp: a forbidden call on the $thread thread ends lvmm with status 7 and one line naming it" 7 \
		"^lvmm: seccomp: the $thread thread made system call [0-9]* (execve), which its filter forbids"
done
# --no-seccomp: the same call is made, fails, and the guest runs on.
export LVMM_SECCOMP_TEST_VIOLATION=vcpu
lvmm_run 30 run --test-device -k "$G/hello.img" --no-seccomp
unset LVMM_SECCOMP_TEST_VIOLATION
expect "seccomp: with --no-seccomp the forbidden call is not stopped and the guest runs" 0 \
	"the vCPU thread called execve and was not stopped" "guest: hello from the bare-metal guest"
# A reboot builds a new VM under the main thread's filter (opens /dev/kvm, the payloads and the
# disk again, starts new threads), and the new vCPU and I/O threads confine themselves again:
# a Linux guest with a disk, an rng and a virtio console, rebooting until two reboots are seen;
# then, within 30 s, a moment when a later boot's threads all run, each under its filters.
"$LVMM" run -k "$IMAGE" -i "$INITRD" -p "quiet lvmm.action=reboot" -d /tmp/seccomp-disk.img --rng \
	--console virtio --loglevel info </dev/null >"$OUT" 2>"$ERR" &
pid=$!
n=0
while [ $n -lt 240 ] && [ "$(grep -c 'guest reset; rebooting' "$ERR")" -lt 2 ] && kill -0 $pid 2>/dev/null; do
	sleep 1; n=$((n + 1))
done
n=0 states=
while [ $n -lt 300 ] && [ "$states" != "10 10 8" ] && kill -0 $pid 2>/dev/null; do
	# From the third boot on (the second's threads are joined before it), sampled often:
	# between boots the vCPU and I/O threads come and go.
	[ "$(grep -c '^lvmm: booting ' "$ERR")" -ge 3 ] && states=$(seccomp_states $pid)
	sleep 0.1; n=$((n + 1))
done
kill -TERM $pid 2>/dev/null
wait $pid; STATUS=$?
reboots=$(grep -c "guest reset; rebooting" "$ERR")
boots=$(tr -d '\r' < "$OUT" | grep -c "LVMM-GUEST: init reached")
# After the reboots: main, console output, 1 vCPU, 3 I/O threads (rng, disk, console), the
# disk's 4 workers.
if [ "$STATUS" = 143 ] && [ "$reboots" -ge 2 ] && [ "$boots" -ge 2 ] && [ "$states" = "10 10 8" ] &&
   ! grep -q "seccomp" "$ERR"; then
	ok "seccomp: a Linux guest with virtio devices reboots under the filters ($reboots reboots, $boots boots to init), its new threads filtered again"
else not_ok "seccomp: reboots under the filters: status $STATUS (wanted 143), $reboots reboots, $boots boots to init (wanted 2 each), thread states '$states' (wanted '10 10 8')"; fi
rm -f /tmp/seccomp-disk.img
fi # general (seccomp)
# Every check above ran on this host kernel; none of it may have made it warn (a host with
# panic_on_warn would have died).
if [ "$(dmesg | grep -c -E '(WARNING|BUG):')" = 0 ]; then
	ok "host kernel: no WARNING or BUG in its log during the suite"
else
	not_ok "host kernel: no WARNING or BUG in its log during the suite"
	dmesg | grep -A 12 -E '(WARNING|BUG):' | head -n 40 | sed 's/^/#   /'
fi
echo "# suite done"
